import Foundation
import HookstashCore
import HookstashTestSupport
import Synchronization
import Testing

@testable import HookstashDelivery

#if canImport(Glibc)
    import Glibc
#endif

/// The multi-interface engine under load and misbehaviour: many transfers at once, targets that are slow, reset
/// or never answer, per-host connection limits, cancellation.
@Suite("Delivery engine: concurrency, misbehaving targets, per-host limits, cancellation")
struct DeliveryEngineTests {
    static func request(to url: String, path: String = "/hook") throws -> OutgoingRequest {
        let target = try DeliveryTarget(parsing: url)
        return OutgoingRequest(
            method: "POST", target: target, requestTarget: path,
            headers: HeaderList([("Host", target.authority), ("Content-Length", "2")]), body: [0x7b, 0x7d])
    }

    /// Delivers every request at once (each in its own task) and returns the outcomes in the requests' order.
    static func deliverAll(
        _ requests: [OutgoingRequest], engine: DeliveryEngine, options: DeliveryOptions
    ) async -> [DeliveryOutcome] {
        await withTaskGroup(of: (Int, DeliveryOutcome).self) { group in
            for (index, request) in requests.enumerated() {
                group.addTask { (index, await engine.deliver(request, options: options)) }
            }
            var outcomes = [DeliveryOutcome?](repeating: nil, count: requests.count)
            for await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes.map { $0! }
        }
    }

    @Test(
        "1,000 concurrent deliveries: a slow, a resetting and a silent target end on their own; the others are answered"
    )
    func thousandConcurrentDeliveries() async throws {
        let fast = try RecordingServer { _ in .bytes(RecordingServer.response()) }
        defer { fast.stop() }
        let slow = try RecordingServer { _ in .delayed(milliseconds: 200, RecordingServer.response()) }
        defer { slow.stop() }
        let resetting = try MisbehavingServer(.reset)
        defer { resetting.stop() }
        let silent = try MisbehavingServer(.silent)
        defer { silent.stop() }
        let urls = [fast.url, slow.url, resetting.url, silent.url]
        // Interleaved, the silent target's transfers among the first submitted: they hold slots until their timeout.
        let requests = try (0..<1000).map { try Self.request(to: urls[(3 + $0) % 4], path: "/hook/\($0)") }
        let engine = DeliveryEngine(maxTransfers: 128)
        defer { engine.shutdown() }
        let outcomes = await Self.deliverAll(
            requests, engine: engine,
            options: DeliveryOptions(connectTimeout: .milliseconds(2_000), totalTimeout: .milliseconds(1_000)))

        func results(of url: String) -> [DeliveryOutcome] {
            zip(requests, outcomes).filter { $0.0.target.description == url }.map(\.1)
        }
        #expect(results(of: fast.url).count == 250)
        #expect(results(of: fast.url).allSatisfy { $0.error == nil && $0.response?.status == 200 })
        #expect(results(of: slow.url).allSatisfy { $0.error == nil && $0.response?.status == 200 })
        #expect(results(of: resetting.url).count == 250)
        #expect(results(of: resetting.url).allSatisfy { $0.response == nil && $0.error?.kind == "connection" })
        #expect(results(of: silent.url).count == 250)
        #expect(results(of: silent.url).allSatisfy { $0.response == nil && $0.error?.isTimeout == true })
        // Every request to the answering targets arrived, each once.
        let paths = Set((fast.requests + slow.requests).map(\.requestLine))
        #expect(paths.count == 500)
    }

    @Test("at most maxConnectionsPerHost connections to one host; without the limit, more are opened")
    func perHostLimit() async throws {
        let limited = try RecordingServer { _ in .delayed(milliseconds: 30, RecordingServer.response()) }
        defer { limited.stop() }
        let engine = DeliveryEngine(maxTransfers: 32, maxConnectionsPerHost: 4)
        defer { engine.shutdown() }
        let requests = try (0..<64).map { try Self.request(to: limited.url, path: "/limited/\($0)") }
        let outcomes = await Self.deliverAll(requests, engine: engine, options: DeliveryOptions())
        #expect(outcomes.allSatisfy { $0.error == nil && $0.response?.status == 200 })
        #expect(limited.requests.count == 64)
        #expect(limited.connectionCount <= 4)
        #expect(outcomes.filter(\.newConnection).count <= 4)

        // The same load without the limit: the engine does open more connections at once, so the limit above is
        // what held them to 4.
        let unlimited = try RecordingServer { _ in .delayed(milliseconds: 30, RecordingServer.response()) }
        defer { unlimited.stop() }
        let free = DeliveryEngine(maxTransfers: 32)
        defer { free.shutdown() }
        let more = await Self.deliverAll(
            try (0..<64).map { try Self.request(to: unlimited.url, path: "/free/\($0)") }, engine: free,
            options: DeliveryOptions())
        #expect(more.allSatisfy { $0.error == nil })
        #expect(unlimited.connectionCount > 4)
    }

