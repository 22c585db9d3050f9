import Foundation
import HookstashTestSupport

/// A `hookstash serve` child process on 127.0.0.1 port 0.
final class ServeProcess: @unchecked Sendable {
    // @unchecked: `process` is configured and started in init; afterwards it is only signalled and waited for.
    let process = Process()
    let port: Int
    /// The inspector's port; nil when started with `--inspect off`.
    private(set) var inspectorPort: Int?
    let database: String
    private let output: Pipe
    private(set) var lines: [String] = []

    /// - Parameter launcher: see `HookstashProcess.prepare(_:arguments:launcher:)`; nil runs the built binary.
    init(database: String, arguments: [String] = [], launcher: [String]? = nil) async throws {
        // serve logs to <database>.serve.log (kept in the test directory; removed with it).
        self.database = database
        let inspectorOff = arguments.contains("--inspect")
        let serveArguments =
            ["serve", "--db", database, "--listen", "127.0.0.1:0"]
            + (inspectorOff ? [] : ["--inspect", "127.0.0.1:0"]) + arguments
        HookstashProcess.prepare(process, arguments: serveArguments, launcher: launcher)
        output = Pipe()
        process.standardOutput = output
        _ = FileManager.default.createFile(atPath: database + ".serve.log", contents: nil)
        process.standardError =
            (try? FileHandle(forWritingTo: URL(fileURLWithPath: database + ".serve.log"))) ?? FileHandle.nullDevice
        try process.run()
        // The first lines name the capture URL; they are read on a thread of their own.
        let handle = output.fileHandleForReading
        let (port, inspectorPort, buffer) = try await offThePool { Self.readURLs(handle, inspector: !inspectorOff) }
        guard let port else {
            process.terminate()
            throw ServeError("serve did not print its capture URL; output: \(buffer)")
        }
        self.port = port
        self.inspectorPort = inspectorPort
        lines = buffer.split(separator: "\n").map(String.init)
    }

    private static func readURLs(_ handle: FileHandle, inspector: Bool) -> (Int?, Int?, String) {
        var port: Int?
        var buffer = ""
        let deadline = Date().addingTimeInterval(30)
        var inspectorPort: Int?
        func portAfter(_ label: String) -> Int? {
            guard let range = buffer.range(of: label + #":\s+http://127\.0\.0\.1:(\d+)/"#, options: .regularExpression)
            else { return nil }
            return Int(buffer[range].split(separator: ":").last!.dropLast())
        }
        while port == nil || (inspector && inspectorPort == nil), Date() < deadline {
            let data = handle.availableData
            if data.isEmpty { break }
            buffer += String(decoding: data, as: UTF8.self)
            port = portAfter("capture")
            inspectorPort = portAfter("inspector")
        }
        return (port, inspectorPort, buffer)
    }

    func signal(_ value: Int32) {
        kill(process.processIdentifier, value)
    }

    /// Sends SIGKILL without waiting, for `defer` at the end of a test (the child is reaped by Foundation and, if
    /// still running, killed and reaped at deinit); use `stop()` to see a graceful exit.
    func terminate() {
        if process.isRunning { signal(SIGKILL) }
    }

    /// Sends SIGTERM and waits for exit; returns the exit status.
    @discardableResult
    func stop() async throws -> Int32 {
        if process.isRunning { signal(SIGTERM) }
        return try await process.exitStatus()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

struct ServeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
