import Foundation
import HookstashTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Developers run `hookstash serve` as themselves, not as root; CI runs as root. When the tests run as root, this
/// suite drops to `nobody` so that anything needing a privilege fails here rather than on a user's machine.
@Suite(
    .enabled(
        if: getuid() != 0 || FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
        "as root, needs setpriv (util-linux) to run serve as nobody"))
struct UnprivilegedServeTests {
    /// The command that runs the binary as an unprivileged user (nil when the tests already run as one), and a
    /// directory that user can write.
    static func unprivileged() async throws -> (launcher: [String]?, directory: TemporaryDirectory) {
        let directory = try TemporaryDirectory()
        guard getuid() == 0 else { return (nil, directory) }
        // nobody must be able to run the binary and write the store; the build directory may not allow either.
        let binary = directory.file("hookstash")
        try FileManager.default.copyItem(atPath: HookstashProcess.executable.path, toPath: binary)
        #expect(chmod(binary, 0o755) == 0)
        #expect(chmod(directory.path, 0o777) == 0)
        return (["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", binary], directory)
    }

    @Test func anUnprivilegedUserGetsEveryRequestCapturedAndAnswered() async throws {
        let (launcher, directory) = try await Self.unprivileged()
        let database = directory.file("h.sqlite")
        let serve = try await ServeProcess(database: database, launcher: launcher)
        defer { serve.terminate() }
        for index in 0..<3 {
            let connection = try RawConnection(port: serve.port)
            try connection.send("POST /as-user/\(index) HTTP/1.1\r\nContent-Length: 2\r\n\r\nok")
            #expect(try await connection.response().status == 200)
        }
        #expect(try await serve.stop() == 0)
        let list = try await HookstashProcess.run(["list", "--json", "--db", database])
        let captures =
            (try JSONSerialization.jsonObject(with: list.stdout) as! [String: Any])["captures"] as! [[String: Any]]
        #expect(captures.count == 3)
    }

    /// A store the user cannot write stops `serve` before it listens, with one sentence, instead of a server that
    /// answers 503 to everything (and a `/healthz` that said ok). Whether the last server stopped cleanly (no WAL
    /// left) or was killed (WAL and shared memory left) takes SQLite down different paths; both are covered.
    @Test(arguments: [SIGTERM, SIGKILL])
    func aStoreTheUserCannotWriteStopsServeWithOneSentence(lastServerStoppedBy signal: Int32) async throws {
        let (launcher, directory) = try await Self.unprivileged()
        let database = directory.file("h.sqlite")
        let first = try await ServeProcess(database: database, launcher: launcher)
        first.signal(signal)
        try await first.process.exitStatus()
        #expect(chmod(database, 0o444) == 0)
        // Bounded: a serve that starts anyway must fail this test, not hang it.
        let bounded = ["/usr/bin/timeout", "20"] + (launcher ?? [HookstashProcess.executable.path])
        let result = try await HookstashProcess.run(
            ["serve", "--db", database, "--listen", "127.0.0.1:0", "--inspect", "127.0.0.1:0"], launcher: bounded)
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(database) is read-only"), "stderr: \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "stderr: \(result.stderr)")
        #expect(!result.stdoutText.contains("capture:"), "serve must not start listening")
    }
}
