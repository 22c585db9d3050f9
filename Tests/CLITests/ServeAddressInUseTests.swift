import Foundation
import HookstashTestSupport
import Testing

/// A second `serve` on addresses the first one holds (two projects, a forgotten terminal) stops before it says it
/// is capturing, with one sentence naming the address and what to pass instead.
@Suite struct ServeAddressInUseTests {
    /// Runs `serve`, bounded so that one that starts anyway fails the test instead of hanging it.
    static func serve(_ arguments: [String], database: String) async throws -> HookstashProcess.Result {
        try await HookstashProcess.run(
            ["serve", "--db", database] + arguments,
            launcher: ["/usr/bin/timeout", "20", HookstashProcess.executable.path])
    }

    @Test func theInspectorsPortInUse() async throws {
        let directory = try TemporaryDirectory()
        let first = try await ServeProcess(database: directory.file("a.sqlite"))
        defer { first.terminate() }
        let port = try #require(first.inspectorPort)
        let second = try await Self.serve(
            ["--listen", "127.0.0.1:0", "--inspect", "127.0.0.1:\(port)"], database: directory.file("b.sqlite"))
        #expect(second.status == 1)
        #expect(
            second.stderr
                == "hookstash: cannot listen on 127.0.0.1:\(port) for the inspector: the address is in use (is another "
                + "hookstash serve running?); pass --inspect with another port (127.0.0.1:0 picks a free one), "
                + "or --inspect off\n")
        #expect(!second.stdoutText.contains("capture:"), "nothing may claim to be capturing")
    }

    @Test func theCapturePortInUse() async throws {
        let directory = try TemporaryDirectory()
        let first = try await ServeProcess(database: directory.file("a.sqlite"))
        defer { first.terminate() }
        let second = try await Self.serve(
            ["--listen", "127.0.0.1:\(first.port)", "--inspect", "off"], database: directory.file("b.sqlite"))
        #expect(second.status == 1)
        #expect(
            second.stderr
                == "hookstash: cannot listen on 127.0.0.1:\(first.port): the address is in use (is another hookstash "
                + "serve running?); pass --listen with another port\n")
        #expect(!second.stdoutText.contains("capture:"))
    }
}
