import HookstashCore
import HookstashSignatures
import HookstashStore

/// How the capture listener behaves: where it binds, what it answers, and its limits.
public struct CaptureListenerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Bodies larger than this are answered 413; the attempt is recorded with its head.
    public var maxBodySize: Int64
    /// Heads larger than this are answered 431.
    public var maxHeadSize: Int
    /// Bodies up to this size are kept in the database row; larger ones are streamed to a file beside it.
    public var spillThreshold: Int
    /// How long a request's head may take to arrive, from its first byte.
    public var headerTimeout: Duration
    /// How long a body may go without a byte.
    public var bodyTimeout: Duration
    /// How long a keep-alive connection may sit idle between requests.
    public var idleTimeout: Duration
    /// Once a body has taken `bodyTimeout`, it must have averaged at least this many bytes a second, or the
    /// request is answered 408 (a sender cannot hold a connection by trickling). 0 disables the check.
    public var minimumBodyRate: Int
    /// Bytes of chunk extensions (`;name=value` after a chunk size) allowed in one request; beyond, 400.
    public var maxChunkExtensionSize: Int
    /// Bytes of chunked framing (sizes, extensions, CRLFs, trailers) allowed in one request, on top of its
    /// decoded body: a request's raw bytes are at most `maxHeadSize + maxBodySize + maxChunkFramingSize`. Beyond, 413.
    public var maxChunkFramingSize: Int
    /// Connections held open at once; more wait in the backlog. From the process's descriptor limit by default.
    public var maxConnections: Int
    /// The answer for a request, chosen by its target and headers (a config endpoint, or the default answer).
    public var respond: @Sendable (RequestTarget, HeaderList) -> CaptureResponse
    /// The answer to a provider's handshake (Zoom's URL validation, Dropbox's challenge, …), asked before `respond`;
    /// nil when the request is not one. The request's body is empty when it was spilled to disk.
    public var handshake: @Sendable (SignatureRequest) -> CaptureResponse? = {
        SignatureScheme.handshakeResponse(to: $0, policy: SignaturePolicy())
    }
    /// Synchronous forwarding: called with each stored capture before answering; a non-nil result is relayed to the
    /// sender instead of the configured answer (the forward target's own answer).
    public var relay: (@Sendable (Capture) async -> CaptureResponse?)?
    /// How a refused request's problem is said in the body of its 4xx answer (the command line passes its flag
    /// names).
    public var wording: Wording = .standard

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        maxBodySize: Int64 = 25 << 20,
        maxHeadSize: Int = 64 << 10,
        spillThreshold: Int = 1 << 20,
        headerTimeout: Duration = .seconds(10),
        bodyTimeout: Duration = .seconds(30),
        idleTimeout: Duration = .seconds(75),
        minimumBodyRate: Int = 1024,
        maxChunkExtensionSize: Int = 16 << 10,
        maxChunkFramingSize: Int = 1 << 20,
        maxConnections: Int = ProcessDescriptorLimit.budget().captureConnections,
        respond: @escaping @Sendable (RequestTarget, HeaderList) -> CaptureResponse = { _, _ in CaptureResponse() },
        relay: (@Sendable (Capture) async -> CaptureResponse?)? = nil
    ) {
        self.host = host
        self.port = port
        self.maxBodySize = maxBodySize
        self.maxHeadSize = maxHeadSize
        self.spillThreshold = spillThreshold
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.minimumBodyRate = minimumBodyRate
        self.maxChunkExtensionSize = maxChunkExtensionSize
        self.maxChunkFramingSize = maxChunkFramingSize
        self.maxConnections = maxConnections
        self.respond = respond
        self.relay = relay
    }
}
