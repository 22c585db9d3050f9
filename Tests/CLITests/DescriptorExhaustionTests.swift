import Foundation
import HookstashTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// More connections than `serve` has file descriptors for: the extra ones wait in the backlog, the server says
/// why once, does not spin on the failing accept, and takes them once descriptors free up.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit"), "needs prlimit (util-linux)"))
struct DescriptorExhaustionTests {
    /// CPU time (user + system) of a process so far, in clock ticks.
    static func cpuTicks(_ pid: Int32) async throws -> Int {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the command name (which is in parentheses and may contain spaces).
        let fields = stat[stat.range(of: ")")!.upperBound...].split(separator: " ")
        return Int(fields[11])! + Int(fields[12])!
    }

    /// CPU ticks `pid` uses over the next second, and the ticks in a second.
    static func ticksUsedOverOneSecond(_ pid: Int32) async throws -> (used: Int, perSecond: Int) {
        let before = try await cpuTicks(pid)
        try await Task.sleep(for: .microseconds(1_000_000))
        return (try await cpuTicks(pid) - before, Int(sysconf(Int32(_SC_CLK_TCK))))
    }

    /// `--max-connections` above what the descriptors allow: accept itself fails (EMFILE), and `AcceptBackoff`
    /// pauses accepting instead of retrying at once.
    @Test func connectionsBeyondTheDescriptorLimitWaitWithoutSpinningAndAreServedLater() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.file("h.sqlite")
        let serve = try await ServeProcess(
            database: database, arguments: ["--max-connections", "1000"],
            launcher: ["/usr/bin/prlimit", "--nofile=64", "--", HookstashProcess.executable.path])
        defer { serve.terminate() }
        let started = Date()
        var crowd: [RawConnection] = []
        for _ in 0..<80 { crowd.append(try RawConnection(port: serve.port)) }
        try await Task.sleep(for: .microseconds(500_000))

        // A failed accept leaves the listening socket readable; retried at once, it would take a whole core.
        let (used, perSecond) = try await Self.ticksUsedOverOneSecond(serve.process.processIdentifier)
        #expect(used < perSecond * 3 / 10, "serve used \(used) of \(perSecond) ticks while out of descriptors")

        // One warning, then at most one per 10 s (a full parallel test run can stretch these seconds).
        let log = try String(contentsOfFile: database + ".serve.log", encoding: .utf8)
        let warnings = log.components(separatedBy: "cannot accept connections; they wait").count - 1
        let allowed = 1 + Int(Date().timeIntervalSince(started) / 10)
        #expect((1...allowed).contains(warnings), "\(warnings) warnings, at most \(allowed) expected: \(log)")

        // Descriptors free up: a request is captured and answered.
        crowd.removeAll()
        let connection = try RawConnection(port: serve.port)
        try connection.send("POST /after-the-crowd HTTP/1.1\r\nContent-Length: 2\r\n\r\nok")
        #expect(try await connection.response().status == 200)
    }

    /// The inspector (Hummingbird) has no accept back-off of its own: out of descriptors, it retried accept at
    /// once and took a core (a live page reconnecting during a flood of webhooks is enough). Each listener now
    /// holds at most its share of the descriptors, so neither runs the process out.
    @Test func floodsOnBothListenersLeaveTheProcessIdleAndBothAnswerAfterwards() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.file("h.sqlite")
        let serve = try await ServeProcess(
            database: database,
            launcher: ["/usr/bin/prlimit", "--nofile=64", "--", HookstashProcess.executable.path])
        defer { serve.terminate() }
        let inspectorPort = try #require(serve.inspectorPort)
        var crowd: [RawConnection] = []
        for _ in 0..<40 { crowd.append(try RawConnection(port: inspectorPort)) }
        for _ in 0..<80 { crowd.append(try RawConnection(port: serve.port)) }
        try await Task.sleep(for: .microseconds(500_000))

        let (used, perSecond) = try await Self.ticksUsedOverOneSecond(serve.process.processIdentifier)
        #expect(used < perSecond * 3 / 10, "serve used \(used) of \(perSecond) ticks under the floods")
        // 64 descriptors: the capture listener's share is 16 connections, and it says so (accept never failed).
        let log = try String(contentsOfFile: database + ".serve.log", encoding: .utf8)
        #expect(log.contains("cannot accept connections beyond 16 open ones"), "\(log)")
        #expect(!log.contains("cannot accept connections; they wait"), "\(log)")

        crowd.removeAll()
        let health = try RawConnection(port: inspectorPort)
        try health.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:\(inspectorPort)\r\n\r\n")
        #expect(try await health.response().status == 200)
        let capture = try RawConnection(port: serve.port)
        try capture.send("POST /after-the-floods HTTP/1.1\r\nContent-Length: 2\r\n\r\nok")
        #expect(try await capture.response().status == 200)
    }
}
