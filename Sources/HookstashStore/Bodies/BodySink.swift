import HookstashCore

#if canImport(Glibc)
    import Glibc
#endif

/// Collects a body as it arrives: in memory up to `spillThreshold` bytes, then in a file beside the database,
/// so a large upload never sits in memory. Owned by one request on one thread; not Sendable.
public final class BodySink {
    private let store: CaptureStore
    private let spillThreshold: Int
    private let suffix: String
    private var buffer: [UInt8] = []
    private var file: (name: String, descriptor: Int32)?
    private var failure: HookstashError?
    public private(set) var size: Int64 = 0

    public init(store: CaptureStore, spillThreshold: Int, suffix: String = "body") {
        self.store = store
        self.spillThreshold = spillThreshold
        self.suffix = suffix
    }

    deinit {
        if let file {
            close(file.descriptor)
        }
    }

    public func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty, failure == nil else { return }
        size += Int64(bytes.count)
        if file == nil, buffer.count + bytes.count <= spillThreshold {
            buffer.append(contentsOf: bytes)
            return
        }
        if file == nil {
            do {
                file = try store.createBodyFile(suffix: suffix)
            } catch let error as HookstashError {
                failure = error
                return
            } catch {
                failure = .storeUnavailable("\(error)")
                return
            }
            let spilled = buffer
            buffer = []
            spilled.withUnsafeBytes { write($0) }
        }
        write(bytes)
    }

    public func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    private func write(_ bytes: UnsafeRawBufferPointer) {
        guard let file, var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = Glibc.write(file.descriptor, base, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                failure = .storeUnavailable("cannot write a body file: \(String(cString: strerror(errno)))")
                return
            }
            remaining -= written
            base += written
        }
    }

    /// The collected body. Throws when a spill file could not be written (disk full, read-only).
    public func finish() throws -> BodyBytes {
        if let file {
            close(file.descriptor)
            self.file = nil
            if let failure {
                store.removeBodyFiles([file.name])
                throw failure
            }
            return .file(name: file.name, size: size)
        }
        if let failure { throw failure }
        return .inline(buffer)
    }

    /// Drops what was collected, removing the spill file.
    public func discard() {
        if let file {
            close(file.descriptor)
            store.removeBodyFiles([file.name])
            self.file = nil
        }
        buffer = []
    }
}
