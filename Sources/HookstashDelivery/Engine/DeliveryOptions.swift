/// How one delivery is performed: timeouts, response capture, redirects, proxy, where not to deliver.
public struct DeliveryOptions: Sendable, Hashable {
    /// Time allowed to open the connection (TCP and TLS). Default 5 s.
    public var connectTimeoutMs: Int
    /// Time allowed for the whole exchange, connection included. Default 30 s.
    public var totalTimeoutMs: Int
    /// Response body bytes kept in the record; the rest is read and dropped, and the record says `truncated`.
    /// Default 64 KiB.
    public var responseBodyLimit: Int
    /// Follow 3xx answers (`--follow-redirects`). Off by default: the redirect itself is the answer recorded.
    public var followRedirects: Bool
    /// A proxy to go through (`--proxy`). Nil by default: `http_proxy` and friends from the environment are
    /// ignored, so a replay to localhost never leaves the machine by accident.
    public var proxy: String?
    /// Skip the TLS certificate check (`--insecure`), for a local HTTPS target with a self-signed certificate.
    public var insecure: Bool
    /// Where not to deliver: link-local and cloud metadata addresses unless allowed, checked on every connection.
    public var targetGuard: TargetGuard
    /// Fixed addresses for names, as curl's `--resolve` takes them: `host:port:address`.
    public var resolve: [String]

    public static let defaultConnectTimeoutMs = 5_000
    public static let defaultTotalTimeoutMs = 30_000
    public static let defaultResponseBodyLimit = 64 * 1024

    public init(
        connectTimeoutMs: Int = DeliveryOptions.defaultConnectTimeoutMs,
        totalTimeoutMs: Int = DeliveryOptions.defaultTotalTimeoutMs,
        responseBodyLimit: Int = DeliveryOptions.defaultResponseBodyLimit,
        followRedirects: Bool = false,
        proxy: String? = nil,
        insecure: Bool = false,
        targetGuard: TargetGuard = TargetGuard(),
        resolve: [String] = []
    ) {
        self.connectTimeoutMs = connectTimeoutMs
        self.totalTimeoutMs = totalTimeoutMs
        self.responseBodyLimit = responseBodyLimit
        self.followRedirects = followRedirects
        self.proxy = proxy
        self.insecure = insecure
        self.targetGuard = targetGuard
        self.resolve = resolve
    }
}
