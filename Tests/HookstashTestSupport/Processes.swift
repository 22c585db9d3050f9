import Foundation

/// Runs the built `hookstash` executable as a user would, with real exit codes.
public enum HookstashProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: Data
        public var stderr: String
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// The executable `swift build` produced, next to the test bundle.
    public static var executable: URL {
        if let path = ProcessInfo.processInfo.environment["HOOKSTASH_BIN"] { return URL(fileURLWithPath: path) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
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
    public static func prepare(_ process: Process, arguments: [String], launcher: [String]?) {
        if let launcher, let first = launcher.first {
            process.executableURL = URL(fileURLWithPath: first)
            process.arguments = Array(launcher.dropFirst()) + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
    }

    /// Runs the binary to completion. The child's exit and output are waited for on a thread of its own (see
    /// `offThePool`), never on Swift's cooperative pool.
    /// - Parameter launcher: see `prepare(_:arguments:launcher:)`; nil runs the built binary directly.
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], stdin: Data? = nil, launcher: [String]? = nil
    ) async throws -> Result {
        try await offThePool {
            try runBlocking(arguments, environment: environment, stdin: stdin, launcher: launcher)
        }
    }

    private static func runBlocking(
        _ arguments: [String], environment: [String: String], stdin: Data?, launcher: [String]?
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
        // stderr drains on a second thread: a child that fills the stderr pipe while stdout is read would block.
        let errors = PendingRead(err.fileHandleForReading)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: stdout, stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// A read of a pipe to its end on a thread of its own, for a second pipe of a child whose first pipe the caller
/// reads (neither pipe can then fill up and stall the child).
public final class PendingRead: @unchecked Sendable {
    // @unchecked: `data` is written once by the reader thread before `done` is signalled, and read after.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    public init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    /// Blocks until the read is done: call it on a thread of its own (see `offThePool`).
    public func wait() -> Data {
        done.wait()
        return data
    }
}

/// A temporary directory removed at deinit.
public final class TemporaryDirectory {
    public let path: String

    public init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("hookstash-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    public func file(_ name: String) -> String { path + "/" + name }
}
