/// One `[[endpoint]]` of the configuration: a path prefix with its signature scheme, secrets, answer and forward
/// target.
///
/// Secrets never appear in `description`, `debugDescription` or a mirror.
public struct EndpointConfiguration: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// A label for messages and the inspector; defaults to the path.
    public var name: String
    /// Requests whose path is this or below it (`/webhooks/front` covers `/webhooks/front/x`, not
    /// `/webhooks/frontier`).
    public var pathPrefix: String
    /// A scheme name (`front`, …), `auto` or `none`.
    public var scheme: String
    /// The token a verify-token handshake must present (Meta's `hub.verify_token`), when configured.
    public var verifyToken: String?
    /// Literal secrets first, then those read from environment variables, in file order.
    public var secrets: [String]
    /// The base URL the sender signs against (Twilio, Square).
    public var publicURL: String?
    public var response: CaptureResponse
    /// Where to forward captures on this endpoint.
    public var forward: String?
    /// `[[endpoint.rule]]`s, tried in order before the endpoint's answer; the first that matches answers.
    public var rules: [ResponseRule]

    public init(
        name: String? = nil, pathPrefix: String, scheme: String = "auto", secrets: [String] = [],
        publicURL: String? = nil, response: CaptureResponse = CaptureResponse(), forward: String? = nil,
        rules: [ResponseRule] = []
    ) {
        self.name = name ?? pathPrefix
        self.pathPrefix = pathPrefix
        self.scheme = scheme
        self.secrets = secrets
        self.publicURL = publicURL
        self.response = response
        self.forward = forward
        self.rules = rules
    }

    /// Scheme names the configuration accepts (the same as the default scheme selection takes).
    public static let schemeNames = [
        "front", "front-app", "github", "stripe", "slack", "shopify", "standard-webhooks", "twilio", "paddle",
        "square", "twitch", "zoom", "linear", "intercom", "hubspot", "typeform", "woocommerce", "asana", "sentry",
        "vercel", "lemonsqueezy", "bitbucket", "meta", "trello", "dropbox", "calendly", "mux", "persona", "pagerduty",
        "circleci", "webflow", "razorpay", "paystack", "cal-com", "coinbase-commerce", "notion", "docusign", "zendesk",
        "gitlab", "okta", "discord", "sendgrid", "mailgun", "none",
        "auto",
    ]

    /// Whether `path` is this endpoint's prefix or lies below it, at a segment boundary.
    public func covers(path: String) -> Bool {
        guard path.hasPrefix(pathPrefix) else { return false }
        if pathPrefix.hasSuffix("/") || path.count == pathPrefix.count { return true }
        let next = path[path.index(path.startIndex, offsetBy: pathPrefix.count)]
        return next == "/" || next == "?"
    }

    public var description: String {
        var text = "endpoint \(name) (\(pathPrefix)): scheme \(scheme), \(secrets.count) secret"
        if secrets.count != 1 { text += "s" }
        if let publicURL { text += ", public URL \(publicURL)" }
        text += ", answers \(response.status)"
        if let forward { text += ", forwards to \(forward)" }
        if !rules.isEmpty { text += ", \(rules.count) rule" + (rules.count == 1 ? "" : "s") }
        return text
    }

    public var debugDescription: String { "EndpointConfiguration(\(description))" }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "name": name, "pathPrefix": pathPrefix, "scheme": scheme, "secretCount": secrets.count,
                "publicURL": publicURL as Any, "response": response, "forward": forward as Any,
                "ruleCount": rules.count,
            ], displayStyle: .struct)
    }
}
