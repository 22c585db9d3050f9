import Foundation
import HookstashTestSupport

/// A `hookstash expect` (or any long-running `hookstash`) child process whose stdout and stderr are collected as
/// they arrive, so that a test can wait for its "waiting" line before sending.
final class ExpectProcess: @unchecked Sendable {
    // @unchecked: `process` is started in init and only waited for afterwards; the output is in Mutexes.
    let process = Process()
    private let stdoutLines = LineBuffer()
    private let stderrLines = LineBuffer()
    private let readers = DispatchGroup()

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = HookstashProcess.executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        collect(out.fileHandleForReading, into: stdoutLines)
        collect(err.fileHandleForReading, into: stderrLines)
        try process.run()
    }

    private func collect(_ handle: FileHandle, into lines: LineBuffer) {
        readers.enter()
        Thread.detachNewThread { [readers] in
            var pending = Data()
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                pending.append(data)
                while let newline = pending.firstIndex(of: 0x0a) {
                    lines.append(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending.removeSubrange(pending.startIndex...newline)
                }
            }
            if !pending.isEmpty { lines.append(String(decoding: pending, as: UTF8.self)) }
            readers.leave()
        }
    }

    /// Waits until expect has taken its position (it prints "waiting up to …"); false if it never does.
    func waitUntilWaiting() async throws -> Bool {
        try await eventually(timeout: .seconds(60)) {
            stderrLines.lines.contains { $0.contains("waiting up to") } || !process.isRunning
        } && process.isRunning
    }

    /// Waits for the exit and the end of both pipes.
    func finish() async throws -> (status: Int32, stdout: [String], stderr: [String]) {
        let status = try await process.exitStatus()
        try await offThePool { [readers] in readers.wait() }
        return (status, stdoutLines.lines, stderrLines.lines)
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// Sends one request to a capture listener and waits for its answer (the capture is then stored).
func post(
    port: Int, path: String, json body: String, headers: [(String, String)] = [], method: String = "POST"
) async throws {
    let connection = try RawConnection(port: port)
    var head = "\(method) \(path) HTTP/1.1\r\nHost: ci.example\r\nContent-Type: application/json\r\n"
    for (name, value) in headers { head += "\(name): \(value)\r\n" }
    head += "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
    try connection.send(head + body)
    let response = try await connection.response()
    guard response.status == 200 else { throw ServeError("the capture listener answered \(response.status)") }
}
