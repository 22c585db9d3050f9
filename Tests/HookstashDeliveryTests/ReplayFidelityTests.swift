import Foundation
import HookstashCore
import HookstashStore
import HookstashTestSupport
import Testing

@testable import HookstashDelivery

/// End to end: captures in a real SQLite store, replayed through libcurl to a raw-socket recorder on 127.0.0.1,
/// comparing the bytes received with the bytes captured.
@Suite("Replay fidelity, byte for byte")
struct ReplayFidelityTests {
    /// Stores `capture`, replays it to a fresh recorder and returns what was recorded and received.
    static func replay(
        _ capture: Capture, settings: ReplaySettings = ReplaySettings(), path: String = "",
        transform: Replayer.Transform? = nil
    ) async throws -> (Replayer.Result, RecordingServer.Request, RecordingServer, CaptureStore) {
        let store = try TestCaptures.temporaryStore()
        let id = try store.insert([capture])[0]
        let server = try RecordingServer()
        defer { server.stop() }
        let workers = DeliveryWorkers(count: 1)
        defer { workers.shutdown() }
        let replayer = Replayer(store: store, workers: workers)
        let results = try await replayer.replay(
            [id], to: DeliveryTarget(parsing: server.url + path), settings: settings, transform: transform)
        let received = await server.requests(atLeast: 1)
        try #require(results.count == 1)
        try #require(received.count == 1)
        return (results[0], received[0], server, store)
    }

    /// The header lines a faithful replay sends after Host: the captured lines in order, without Host and
    /// hop-by-hop fields, with Content-Length recomputed (in place of Transfer-Encoding for a chunked capture).
    static func expectedHeaderLines(_ capture: Capture, bodySize: Int) -> [String] {
        let hopByHop = ["connection", "keep-alive", "te", "trailer", "upgrade", "transfer-encoding"]
        var lines: [String] = []
        var sawLength = false
        for line in TestCaptures.headerLines(of: capture) {
            let name = String(line.prefix { $0 != ":" })
            let lower = name.lowercased()
            if lower == "host" { continue }
            if lower == "content-length" || lower == "transfer-encoding" {
                if !sawLength { lines.append("\(lower == "content-length" ? name : "Content-Length"): \(bodySize)") }
                sawLength = true
                continue
            }
            if hopByHop.contains(lower) || lower.hasPrefix("proxy-") { continue }
            lines.append(line)
        }
        if !sawLength, bodySize > 0 { lines.append("Content-Length: \(bodySize)") }
        return lines
    }

    static func expectFaithful(
        _ capture: Capture, _ received: RecordingServer.Request, port: UInt16, result: Replayer.Result,
        store: CaptureStore
    ) throws {
        let body = try store.bytes(of: capture.body)
        #expect(received.requestLine == "\(capture.method) \(capture.target.raw) HTTP/1.1")
        #expect(received.headerLines.first == "Host: 127.0.0.1:\(port)")
        #expect(Array(received.headerLines.dropFirst()) == expectedHeaderLines(capture, bodySize: body.count))
        #expect(received.body.count == body.count)
        #expect(sameBytes(received.body, body))
        // The record holds the request exactly as it went out.
        let delivery = try #require(result.delivery)
        let report = try #require(try store.deliveryReport(id: delivery.id))
        #expect(Array(report.request.head.utf8) == received.head)
        #expect(report.response?.status == 200)
        #expect(delivery.status == 200)
        #expect(try store.deliveries(captureID: capture.id == 0 ? delivery.captureID : capture.id).count == 1)
    }

