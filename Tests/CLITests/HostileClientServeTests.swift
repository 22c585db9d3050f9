import Foundation
import GRDB
import HookstashTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A real `hookstash serve` under the floods of the security issue: after an `Upgrade` request, 1-byte chunks with
/// 8 KiB extensions, a zero-padded chunk size followed by more requests, 64 KiB of LFs, 8,000 obs-fold lines.
/// The process's peak memory grows less than 64 MiB, body files stay far below the body limit, a normal sender
/// on another connection keeps being answered, and every hostile connection ends with a recorded capture.
@Suite struct HostileClientServeTests {
    /// Each flood offers this much; the server must refuse and close long before.
    static let floodBytes = 200 << 20

    @Test func floodsAreRefusedBoundedAndRecordedWhileANormalSenderIsAnswered() throws {
        let directory = try TemporaryDirectory()
        let database = directory.file("h.sqlite")
        let serve = try ServeProcess(database: database, arguments: ["--quiet"])
        let port = serve.port

        // Warm up, then take the baseline peak.
        for index in 0..<20 { try sendCapture(port: port, body: "warm-up \(index)", path: "/normal") }
        let baseline = try #require(Self.peakResidentBytes(of: serve.process.processIdentifier))

        let normal = NormalSender(port: port)
        normal.start()

        // 1. 200 MiB after an Upgrade request.
        let upgrade = Self.flood(
            port: port, head: "GET /upgrade HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n",
            pattern: Array(repeating: 0x41, count: 64 * 1024))
        #expect(upgrade.status == 501)
        #expect(upgrade.sent < Self.floodBytes, "the server closed the connection")

        // 2. 200 MiB of 1-byte chunks, each with an 8 KiB extension.
        let chunk = Array(("1;" + String(repeating: "e", count: 8 * 1024) + "\r\nx\r\n").utf8)
        let extensions = Self.flood(
            port: port, head: "POST /extensions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", pattern: chunk)
        #expect(extensions.status == 400)
        #expect(extensions.sent < Self.floodBytes)

        // 3. A zero-padded chunk size, then more requests on the same connection: all answered.
        let zero = try RawConnection(port: port)
        let after = "POST /after-zero HTTP/1.1\r\nContent-Length: 2\r\n\r\nok"
        try zero.send(
            "POST /zero HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0000000000000001\r\nx\r\n0\r\n\r\n" + after
                + after
                + after)
        #expect(try (0..<4).map { _ in try zero.readResponse().status } == [200, 200, 200, 200])

        // 4. 64 KiB of LFs before a request.
        let lineFeeds = try RawConnection(port: port)
        try lineFeeds.send(String(repeating: "\n", count: 64 * 1024) + "GET /lf HTTP/1.1\r\n\r\n")
        #expect(try lineFeeds.readResponse().status == 431)

        // 5. 8,000 obs-fold lines.
        let folds = try RawConnection(port: port)
        try? folds.send("POST /fold HTTP/1.1\r\nX: a\r\n" + String(repeating: " folded\r\n", count: 8000) + "\r\n")
        #expect(try folds.readResponse().status == 400)

        let answered = normal.stop()
        #expect(answered.count > 0)
        #expect(answered.allSatisfy { $0 == 200 }, "the normal sender got \(Set(answered))")

        let peak = try #require(Self.peakResidentBytes(of: serve.process.processIdentifier))
        #expect(peak - baseline < 64 << 20, "peak RSS grew by \((peak - baseline) >> 20) MiB")
        let bodyFiles = Self.directorySize(database + ".bodies")
        #expect(bodyFiles < 1 << 20, "body files hold \(bodyFiles) bytes")

        serve.stop()
        let store = try DatabaseQueue(path: database)
        let (paths, malformed) = try store.read { db in
            (
                try String.fetchAll(db, sql: "SELECT path FROM capture WHERE path != '/normal' ORDER BY id"),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM capture WHERE malformed = 1") ?? 0
            )
        }
        #expect(paths.filter { $0 != "/normal" && $0 != "/after-zero" }.count == 5, "\(paths)")
        #expect(paths.filter { $0 == "/after-zero" }.count == 3)
        #expect(malformed == 4)
    }

    /// Sends `head`, then `pattern` repeatedly up to `floodBytes` or until the server stops taking bytes;
    /// returns how much was sent and the status of the answer, if one came.
    static func flood(port: Int, head: String, pattern: [UInt8]) -> (sent: Int, status: Int?) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return (0, nil) }
        var timeout = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var block = Array(head.utf8)
        while block.count < 256 * 1024 { block += pattern }
        var sent = 0
        var first = true
        sending: while sent < floodBytes {
            var offset = 0
            let bytes = first ? block : Array(block[head.utf8.count...])
            first = false
            while offset < bytes.count {
                let result = bytes[offset...].withUnsafeBytes {
                    send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                guard result > 0 else { break sending }
                offset += result
                sent += result
            }
        }
        // The answer came before the close; what the kernel still holds of it is readable.
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            response += buffer[0..<count]
        }
        var parse = response
        return (sent, RawResponse.parse(&parse)?.status)
    }

    /// The process's peak resident set (VmHWM), in bytes.
    static func peakResidentBytes(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return line.split(separator: " ").compactMap { Int($0) }.first.map { $0 * 1024 }
        }
        return nil
    }

    static func directorySize(_ path: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.reduce(0) { total, name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + name)
            return total + ((attributes?[.size] as? Int) ?? 0)
        }
    }
}

/// Sends a small POST every few milliseconds on its own keep-alive connection and keeps each answer's status.
final class NormalSender: @unchecked Sendable {
    private let port: Int
    private let statuses = LockedStatuses()
    private let stopped = DispatchSemaphore(value: 0)
    private let running = LockedStatuses()

    init(port: Int) { self.port = port }

    func start() {
        let port = port
        let statuses = statuses
        let running = running
        running.append(1)
        Thread { [stopped] in
            defer { stopped.signal() }
            guard let connection = try? RawConnection(port: port) else { return }
            while running.values.count == 1 {
                let status =
                    (try? connection.send("POST /normal HTTP/1.1\r\nContent-Length: 2\r\n\r\nok"))
                    .flatMap { try? connection.readResponse().status } ?? 0
                statuses.append(status)
                usleep(5_000)
            }
        }.start()
    }

    /// Stops sending; the statuses received.
    func stop() -> [Int] {
        running.append(0)
        stopped.wait()
        return statuses.values
    }
}

final class LockedStatuses: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int] = []
    func append(_ value: Int) { lock.withLock { storage.append(value) } }
    var values: [Int] { lock.withLock { storage } }
}
