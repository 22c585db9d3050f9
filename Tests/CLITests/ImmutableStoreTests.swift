import Foundation
import HookstashTestSupport
import Testing

/// A store file that stops accepting writes while `serve` runs. `chmod` cannot show it (the open descriptors keep
/// writing); the immutable attribute (`chattr +i`, root only) makes every write through them fail with EPERM, as a
/// file system gone read-only would.
@Suite(.enabled(if: ImmutableAttribute.works, "needs chattr +i on the temporary directory (root, ext4)"))
struct ImmutableStoreTests {
    @Test func capturesGet503WhileTheStoreCannotBeWrittenAnd200OnceItCan() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.file("h.sqlite")
        let serve = try await ServeProcess(database: database)
        defer { serve.terminate() }
        let inspectorPort = try #require(serve.inspectorPort)
        func post(_ name: String) async throws -> RawResponse {
            let connection = try RawConnection(port: serve.port)
            try connection.send("POST /\(name) HTTP/1.1\r\nContent-Length: 2\r\n\r\nok")
            return try await connection.response()
        }
        func health() async throws -> Int {
            let connection = try RawConnection(port: inspectorPort)
            try connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:\(inspectorPort)\r\n\r\n")
            return try await connection.response().status
        }

        #expect(try await post("before").status == 200)
        let files = [database, database + "-wal"]
        #expect(try await ImmutableAttribute.chattr("+i", files) == 0)
        var failed: [RawResponse] = []
        do {
            defer { _ = try? ImmutableAttribute.chattrBlocking("-i", files) }
            for index in 0..<3 { failed.append(try await post("while-immutable-\(index)")) }
            #expect(try await health() == 503, "/healthz must not say ok while captures fail")
        }
        #expect(failed.map(\.status) == [503, 503, 503])
        // The sender reads a fixed sentence: neither the store's path nor an internal error (security.md).
        #expect(failed.first?.bodyText.contains("could not store") == true)
        #expect(failed.first?.bodyText.contains(directory.path) == false, "body: \(failed.first?.bodyText ?? "")")
        #expect(failed.first?.bodyText.contains("immutable") == false)

        #expect(try await health() == 200)
        #expect(try await post("after").status == 200)
        #expect(try await serve.stop() == 0)
        // The log says why, with the reason a user can act on rather than only SQLite's "disk I/O error".
        let log = (try? String(contentsOfFile: database + ".serve.log", encoding: .utf8)) ?? ""
        #expect(log.contains("h.sqlite is marked immutable (chattr -i clears it)"), "log: \(log)")
        let list = try await HookstashProcess.run(["list", "--json", "--db", database])
        let captures =
            (try JSONSerialization.jsonObject(with: list.stdout) as! [String: Any])["captures"] as! [[String: Any]]
        #expect(Set(captures.map { $0["target"] as! String }) == ["/before", "/after"])
    }
}

/// `chattr ±i`: whether it works here (root on ext4; not in every container), and running it.
enum ImmutableAttribute {
    static let works: Bool = {
        guard let directory = try? TemporaryDirectory() else { return false }
        let probe = directory.file("probe")
        guard FileManager.default.createFile(atPath: probe, contents: Data("x".utf8)) else { return false }
        guard (try? chattrBlocking("+i", [probe])) == 0 else { return false }
        _ = try? chattrBlocking("-i", [probe])
        return true
    }()

    @discardableResult
    static func chattr(_ flag: String, _ paths: [String]) async throws -> Int32 {
        try await offThePool { try chattrBlocking(flag, paths) }
    }

    /// For the probe above, which runs once while the test plan is built, and for a `defer` (which cannot
    /// await); `chattr` exits at once.
    static func chattrBlocking(_ flag: String, _ paths: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
        process.arguments = [flag] + paths
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