    @Test("duplicate headers in mixed case arrive in order, with their case")
    func duplicateHeaders() async throws {
        let body = Array(#"{"type":"inbound"}"#.utf8)
        let capture = TestCaptures.make(
            headers: [
                ("Host", "abc.ngrok-free.app"), ("User-Agent", "Front/1.0"), ("X-Front-Signature", "c2ln"),
                ("x-custom", "one"), ("X-CUSTOM", "two"), ("X-Custom", "three"), ("content-type", "application/json"),
                ("Accept-Encoding", "gzip"), ("Content-Length", "\(body.count)"), ("X-Empty", ""),
            ], body: body)
        let (result, received, server, store) = try await Self.replay(capture)
        try Self.expectFaithful(capture, received, port: server.port, result: result, store: store)
        #expect(received.headerLines.contains("X-Empty:"))
    }

    @Test("a binary body with NUL bytes arrives unchanged")
    func binaryBody() async throws {
        let body = (0..<4096).map { UInt8($0 % 256) } + [0, 0, 0]
        let capture = TestCaptures.make(
            headers: [
                ("Host", "h"), ("Content-Type", "application/octet-stream"), ("Content-Length", "\(body.count)"),
            ],
            body: body)
        let (result, received, server, store) = try await Self.replay(capture)
        try Self.expectFaithful(capture, received, port: server.port, result: result, store: store)
    }

    @Test("an empty POST keeps its Content-Length: 0; a GET without one gets none, and no Accept or Content-Type")
    func emptyBodies() async throws {
        let post = TestCaptures.make(headers: [("Host", "h"), ("Content-Length", "0")], body: [])
        let (result, received, server, store) = try await Self.replay(post)
        try Self.expectFaithful(post, received, port: server.port, result: result, store: store)
        #expect(received.headerLines == ["Host: 127.0.0.1:\(server.port)", "Content-Length: 0"])

        let get = TestCaptures.make(method: "GET", target: "/ping", headers: [("Host", "h"), ("X-A", "1")], body: [])
        let (getResult, getReceived, getServer, getStore) = try await Self.replay(get)
        try Self.expectFaithful(get, getReceived, port: getServer.port, result: getResult, store: getStore)
        #expect(getReceived.headerLines == ["Host: 127.0.0.1:\(getServer.port)", "X-A: 1"])
    }

    @Test("a 20 MiB body arrives whole, without Expect: 100-continue")
    func largeBody() async throws {
        let block = (0..<65536).map { _ in UInt8.random(in: 0...255) }
        let body = [UInt8](unsafeUninitializedCapacity: 20 << 20) { buffer, count in
            for offset in stride(from: 0, to: 20 << 20, by: block.count) {
                _ = UnsafeMutableBufferPointer(rebasing: buffer[offset..<(offset + block.count)]).initialize(
                    from: block)
            }
            count = 20 << 20
        }
        let capture = TestCaptures.make(
            headers: [("Host", "h"), ("Content-Type", "application/zip"), ("Content-Length", "\(body.count)")],
            body: body)
        let (result, received, server, store) = try await Self.replay(capture)
        try Self.expectFaithful(capture, received, port: server.port, result: result, store: store)
        #expect(!received.headText.lowercased().contains("expect:"))
    }

    @Test("an unknown method is sent as captured")
    func unknownMethod() async throws {
        let capture = TestCaptures.make(
            method: "PURGE-ALL", target: "/cache", headers: [("Host", "h"), ("Content-Length", "3")], body: [1, 2, 3])
        let (result, received, server, store) = try await Self.replay(capture)
        try Self.expectFaithful(capture, received, port: server.port, result: result, store: store)
    }

    @Test("`..`, `.` and percent-encoding in the path are sent as captured")
    func dotSegments() async throws {
        let capture = TestCaptures.make(
            method: "GET", target: "/a/../b/./%2e%2e/c%2Fd?next=../x&y=%20", headers: [("Host", "h")], body: [])
        let (result, received, server, store) = try await Self.replay(capture)
        try Self.expectFaithful(capture, received, port: server.port, result: result, store: store)
    }

    @Test("a chunked capture is delivered with Content-Length and the decoded body")
    func chunkedCapture() async throws {
        let body = Array("{\"chunked\":true}".utf8)
        let capture = TestCaptures.make(
            headers: [
                ("Host", "h"), ("Content-Type", "application/json"), ("Transfer-Encoding", "chunked"), ("X-After", "1"),
            ], body: body, chunked: true)
        let (result, received, server, store) = try await Self.replay(capture)
        try Self.expectFaithful(capture, received, port: server.port, result: result, store: store)
        #expect(
            received.headerLines == [
                "Host: 127.0.0.1:\(server.port)", "Content-Type: application/json", "Content-Length: \(body.count)",
                "X-After: 1",
            ])
        let report = try #require(try store.deliveryReport(id: result.delivery!.id))
        #expect(report.request.changes.contains("Transfer-Encoding dropped (hop-by-hop)"))
        #expect(
            report.request.changeDetails?.contains(RequestChange(.hopByHopDropped, name: "Transfer-Encoding")) == true)
    }

    @Test("--keep-host sends the captured Host; --to with a path replaces the path and keeps the query")
    func hostAndPath() async throws {
        let capture = TestCaptures.make(
            target: "/webhooks/front?x=1", headers: [("Host", "abc.ngrok.io"), ("Content-Length", "0")], body: [])
        let (_, received, _, _) = try await Self.replay(
            capture, settings: ReplaySettings(keepHost: true), path: "/local/hook")
        #expect(received.requestLine == "POST /local/hook?x=1 HTTP/1.1")
        #expect(received.headerLines == ["Host: abc.ngrok.io", "Content-Length: 0"])
    }
}
