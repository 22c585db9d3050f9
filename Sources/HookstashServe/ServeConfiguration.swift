import HookstashCore
import HookstashDelivery
import HookstashServer
import HookstashSignatures

/// Everything `ServeApplication` needs, as values: the store, the capture listener, the inspector, the endpoints
/// and their default answer, signatures and forwarding. Every member has the documented default except the
/// store's path. Build it from flags, a configuration file, or in code (tests).
public struct ServeConfiguration: Sendable {
    /// Where captures are kept and for how long.
    public struct Store: Sendable {
        /// The SQLite file; created (with its directory) when absent.
        public var path: String
        /// The largest the database file may grow (bodies over the spill threshold live beside it); when full,
        /// captures are answered 503 until retention frees space. nil: no limit.
        public var maxSize: ByteSize?
        /// Pruning by count and age; the default keeps everything.
        public var retention: RetentionService.Policy

        public init(path: String, maxSize: ByteSize? = nil, retention: RetentionService.Policy = .init()) {
            self.path = path
            self.maxSize = maxSize
            self.retention = retention
        }
    }

    /// The capture listener: where it binds and its limits.
    public struct Listener: Sendable {
        public var host: String
        /// 0 picks a free port (reported through `ServeApplication.Running`).
        public var port: Int
        /// Larger bodies are answered 413; the attempt is recorded with its head.
        public var maxBodySize: ByteSize
        /// Larger request heads are answered 431.
        public var maxHeadSize: ByteSize
        public var headerTimeout: Duration
        public var bodyTimeout: Duration
        public var idleTimeout: Duration
        /// Connections held open at once; nil: all but an eighth of the process's descriptor limit.
        public var maxConnections: Int?
        /// How long in-flight requests get to finish on graceful shutdown before their connections are closed.
        public var shutdownGrace: Duration

        public init(
            host: String = "127.0.0.1", port: Int = 8080, maxBodySize: ByteSize = .mebibytes(25),
            maxHeadSize: ByteSize = .kibibytes(64), headerTimeout: Duration = .seconds(10),
            bodyTimeout: Duration = .seconds(30), idleTimeout: Duration = .seconds(75), maxConnections: Int? = nil,
            shutdownGrace: Duration = .seconds(10)
        ) {
            self.host = host
            self.port = port
            self.maxBodySize = maxBodySize
            self.maxHeadSize = maxHeadSize
            self.headerTimeout = headerTimeout
            self.bodyTimeout = bodyTimeout
            self.idleTimeout = idleTimeout
            self.maxConnections = maxConnections
            self.shutdownGrace = shutdownGrace
        }
    }

    /// The inspector: HTML pages and the JSON API.
    public struct Inspector: Sendable {
        public var host: String
        /// 0 picks a free port (reported through `ServeApplication.Running`).
        public var port: Int
        /// Required off loopback (`InspectorExposure.check`): every request must present it.
        public var token: String?
        /// Host names answered besides loopback names and IP addresses.
        public var allowedHosts: [String]

        public init(host: String = "127.0.0.1", port: Int = 4040, token: String? = nil, allowedHosts: [String] = []) {
            self.host = host
            self.port = port
            self.token = token
            self.allowedHosts = allowedHosts
        }
    }

    /// Forwarding of every capture through a durable queue.
    public struct Forwarding: Sendable {
        /// Where captures no endpoint forwards elsewhere go; nil: only endpoints with their own target forward.
        public var target: String?
        /// Answer each sender with the target's answer (first attempt, within the synchronous budget), else the
        /// configured answer; nothing is queued.
        public var answersWithTargetsAnswer: Bool
        /// Delay before the first retry, longest delay, attempts, concurrency and per-attempt timeout; nil keeps
        /// each documented default. Its `targetGuard` is replaced by `ServeConfiguration.targetGuard`.
        public var limits: CaptureForwarder.Limits

        public init(
            target: String? = nil, answersWithTargetsAnswer: Bool = false,
            limits: CaptureForwarder.Limits = .init()
        ) {
            self.target = target
            self.answersWithTargetsAnswer = answersWithTargetsAnswer
            self.limits = limits
        }
    }

    public var store: Store
    public var listener: Listener
    /// nil: no inspector.
    public var inspector: Inspector?
    /// Endpoints by path prefix, each with its scheme, secrets, answer and forward target.
    public var endpoints: ConfigurationFile
    /// How captures no endpoint covers are checked.
    public var signatures: SignaturePolicy
    /// How captures no endpoint covers are answered.
    public var response: CaptureResponse
    public var forwarding: Forwarding
    /// Where forwards and the inspector's replays may go (link-local and metadata addresses are refused unless
    /// allowed).
    public var targetGuard: TargetGuard
    /// Raise the process's soft descriptor limit to the hard one before sizing connection limits from it.
    public var raisesDescriptorLimit: Bool
    /// How refused requests' answers name settings (the command line passes its flag names).
    public var wording: Wording = .standard
    /// Reads the configuration file again on SIGHUP; its endpoints' answers and response rules replace the running
    /// ones when it is valid (see `ConfigurationReloadService`). nil: SIGHUP is not handled.
    public var reloadEndpoints: (@Sendable () throws(ConfigurationError) -> ConfigurationFile)?
    /// Where to write the ready file (`ReadyFile`) once every listener accepts; nil: none.
    public var readyFile: String?

    public init(
        store: Store, listener: Listener = Listener(), inspector: Inspector? = Inspector(),
        endpoints: ConfigurationFile = ConfigurationFile(), signatures: SignaturePolicy = SignaturePolicy(),
        response: CaptureResponse = CaptureResponse(), forwarding: Forwarding = Forwarding(),
        targetGuard: TargetGuard = TargetGuard(), raisesDescriptorLimit: Bool = true
    ) {
        self.store = store
        self.listener = listener
        self.inspector = inspector
        self.endpoints = endpoints
        self.signatures = signatures
        self.response = response
        self.forwarding = forwarding
        self.targetGuard = targetGuard
        self.raisesDescriptorLimit = raisesDescriptorLimit
    }
}
