import Foundation
import HookstashCore
import HookstashInspector
import HookstashStore
import HookstashTestSupport
import Logging
import ServiceLifecycle
import Synchronization

/// A temporary store and a live inspector on 127.0.0.1, port 0.
final class InspectorHarness: Sendable {
    let directory: String
    let store: CaptureStore
    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// `pollInterval` is long by default: event streams must learn of this process's commits from
    /// the store's bell, not by polling.
    static func start(
        token: String? = nil, allowedHosts: [String] = [], pollInterval: Duration = .seconds(60),
        seed: (CaptureStore) throws -> Void = { _ in }
    ) async throws -> InspectorHarness {
        try await start(
            token: token, allowedHosts: allowedHosts, replay: nil, pollInterval: pollInterval,
            seed: seed)
    }

    static func start(replay: ReplayHook?, seed: (CaptureStore) throws -> Void) async throws -> InspectorHarness {
        try await start(token: nil, allowedHosts: [], replay: replay, pollInterval: .seconds(60), seed: seed)
    }

    private static func start(
        token: String?, allowedHosts: [String], replay: ReplayHook?, pollInterval: Duration,
        seed: (CaptureStore) throws -> Void
    ) async throws -> InspectorHarness {
        let directory = NSTemporaryDirectory() + "hookstash-inspector-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let store = try CaptureStore(path: directory + "/store.sqlite")
        try seed(store)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let inspector = Inspector(
            configuration: InspectorConfiguration(
                host: "127.0.0.1", port: 0, store: store, token: token, allowedHosts: allowedHosts, replay: replay,
                pollInterval: pollInterval,
                onServerRunning: { port in continuation.yield(port) }))
        let group = ServiceGroup(
            configuration: .init(
                services: [inspector], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw RawConnectionError("the inspector did not start") }
        return InspectorHarness(directory: directory, store: store, port: port, group: group, task: task)
    }

    private init(directory: String, store: CaptureStore, port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.directory = directory
        self.store = store
        self.port = port
        self.group = group
        self.task = task
    }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
        try? FileManager.default.removeItem(atPath: directory)
    }

    func get(_ target: String, headers: [(String, String)] = [], host: String? = nil) async throws -> TestResponse {
        let port = port
        return try await offThePool { try TestHTTPClient.get(port: port, target, headers: headers, host: host) }
    }

    func request(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = [], host: String? = nil
    ) async throws -> TestResponse {
        let port = port
        return try await offThePool {
            try TestHTTPClient.request(port: port, method, target, headers: headers, body: body, host: host)
        }
    }
}

/// Captures as the capture listener would store them.
enum SampleCapture {
    static func make(
        method: String = "POST", target: String = "/webhooks/front", headers: [(String, String)]? = nil,
        body: [UInt8] = Array(#"{"type":"message","id":1}"#.utf8), receivedAt: Timestamp = .now(),
        signature: SignatureVerdict? = nil, responseStatus: Int = 200
    ) -> Capture {
        let fields =
            headers ?? [
                ("Host", "localhost:8080"), ("Content-Type", "application/json"), ("User-Agent", "Front-Webhooks/1"),
            ]
        var head = "\(method) \(target) HTTP/1.1\r\n"
        for (name, value) in fields { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        var headerList = HeaderList(fields)
        headerList.append(name: "Content-Length", value: String(body.count))
        return Capture(
            receivedAt: receivedAt, remoteAddress: "127.0.0.1:50000", method: method, target: RequestTarget(target),
            httpVersion: "HTTP/1.1", headers: headerList, body: .inline(body),
            bodySHA256: DigestHasher.digest(.sha256, body).hexString, rawHead: Array(head.utf8),
            responseStatus: responseStatus, signature: signature)
    }
}
