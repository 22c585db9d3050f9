import Foundation
import HookstashCore
import HookstashStore
import HookstashTestSupport
import Testing

@testable import HookstashDelivery

@Suite("Forwarding through the durable queue")
struct ForwardQueueTests {
    static let fastRetries = RetryPolicy(
        initialDelay: 0.05, multiplier: 2, maxDelay: 0.2, maxAttempts: 1000, jitter: 0.2)

    /// Waits until `condition` holds or `seconds` pass.
    /// Sleeps without blocking a thread: the queue under test runs on the same cooperative pool.
    static func eventually(seconds: Double = 60, _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try condition()
    }

    @Test("target down, 50 captures, restart, target up: each delivered exactly once, failed attempts recorded")
    func survivesRestart() async throws {
        let store = try TestCaptures.temporaryStore()
        // A port with nothing listening on it.
        let (reserved, port) = try RecordingServer.reservePort()
        let target = try DeliveryTarget(parsing: "http://127.0.0.1:\(port)/hook")
        let configuration = ForwardQueue.Configuration(
            target: target,
            options: DeliveryOptions(connectTimeout: .milliseconds(500), totalTimeout: .milliseconds(2000)),
            policy: Self.fastRetries)

        let captures = (0..<50).map { index in
            TestCaptures.make(
                target: "/in/\(index)", headers: [("Host", "tunnel"), ("Content-Length", "\(index)")],
                body: Array(repeating: UInt8(index), count: index))
        }
        let ids = try store.insert(captures)

        // First run: the target is down; every capture is tried and fails.
        let first = ForwardQueue(store: store, configuration: configuration)
        let firstRun = Task { try await first.run() }
        try first.enqueue(ids)
        let allTried = try await Self.eventually {
            try store.forwardEntries(to: first.queueKey).allSatisfy { $0.attempts >= 1 }
        }
        #expect(allTried)
        firstRun.cancel()
        try await firstRun.value
        #expect(try first.pendingCount() == 50)

        // "Restart": a new store handle and a new queue on the same file; the target comes up.
        let reopened = try CaptureStore(path: store.path)
        close(reserved)
        let server = try RecordingServer(port: port)
        defer { server.stop() }
        let second = ForwardQueue(store: reopened, configuration: configuration)
        let secondRun = Task { try await second.run() }
        let allDelivered = try await Self.eventually { try second.pendingCount() == 0 }
        #expect(allDelivered)
        secondRun.cancel()
        try await secondRun.value

        let received = await server.requests(atLeast: 50)
        #expect(received.count == 50)
        #expect(received.allSatisfy { $0.requestLine == "POST /hook HTTP/1.1" })
        let bodies = received.map(\.body)
        #expect(Set(bodies) == Set(captures.map { $0.body.inlineBytes! }))
        for id in ids {
            let deliveries = try reopened.deliveries(captureID: id)
            let succeeded = deliveries.filter { $0.status == 200 }
            #expect(succeeded.count == 1, "capture \(id) delivered \(succeeded.count) times")
            #expect(deliveries.count >= 2, "capture \(id) has no failed attempt recorded")
            #expect(deliveries.dropLast().allSatisfy { $0.status == nil && $0.error?.contains("refused") == true })
        }
        let entries = try reopened.forwardEntries(to: second.queueKey)
        #expect(entries.allSatisfy { $0.state == .delivered })
        let report = try #require(try reopened.deliveryReport(id: reopened.deliveries(captureID: ids[0]).last!.id))
        #expect(report.source == "forward")
        #expect((report.attempt ?? 0) >= 2)
    }

