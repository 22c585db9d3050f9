import Foundation
import HookstashCore
import HookstashServer
import HookstashStore
import HookstashTestSupport
import NIOCore

/// A capture listener on 127.0.0.1 port 0 with its own SQLite file in a temporary directory.
final class TestCaptureServer: Sendable {
    let directory: String
    let store: CaptureStore
    let writer: CaptureWriter
    let listener: CaptureListener
    let port: Int

    static func start(
        directory given: String? = nil,
        storeMaxSize: Int64? = nil,
        _ configure: (inout CaptureListenerConfiguration) -> Void = { _ in }
    ) async throws -> TestCaptureServer {
        let directory =
            given
            ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                "hookstash-test-\(UUID().uuidString)"
            ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let store = try CaptureStore(path: directory + "/captures.sqlite", maxSize: storeMaxSize)
        let writer = CaptureWriter(store: store)
        var configuration = CaptureListenerConfiguration(host: "127.0.0.1", port: 0)
        configure(&configuration)
        let listener = CaptureListener(
            configuration: configuration, store: store, writer: writer, shutdownGrace: .seconds(5))
        let address = try await listener.start()
        return TestCaptureServer(
            directory: directory, store: store, writer: writer, listener: listener, port: address.port!)
    }

    private init(directory: String, store: CaptureStore, writer: CaptureWriter, listener: CaptureListener, port: Int) {
        self.directory = directory
        self.store = store
        self.writer = writer
        self.listener = listener
        self.port = port
    }

    func connect() throws -> RawConnection {
        try RawConnection(port: port)
    }

    /// Sends `bytes` on a new connection, reads `responses` answers.
    func exchange(_ bytes: [UInt8], responses: Int = 1) throws -> [RawResponse] {
        let connection = try connect()
        try connection.send(bytes)
        return try (0..<responses).map { _ in try connection.readResponse() }
    }

    func exchange(_ text: String, responses: Int = 1) throws -> [RawResponse] {
        try exchange(Array(text.utf8), responses: responses)
    }

    /// The newest `count` captures, oldest first.
    func latest(_ count: Int) throws -> [Capture] {
        try store.summaries(limit: count).reversed().map { try store.requireCapture(id: $0.id) }
    }

    /// Waits (briefly) until the store holds `count` captures; for records made without an answer.
    func waitForCaptures(_ count: Int) async throws {
        for _ in 0..<200 {
            if try store.count() >= count { return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func stop() async {
        await listener.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Runs `body` with a fresh ``TestCaptureServer`` and awaits its stop afterwards, whether `body` returns or throws.
func withCaptureServer<Result>(
    directory: String? = nil,
    storeMaxSize: Int64? = nil,
    configuring configure: (inout CaptureListenerConfiguration) -> Void = { _ in },
    _ body: (TestCaptureServer) async throws -> Result
) async throws -> Result {
    let server = try await TestCaptureServer.start(directory: directory, storeMaxSize: storeMaxSize, configure)
    let result: Result
    do {
        result = try await body(server)
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
    return result
}
