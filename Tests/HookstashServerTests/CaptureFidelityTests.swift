import Foundation
import HookstashCore
import HookstashServer
import HookstashStore
import HookstashTestSupport
import Testing

/// What arrives on the wire is what `show --raw` gives back, and the parsed view is right.
@Suite struct CaptureFidelityTests {
    /// Sends `request` to a fresh server and runs `body` on what it recorded and answered; the server is stopped after.
    private func capture(
        _ request: [UInt8],
        configure: (inout CaptureListenerConfiguration) -> Void,
        _ body: (Capture, RawResponse, TestCaptureServer) async throws -> Void
    ) async throws {
        try await withCaptureServer(configuring: configure) { server in
            let response = try server.exchange(request)[0]
            let capture = try #require(try server.latest(1).first)
            try await body(capture, response, server)
        }
    }

    private func capture(
        _ request: [UInt8], _ body: (Capture, RawResponse, TestCaptureServer) async throws -> Void
    ) async throws {
        try await capture(request, configure: { _ in }, body)
    }

    @Test func duplicateHeadersKeepOrderCaseAndDuplicates() async throws {
        let request = Array(
            "POST /hook HTTP/1.1\r\nHost: a\r\nX-Dup: one\r\ncontent-TYPE: application/json\r\nx-dup: two\r\nX-DUP:  three \r\nContent-Length: 2\r\n\r\n{}"
                .utf8)
        try await capture(request) { capture, response, server throws in
            #expect(response.status == 200)
            #expect(try server.store.rawMessage(of: capture) == request)
            #expect(
                capture.headers.map(\.name) == ["Host", "X-Dup", "content-TYPE", "x-dup", "X-DUP", "Content-Length"])
            #expect(capture.headers.values("x-dup") == ["one", "two", "three"])
            #expect(capture.method == "POST")
            #expect(capture.target.raw == "/hook")
            #expect(capture.httpVersion == "HTTP/1.1")
            #expect(try server.store.bytes(of: capture.body) == Array("{}".utf8))
            #expect(capture.bodySHA256 == DigestHasher.digest(.sha256, Array("{}".utf8)).hexString)
            #expect(capture.remoteAddress.hasPrefix("127.0.0.1:"))
            #expect(capture.malformed == false)
        }
    }

    @Test func binaryBodyWithNULBytes() async throws {
        let body: [UInt8] = [0, 1, 2, 0, 255, 254, 0, 13, 10, 13, 10, 0]
        let request = Array("PUT /bin HTTP/1.1\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
        try await capture(request) { capture, _, server throws in
            #expect(try server.store.bytes(of: capture.body) == body)
            #expect(try server.store.rawMessage(of: capture) == request)
            #expect(CaptureDocument(capture, body: body).bodyText == nil)
        }
    }

    @Test func emptyBody() async throws {
        let request = Array("POST /empty HTTP/1.1\r\nContent-Length: 0\r\n\r\n".utf8)
        try await capture(request) { capture, _, server throws in
            #expect(capture.bodySize == 0)
            #expect(try server.store.rawMessage(of: capture) == request)
        }
    }

    @Test func chunkedBodyKeepsSizesExtensionsAndTrailers() async throws {
        let request = Array(
            "POST /chunked HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Checksum: abc\r\n\r\n"
                .utf8)
        try await capture(request) { capture, _, server throws in
            #expect(try server.store.rawMessage(of: capture) == request)
            #expect(try server.store.bytes(of: capture.body) == Array("helloabcdefghijklmnopqrstuvwxyz".utf8))
            #expect(capture.bodySize == 31)
        }
    }

    @Test func twoPipelinedRequestsInOneWriteAreSplitAndAnsweredInOrder() async throws {
        let first = Array("POST /one HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc".utf8)
        let second = Array("GET /two?x=1 HTTP/1.1\r\nHost: h\r\n\r\n".utf8)
        try await withCaptureServer(configuring: { config in
            config.respond = { target, _ in CaptureResponse(status: target.path == "/one" ? 201 : 202) }
        }) { server in
            let responses = try server.exchange(first + second, responses: 2)
            #expect(responses.map(\.status) == [201, 202])
            let captures = try server.latest(2)
            #expect(try captures.map { try server.store.rawMessage(of: $0) } == [first, second])
            #expect(captures.map(\.target.path) == ["/one", "/two"])
            #expect(captures[1].target.query == "x=1")
        }
    }

    @Test func absoluteFormTargetIsKeptAsSent() async throws {
        let request = Array("GET http://example.com:8080/p/q?z=9 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n".utf8)
        try await capture(request) { capture, _, server throws in
            #expect(capture.target.raw == "http://example.com:8080/p/q?z=9")
            #expect(capture.target.path == "/p/q")
            #expect(capture.target.query == "z=9")
            #expect(try server.store.rawMessage(of: capture) == request)
        }
    }

    @Test func dotSegmentsAndEncodedSlashAreNotNormalised() async throws {
        let request = Array("GET /a/../b/%2F/./c HTTP/1.1\r\n\r\n".utf8)
        try await capture(request) { capture, _, server throws in
            #expect(capture.target.raw == "/a/../b/%2F/./c")
            #expect(capture.target.path == "/a/../b/%2F/./c")
        }
    }

    @Test(arguments: ["PURGE", "FOOBAR", "BREW", "M-SEARCH"])
    func anyMethodIsCaptured(method: String) async throws {
        let request = Array("\(method) /thing HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi".utf8)
        try await capture(request) { capture, response, server throws in
            #expect(response.status == 200)
            #expect(capture.method == method)
            #expect(capture.malformed == false)
            #expect(try server.store.rawMessage(of: capture) == request)
        }
    }

    @Test func http10IsAnsweredAndClosed() async throws {
        try await withCaptureServer { server in
            let connection = try server.connect()
            try connection.send("GET /old HTTP/1.0\r\nUser-Agent: legacy\r\n\r\n")
            let response = try connection.readResponse()
            #expect(response.status == 200)
            #expect(response.header("Connection") == "close")
            #expect(try connection.isClosedByPeer())
            let capture = try #require(try server.latest(1).first)
            #expect(capture.httpVersion == "HTTP/1.0")
        }
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        try await withCaptureServer { server in
            let connection = try server.connect()
            for index in 0..<5 {
                try connection.send("POST /n/\(index) HTTP/1.1\r\nContent-Length: 1\r\n\r\n\(index)")
                #expect(try connection.readResponse().status == 200)
            }
            #expect(try server.store.count() == 5)
        }
    }

    @Test func expectContinueIsAnsweredBeforeTheBody() async throws {
        try await withCaptureServer { server in
            let connection = try server.connect()
            try connection.send("POST /upload HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            #expect(try connection.readResponse().status == 100)
            try connection.send("12345")
            #expect(try connection.readResponse().status == 200)
            let capture = try #require(try server.latest(1).first)
            #expect(try server.store.bytes(of: capture.body) == Array("12345".utf8))
        }
    }

    @Test func frontChallengeIsAnsweredWithItsValue() async throws {
        try await withCaptureServer(configuring: { config in
            config.respond = { _, _ in CaptureResponse(status: 204) }
        }) { server in
            let response = try server.exchange(
                "POST /front HTTP/1.1\r\nX-Front-Challenge: c\"h\\1\r\nContent-Length: 2\r\n\r\n{}")[0]
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json")
            let json = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: String]
            #expect(json == ["challenge": "c\"h\\1"])
            #expect(try server.store.count() == 1)
        }
    }

    @Test func configuredResponseAndDelay() async throws {
        try await withCaptureServer(configuring: { config in
            config.respond = { _, _ in
                CaptureResponse(
                    status: 202, headers: HeaderList([("X-Hook", "yes")]), body: Array("queued".utf8),
                    delay: .milliseconds(300))
            }
        }) { server in
            let started = Date()
            let response = try server.exchange("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n")[0]
            #expect(Date().timeIntervalSince(started) >= 0.3)
            #expect(response.status == 202)
            #expect(response.header("X-Hook") == "yes")
            #expect(response.bodyText == "queued")
        }
    }

    @Test func largeBodiesAreStreamedToAFileAndRemovedWithTheCapture() async throws {
        var body = [UInt8]()
        for index in 0..<300_000 { body.append(UInt8(truncatingIfNeeded: index &* 31)) }
        let request = Array("POST /big HTTP/1.1\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
        try await capture(request, configure: { $0.spillThreshold = 64 * 1024 }) { capture, _, server throws in
            let path = try #require(server.store.filePath(of: capture.body))
            #expect(FileManager.default.fileExists(atPath: path))
            #expect(try server.store.bytes(of: capture.body) == body)
            #expect(capture.bodySHA256 == DigestHasher.digest(.sha256, body).hexString)
            #expect(try server.store.delete(id: capture.id))
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func largeChunkedBodyKeepsItsFramingOnDisk() async throws {
        var request = Array("POST /big-chunked HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        var body = [UInt8]()
        for chunk in 0..<40 {
            let data = [UInt8](repeating: UInt8(65 + chunk % 26), count: 4096)
            body += data
            request += Array("1000;n=\(chunk)\r\n".utf8) + data + Array("\r\n".utf8)
        }
        request += Array("0\r\n\r\n".utf8)
        try await capture(request, configure: { $0.spillThreshold = 16 * 1024 }) { capture, _, server throws in
            #expect(server.store.filePath(of: capture.body) != nil)
            #expect(try server.store.bytes(of: capture.body) == body)
            #expect(try server.store.rawMessage(of: capture) == request)
        }
    }
}
