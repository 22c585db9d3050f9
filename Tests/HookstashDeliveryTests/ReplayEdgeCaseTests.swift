import Foundation
import HookstashCore
import HookstashStore
import HookstashTestSupport
import Testing

@testable import HookstashDelivery

/// More pitfalls from the libcurl notes, each end to end against the recorder.
@Suite("Replay edge cases")
struct ReplayEdgeCaseTests {
    @Test("a stale captured Content-Length is not sent: the recomputed one is")
    func staleContentLength() async throws {
        let capture = TestCaptures.make(headers: [("Host", "h"), ("Content-Length", "99")], body: [1, 2, 3])
        let (result, received, _, store) = try await ReplayFidelityTests.replay(capture)
        #expect(received.headerLines.last == "Content-Length: 3")
        #expect(received.body == [1, 2, 3])
        let report = try #require(try store.deliveryReport(id: result.delivery!.id))
        #expect(report.request.changes.contains("Content-Length recomputed: 3 (was 99)"))
    }

    @Test("a GET with a body is sent with its body")
    func getWithBody() async throws {
        let body = Array("{\"query\":1}".utf8)
        let capture = TestCaptures.make(
            method: "GET", target: "/search", headers: [("Host", "h"), ("Content-Length", "\(body.count)")], body: body)
        let (result, received, server, store) = try await ReplayFidelityTests.replay(capture)
        try ReplayFidelityTests.expectFaithful(capture, received, port: server.port, result: result, store: store)
    }

    @Test("HEAD does not wait for a body the answer announces")
    func head() async throws {
        let store = try TestCaptures.temporaryStore()
        let id = try store.insert([TestCaptures.make(method: "HEAD", target: "/h", headers: [("Host", "h")], body: [])]
        )[0]
        let server = try RecordingServer { _ in
            .bytes(Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nX-Head: yes\r\n\r\n".utf8))
        }
        defer { server.stop() }
        let workers = DeliveryEngine(maxTransfers: 1)
        defer { workers.shutdown() }
        let results = try await Replayer(store: store, engine: workers).replay(
            [id], to: try DeliveryTarget(parsing: server.url),
            options: DeliveryOptions(totalTimeout: .milliseconds(3000)))
        #expect(results.first?.delivery?.status == 200)
        #expect(results.first?.delivery?.error == nil)
        #expect(server.requests.first?.requestLine == "HEAD /h HTTP/1.1")
    }

    @Test("the asterisk-form and an absolute-form target are sent as captured")
    func unusualTargets() async throws {
        let star = TestCaptures.make(method: "OPTIONS", target: "*", headers: [("Host", "h")], body: [])
        let (_, starReceived, _, _) = try await ReplayFidelityTests.replay(star)
        #expect(starReceived.requestLine == "OPTIONS * HTTP/1.1")
        let absolute = TestCaptures.make(
            method: "GET", target: "http://example.com/a?b=1", headers: [("Host", "example.com")], body: [])
        let (_, absoluteReceived, _, _) = try await ReplayFidelityTests.replay(absolute)
        #expect(absoluteReceived.requestLine == "GET http://example.com/a?b=1 HTTP/1.1")
    }

    @Test("a body spilled to a file (20 MiB) is read from the store and sent whole")
    func spilledBody() async throws {
        let store = try TestCaptures.temporaryStore()
        let sink = BodySink(store: store, spillThreshold: 1 << 20)
        var expected: [UInt8] = []
        for index in 0..<20 {
            let block = [UInt8](repeating: UInt8(index * 7 & 0xff), count: 1 << 20)
            sink.append(block)
            expected += block
        }
        let body = try sink.finish()
        guard case .file = body else {
            Issue.record("the body was not spilled")
            return
        }
        var capture = TestCaptures.make(
            headers: [("Host", "h"), ("Content-Length", "\(expected.count)")], body: [])
        capture.body = body
        let id = try store.insert([capture])[0]
        let server = try RecordingServer()
        defer { server.stop() }
        let workers = DeliveryEngine(maxTransfers: 1)
        defer { workers.shutdown() }
        let results = try await Replayer(store: store, engine: workers).replay(
            [id], to: try DeliveryTarget(parsing: server.url))
        #expect(results.first?.delivery?.status == 200)
        let received = try #require(await server.requests(atLeast: 1).first)
        #expect(received.body.count == expected.count)
        #expect(sameBytes(received.body, expected))
    }

    @Test("bulk replay: a missing id is reported without a delivery, duplicates are sent twice")
    func bulkProblems() async throws {
        let store = try TestCaptures.temporaryStore()
        let ids = try store.insert(
            (0..<300).map { TestCaptures.make(target: "/b/\($0)", headers: [("Content-Length", "0")], body: []) })
        let server = try RecordingServer()
        defer { server.stop() }
        let workers = DeliveryEngine(maxTransfers: 4)
        defer { workers.shutdown() }
        let results = try await Replayer(store: store, engine: workers).replay(
            ids + [999_999, ids[0]], to: try DeliveryTarget(parsing: server.url))
        #expect(results.count == 302)
        let missing = try #require(results.first { $0.captureID == 999_999 })
        #expect(missing.delivery == nil)
        let notFound = try #require(missing.problem as? HookstashError)
        #expect(notFound.isNotFound)
        #expect(notFound.message.contains("no capture with id 999999"))
        #expect(try store.deliveries(captureID: ids[0]).count == 2)
        #expect(try store.deliveries(captureID: ids[299]).count == 1)
        #expect(await server.requests(atLeast: 301).count == 301)
    }

    @Test("replayOne (the inspector API) applies headers, records the delivery and returns its JSON record")
    func replayOne() async throws {
        let store = try TestCaptures.temporaryStore()
        let id = try store.insert([
            TestCaptures.make(headers: [("Host", "h"), ("X-Remove", "1"), ("Content-Length", "0")], body: [])
        ])[0]
        let server = try RecordingServer()
        defer { server.stop() }
        let workers = DeliveryEngine(maxTransfers: 1)
        defer { workers.shutdown() }
        let record = try await Replayer(store: store, engine: workers).replayOne(
            id: id, to: server.url + "/api-hook", headers: [("X-Env", "dev"), ("X-Remove", "")])
        #expect(record.delivery.status == 200)
        #expect(record.delivery.id > 0)
        #expect(try store.deliveries(captureID: id).map(\.id) == [record.delivery.id])
        let received = try #require(await server.requests(atLeast: 1).first)
        #expect(received.requestLine == "POST /api-hook?x=1 HTTP/1.1")
        #expect(received.headerLines == ["Host: 127.0.0.1:\(server.port)", "Content-Length: 0", "X-Env: dev"])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(record), as: UTF8.self)
        #expect(json.contains("\"capture_id\":\(id)"))
        #expect(json.contains("\"source\":\"api\""))
        await #expect(throws: HookstashError.self) {
            _ = try await Replayer(store: store, engine: workers).replayOne(id: 12345, to: server.url)
        }
    }
}
