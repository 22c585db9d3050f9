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
    static func cpuTicks(_ pid: Int32) throws -> Int {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the command name (which is in parentheses and may contain spaces).
        let fields = stat[stat.range(of: ")")!.upperBound...].split(separator: " ")
        return Int(fields[11])! + Int(fields[12])!
    }

    @Test func connectionsBeyondTheDescriptorLimitWaitWithoutSpinningAndAreServedLater() throws {
        let directory = try TemporaryDirectory()
        let database = directory.file("h.sqlite")
        let serve = try ServeProcess(
            database: database,
            launcher: ["/usr/bin/prlimit", "--nofile=64", "--", HookstashProcess.executable.path])
        defer { serve.stop() }
        let started = Date()
        var crowd: [RawConnection] = []
        for _ in 0..<80 { crowd.append(try RawConnection(port: serve.port)) }
        usleep(500_000)

        // A failed accept leaves the listening socket readable; retried at once, it would take a whole core.
        let ticksPerSecond = Int(sysconf(Int32(_SC_CLK_TCK)))
        let before = try Self.cpuTicks(serve.process.processIdentifier)
        usleep(1_000_000)
        let used = try Self.cpuTicks(serve.process.processIdentifier) - before
        #expect(
            used < ticksPerSecond * 3 / 10, "serve used \(used) of \(ticksPerSecond) ticks while out of descriptors")

        // One warning, then at most one per 10 s (a full parallel test run can stretch these seconds).
        let log = try String(contentsOfFile: database + ".serve.log", encoding: .utf8)
        let warnings = log.components(separatedBy: "cannot accept connections").count - 1
        let allowed = 1 + Int(Date().timeIntervalSince(started) / 10)
        #expect((1...allowed).contains(warnings), "\(warnings) warnings, at most \(allowed) expected: \(log)")

        // Descriptors free up: a request is captured and answered.
        crowd.removeAll()
        let connection = try RawConnection(port: serve.port)
        try connection.send("POST /after-the-crowd HTTP/1.1\r\nContent-Length: 2\r\n\r\nok")
        #expect(try connection.readResponse().status == 200)
    }
}
