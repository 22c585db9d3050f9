import Foundation
import HookstashCore
import HookstashTestSupport
import Testing

@testable import HookstashDelivery

/// What the engine records for answers other than a plain 200, and for no answer at all.
@Suite("Delivery outcomes: timeouts, refusals, interim answers, redirects, cookies")
struct DeliveryOutcomeTests {
    /// Delivers through an engine of its own: libcurl runs on the engine's thread, never on the cooperative pool.
    static func perform(_ request: OutgoingRequest, options: DeliveryOptions) async -> DeliveryOutcome {
        let workers = DeliveryEngine(maxTransfers: 1)
        defer { workers.shutdown() }
        return await workers.deliver(request, options: options)
    }

    static func deliver(
        to server: RecordingServer, path: String = "/hook", options: DeliveryOptions = DeliveryOptions()
    ) async throws -> DeliveryOutcome {
        let request = OutgoingRequest(
            method: "POST", target: try DeliveryTarget(parsing: server.url), requestTarget: path,
            headers: HeaderList([("Host", "127.0.0.1:\(server.port)"), ("Content-Length", "2")]), body: [0x7b, 0x7d])
        return await perform(request, options: options)
    }

    @Test("a slow target times out with a sentence naming the limit")
    func timeout() async throws {
        let server = try RecordingServer { _ in .delayed(milliseconds: 1500, RecordingServer.response()) }
        defer { server.stop() }
        let outcome = try await Self.deliver(to: server, options: DeliveryOptions(totalTimeout: .milliseconds(200)))
        let error = try #require(outcome.error)
        #expect(error.isTimeout)
        #expect(error.kind == "timeout")
        #expect(error.message == "no complete answer from 127.0.0.1:\(server.port) within 200 ms (timeout)")
        #expect(outcome.response == nil)
        #expect(outcome.timings.totalMs >= 150)
        // The request did go out, and the record has it.
        #expect(String(decoding: outcome.requestHead, as: UTF8.self).hasPrefix("POST /hook HTTP/1.1\r\n"))
    }

    @Test("after a timeout the same handle opens a fresh connection and succeeds")
    func afterTimeout() async throws {
        let server = try RecordingServer { request in
            request.requestLine.contains("/slow")
                ? .delayed(milliseconds: 800, RecordingServer.response()) : .bytes(RecordingServer.response())
        }
        defer { server.stop() }
        let easy = DeliveryEngine(maxTransfers: 1)
        defer { easy.shutdown() }
        let target = try DeliveryTarget(parsing: server.url)
        func request(_ path: String) -> OutgoingRequest {
            OutgoingRequest(
                method: "GET", target: target, requestTarget: path, headers: HeaderList([("Host", "x")]), body: [])
        }
        let slow = await easy.deliver(request("/slow"), options: DeliveryOptions(totalTimeout: .milliseconds(200)))
        #expect(slow.error?.isTimeout == true)
        let fast = await easy.deliver(request("/fast"), options: DeliveryOptions())
        #expect(fast.error == nil)
        #expect(fast.response?.status == 200)
        #expect(fast.newConnection)
        #expect(server.connectionCount == 2)
    }

    @Test("a closed port is reported as refused")
    func refused() async throws {
        let (reserved, port) = try RecordingServer.reservePort()
        defer { close(reserved) }
        let request = OutgoingRequest(
            method: "GET", target: try DeliveryTarget(parsing: "http://127.0.0.1:\(port)"), requestTarget: "/",
            headers: HeaderList(), body: [])
        let outcome = await Self.perform(request, options: DeliveryOptions())
        let error = try #require(outcome.error)
        #expect(error.isRefused)
        #expect(error.message == "connection refused by 127.0.0.1:\(port) (nothing is listening there)")
        #expect(error.isTransient)
    }

    @Test("https:// to a plain HTTP port is a TLS failure, not a crash, and is not retried")
    func tlsFailure() async throws {
        let server = try RecordingServer(greeting: RecordingServer.response(400, reason: "Bad Request"))
        defer { server.stop() }
        let request = OutgoingRequest(
            method: "GET", target: try DeliveryTarget(parsing: "https://127.0.0.1:\(server.port)"), requestTarget: "/",
            headers: HeaderList(), body: [])
        let outcome = await Self.perform(request, options: DeliveryOptions(totalTimeout: .milliseconds(3000)))
        let error = try #require(outcome.error)
        #expect(error.kind == "tls")
        #expect(error.message.hasPrefix("TLS with 127.0.0.1:\(server.port) failed: "))
        #expect(!error.isTransient)
    }

