import Foundation
import GRDB
import HookstashCore
import HookstashServer
import HookstashStore
import HookstashTestSupport
import Testing

/// What the one parser refuses is recorded with its bytes, answered with a reason, and the connection closed;
/// what llhttp and the old byte tee disagreed on is followed.
@Suite struct CaptureProtocolRefusalTests {
    @Test(arguments: [
        ("GET /up HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n", "upgrades"),
        ("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", "CONNECT"),
        ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "HTTP/2"),
    ])
    func protocolSwitchesAreRecordedAnswered501AndClosed(request: String, reason: String) async throws {
        try await withCaptureServer { server in
            let connection = try server.connect()
            let after = "GET /after HTTP/1.1\r\n\r\n"
            try connection.send(request + after)
            let response = try connection.readResponse()
            #expect(response.status == 501)
            #expect(response.bodyText.contains(reason))
            #expect(try connection.isClosedByPeer())
            let capture = try #require(try server.latest(1).first)
            #expect(capture.malformed)
            #expect(capture.responseStatus == 501)
            #expect(try server.store.rawMessage(of: capture) == Array((request + after).utf8))
            #expect(try server.store.count() == 1, "nothing after the refused request is taken as a request")
        }
    }

    @Test func zeroPaddedChunkSizeIsFollowedAndLaterRequestsAreAnswered() async throws {
        try await withCaptureServer { server in
            let first = "POST /zero HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0000000000000001\r\nx\r\n0\r\n\r\n"
            let second = "POST /after HTTP/1.1\r\nContent-Length: 2\r\n\r\nok"
            let responses = try server.exchange(first + second + second, responses: 3)
            #expect(responses.map(\.status) == [200, 200, 200])
            let captures = try server.latest(3)
            #expect(captures.map(\.target.path) == ["/zero", "/after", "/after"])
            #expect(try server.store.bytes(of: captures[0].body) == Array("x".utf8))
            #expect(try server.store.rawMessage(of: captures[0]) == Array(first.utf8))
        }
    }

    @Test func chunkExtensionFloodIsRefusedAndRecorded() async throws {
        try await withCaptureServer(configuring: { $0.maxChunkExtensionSize = 1024 }) { server in
            let connection = try server.connect()
            let head = "POST /ext HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            let chunk = "1;" + String(repeating: "e", count: 600) + "\r\nx\r\n"
            try connection.send(head + chunk + chunk)
            let response = try connection.readResponse()
            #expect(response.status == 400)
            #expect(try connection.isClosedByPeer())
            let capture = try #require(try server.latest(1).first)
            #expect(capture.malformed)
            #expect(capture.target.path == "/ext")
            #expect(try server.store.rawMessage(of: capture) == Array((head + chunk + chunk).utf8))
        }
    }

    @Test func chunkedFramingBeyondItsAllowanceIs413() async throws {
        try await withCaptureServer(configuring: { $0.maxChunkFramingSize = 4096 }) { server in
            let connection = try server.connect()
            try? connection.send(
                "POST /ones HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + String(repeating: "1\r\nx\r\n", count: 2000))
            #expect(try connection.readResponse().status == 413)
            let capture = try #require(try server.latest(1).first)
            #expect(capture.responseStatus == 413)
            #expect(capture.malformed)
        }
    }

    @Test func bodyTricklingBelowTheMinimumRateIs408() async throws {
        try await withCaptureServer(configuring: { config in
            config.bodyTimeout = .seconds(2)
            config.minimumBodyRate = 1000
        }) { server in
            let connection = try server.connect()
            try connection.send("POST /trickle HTTP/1.1\r\nContent-Length: 100\r\n\r\n")
            // One byte every 100 ms from a thread of its own: never 2 s without a byte, but far below 1,000 bytes/s.
            let sender = SendingSide(connection)
            let trickler = Thread {
                for _ in 0..<40 {
                    guard (try? sender.connection.send("x")) != nil else { return }
                    usleep(100_000)
                }
            }
            trickler.start()
            let response = try connection.readResponse()
            #expect(response.status == 408)
            #expect(response.bodyText.contains("slower than 1000 bytes/s"), "\(response.bodyText)")
            let capture = try #require(try server.latest(1).first)
            #expect(capture.malformed)
            #expect(capture.target.path == "/trickle")
        }
    }

    @Test func bytesPipelinedAfterConnectionCloseAreRecordedButNotAnswered() async throws {
        try await withCaptureServer { server in
            let connection = try server.connect()
            try connection.send("GET /last HTTP/1.1\r\nConnection: close\r\n\r\nnot http at all\r\n\r\n")
            let response = try connection.readResponse()
            #expect(response.status == 200)
            #expect(response.header("Connection") == "close")
            #expect(try connection.isClosedByPeer())
            try await server.waitForCaptures(2)
            let captures = try server.latest(2)
            #expect(captures.first?.target.path == "/last")
            #expect(captures.last?.rawHead == Array("not http at all\r\n\r\n".utf8))
            #expect(captures.last?.malformed == true)
            #expect(captures.last?.responseStatus == 0, "recorded, not answered")
        }
    }

    @Test func storeFailureAnswerRevealsNeitherThePathNorTheError() async throws {
        try await withCaptureServer { server in
            let saboteur = try DatabaseQueue(path: server.store.path)
            try await saboteur.write { db in
                try db.execute(
                    sql: "CREATE TRIGGER refuse BEFORE INSERT ON capture BEGIN SELECT RAISE(FAIL, 'disk is full'); END")
            }
            let refused = try server.exchange("POST /lost HTTP/1.1\r\nContent-Length: 1\r\n\r\nx")[0]
            #expect(refused.status == 503)
            #expect(!refused.bodyText.contains(server.directory))
            #expect(!refused.bodyText.contains("disk is full"))
            #expect(!refused.bodyText.contains("SQLite"))
        }
    }
}

/// The sending side of a connection whose replies the test reads on its own thread. `@unchecked Sendable`:
/// `RawConnection.send` touches only the socket (reads keep their own buffer), and a socket may be written by one
/// thread while another reads it.
final class SendingSide: @unchecked Sendable {
    let connection: RawConnection
    init(_ connection: RawConnection) { self.connection = connection }
}
