import Foundation
import GRDB
import HookstashTestSupport
import Testing

/// `pull` against a remote it must not trust: bounded reads, bounded fetches, large bodies kept out of rows, the
/// token not sent in clear without a word, and only verified captures re-signed.
@Suite struct PullBoundsEndToEndTests {
    /// A fake remote inspector: its newest capture is 0, its event stream sends `events` and stays open, and
    /// `/api/captures/1` answers `capture`.
    static func fakeRemote(events: [UInt8], capture: [UInt8] = []) throws -> RecordingServer {
        try RecordingServer { request in
            let line = request.requestLine
            if line.hasPrefix("GET /api/captures?limit=1 ") {
                return .bytes(RecordingServer.response(200, body: #"{"captures":[]}"#))
            }
            if line.hasPrefix("GET /api/events ") {
                return .bytes(Array("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n".utf8) + events)
            }
            if line.hasPrefix("GET /api/captures/1 ") {
                return .bytes(
                    Array("HTTP/1.1 200 OK\r\nContent-Length: \(capture.count)\r\n\r\n".utf8) + capture)
            }
            return .bytes(RecordingServer.response(404, reason: "Not Found"))
        }
    }

    @Test func aTokenSentOverPlainHTTPToAnotherHostIsWarnedAbout() throws {
        let directory = try TemporaryDirectory()
        // A comment opens the stream (pull says it is connected at its first bytes).
        let remote = try Self.fakeRemote(events: Array(": hello\n\n".utf8))
        defer { remote.stop() }
        let app = try LocalAppRecorder()
        let relayName = "relay.test:\(remote.port)"
        let pull = try PullProcess(
            database: directory.file("p.sqlite"), from: "http://\(relayName)/", to: "http://127.0.0.1:\(app.port)",
            arguments: ["--token", "t0ken", "--resolve", "\(relayName):127.0.0.1"])
        defer { pull.kill() }
        #expect(pull.waitForStatus("connected"))
        #expect(pull.statusLines.contains { $0.contains("warning: the token goes to http://relay.test") })

        let loopback = try PullProcess(
            database: directory.file("q.sqlite"), from: remote.url + "/", to: "http://127.0.0.1:\(app.port)",
            arguments: ["--token", "t0ken"])
        defer { loopback.kill() }
        #expect(loopback.waitForStatus("connected"))
        #expect(!loopback.statusLines.contains { $0.contains("warning") })
    }

    @Test func anEventStreamLineOverTheLimitIsDroppedAndTheStreamReopened() throws {
        let directory = try TemporaryDirectory()
        let remote = try Self.fakeRemote(events: [UInt8](repeating: UInt8(ascii: "x"), count: 256 * 1024))
        defer { remote.stop() }
        let app = try LocalAppRecorder()
        let pull = try PullProcess(
            database: directory.file("p.sqlite"), from: remote.url + "/", to: "http://127.0.0.1:\(app.port)")
        defer { pull.kill() }
        #expect(pull.waitForStatus("longer than 64 KiB"))
    }

    @Test func aCaptureLargerThanMaxBodySizeIsNotFetchedWhole() throws {
        let directory = try TemporaryDirectory()
        let capture =
            Array(#"{"id":1,"body_base64":""#.utf8) + [UInt8](repeating: UInt8(ascii: "A"), count: 3 << 20)
            + Array(#""}"#.utf8)
        let remote = try Self.fakeRemote(events: Array("id: 1\nevent: capture\ndata: {}\n\n".utf8), capture: capture)
        defer { remote.stop() }
        let app = try LocalAppRecorder()
        let pull = try PullProcess(
            database: directory.file("p.sqlite"), from: remote.url + "/", to: "http://127.0.0.1:\(app.port)",
            arguments: ["--max-body-size", "1MiB", "--since-id", "0"])
        defer { pull.kill() }
        #expect(pull.waitForStatus("more than a capture of at most 1.0 MiB takes"), "\(pull.statusLines)")
        #expect(app.bodies.isEmpty)
    }

    @Test func aLargePulledBodyIsStoredInABodyFile() throws {
        let directory = try TemporaryDirectory()
        let remote = try ServeProcess(database: directory.file("remote.sqlite"))
        defer { remote.stop() }
        let app = try LocalAppRecorder()
        let local = directory.file("local.sqlite")
        let pull = try PullProcess(
            database: local, from: "http://127.0.0.1:\(remote.inspectorPort!)/", to: "http://127.0.0.1:\(app.port)")
        defer { pull.kill() }
        #expect(pull.waitForStatus("connected"))
        let body = String(repeating: "b", count: 3 << 20)
        try sendCapture(port: remote.port, body: body)
        #expect(pull.waitForDelivered(1))
        #expect(app.bodies == [body])
        let queue = try DatabaseQueue(path: local)
        let files = try queue.read { db in
            try String?.fetchAll(db, sql: "SELECT body_file FROM capture ORDER BY id").compactMap { $0 }
        }
        #expect(files.count == 1)
        let file = try #require(files.first)
        #expect(try FileManager.default.attributesOfItem(atPath: local + ".bodies/" + file)[.size] as? Int == 3 << 20)
    }

    /// The remote's verdict is not trusted: `pull --resign` re-signs only what verifies with the local secret.
    @Test func pullResignsOnlyCapturesThatVerifyWithTheLocalSecret() throws {
        let directory = try TemporaryDirectory()
        let remote = try ServeProcess(database: directory.file("remote.sqlite"))
        defer { remote.stop() }
        let app = try LocalAppRecorder()
        let from = "http://127.0.0.1:\(remote.inspectorPort!)/"
        let resign = ["--resign", "--secret", "local-secret", "--scheme", "github"]
        let pull = try PullProcess(
            database: directory.file("local.sqlite"), from: from, to: "http://127.0.0.1:\(app.port)",
            arguments: resign)
        #expect(pull.waitForStatus("connected"))
        let connection = try RawConnection(port: remote.port)
        try connection.send(
            "POST /hook HTTP/1.1\r\nX-Hub-Signature-256: sha256=\(String(repeating: "0", count: 64))\r\n"
                + "Content-Length: 9\r\n\r\nforged me")
        _ = try connection.readResponse()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !pull.deliveries.contains(where: { $0["state"] as? String == "abandoned" }) {
            usleep(50_000)
        }
        let abandoned = pull.deliveries.first { $0["state"] as? String == "abandoned" }
        #expect((abandoned?["error"] as? String)?.contains("--resign-unverified") == true, "\(pull.deliveries)")
        #expect(app.bodies.isEmpty)
        pull.kill()

        let asked = try PullProcess(
            database: directory.file("other.sqlite"), from: from, to: "http://127.0.0.1:\(app.port)",
            arguments: resign + ["--resign-unverified", "--since-id", "0"])
        defer { asked.kill() }
        #expect(asked.waitForDelivered(1))
        #expect(app.bodies == ["forged me"])
    }
}
