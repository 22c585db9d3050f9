import Foundation

/// Runs the built `hookstash` executable as a user would, with real exit codes.
enum HookstashProcess {
    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String
        var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// The executable `swift build` produced, next to the test bundle.
    static var executable: URL {
        if let path = ProcessInfo.processInfo.environment["HOOKSTASH_BIN"] { return URL(fileURLWithPath: path) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [
            Bundle.main.bundleURL.deletingLastPathComponent(), root.appendingPathComponent(".build/debug"),
        ]
        for directory in candidates {
            let url = directory.appendingPathComponent("hookstash")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return root.appendingPathComponent(".build/debug/hookstash")
    }

    /// Sets `process` to run the built binary with `arguments`, or, given a `launcher` (a command that runs the
    /// binary given as its last element, such as `setpriv … -- BINARY`), the launcher with them.
    static func prepare(_ process: Process, arguments: [String], launcher: [String]?) {
        if let launcher, let first = launcher.first {
            process.executableURL = URL(fileURLWithPath: first)
            process.arguments = Array(launcher.dropFirst()) + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
    }

    /// - Parameter launcher: see `prepare(_:arguments:launcher:)`; nil runs the built binary directly.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], stdin: Data? = nil, launcher: [String]? = nil
    ) throws -> Result {
        let process = Process()
        prepare(process, arguments: arguments, launcher: launcher)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: stdout, stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// A `hookstash serve` child process on 127.0.0.1 port 0.
final class ServeProcess {
    let process = Process()
    let port: Int
    /// The inspector's port; nil when started with `--inspect off`.
    private(set) var inspectorPort: Int?
    let database: String
    private let output: Pipe
    private(set) var lines: [String] = []

    /// - Parameter launcher: see `HookstashProcess.prepare(_:arguments:launcher:)`; nil runs the built binary.
    init(database: String, arguments: [String] = [], launcher: [String]? = nil) throws {
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
        // The first lines name the capture URL.
        var port: Int?
        var buffer = ""
        let handle = output.fileHandleForReading
        let deadline = Date().addingTimeInterval(30)
        var inspectorPort: Int?
        func portAfter(_ label: String) -> Int? {
            guard let range = buffer.range(of: label + #":\s+http://127\.0\.0\.1:(\d+)/"#, options: .regularExpression)
            else { return nil }
            return Int(buffer[range].split(separator: ":").last!.dropLast())
        }
        while port == nil || (!inspectorOff && inspectorPort == nil), Date() < deadline {
            let data = handle.availableData
            if data.isEmpty { break }
            buffer += String(decoding: data, as: UTF8.self)
            port = portAfter("capture")
            inspectorPort = portAfter("inspector")
        }
        guard let port else {
            process.terminate()
            throw ServeError("serve did not print its capture URL; output: \(buffer)")
        }
        self.port = port
        self.inspectorPort = inspectorPort
        lines = buffer.split(separator: "\n").map(String.init)
    }

    func signal(_ value: Int32) {
        kill(process.processIdentifier, value)
    }

    /// Sends SIGTERM and waits for exit; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning { signal(SIGTERM) }
        process.waitUntilExit()
        return process.terminationStatus
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

/// A temporary directory removed at deinit.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("hookstash-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String) -> String { path + "/" + name }
}
