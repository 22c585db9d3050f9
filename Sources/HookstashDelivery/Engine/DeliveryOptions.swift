/// How one delivery is performed: timeouts, response capture, redirects, proxy, where not to deliver.
public struct DeliveryOptions: Sendable, Hashable {
    /// Time allowed to open the connection (TCP and TLS). Default 5 s.
    public var connectTimeout: Duration
    /// Time allowed for the whole exchange, connection included (and, under a per-host connection limit, the wait
    /// for a free connection). Default 30 s.
    public var totalTimeout: Duration
    /// Response body bytes kept in the record; the rest is read and dropped, and the record says `truncated`.
    /// Default 64 KiB.
    public var responseBodyLimit: Int
    /// Follow 3xx answers. Off by default: the redirect itself is the answer recorded.
    public var followRedirects: Bool
    /// A proxy to go through. Nil by default: `http_proxy` and friends from the environment are
    /// ignored, so a replay to localhost never leaves the machine by accident.
    public var proxy: String?
    /// Skip the TLS certificate check, for a local HTTPS target with a self-signed certificate.
    public var insecure: Bool
    /// Where not to deliver: link-local and cloud metadata addresses unless allowed, checked on every connection.
    public var targetGuard: TargetGuard
    /// Fixed addresses for names, as curl's `--resolve` takes them: `host:port:address`.
    public var resolve: [String]

    public static let defaultConnectTimeout = Duration.seconds(5)
    public static let defaultTotalTimeout = Duration.seconds(30)
    public static let defaultResponseBodyLimit = 64 * 1024

    public init(
        connectTimeout: Duration = DeliveryOptions.defaultConnectTimeout,
        totalTimeout: Duration = DeliveryOptions.defaultTotalTimeout,
        responseBodyLimit: Int = DeliveryOptions.defaultResponseBodyLimit,
        followRedirects: Bool = false,
        proxy: String? = nil,
        insecure: Bool = false,
        targetGuard: TargetGuard = TargetGuard(),
        resolve: [String] = []
    ) {
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.responseBodyLimit = responseBodyLimit
        self.followRedirects = followRedirects
        self.proxy = proxy
        self.insecure = insecure
        self.targetGuard = targetGuard
        self.resolve = resolve
    }
}

extension DeliveryOptions {
    /// `connectTimeout` in whole milliseconds (at least 1), as libcurl takes it.
    var connectTimeoutMs: Int { Self.milliseconds(connectTimeout) }
    /// `totalTimeout` in whole milliseconds (at least 1), as libcurl takes it.
    var totalTimeoutMs: Int { Self.milliseconds(totalTimeout) }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        let total = seconds.multipliedReportingOverflow(by: 1000)
        guard !total.overflow else { return Int.max }
        return max(1, Int(clamping: total.partialValue + attoseconds / 1_000_000_000_000_000))
    }
}
