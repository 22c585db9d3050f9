import Foundation
import GRDB
import HookstashTestSupport
import Testing

/// `hookstash pull` end to end: a remote `hookstash serve` process, a `pull` process, and a recorder as the local
/// app, all on 127.0.0.1 with real SQLite files. Every capture must reach the app exactly once, in capture order,
/// whatever is killed or restarted in between.
@Suite(.serialized) struct RelayEndToEndTests {
    static let firstBatch = 100
    static let secondBatch = 200

    private func send(_ range: ClosedRange<Int>, to port: Int) async throws {
        for index in range { try await sendCapture(port: port, body: "capture \(index)") }
    }

    private func expected(_ range: ClosedRange<Int>) -> [String] {
        range.map { "capture \($0)" }
    }

    /// Rows the pull process left in its store: local captures and successful deliveries.
    private func localCounts(_ database: String) async throws -> (captures: Int, delivered: Int, pending: Int) {
        let queue = try DatabaseQueue(path: database)
        return try await queue.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM capture") ?? -1,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM delivery WHERE status = 200") ?? -1,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM forward_queue WHERE state = 'pending'") ?? -1
            )
        }
    }

    @Test func pullKilledWithSIGKILLResumesWithExactlyTheCapturesItMissed() async throws {
        let scene = try await RelayScene()
        defer { scene.remote.terminate() }
        let (remote, app, inspector, local, appURL) = (
            scene.remote, scene.app, scene.inspector, scene.local, scene.appURL
        )

        var pull = try PullProcess(database: local, from: inspector, to: appURL)
        #expect(try await pull.waitForStatus("connected"))
        try await send(1...Self.firstBatch, to: remote.port)
        #expect(try await pull.waitForDelivered(Self.firstBatch))
        #expect(app.bodies == expected(1...Self.firstBatch))
        try await pull.killAndWait()

        let total = Self.firstBatch + Self.secondBatch
        try await send((Self.firstBatch + 1)...total, to: remote.port)
        pull = try PullProcess(database: local, from: inspector, to: appURL)
        #expect(try await app.waitFor(total))
        #expect(try await pull.waitForDelivered(Self.secondBatch))
        try await Task.sleep(for: .microseconds(500_000))  // anything sent twice would arrive now
        #expect(app.bodies == expected(1...total))
        #expect(pull.deliveries.compactMap { $0["remote_id"] as? Int } == Array((Self.firstBatch + 1)...total))
        try await pull.killAndWait()
        let counts = try await localCounts(local)
        #expect(counts.captures == total)
        #expect(counts.delivered == total)
        #expect(counts.pending == 0)
    }

    /// A first `pull` starts at the remote's newest capture; `--since-id` fetches history. Going back over
    /// captures pulled already delivers none of them twice.
    @Test func sinceIDPullsHistoryAndNeverDeliversACaptureTwice() async throws {
        let scene = try await RelayScene()
        defer { scene.remote.terminate() }
        let (remote, app, inspector, local, appURL) = (
            scene.remote, scene.app, scene.inspector, scene.local, scene.appURL
        )
        try await send(1...10, to: remote.port)

        var pull = try PullProcess(database: local, from: inspector, to: appURL, arguments: ["--since-id", "4"])
        #expect(try await pull.waitForStatus("caught up"))
        #expect(try await pull.waitForDelivered(6))  // recorded, not only answered: a kill before that delivers it again
        #expect(app.bodies == expected(5...10))
        try await pull.killAndWait()

        try await send(11...12, to: remote.port)
        pull = try PullProcess(database: local, from: inspector, to: appURL, arguments: ["--since-id", "0"])
        #expect(try await app.waitFor(12))
        #expect(try await pull.waitForDelivered(6))
        #expect(try await pull.waitForStatus("caught up"))
        try await Task.sleep(for: .microseconds(500_000))  // anything sent twice would arrive now
        // 1...4 were never pulled, 5...10 were and are passed over, 11...12 are new.
        #expect(app.bodies == expected(5...10) + expected(1...4) + expected(11...12))
        try await pull.killAndWait()
        let counts = try await localCounts(local)
        #expect(counts.captures == 12)
        #expect(counts.delivered == 12)
    }

    @Test func theRemoteRestartedWhilePullRunsLosesNothingAndRepeatsNothing() async throws {
        let directory = try TemporaryDirectory()
        let capturePort = try freePort()
        let inspectorPort = try freePort()
        let arguments = ["--listen", "127.0.0.1:\(capturePort)", "--inspect", "127.0.0.1:\(inspectorPort)"]
        var remote = try await ServeProcess(database: directory.file("remote.sqlite"), arguments: arguments)
        let app = try LocalAppRecorder()
        let local = directory.file("local.sqlite")
        let pull = try PullProcess(
            database: local, from: "http://127.0.0.1:\(inspectorPort)", to: "http://127.0.0.1:\(app.port)/in")
        #expect(try await pull.waitForStatus("connected"))
        try await send(1...Self.firstBatch, to: capturePort)
        #expect(try await pull.waitForDelivered(Self.firstBatch))

        remote.signal(SIGKILL)
        try await remote.process.exitStatus()
        #expect(try await pull.waitForStatus("disconnected"))
        try await Task.sleep(for: .microseconds(1_500_000))  // pull retries against nothing for a while
        remote = try await ServeProcess(database: directory.file("remote.sqlite"), arguments: arguments)
        defer { remote.terminate() }
        let total = Self.firstBatch + Self.secondBatch
        try await send((Self.firstBatch + 1)...total, to: capturePort)
        #expect(try await app.waitFor(total))
        try await Task.sleep(for: .microseconds(500_000))
        #expect(app.bodies == expected(1...total))
        let status = pull.statusLines
        #expect(status.filter { $0.contains("connected to") && !$0.contains("disconnected") }.count == 2, "\(status)")
        #expect(status.filter { $0.contains("disconnected") }.count == 1, "\(status)")
        // One line per change of state, not one per attempt.
        #expect(status.count < 12, "\(status)")
        try await pull.killAndWait()
    }

    @Test func theLocalAppDownForAWhileGetsEveryCaptureInOrderWhenItComesBack() async throws {
        let directory = try TemporaryDirectory()
        let remote = try await ServeProcess(database: directory.file("remote.sqlite"))
        defer { remote.terminate() }
        let app = try LocalAppRecorder()
        let local = directory.file("local.sqlite")
        let pull = try PullProcess(
            database: local, from: "http://127.0.0.1:\(remote.inspectorPort!)", to: "http://127.0.0.1:\(app.port)")
        #expect(try await pull.waitForStatus("connected"))
        try await send(1...Self.firstBatch, to: remote.port)
        #expect(try await app.waitFor(Self.firstBatch))

        app.stop()
        let total = Self.firstBatch + Self.secondBatch
        try await send((Self.firstBatch + 1)...total, to: remote.port)
        #expect(try await pull.waitForStatus("is not answering"))
        try await Task.sleep(for: .microseconds(2_000_000))  // down for a while: several retries fail
        #expect(app.bodies.count == Self.firstBatch)
        try app.start()
        #expect(try await app.waitFor(total))
        #expect(try await pull.waitForStatus("answers again"))
        try await Task.sleep(for: .microseconds(500_000))
        #expect(app.bodies == expected(1...total))
        #expect(try await pull.waitForDelivered(total))
        try await pull.killAndWait()
        let counts = try await localCounts(local)
        #expect(counts.captures == total)
        #expect(counts.delivered == total)
        #expect(counts.pending == 0)
    }

    @Test func aPulledCaptureKeepsTheExactBytesAndReachesTheAppWithReplaysFidelity() async throws {
        let directory = try TemporaryDirectory()
        let remoteDatabase = directory.file("remote.sqlite")
        let remote = try await ServeProcess(database: remoteDatabase)
        defer { remote.terminate() }
        let app = try LocalAppRecorder()
        let local = directory.file("local.sqlite")
        let pull = try PullProcess(
            database: local, from: "http://127.0.0.1:\(remote.inspectorPort!)", to: "http://127.0.0.1:\(app.port)")
        #expect(try await pull.waitForStatus("connected"))
        let connection = try RawConnection(port: remote.port)
        try connection.send(
            "POST /chunked?x=1 HTTP/1.1\r\nHost: relay.example\r\nX-Dup: a\r\nx-dup: b\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        #expect(try await connection.response().status == 200)
        #expect(try await app.waitFor(1))
        #expect(app.bodies == ["hello world"])

        let remoteRaw = try await HookstashProcess.run(["export", "1", "--format", "raw", "--db", remoteDatabase])
        let localRaw = try await HookstashProcess.run(["export", "1", "--format", "raw", "--db", local])
        #expect(remoteRaw.status == 0)
        #expect(localRaw.status == 0)
        #expect(!localRaw.stdout.isEmpty)
        #expect(localRaw.stdout == remoteRaw.stdout, "the local capture holds the bytes the remote received")
        let shown = try await HookstashProcess.run(["show", "1", "--json", "--db", local])
        let document = try JSONSerialization.jsonObject(with: shown.stdout) as? [String: Any]
        #expect(document?["target"] as? String == "/chunked?x=1")
        #expect((document?["deliveries"] as? [Any])?.count == 1)
        // Who answered the sender is the remote's record, kept with the capture.
        #expect(document?["answered_by"] as? String == "configured")
        try await pull.killAndWait()
    }

    @Test func aRemoteThatRefusesTheTokenStopsPullWithOneSentence() async throws {
        let directory = try TemporaryDirectory()
        let remote = try await ServeProcess(
            database: directory.file("remote.sqlite"), arguments: ["--inspect-token", "right-token"])
        defer { remote.terminate() }
        let pull = try PullProcess(
            database: directory.file("local.sqlite"), from: "http://127.0.0.1:\(remote.inspectorPort!)",
            to: "http://127.0.0.1:9", arguments: ["--token", "wrong-token"])
        let deadline = Date().addingTimeInterval(30)
        while pull.process.isRunning, Date() < deadline { try await Task.sleep(for: .microseconds(50_000)) }
        #expect(!pull.process.isRunning)
        try await pull.process.exitStatus()
        #expect(pull.process.terminationStatus == 1)
        #expect(try await pull.waitForStatus("--token", seconds: 5), "\(pull.statusLines)")
        #expect(!pull.statusLines.joined().contains("wrong-token"), "the token is never printed")
    }

    @Test func pullStartedBeforeTheRemoteSaysSoOnceAndConnectsWhenItComesUp() async throws {
        let directory = try TemporaryDirectory()
        let inspectorPort = try freePort()
        let app = try LocalAppRecorder()
        let pull = try PullProcess(
            database: directory.file("local.sqlite"), from: "http://127.0.0.1:\(inspectorPort)",
            to: "http://127.0.0.1:\(app.port)")
        #expect(try await pull.waitForStatus("cannot reach"))
        try await Task.sleep(for: .microseconds(2_000_000))
        #expect(pull.statusLines.filter { $0.contains("cannot reach") }.count == 1, "\(pull.statusLines)")
        let remote = try await ServeProcess(
            database: directory.file("remote.sqlite"), arguments: ["--inspect", "127.0.0.1:\(inspectorPort)"])
        defer { remote.terminate() }
        #expect(try await pull.waitForStatus("connected to"))
        try await send(1...5, to: remote.port)
        #expect(try await app.waitFor(5))
        #expect(app.bodies == expected(1...5))
    }
}

/// A remote `serve`, a recorder as the local app, and where `pull` keeps its store.
private struct RelayScene {
    let directory: TemporaryDirectory
    let remote: ServeProcess
    let app: LocalAppRecorder
    var inspector: String { "http://127.0.0.1:\(remote.inspectorPort!)/" }
    var local: String { directory.file("local.sqlite") }
    var appURL: String { "http://127.0.0.1:\(app.port)" }

    init() async throws {
        directory = try TemporaryDirectory()
        remote = try await ServeProcess(database: directory.file("remote.sqlite"))
        app = try LocalAppRecorder()
    }
}