    @Test("first attempts follow capture order, and a capture is queued once however often it is enqueued")
    func order() async throws {
        let store = try TestCaptures.temporaryStore()
        let server = try RecordingServer()
        defer { server.stop() }
        let ids = try store.insert(
            (0..<20).map { TestCaptures.make(target: "/n/\($0)", headers: [("Content-Length", "0")], body: []) })
        let queue = ForwardQueue(
            store: store,
            configuration: .init(target: try DeliveryTarget(parsing: server.url), policy: Self.fastRetries))
        let run = Task { try await queue.run() }
        try queue.enqueue(Array(ids[0..<10]))
        try queue.enqueue(Array(ids[5..<20]))
        let received = await server.requests(atLeast: 20)
        #expect(try await Self.eventually { try queue.pendingCount() == 0 })
        run.cancel()
        try await run.value
        #expect(received.map(\.requestLine) == (0..<20).map { "POST /n/\($0) HTTP/1.1" })
        #expect(server.requests.count == 20)
    }

    @Test("a 5xx is retried until the target answers 2xx; a 4xx is not retried")
    func serverErrors() async throws {
        let store = try TestCaptures.temporaryStore()
        // The first request on the first connection is answered 503 (and the connection closed); /reject gets 422.
        let flakyServer = try RecordingServer { request in
            if request.requestLine.contains("/reject") { return .bytes(RecordingServer.response(422, reason: "No")) }
            if request.connection == 0 {
                return .bytes(RecordingServer.response(503, reason: "Busy", headers: [("Connection", "close")]))
            }
            return .bytes(RecordingServer.response())
        }
        defer { flakyServer.stop() }
        let ids = try store.insert([
            TestCaptures.make(target: "/flaky", headers: [("Content-Length", "0")], body: []),
            TestCaptures.make(target: "/reject", headers: [("Content-Length", "0")], body: []),
        ])
        let queue = ForwardQueue(
            store: store,
            configuration: .init(target: try DeliveryTarget(parsing: flakyServer.url), policy: Self.fastRetries))
        let run = Task { try await queue.run() }
        try queue.enqueue(ids)
        #expect(try await Self.eventually { try queue.pendingCount() == 0 })
        run.cancel()
        try await run.value
        let entries = try store.forwardEntries(to: queue.queueKey)
        #expect(entries.map(\.state) == [.delivered, .rejected])
        #expect(try store.deliveries(captureID: ids[0]).map(\.status) == [503, 200])
        #expect(try store.deliveries(captureID: ids[1]).map(\.status) == [422])
    }

    @Test("forward-sync: the first attempt is made at once and its answer returned; a failure is retried by run()")
    func forwardNow() async throws {
        let store = try TestCaptures.temporaryStore()
        let (reserved, port) = try RecordingServer.reservePort()
        let ids = try store.insert([
            TestCaptures.make(target: "/sync", headers: [("Content-Length", "2")], body: Array("hi".utf8)),
            TestCaptures.make(target: "/later", headers: [("Content-Length", "0")], body: []),
        ])
        let queue = ForwardQueue(
            store: store,
            configuration: .init(
                target: try DeliveryTarget(parsing: "http://127.0.0.1:\(port)"), policy: Self.fastRetries))
        // Target down: the answer is the refusal, and the entry waits for a retry.
        let refused = await queue.forwardNow(ids[1], budget: .milliseconds(1000))
        #expect(refused?.error?.isRefused == true)
        #expect(try store.forwardEntries(captureID: ids[1]).first?.attempts == 1)
        close(reserved)
        let server = try RecordingServer(port: port) { request in
            .bytes(RecordingServer.response(201, reason: "Created", headers: [("X-App", "1")], body: "made"))
        }
        defer { server.stop() }
        let answered = await queue.forwardNow(ids[0], budget: .milliseconds(1000))
        #expect(answered?.response?.status == 201)
        #expect(answered?.response?.body == Array("made".utf8))
        #expect(await queue.forwardNow(ids[0]) == nil)  // already forwarded: not sent twice
        let run = Task { try await queue.run() }
        #expect(try await Self.eventually { try queue.pendingCount() == 0 })
        run.cancel()
        try await run.value
        #expect(server.requests.map(\.requestLine) == ["POST /sync HTTP/1.1", "POST /later HTTP/1.1"])
        #expect(try store.deliveries(captureID: ids[1]).map(\.status) == [nil, 201])
    }
}
