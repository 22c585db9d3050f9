import HookstashCore
import HookstashStore
import Logging

/// A replay asked for through the inspector: `POST /api/captures/{id}/replay` or the detail page's form.
public struct ReplayRequest: Sendable, Hashable, Decodable {
    /// Target URL.
    public var to: String
    /// Sign the body again with the configured secret (fresh timestamp) instead of sending the captured signature.
    public var resign: Bool
    /// Headers to add or replace, in order.
    public var headers: [[String]]
    /// Re-sign even when the capture's signature was not verified valid (`"resign_unverified": true`).
    public var resignUnverified: Bool

    public init(to: String, resign: Bool = false, headers: [[String]] = [], resignUnverified: Bool = false) {
        self.to = to
        self.resign = resign
        self.headers = headers
        self.resignUnverified = resignUnverified
    }

    enum CodingKeys: String, CodingKey {
        case to, resign, headers
        case resignUnverified = "resign_unverified"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        to = try container.decode(String.self, forKey: .to)
        resign = try container.decodeIfPresent(Bool.self, forKey: .resign) ?? false
        resignUnverified = try container.decodeIfPresent(Bool.self, forKey: .resignUnverified) ?? false
        headers = try container.decodeIfPresent([[String]].self, forKey: .headers) ?? []
        guard headers.allSatisfy({ $0.count == 2 }) else {
            throw DecodingError.dataCorruptedError(
                forKey: .headers, in: container, debugDescription: "each header is a [name, value] pair")
        }
    }
}

/// Re-delivers capture `captureID` as `ReplayRequest` says, records the delivery and returns the JSON to answer
/// with (the delivery record, e.g. `DeliveryDocument(delivery)` or the delivery engine's record with its report).
/// Throw `HookstashError.invalidInput` for a request the user must fix (answered 400), `notFound` for an unknown
/// capture (404); any other error is answered 502 with its description.
public typealias ReplayHook =
    @Sendable (_ captureID: Int64, _ request: ReplayRequest) async throws -> any Encodable & Sendable

/// Everything the inspector needs, with defaults for everything but the store.
public struct InspectorConfiguration: Sendable {
    /// Address to bind: an IP address or `localhost`.
    public var host: String
    /// Port to bind; 0 picks a free one (read it from `onServerRunning`).
    public var port: Int
    public var store: CaptureStore
    /// When set, every request must present it (bearer header, `?token=` once, then the cookie).
    public var token: String?
    /// Host names accepted in the `Host` header besides loopback names and IP addresses (against DNS rebinding).
    public var allowedHosts: [String]
    /// Re-delivers a capture; when nil, replay answers 501.
    public var replay: ReplayHook?
    /// How often the event stream looks for new captures even when the store's bell did not ring: for captures another process wrote to the same file (this process's commits ring it).
    public var pollInterval: Duration
    /// Called once with the bound port, when the inspector accepts connections.
    public var onServerRunning: @Sendable (_ port: Int) async -> Void
    /// Connections held open at once; more wait in the backlog. From the process's descriptor limit by default,
    /// so that a flood of connections cannot take the descriptors the capture listener and the store need.
    public var maxConnections: Int
    public var logger: Logger

    public init(
        host: String = "127.0.0.1",
        port: Int = 4040,
        store: CaptureStore,
        token: String? = nil,
        allowedHosts: [String] = [],
        replay: ReplayHook? = nil,
        pollInterval: Duration = .seconds(1),
        onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in },
        maxConnections: Int = ProcessDescriptorLimit.budget().inspectorConnections,
        logger: Logger = Logger(label: "hookstash.inspector", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.host = host
        self.port = port
        self.store = store
        self.token = token
        self.allowedHosts = allowedHosts
        self.replay = replay
        self.pollInterval = pollInterval
        self.onServerRunning = onServerRunning
        self.maxConnections = maxConnections
        self.logger = logger
    }
}
