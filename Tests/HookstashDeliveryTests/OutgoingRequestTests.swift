import HookstashCore
import HookstashTestSupport
import Testing

@testable import HookstashDelivery

@Suite("Building a replay request from a capture")
struct OutgoingRequestTests {
    let local = try! DeliveryTarget(parsing: "http://localhost:3000")

    @Test("headers keep order, case and duplicates; Host is the target's; nothing else changes")
    func keepsHeaders() throws {
        let capture = TestCaptures.make(
            headers: [
                ("Host", "abc.ngrok.io"), ("X-Dup", "1"), ("content-type", "application/json"), ("x-dup", "2"),
                ("Content-Length", "2"),
            ], body: Array("{}".utf8))
        let request = try OutgoingRequest.replaying(capture, body: Array("{}".utf8), to: local)
        #expect(
            request.headers.fields.map { "\($0.name): \($0.value)" } == [
                "Host: localhost:3000", "X-Dup: 1", "content-type: application/json", "x-dup: 2",
                "Content-Length: 2",
            ])
        #expect(request.requestTarget == "/webhooks/front?x=1")
        #expect(request.method == "POST")
        #expect(request.changes == [RequestChange(.hostRewritten, value: "localhost:3000", was: "abc.ngrok.io")])
        #expect(request.changes.map(Wording.standard.sentence) == ["Host set to localhost:3000 (was abc.ngrok.io)"])
    }

    @Test("--keep-host keeps the captured Host")
    func keepHost() throws {
        let capture = TestCaptures.make(headers: [("Host", "abc.ngrok.io")], body: [])
        let request = try OutgoingRequest.replaying(
            capture, body: [], to: local, settings: ReplaySettings(keepHost: true))
        #expect(request.headers.first("Host") == "abc.ngrok.io")
        #expect(request.changes.isEmpty)
        #expect(!request.sendsBody)
    }

    @Test("hop-by-hop headers and Transfer-Encoding are dropped; Content-Length takes the place of chunked")
    func dropsHopByHop() throws {
        let body = Array("hello".utf8)
        let capture = TestCaptures.make(
            headers: [
                ("Host", "h"), ("Connection", "keep-alive, Upgrade"), ("Keep-Alive", "timeout=5"), ("TE", "trailers"),
                ("Transfer-Encoding", "chunked"), ("Trailer", "X-Sum"), ("Upgrade", "websocket"),
                ("Proxy-Authorization", "Basic x"), ("proxy-connection", "close"), ("X-Keep", "yes"),
            ], body: body, chunked: true)
        let request = try OutgoingRequest.replaying(capture, body: body, to: local)
        #expect(
            request.headers.fields.map(\.name) == ["Host", "Content-Length", "X-Keep"])
        #expect(request.headers.first("Content-Length") == "5")
        #expect(request.changes.contains(RequestChange(.hopByHopDropped, name: "Transfer-Encoding")))
        #expect(request.changes.contains(RequestChange(.contentLengthAdded, value: "5")))
        #expect(request.changes.contains(RequestChange(.hopByHopDropped, name: "proxy-connection")))
        let sentences = request.changes.map(Wording.standard.sentence)
        #expect(sentences.contains("Transfer-Encoding dropped (hop-by-hop)"))
        #expect(sentences.contains("Content-Length: 5 added"))
        #expect(sentences.contains("proxy-connection dropped (hop-by-hop)"))
    }

    @Test("a stale Content-Length is recomputed in place")
    func recomputesContentLength() throws {
        let capture = TestCaptures.make(
            headers: [("Host", "h"), ("content-length", "99"), ("X-A", "1")], body: [1, 2, 3])
        let request = try OutgoingRequest.replaying(capture, body: [1, 2, 3], to: local)
        #expect(request.headers.fields.map(\.name) == ["Host", "content-length", "X-A"])
        #expect(request.headers.first("Content-Length") == "3")
        #expect(request.changes.contains(RequestChange(.contentLengthRecomputed, value: "3", was: "99")))
        #expect(request.changes.map(Wording.standard.sentence).contains("Content-Length recomputed: 3 (was 99)"))
    }

    @Test("--to with a path replaces the captured path and keeps the query; without a path keeps the target")
    func targetPath() throws {
        let capture = TestCaptures.make(target: "/webhooks/front?x=1&y=%2F", headers: [("Host", "h")], body: [])
        let withPath = try OutgoingRequest.replaying(
            capture, body: [], to: DeliveryTarget(parsing: "http://127.0.0.1:9/hook"))
        #expect(withPath.requestTarget == "/hook?x=1&y=%2F")
        let withQuery = try OutgoingRequest.replaying(
            capture, body: [], to: DeliveryTarget(parsing: "http://127.0.0.1:9/hook?z=2"))
        #expect(withQuery.requestTarget == "/hook?z=2")
        let dotted = TestCaptures.make(target: "/a/../b/./c?q", headers: [], body: [])
        #expect(try OutgoingRequest.replaying(dotted, body: [], to: local).requestTarget == "/a/../b/./c?q")
    }

    @Test("--header replaces in place, appends, or removes with an empty value")
    func extraHeaders() throws {
        let capture = TestCaptures.make(
            headers: [("Host", "h"), ("X-Env", "prod"), ("X-Env", "dup"), ("X-B", "b")], body: [])
        let settings = ReplaySettings(extraHeaders: [
            try ReplaySettings.parseHeader("x-env: dev"), try ReplaySettings.parseHeader("X-New: 1"),
            try ReplaySettings.parseHeader("X-B:"),
        ])
        let request = try OutgoingRequest.replaying(capture, body: [], to: local, settings: settings)
        #expect(
            request.headers.fields.map { "\($0.name): \($0.value)" } == [
                "Host: localhost:3000", "X-Env: dev", "X-New: 1",
            ])
        #expect(throws: DeliveryError.self) { try ReplaySettings.parseHeader("no colon") }
    }

    @Test("malformed captures and unusable targets are refused with a sentence")
    func refusals() throws {
        var capture = TestCaptures.make(headers: [], body: [])
        capture.malformed = true
        #expect(throws: DeliveryError.self) { try OutgoingRequest.replaying(capture, body: [], to: local) }
        #expect(throws: DeliveryError.self) { try DeliveryTarget(parsing: "ftp://x") }
        #expect(throws: DeliveryError.self) { try DeliveryTarget(parsing: "localhost:3000") }
        #expect(throws: DeliveryError.self) { try DeliveryTarget(parsing: "http://localhost:99999") }
        let ipv6 = try DeliveryTarget(parsing: "http://[::1]:8080/x")
        #expect(ipv6.authority == "[::1]:8080")
        #expect(ipv6.path == "/x")
    }
}
