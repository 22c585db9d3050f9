import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs blocking code (a subprocess's exit, a pipe or socket read) on a thread of its own and resumes the caller
/// when it is done. Swift's cooperative pool has as many threads as cores (two on a small CI machine): a test that
/// blocks one of them starves every other test in the run, and timing-based tests then start late and fail.
public func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        // A thread of its own: Dispatch's global queue has as few threads as the cooperative pool.
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

/// Waits, without holding a thread, until `condition` holds or `timeout` passes; returns whether it held.
public func eventually(
    timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: interval)
    }
    return try await condition()
}

extension Process {
    /// Waits for the process to exit on a thread of its own; returns its termination status.
    @discardableResult
    public func exitStatus() async throws -> Int32 {
        try await offThePool {
            self.waitUntilExit()
            return self.terminationStatus
        }
    }
}

extension FileHandle {
    /// Reads until end of file on a thread of its own.
    public func dataToEnd() async throws -> Data {
        try await offThePool { self.readDataToEndOfFile() }
    }

    /// The bytes available now (waiting for some on a thread of its own); empty at end of file.
    public func nextAvailableData() async throws -> Data {
        try await offThePool { self.availableData }
    }
}
