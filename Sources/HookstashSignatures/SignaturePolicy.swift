import HookstashCore

/// What to check a request against: the scheme, the secrets (several during a rotation) and, for schemes that sign
/// the URL, the public base URL the sender delivers to.
///
/// Secrets never appear in `description`, `debugDescription` or a mirror, so a policy can be logged.
public struct SignaturePolicy: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// A secret that belongs to something else (another endpoint of the configuration). It never makes a signature
    /// valid; a diagnosis reports when it would have matched.
    public struct OtherSecret: Sendable, Hashable {
        /// Where the secret is configured, as a user recognises it: `endpoint /webhooks/github`.
        public var label: String
        public var secret: String

        public init(label: String, secret: String) {
            self.label = label
            self.secret = secret
        }
    }

    public var scheme: SignatureSchemeSelection
    /// Tried in order; the verdict's `matchedSecret` counts from 1.
    public var secrets: [String]
    /// `https://abc.ngrok.app`: the scheme and authority the sender signs; the request's path and query are
    /// appended. A path in it goes before the request's path (a proxy that strips a prefix).
    public var publicURL: String?
    public var otherSecrets: [OtherSecret]
    /// The token a verify-token handshake must present (Meta's `hub.verify_token`); never in `description`.
    public var verifyToken: String?

    public init(
        scheme: SignatureSchemeSelection = .auto, secrets: [String] = [], publicURL: String? = nil,
        otherSecrets: [OtherSecret] = [], verifyToken: String? = nil
    ) {
        self.verifyToken = verifyToken
        self.scheme = scheme
        self.secrets = secrets
        self.publicURL = publicURL
        self.otherSecrets = otherSecrets
    }

    public var description: String {
        var text = "scheme \(scheme), \(secrets.count) secret\(secrets.count == 1 ? "" : "s")"
        if let publicURL { text += ", public URL \(publicURL)" }
        return text
    }

    public var debugDescription: String { "SignaturePolicy(\(description))" }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: ["scheme": scheme, "secretCount": secrets.count, "publicURL": publicURL as Any],
            displayStyle: .struct)
    }
}
