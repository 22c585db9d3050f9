import Foundation
import HookstashCore
import HookstashServer
import HookstashStore
import HookstashTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The store on a real filesystem that fills up under the running server: 503, never 2xx, and recovery once the
/// fault clears. Needs root to mount a small tmpfs (CI runs as root). (A read-only remount cannot be induced under
/// a process holding the database open for writing: the kernel refuses it as busy.)
@Suite(.enabled(if: Tmpfs.canMount, "needs root to mount a tmpfs"))
struct FilesystemFaultTests {
    @discardableResult
    static func shell(_ command: String) -> Bool { Tmpfs.shell(command) }

    /// A server whose store lives on a fresh tmpfs of `size`.
    func withMountedServer(size: String, _ body: (TestCaptureServer, String) async throws -> Void) async throws {
        let mount = FileManager.default.temporaryDirectory.appendingPathComponent("hookstash-fs-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        #expect(Self.shell("mount -t tmpfs -o size=\(size) tmpfs '\(mount)'"))
        defer {
            Self.shell("umount -l '\(mount)'")
            try? FileManager.default.removeItem(atPath: mount)
        }
        let server = try await TestCaptureServer.start(directory: mount) { $0.spillThreshold = 64 * 1024 }
        try await body(server, mount)
        await server.listener.stop()
    }

    @Test func fullDiskAnswers503AndRecoversWhenSpaceIsFreed() async throws {
        try await withMountedServer(size: "4m") { server, mount in
            // Something else on the disk takes most of the space.
            let filler = mount + "/filler"
            #expect(Self.shell("head -c 2500000 /dev/zero > '\(filler)'"))
            let body = String(repeating: "y", count: 100 * 1024)
            var statuses: [Int] = []
            for index in 0..<40 {
                let request = "POST /disk/\(index) HTTP/1.1\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                statuses.append(try server.exchange(request)[0].status)
            }
            #expect(statuses.first == 200)
            #expect(statuses.contains(503))
            #expect(!statuses.contains { $0 != 200 && $0 != 503 })
            #expect(try server.store.count() == statuses.filter { $0 == 200 }.count)

            // The space comes back: captures are accepted again, without a restart.
            try FileManager.default.removeItem(atPath: filler)
            let after = try server.exchange(
                "POST /after HTTP/1.1\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")[0]
            #expect(after.status == 200)
            #expect(try server.store.summaries(limit: 1).first?.target.raw == "/after")
        }
    }
}

/// Whether this process may mount a tmpfs, and a shell runner for mount commands.
enum Tmpfs {
    static let canMount: Bool = {
        guard geteuid() == 0 else { return false }
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent(
            "hookstash-mount-\(UUID().uuidString)"
        ).path
        try? FileManager.default.createDirectory(atPath: probe, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: probe) }
        guard shell("mount -t tmpfs -o size=1m tmpfs '\(probe)'") else { return false }
        _ = shell("umount '\(probe)'")
        return true
    }()

    @discardableResult
    static func shell(_ command: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
