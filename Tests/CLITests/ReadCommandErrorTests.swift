import Foundation
import HookstashTestSupport
import Testing

/// `list` and `show` say what is wrong in one line and exit non-zero.
@Suite struct ReadCommandErrorTests {
    @Test func missingStoreIsAOneLineErrorWithStatus1() async throws {
        let directory = try TemporaryDirectory()
        let result = try await HookstashProcess.run(["list", "--db", directory.file("absent.sqlite")])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no store at"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: directory.file("absent.sqlite")))
    }

    @Test func corruptStoreIsAOneLineErrorWithStatus1() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("corrupt.sqlite")
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
        for arguments in [["list"], ["show", "1"]] {
            let result = try await HookstashProcess.run(arguments + ["--db", path])
            #expect(result.status == 1)
            #expect(result.stderr.contains("not a usable hookstash store"))
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test func missingCaptureIdIsAnErrorWithStatus1() async throws {
        let directory = try TemporaryDirectory()
        let serve = try await ServeProcess(database: directory.file("h.sqlite"))
        try await serve.stop()
        let result = try await HookstashProcess.run(["show", "999", "--db", directory.file("h.sqlite")])
        #expect(result.status == 1)
        #expect(result.stderr == "hookstash: no capture with id 999 in \(directory.file("h.sqlite"))\n")
    }

    @Test(arguments: [
        ["list", "--bogus"],
        ["list", "--limit", "zero"],
        ["show"],
        ["show", "1", "--raw", "--json"],
        ["list", "--signature", "maybe"],
        ["serve", "--max-body-size", "lots"],
        ["serve", "--listen", "nowhere"],
    ])
    func badUsageExitsWith2(arguments: [String]) async throws {
        let result = try await HookstashProcess.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains("Error") || result.stderr.contains("error"))
    }
}
