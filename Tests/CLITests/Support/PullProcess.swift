import Foundation
import HookstashTestSupport
import Synchronization

/// A `hookstash pull --json` child process; its stdout (one JSON object per delivery attempt) and stderr (state
/// lines) are collected as they arrive.
final class PullProcess: @unchecked Sendable {
    // @unchecked: `process` is only started in init and signalled afterwards; the output is in Mutexes.
    let process = Process()
    private let stdoutLines = LineBuffer()
    private let stderrLines = LineBuffer()

    init(database: String, from: String, to: String, arguments: [String] = []) throws {
        process.executableURL = HookstashProcess.executable
        process.arguments =
            ["pull", "--db", database, "--from", from, "--to", to, "--json", "--max-retry-delay", "1"] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        Self.collect(out.fileHandleForReading, into: stdoutLines)
        Self.collect(err.fileHandleForReading, into: stderrLines)
        try process.run()
    }

    private static func collect(_ handle: FileHandle, into lines: LineBuffer) {
        let thread = Thread {
            var pending = Data()
            while true {
                let data = handle.availableData
                if data.isEmpty { return }
                pending.append(data)
                while let newline = pending.firstIndex(of: 0x0a) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    lines.append(line)
                }
            }
        }
        thread.start()
    }

    /// The state lines printed so far.
    var statusLines: [String] { stderrLines.lines }

    /// The delivery attempts printed so far, as JSON objects.
    var deliveries: [[String: Any]] {
        stdoutLines.lines.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    /// How many captures were delivered (and recorded as such).
    var deliveredCount: Int { deliveries.filter { $0["state"] as? String == "delivered" }.count }

    /// Waits until `count` deliveries are recorded; false on timeout.
    func waitForDelivered(_ count: Int, seconds: Double = 60) async throws -> Bool {
        try await eventually(timeout: .seconds(seconds)) { deliveredCount >= count }
    }

    /// Waits for a state line containing `text`; false on timeout.
    func waitForStatus(_ text: String, seconds: Double = 30) async throws -> Bool {
        try await eventually(timeout: .seconds(seconds)) { statusLines.contains(where: { $0.contains(text) }) }
    }

    /// Sends SIGKILL without waiting, for `defer` at the end of a test (deinit reaps the child).
    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
    }

    /// Sends SIGKILL and waits for the child's exit.
    func killAndWait() async throws {
        kill()
        try await process.exitStatus()
    }

    deinit {
        if process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// Lines of a child's output, appended by a reader thread.
final class LineBuffer: Sendable {
    private let storage = Mutex<[String]>([])
    var lines: [String] { storage.withLock { $0 } }
    func append(_ line: String) { storage.withLock { $0.append(line) } }
}

/// Sends one POST with `body` to a capture listener and waits for its answer (the capture is then stored).
func sendCapture(port: Int, body: String, path: String = "/hook") async throws {
    let connection = try RawConnection(port: port)
    try connection.send(
        "POST \(path) HTTP/1.1\r\nHost: relay.example\r\nContent-Type: text/plain\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
    let response = try await connection.response()
    guard response.status == 200 else { throw ServeError("the capture listener answered \(response.status)") }
}

/// A port that was free a moment ago on 127.0.0.1, for a process that must come back on the same port.
func freePort() throws -> Int {
    let server = try RecordingServer()
    let port = server.port
    server.stop()
    return Int(port)
}
