import Foundation
import GRDB
import HookstashTestSupport
import Testing

/// SIGKILL while clients send: every request that got a 2xx is in the store after a restart, byte for byte.
@Suite struct CrashDurabilityTests {
    @Test func everyAcknowledgedCaptureSurvivesSIGKILL() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.file("h.sqlite")
        let serve = try await ServeProcess(database: database, arguments: ["--quiet"])
        let port = serve.port
        let acknowledged = LockedList()
        let stop = LockedFlag()
        let clients = (0..<6).map { client in
            Thread {
                guard let connection = try? RawConnection(port: port) else { return }
                var index = 0
                while !stop.isSet {
                    let body = "{\"client\":\(client),\"n\":\(index)}"
                    let request =
                        "POST /crash/\(client)/\(index) HTTP/1.1\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                    guard (try? connection.send(request)) != nil, let response = try? connection.readResponse() else {
                        return
                    }
                    if (200..<300).contains(response.status) { acknowledged.append(Array(request.utf8)) }
                    index += 1
                }
            }
        }
        clients.forEach { $0.start() }
        try await Task.sleep(for: .milliseconds(800))
        serve.signal(SIGKILL)
        try await serve.process.exitStatus()
        stop.set()
        try await Task.sleep(for: .milliseconds(200))
        let acked = acknowledged.values
        #expect(acked.count > 20, "clients got answers before the kill")

        // Restart on the same file: it opens, and the store is sound.
        let restarted = try await ServeProcess(database: database, arguments: ["--quiet"])
        try await restarted.stop()
        let queue = try DatabaseQueue(path: database)
        let stored: [[UInt8]] = try await queue.read { db in
            try Row.fetchAll(db, sql: "SELECT raw_head, body FROM capture").map { row in
                let head: Data = row["raw_head"]
                let body: Data? = row["body"]
                return [UInt8](head) + [UInt8](body ?? Data())
            }
        }
        let integrity = try await queue.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }
        #expect(integrity == "ok")
        let storedSet = Set(stored)
        let lost = acked.filter { !storedSet.contains($0) }
        #expect(lost.isEmpty, "\(lost.count) of \(acked.count) acknowledged requests are missing")
    }
}

final class LockedList: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var items: [[UInt8]] = []

    func append(_ item: [UInt8]) {
        lock.lock()
        items.append(item)
        lock.unlock()
    }

    var values: [[UInt8]] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}

final class LockedFlag: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var value = false

    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}

/// SIGTERM under load: the server answers what it has accepted, commits it, and exits 0.
@Suite struct GracefulShutdownTests {
    @Test func sigtermUnderLoadLosesNoAcknowledgedCapture() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.file("h.sqlite")
        let serve = try await ServeProcess(database: database, arguments: ["--quiet", "--response-delay", "20"])
        let port = serve.port
        let acknowledged = LockedList()
        let stop = LockedFlag()
        let clients = (0..<8).map { client in
            Thread {
                guard let connection = try? RawConnection(port: port) else { return }
                var index = 0
                while !stop.isSet {
                    let request = "POST /term/\(client)/\(index) HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
                    guard (try? connection.send(request)) != nil, let response = try? connection.readResponse() else {
                        return
                    }
                    if (200..<300).contains(response.status) { acknowledged.append(Array(request.utf8)) }
                    if response.header("Connection") == "close" { return }
                    index += 1
                }
            }
        }
        clients.forEach { $0.start() }
        try await Task.sleep(for: .milliseconds(700))
        #expect(try await serve.stop() == 0)
        stop.set()
        let queue = try DatabaseQueue(path: database)
        let stored = Set(
            try await queue.read { db in
                try Data.fetchAll(db, sql: "SELECT raw_head FROM capture").map { [UInt8]($0) }
            })
        let acked = acknowledged.values
        #expect(acked.count > 10)
        #expect(acked.allSatisfy { stored.contains($0) })
    }
}