    @Test("one transfer at a time to a target that closes each connection after answering: none waits for its timeout")
    func closedConnectionsAreReplacedAtOnce() async throws {
        let closing = try MisbehavingServer(.answerThenClose)
        defer { closing.stop() }
        let engine = DeliveryEngine(maxTransfers: 1)
        defer { engine.shutdown() }
        // Sequential: each transfer finds the previous one's connection closed by the target.
        for index in 0..<20 {
            let outcome = await engine.deliver(
                try Self.request(to: closing.url, path: "/closing/\(index)"),
                options: DeliveryOptions(totalTimeout: .seconds(3)))
            #expect(outcome.error == nil, "transfer \(index): \(outcome.error?.message ?? "")")
            #expect(outcome.response?.status == 200)
        }
        #expect(closing.accepted == 20)
    }

    @Test("a cancelled delivery ends with a cancelled error, in flight or queued; the engine goes on")
    func cancellation() async throws {
        let silent = try MisbehavingServer(.silent)
        defer { silent.stop() }
        let fast = try RecordingServer { _ in .bytes(RecordingServer.response()) }
        defer { fast.stop() }
        let engine = DeliveryEngine(maxTransfers: 1)
        defer { engine.shutdown() }
        let options = DeliveryOptions(totalTimeout: .milliseconds(60_000))
        let inFlight = Task { await engine.deliver(try! Self.request(to: silent.url), options: options) }
        #expect(try await eventually { silent.accepted >= 1 })
        // The only slot is taken: this one waits in the engine's queue.
        let queued = Task { await engine.deliver(try! Self.request(to: silent.url), options: options) }
        try await Task.sleep(for: .milliseconds(50))
        queued.cancel()
        inFlight.cancel()
        #expect(await queued.value.error == .cancelled)
        #expect(await inFlight.value.error == .cancelled)
        let after = await engine.deliver(try Self.request(to: fast.url), options: DeliveryOptions())
        #expect(after.response?.status == 200)
    }
}

/// A target that accepts connections and then misbehaves: resets each one once the request has arrived, or never
/// answers (holds it open until stopped). One thread; 127.0.0.1 on a free port.
final class MisbehavingServer: Sendable {
    enum Behaviour: Sendable {
        /// Read the request, then close with a TCP reset (SO_LINGER 0).
        case reset
        /// Accept and never answer.
        case silent
        /// Read the request, answer 200 (keep-alive, as far as the client can tell), then close the connection.
        case answerThenClose
    }

    let port: UInt16
    private let listener: Int32
    private let behaviour: Behaviour
    private let state = Mutex<(accepted: Int, stopped: Bool)>((0, false))
    private let done = DispatchSemaphore(value: 0)

    var url: String { "http://127.0.0.1:\(port)" }
    var accepted: Int { state.withLock { $0.accepted } }

    init(_ behaviour: Behaviour) throws {
        self.behaviour = behaviour
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 1024) == 0 else {
            close(fd)
            throw HookstashError.io("could not listen on 127.0.0.1")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = UInt16(bigEndian: address.sin_port)
        self.listener = fd
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Stops accepting and closes every connection still held; waits for the thread.
    func stop() {
        let first = state.withLock { state in
            defer { state.stopped = true }
            return !state.stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        done.wait()
    }

    private func acceptLoop() {
        var held: [Int32] = []
        defer {
            for fd in held { close(fd) }
            close(listener)
            done.signal()
        }
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                if errno == EINTR { continue }
                return
            }
            state.withLock { $0.accepted += 1 }
            switch behaviour {
            case .silent:
                held.append(client)
            case .reset:
                var buffer = [UInt8](repeating: 0, count: 4096)
                _ = recv(client, &buffer, buffer.count, 0)
                var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                _ = setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                close(client)
            case .answerThenClose:
                var buffer = [UInt8](repeating: 0, count: 4096)
                _ = recv(client, &buffer, buffer.count, 0)
                let answer = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".utf8)
                _ = send(client, answer, answer.count, Int32(MSG_NOSIGNAL))
                close(client)
            }
        }
    }
}
