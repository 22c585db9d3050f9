import Foundation
import HookstashTestSupport
import Testing

/// The store holds captured `Authorization` headers, cookies and bodies: its files are private to their owner,
/// whatever the umask `serve` runs under, and a store left readable by an older version is tightened when its
/// owner opens it.
@Suite struct StorePermissionTests {
    /// Runs the binary under `umask <mask>` (the umask is per process: set it in a shell that execs hookstash).
    static func launcher(umask mask: String) -> [String] {
        ["/bin/sh", "-c", "umask \(mask) && exec \"$@\"", "sh", HookstashProcess.executable.path]
    }

    static func mode(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_mode & 0o777)
    }

    @Test(arguments: ["022", "000"])
    func aNewStoreIsPrivateWhateverTheUmask(umask mask: String) throws {
        let directory = try TemporaryDirectory()
        let storeDirectory = directory.file("nested/store")
        let database = storeDirectory + "/h.sqlite"
        let serve = try ServeProcess(database: database, launcher: Self.launcher(umask: mask))
        defer { serve.stop() }
        let small = try RawConnection(port: serve.port)
        try small.send("POST /small HTTP/1.1\r\nAuthorization: Bearer secret\r\nContent-Length: 2\r\n\r\nok")
        #expect(try small.readResponse().status == 200)
        // Over 1 MiB: spilled to a body file beside the database.
        let large = try RawConnection(port: serve.port)
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 2 << 20)
        try large.send(Array("POST /large HTTP/1.1\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        #expect(try large.readResponse().status == 200)

        let bodyFiles = try FileManager.default.contentsOfDirectory(atPath: database + ".bodies")
        #expect(!bodyFiles.isEmpty)
        #expect(Self.mode(directory.file("nested")) == 0o700)
        #expect(Self.mode(storeDirectory) == 0o700)
        #expect(Self.mode(database + ".bodies") == 0o700)
        for file in [database, database + "-wal", database + "-shm"] {
            #expect(Self.mode(file) == 0o600, "\(file)")
        }
        for name in bodyFiles {
            #expect(Self.mode(database + ".bodies/" + name) == 0o600, "\(name)")
        }
    }

    @Test func aStoreLeftReadableIsTightenedWhenItsOwnerOpensIt() throws {
        let directory = try TemporaryDirectory()
        chmod(directory.path, 0o755)
        let database = directory.file("h.sqlite")
        let serve = try ServeProcess(database: database, launcher: Self.launcher(umask: "022"))
        try sendCapture(port: serve.port, body: "{}")
        let large = try RawConnection(port: serve.port)
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 2 << 20)
        try large.send(Array("POST /large HTTP/1.1\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        #expect(try large.readResponse().status == 200)
        #expect(serve.stop() == 0)
        // As an older version left them.
        for file in [database, database + "-wal", database + "-shm"] where FileManager.default.fileExists(atPath: file)
        {
            chmod(file, 0o644)
        }
        chmod(database + ".bodies", 0o755)

        let list = try HookstashProcess.run(["list", "--db", database])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(Self.mode(database) == 0o600)
        #expect(Self.mode(database + ".bodies") == 0o700)
        for file in [database + "-wal", database + "-shm"] where FileManager.default.fileExists(atPath: file) {
            #expect(Self.mode(file) == 0o600, "\(file)")
        }
        // A directory the user chose (and hookstash did not create) keeps its mode.
        #expect(Self.mode(directory.path) == 0o755)
    }
}
