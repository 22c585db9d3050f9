import HookstashCore

/// Why a delivery got no HTTP answer, in a sentence a user understands (and, for a guard's refusal, the decision).
///
/// A struct over a private code so that kinds can be added without breaking callers.
public struct DeliveryError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Hashable, Sendable {
        case refused
        case timedOut = "timeout"
        case dns
        case tls
        case connectionLost = "connection"
        case invalidTarget = "target"
        case invalidRequest = "request"
        case targetRefused = "target_not_allowed"
        case redirectNotFollowed = "redirect"
        case cancelled
        case other
    }

    private let code: Code
    public let message: String
    /// The guard's decision, when the target was refused (`targetRefused`).
    public let targetRefusal: TargetRefusal?

    private init(_ code: Code, _ message: String, refusal: TargetRefusal? = nil) {
        self.code = code
        self.message = message
        self.targetRefusal = refusal
    }

    public var description: String { message }

    /// A short machine-readable kind for JSON: `refused`, `timeout`, `dns`, `tls`, `connection`, `target`,
    /// `request`, `target_not_allowed`, `redirect`, `cancelled`, `other`.
    public var kind: String { code.rawValue }

    /// Nothing accepted the connection (target down, wrong port).
    public static func refused(_ message: String) -> DeliveryError { .init(.refused, message) }
    /// The connect or total timeout elapsed.
    public static func timedOut(_ message: String) -> DeliveryError { .init(.timedOut, message) }
    /// The target's host name did not resolve.
    public static func dns(_ message: String) -> DeliveryError { .init(.dns, message) }
    /// The TLS handshake or certificate check failed.
    public static func tls(_ message: String) -> DeliveryError { .init(.tls, message) }
    /// The connection broke or closed before a complete answer arrived.
    public static func connectionLost(_ message: String) -> DeliveryError { .init(.connectionLost, message) }
    /// The target URL cannot be used (`--to`).
    public static func invalidTarget(_ message: String) -> DeliveryError { .init(.invalidTarget, message) }
    /// The capture cannot be sent as an HTTP request (malformed capture, control characters).
    public static func invalidRequest(_ message: String) -> DeliveryError { .init(.invalidRequest, message) }
    /// The guard refused the address or name the delivery would reach; nothing was sent.
    public static func targetRefused(_ refusal: TargetRefusal) -> DeliveryError {
        .init(.targetRefused, refusal.description, refusal: refusal)
    }
    /// A redirect to another scheme, host or port was not followed; the redirect is the answer recorded.
    public static func redirectNotFollowed(_ message: String) -> DeliveryError { .init(.redirectNotFollowed, message) }
    /// The delivery was cancelled (its task was, or hookstash is stopping) before an answer arrived.
    public static let cancelled = DeliveryError(.cancelled, "the delivery was cancelled before an answer arrived")
    /// Anything else libcurl reported.
    public static func other(_ message: String) -> DeliveryError { .init(.other, message) }

    public var isRefused: Bool { code == .refused }
    public var isTimeout: Bool { code == .timedOut }

    /// Worth trying again later: the target may come up, the network may heal. A bad URL or request will not.
    public var isTransient: Bool {
        switch code {
        case .refused, .timedOut, .dns, .connectionLost, .cancelled, .other: true
        case .tls, .invalidTarget, .invalidRequest, .targetRefused, .redirectNotFollowed: false
        }
    }
}
