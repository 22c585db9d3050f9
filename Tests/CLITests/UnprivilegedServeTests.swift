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
    @Test func anUnprivilegedUserGetsEveryRequestCapturedAndAnswered() throws {
        let directory = try TemporaryDirectory()
        var launcher: [String]?
        if getuid() == 0 {
            // nobody must be able to run the binary and write the store; the build directory may not allow either.
            let binary = directory.file("hookstash")
            try FileManager.default.copyItem(atPath: HookstashProcess.executable.path, toPath: binary)
            #expect(chmod(binary, 0o755) == 0)
            #expect(chmod(directory.path, 0o777) == 0)
            launcher = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", binary]
        }
        let database = directory.file("h.sqlite")
        let serve = try ServeProcess(database: database, launcher: launcher)
        defer { serve.stop() }
        for index in 0..<3 {
            let connection = try RawConnection(port: serve.port)
            try connection.send("POST /as-user/\(index) HTTP/1.1\r\nContent-Length: 2\r\n\r\nok")
            #expect(try connection.readResponse().status == 200)
        }
        #expect(serve.stop() == 0)
        let list = try HookstashProcess.run(["list", "--json", "--db", database])
        let captures =
            (try JSONSerialization.jsonObject(with: list.stdout) as! [String: Any])["captures"] as! [[String: Any]]
        #expect(captures.count == 3)
    }
}
