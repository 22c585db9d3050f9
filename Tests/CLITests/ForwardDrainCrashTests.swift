import Foundation
import GRDB
import HookstashTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// SIGKILL of `serve --forward` while its queue drains a backlog through the delivery engine (16 transfers at once,
/// records by group commit), then a restart: every capture reaches the target at least once, and has exactly one
/// committed successful delivery record — at least once delivered, never twice recorded.
@Suite struct ForwardDrainCrashTests {
    @Test func sigkillMidDrainThenRestartLeavesExactlyOneSuccessfulRecordPerCapture() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.file("h.sqlite")
        let count = 300
        let received = LockedList()
        // While the backlog is sent, answers are slow, so it stays a backlog; then each takes 20 ms, so the drain is
        // still under way when the process is killed (16 at a time: ~800 a second, against 300 captures).
        let sending = Mutex(true)
        let recorder = try RecordingServer { request in
            received.append(request.body)
            return .delayed(milliseconds: sending.withLock { $0 } ? 300 : 20, RecordingServer.response())
        }
        defer { recorder.stop() }
        let arguments = [
            "--quiet", "--forward", recorder.url + "/hook", "--forward-concurrency", "16", "--forward-retry-initial",
            "100ms", "--forward-retry-max", "200ms", "--forward-max-attempts", "10000",
        ]
        let first = try await ServeProcess(database: database, arguments: arguments)
        let connection = try RawConnection(port: first.port)
        for index in 0..<count {
            let body = "{\"n\":\(index)}"
            try connection.send("POST /in HTTP/1.1\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            #expect(try await connection.response().status == 200)
        }
        sending.withLock { $0 = false }
        #expect(try await eventually(timeout: .seconds(60)) { received.values.count >= count / 4 })
        first.signal(SIGKILL)
        try await first.process.exitStatus()
        let beforeRestart = received.values.count
        #expect(beforeRestart < count, "the kill came before the drain ended")

        let second = try await ServeProcess(database: database, arguments: arguments)
        defer { second.terminate() }
        let queue = try DatabaseQueue(path: database)
        #expect(
            try await eventually(timeout: .seconds(60)) {
                try await queue.read { db in
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM forward_queue WHERE state = 'delivered'")
                } == count
            })
        let successes: [Int64: Int] = try await queue.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT capture_id, COUNT(*) AS n FROM delivery WHERE status = 200 GROUP BY capture_id")
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["capture_id"], $0["n"]) })
        }
        #expect(successes.count == count, "every capture has a successful record")
        #expect(successes.values.allSatisfy { $0 == 1 }, "no capture has two successful records")
        let bodies = Set(received.values.map { String(decoding: $0, as: UTF8.self) })
        #expect(bodies == Set((0..<count).map { "{\"n\":\($0)}" }), "every capture reached the target")
    }
}