    @Test("a host name that does not resolve is a DNS failure")
    func dnsFailure() async throws {
        let request = OutgoingRequest(
            method: "GET", target: try DeliveryTarget(parsing: "http://no-such-host.invalid:8080"), requestTarget: "/",
            headers: HeaderList(), body: [])
        let outcome = await Self.perform(request, options: DeliveryOptions(totalTimeout: .milliseconds(3000)))
        #expect(outcome.error?.kind == "dns")
        #expect(
            outcome.error?.message.hasPrefix("the host name in http://no-such-host.invalid:8080 does not resolve")
                == true)
    }

    @Test("a target that closes without answering is recorded, not crashed on")
    func closedWithoutAnswer() async throws {
        let server = try RecordingServer { _ in .close }
        defer { server.stop() }
        let outcome = try await Self.deliver(to: server)
        #expect(outcome.error?.kind == "connection")
        #expect(outcome.error?.message == "127.0.0.1:\(server.port) closed the connection without answering")
    }

    @Test("1xx interim answers are listed and the final answer's headers are kept alone")
    func interimAnswers() async throws {
        let server = try RecordingServer { _ in
            .bytes(
                Array("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>\r\n\r\n".utf8)
                    + RecordingServer.response(201, reason: "Created", headers: [("X-Final", "yes")], body: "made"))
        }
        defer { server.stop() }
        let outcome = try await Self.deliver(to: server)
        let response = try #require(outcome.response)
        #expect(outcome.error == nil)
        #expect(response.status == 201)
        #expect(response.statusLine == "HTTP/1.1 201 Created")
        #expect(response.interimStatuses == [100, 103])
        #expect(response.headers.fields.map(\.name) == ["X-Final", "Content-Length"])
        #expect(response.body == Array("made".utf8))
    }

    @Test("a redirect is not followed by default: the 3xx is the recorded answer; followed, method and body stay")
    func redirectNotFollowed() async throws {
        let server = try RecordingServer { request in
            request.requestLine.hasPrefix("POST /hook ")
                ? .bytes(RecordingServer.response(302, reason: "Found", headers: [("Location", "/elsewhere")]))
                : .bytes(RecordingServer.response())
        }
        defer { server.stop() }
        let outcome = try await Self.deliver(to: server)
        #expect(outcome.response?.status == 302)
        #expect(outcome.response?.headers.first("Location") == "/elsewhere")
        #expect(server.requests.count == 1)

        let followed = try await Self.deliver(to: server, options: DeliveryOptions(followRedirects: true))
        #expect(followed.response?.status == 200)
        #expect(await server.requests(atLeast: 3).last?.requestLine.hasPrefix("POST /elsewhere ") == true)
    }

    @Test("several Set-Cookie lines are kept in order, with their case")
    func setCookies() async throws {
        let server = try RecordingServer { _ in
            .bytes(
                RecordingServer.response(
                    headers: [
                        ("Set-Cookie", "a=1; Path=/"), ("set-cookie", "b=2; HttpOnly"), ("X-Other", "x"),
                        ("Set-Cookie", "c=3, d=4; Expires=Wed, 21 Oct 2026 07:28:00 GMT"),
                    ]))
        }
        defer { server.stop() }
        let outcome = try await Self.deliver(to: server)
        let headers = try #require(outcome.response?.headers)
        #expect(
            headers.values("Set-Cookie") == [
                "a=1; Path=/", "b=2; HttpOnly", "c=3, d=4; Expires=Wed, 21 Oct 2026 07:28:00 GMT",
            ])
        #expect(headers.fields.map(\.name) == ["Set-Cookie", "set-cookie", "X-Other", "Set-Cookie", "Content-Length"])
    }

    @Test("a large response body is capped and flagged truncated")
    func truncatedBody() async throws {
        let big = String(repeating: "x", count: 100_000)
        let server = try RecordingServer { _ in .bytes(RecordingServer.response(body: big)) }
        defer { server.stop() }
        let outcome = try await Self.deliver(to: server, options: DeliveryOptions(responseBodyLimit: 1024))
        let response = try #require(outcome.response)
        #expect(response.body.count == 1024)
        #expect(response.bodySize == 100_000)
        #expect(response.truncated)
    }

    @Test("one handle reuses its connection; each worker keeps its own")
    func keepAlive() async throws {
        let server = try RecordingServer()
        defer { server.stop() }
        let easy = DeliveryEngine(maxTransfers: 1)
        defer { easy.shutdown() }
        let request = OutgoingRequest(
            method: "GET", target: try DeliveryTarget(parsing: server.url), requestTarget: "/",
            headers: HeaderList([("Host", "x")]), body: [])
        var outcomes: [DeliveryOutcome] = []
        for _ in 0..<5 { outcomes.append(await easy.deliver(request, options: DeliveryOptions())) }
        #expect(
            outcomes.map(\.newConnection) == [true, false, false, false, false],
            "\(outcomes.compactMap { $0.error?.message })")
        #expect(outcomes.allSatisfy { $0.response?.status == 200 })
        #expect(server.connectionCount == 1)
    }

    @Test("concurrent workers deliver every request once")
    func concurrentWorkers() async throws {
        let server = try RecordingServer()
        defer { server.stop() }
        let workers = DeliveryEngine(maxTransfers: 4)
        defer { workers.shutdown() }
        let target = try DeliveryTarget(parsing: server.url)
        let outcomes = await withTaskGroup(of: DeliveryOutcome.self) { group in
            for index in 0..<40 {
                group.addTask {
                    let request = OutgoingRequest(
                        method: "POST", target: target, requestTarget: "/n/\(index)",
                        headers: HeaderList([("Host", "x"), ("Content-Length", "0")]), body: [])
                    return await workers.deliver(request, options: DeliveryOptions())
                }
            }
            return await group.reduce(into: [DeliveryOutcome]()) { $0.append($1) }
        }
        let statuses = outcomes.map { $0.response?.status }
        let errors = Set(outcomes.compactMap { $0.error?.message })
        #expect(statuses.count == 40, "\(errors)")
        #expect(statuses.allSatisfy { $0 == 200 })
        let targets = Set(await server.requests(atLeast: 40).map(\.requestLine))
        #expect(targets.count == 40)
        #expect(server.connectionCount <= 4)
    }
}
