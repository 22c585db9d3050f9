import Foundation
import HookstashTestSupport
import Testing

/// `serve`'s sizes and durations are typed values parsed once by argument-parser: a bad value is bad usage naming
/// the flag, the value and why; every spelling the flags took before still works.
@Suite struct ServeFlagValueTests {
    @Test(arguments: [
        (["--max-body-size", "lots"], "'lots' is invalid for '--max-body-size <bytes>': not a size"),
        (["--max-store-size", "2XB"], "'2XB' is invalid for '--max-store-size <bytes>': not a size"),
        (
            ["--forward-retry-initial", "soon"],
            "'soon' is invalid for '--forward-retry-initial <duration>': not a duration"
        ),
        (["--forward-timeout", "-5"], "--forward-timeout"),
        (["--response-delay", "5x"], "'5x' is invalid for '--response-delay <ms>': not a duration"),
        (["--log-level", "loud"], "'loud' is invalid for '--log-level <level>'"),
    ])
    func aBadValueIsBadUsageNamingTheFlag(arguments: [String], message: String) async throws {
        let directory = try TemporaryDirectory()
        let result = try await HookstashProcess.run(
            ["serve", "--db", directory.file("h.sqlite"), "--listen", "127.0.0.1:0", "--inspect", "off"] + arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.file("h.sqlite")), "nothing may start")
    }

    @Test func everySpellingTheFlagsTookBeforeStillServes() async throws {
        let directory = try TemporaryDirectory()
        let serve = try await ServeProcess(
            database: directory.file("h.sqlite"),
            arguments: [
                "--max-body-size", "1k", "--forward-timeout", "2500", "--response-delay", "20",
                "--header-timeout", "2.5", "--retain-for", "7d", "--max-store-size", "500MiB",
            ])
        defer { serve.terminate() }
        let small = try RawConnection(port: serve.port)
        try small.send(
            "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n\r\n" + String(repeating: "a", count: 1024))
        #expect(try await small.response().status == 200)
        let large = try RawConnection(port: serve.port)
        try large.send("POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n")
        #expect(try await large.response().status == 413)
        #expect(try await serve.stop() == 0)
    }

    @Test func durationFlagsThatTookMillisecondsAlsoTakeUnits() async throws {
        let directory = try TemporaryDirectory()
        let serve = try await ServeProcess(
            database: directory.file("h.sqlite"),
            arguments: ["--forward-timeout", "3s", "--response-delay", "250ms", "--max-body-size", "512KiB"])
        defer { serve.terminate() }
        let connection = try RawConnection(port: serve.port)
        let started = ContinuousClock.now
        try connection.send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok")
        #expect(try await connection.response().status == 200)
        #expect(ContinuousClock.now - started >= .milliseconds(250), "the answer waits the configured delay")
    }
}
