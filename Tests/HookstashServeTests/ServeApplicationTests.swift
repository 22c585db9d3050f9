import Foundation
import HookstashCore
import HookstashServe
import HookstashStore
import HookstashTestSupport
import Logging
import ServiceLifecycle
import Testing

/// A whole `serve` in-process: `ServeApplication` from a `ServeConfiguration`, on loopback port 0, with a real
/// store, listener and inspector, stopped by graceful shutdown and awaited.
@Suite struct ServeApplicationTests {
    /// A running application, its ports, and the task running its service group.
    struct Running {
        var capturePort: Int
        var inspectorPort: Int
        var group: ServiceGroup
        var task: Task<Void, any Error>

        /// Graceful shutdown, awaited: returns once every part has stopped.
        func stop() async throws {
            await group.triggerGracefulShutdown()
            try await task.value
        }
    }

    static func start(_ configuration: ServeConfiguration) async throws -> Running {
        let (ports, continuation) = AsyncStream.makeStream(of: (String, Int).self)
        let application = ServeApplication(
            configuration: configuration,
            hooks: .init(
                listening: { continuation.yield(("capture", $0.capturePort)) },
                inspectorRunning: { continuation.yield(("inspector", $0)) }))
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: application)], gracefulShutdownSignals: [],
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })))
        let task = Task { try await group.run() }
        var found: [String: Int] = [:]
        for await (name, port) in ports {
            found[name] = port
            if found.count == 2 { break }
        }
        guard let capture = found["capture"], let inspector = found["inspector"] else {
            await group.triggerGracefulShutdown()
            try await task.value
            throw RawConnectionError("serve stopped before both listeners ran")
        }
        return Running(capturePort: capture, inspectorPort: inspector, group: group, task: task)
    }

    static func configuration(_ directory: TemporaryDirectory) -> ServeConfiguration {
        ServeConfiguration(
            store: .init(path: directory.file("serve.sqlite")),
            listener: .init(port: 0), inspector: .init(port: 0),
            response: CaptureResponse(status: 202, body: Array("stored".utf8)), raisesDescriptorLimit: false)
    }

    static func get(_ path: String, port: Int) async throws -> String {
        let connection = try RawConnection(port: port)
        try connection.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n")
        return String(decoding: try await connection.bytesUntilClose(), as: UTF8.self)
    }

    @Test func capturesThroughTheListenerAndShowsThemInTheInspectorAPI() async throws {
        let directory = try TemporaryDirectory()
        let running = try await Self.start(Self.configuration(directory))
        do {
            let sender = try RawConnection(port: running.capturePort)
            try sender.send(
                "POST /webhooks/app?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 13\r\n\r\n{\"event\":\"a\"}")
            let answer = try await sender.response()
            #expect(answer.status == 202)
            #expect(answer.bodyText == "stored")

            let list = try await Self.get("/api/captures", port: running.inspectorPort)
            #expect(list.hasPrefix("HTTP/1.1 200"), "\(list)")
            #expect(list.contains(#""path":"\/webhooks\/app""#) || list.contains(#""path":"/webhooks/app""#), "\(list)")
        } catch {
            try await running.stop()
            throw error
        }
        try await running.stop()
        let store = try CaptureStore(path: directory.file("serve.sqlite"), mode: .mustExist)
        let captures = try store.summaries(limit: 10)
        #expect(captures.count == 1)
        #expect(captures.first?.method == "POST")
    }

    @Test func gracefulShutdownFinishesInFlightRequestsAndClosesIdleConnections() async throws {
        let directory = try TemporaryDirectory()
        let running = try await Self.start(Self.configuration(directory))
        let idle = try RawConnection(port: running.capturePort)
        try idle.send("POST /first HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\n\r\na")
        #expect(try await idle.response().status == 202)
        // Half a body: in flight when shutdown begins.
        let inFlight = try RawConnection(port: running.capturePort)
        try inFlight.send("POST /second HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\n01234")
        try await Task.sleep(for: .milliseconds(200))

        let stopping = Task { try await running.stop() }
        // The idle keep-alive connection is closed without an answer; the in-flight request is still answered.
        #expect(try await idle.closedByPeer())
        try inFlight.send("56789")
        let answer = try await inFlight.response()
        #expect(answer.status == 202)
        try await stopping.value

        let store = try CaptureStore(path: directory.file("serve.sqlite"), mode: .mustExist)
        let paths = try store.summaries(limit: 10).map(\.target.path).sorted()
        #expect(paths == ["/first", "/second"])
        // Stopped: the port no longer accepts.
        #expect(throws: RawConnectionError.self) { try RawConnection(port: running.capturePort) }
    }

    @Test func aConfigurationFileIsReadWithTheEnvironmentGivenAndErrorsNameTheFile() throws {
        let directory = try TemporaryDirectory()
        let good = directory.file("good.toml")
        try "[[endpoint]]\npath = \"/a\"\nsecret_env = \"A_SECRET\"\n".write(
            toFile: good, atomically: true, encoding: .utf8)
        let file = try ConfigurationFile.load(path: good, environment: ["A_SECRET": "s3"])
        #expect(file.endpoints.first?.secrets == ["s3"])

        let path = directory.file("bad.toml")
        try "[[endpoint]]\npath = \"/a\"\nsecret = 7\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ConfigurationError.self) { try ConfigurationFile.load(path: path, environment: [:]) }
        do {
            _ = try ConfigurationFile.load(path: path, environment: [:])
        } catch {
            #expect(error.description == "\(path), line 3: secret must be a string, got an integer")
        }
        do {
            _ = try ConfigurationFile.load(path: directory.file("absent.toml"), environment: [:])
            Issue.record("loading a missing file succeeded")
        } catch {
            #expect(error.description.contains("cannot read the configuration file"))
            #expect(error.description.contains("No such file or directory"))
        }
    }
}
