/// A delivery hookstash declines on purpose, before anything is sent, as opposed to one that failed: a guard's
/// decision. The inspector answers it 403 with `code`; the command line renders it with the flag that relaxes it.
public protocol DeliveryRefusal: Error, Sendable, CustomStringConvertible {
    /// Stable, machine-readable: `target_not_allowed`, `signature_not_verified`.
    var code: String { get }
}

/// The address or name a delivery would reach is one hookstash does not deliver to unless allowed: link-local
/// addresses and cloud metadata services, where a replayed or forwarded request (whose target anyone who can reach
/// the inspector may choose) would read instance credentials.
public struct TargetRefusal: DeliveryRefusal, Hashable {
    public enum Reason: String, Sendable, Hashable {
        /// 169.254.0.0/16, fe80::/10: link-local, where cloud metadata services answer.
        case linkLocal = "link_local"
        /// A cloud provider's metadata service (an address outside the link-local ranges, or its name).
        case cloudMetadata = "cloud_metadata"
    }

    /// The host of the target, as given.
    public var host: String
    /// The address refused (as connected to, or as the host resolved), nil when the name itself is refused.
    public var address: String?
    public var reason: Reason
    /// The range or name that matched: `169.254.0.0/16`, `metadata.google.internal`.
    public var rule: String

    public init(host: String, address: String?, reason: Reason, rule: String) {
        self.host = host
        self.address = address
        self.reason = reason
        self.rule = rule
    }

    public var code: String { "target_not_allowed" }

    public var description: String {
        let kind = reason == .linkLocal ? "a link-local address" : "a cloud metadata service"
        let reached = address.map { $0 == host ? host : "\(host) (\($0))" } ?? host
        return "\(reached) is \(kind) (\(rule)); hookstash does not deliver there unless it is allowed"
    }
}

/// A capture whose signature was not verified `valid` is not re-signed unless asked: re-signing gives a valid
/// signature, under the configured secret, to a request the provider never signed (on a public endpoint, to
/// anyone's request).
public struct ResignRefusal: DeliveryRefusal, Hashable {
    public var captureID: Int64
    /// The verdict that was not `valid`; nil when the capture was never checked.
    public var status: SignatureStatus?

    public init(captureID: Int64, status: SignatureStatus?) {
        self.captureID = captureID
        self.status = status
    }

    public var code: String { "signature_not_verified" }

    public var description: String {
        let verdict = status.map { "its signature is \($0.rawValue)" } ?? "its signature was never checked"
        return "capture \(captureID) was not re-signed: \(verdict), and re-signing would vouch for a request the "
            + "provider never signed"
    }
}
