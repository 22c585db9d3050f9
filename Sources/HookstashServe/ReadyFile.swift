import Foundation
import HookstashCore
import Synchronization

/// `serve --ready-file`: a JSON object written once both the capture listener and the inspector accept, so that a
/// script can start `serve` in the background and wait for it (`hookstash wait-ready`):
/// `{"capture_url": "http://127.0.0.1:PORT", "inspector_url": "http://127.0.0.1:PORT" or null, "store":
/// "/abs/path.sqlite", "pid": N}`, with the bound ports. Written atomically (a temporary file beside it, mode 0600,
/// renamed over it), so a reader sees no file or the whole object; removed on clean shutdown.
public final class ReadyFile: Sendable {
    /// What the file says.
    public struct Contents: Codable, Sendable, Hashable {
        public var captureURL: String
        public var inspectorURL: String?
        public var store: String
        public var pid: Int32

        public init(captureURL: String, inspectorURL: String?, store: String, pid: Int32) {
            self.captureURL = captureURL
            self.inspectorURL = inspectorURL
            self.store = store
            self.pid = pid
        }

        enum CodingKeys: String, CodingKey {
            case captureURL = "capture_url"
            case inspectorURL = "inspector_url"
            case store, pid
        }

        /// The object as written: one line, keys in a fixed order.
        public var jsonText: String {
            "{\"capture_url\": \"\(JSONText.escaped(captureURL))\", \"inspector_url\": "
                + (inspectorURL.map { "\"\(JSONText.escaped($0))\"" } ?? "null")
                + ", \"store\": \"\(JSONText.escaped(store))\", \"pid\": \(pid)}\n"
        }

        /// Reads a ready file's bytes; nil when they are not such an object.
        public init?(parsing bytes: [UInt8]) {
            guard let contents = try? JSONDecoder().decode(Contents.self, from: Data(bytes)) else { return nil }
            self = contents
        }
    }

    public let path: String
    private let captureHost: String
    private let inspectorHost: String?
    private let storePath: String
    private let ports = Mutex<(capture: Int?, inspector: Int?, written: Bool)>((nil, nil, false))

    /// - Parameter inspectorHost: nil when the inspector is off (the file is then written once the listener
    ///   accepts).
    public init(path: String, captureHost: String, inspectorHost: String?, storePath: String) {
        self.path = Self.absolute(path)
        self.captureHost = captureHost
        self.inspectorHost = inspectorHost
        self.storePath = Self.absolute(storePath)
    }

    /// Fails when the file cannot be written there (checked before anything listens).
    public func checkWritable() throws {
        let temporary = path + ".\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw HookstashError.io("cannot write the ready file \(path): \(Self.reason())") }
        close(descriptor)
        unlink(temporary)
    }

    public func captureListening(port: Int) throws {
        try update { $0.capture = port }
    }

    public func inspectorListening(port: Int) throws {
        try update { $0.inspector = port }
    }

    /// Removes the file (when this process wrote it).
    public func remove() {
        let written = ports.withLock { state in
            defer { state.written = false }
            return state.written
        }
        if written { unlink(path) }
    }

    private func update(_ change: (inout (capture: Int?, inspector: Int?, written: Bool)) -> Void) throws {
        let contents: Contents? = ports.withLock { state in
            change(&state)
            guard !state.written, let capture = state.capture, inspectorHost == nil || state.inspector != nil else {
                return nil
            }
            state.written = true
            return Contents(
                captureURL: Self.url(host: captureHost, port: capture),
                inspectorURL: inspectorHost.flatMap { host in state.inspector.map { Self.url(host: host, port: $0) } },
                store: storePath, pid: getpid())
        }
        if let contents { try write(contents) }
    }

    private func write(_ contents: Contents) throws {
        let temporary = path + ".\(getpid()).tmp"
        let bytes = Array(contents.jsonText.utf8)
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw HookstashError.io("cannot write \(temporary): \(Self.reason())") }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes {
                Glibc.write(descriptor, $0.baseAddress! + written, bytes.count - written)
            }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                let reason = Self.reason()
                close(descriptor)
                unlink(temporary)
                throw HookstashError.io("cannot write \(temporary): \(reason)")
            }
            written += result
        }
        fsync(descriptor)
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let reason = Self.reason()
            unlink(temporary)
            throw HookstashError.io("cannot write \(path): \(reason)")
        }
    }

    /// A URL another process on this machine connects to: a wildcard address becomes the loopback one.
    package static func url(host: String, port: Int) -> String {
        let reachable =
            switch host {
            case "0.0.0.0", "": "127.0.0.1"
            case "::", "[::]": "::1"
            default: host
            }
        let bracketed = reachable.contains(":") && !reachable.hasPrefix("[") ? "[\(reachable)]" : reachable
        return "http://\(bracketed):\(port)"
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    private static func reason() -> String { String(cString: strerror(errno)) }
}
