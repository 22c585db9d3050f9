import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A raw-socket HTTP/1.1 server on 127.0.0.1 that records the exact bytes of each request and answers with
/// scripted bytes. Keeps connections open (keep-alive) until the client closes them.
public final class RecordingServer: Sendable {
    public struct Request: Sendable {
        /// Request line and headers through the blank line.
        public var head: [UInt8]
        public var body: [UInt8]
        /// Which accepted connection carried it (0, 1, …).
        public var connection: Int
        public var bytes: [UInt8] { head + body }
        public var headText: String { String(decoding: head, as: UTF8.self) }
        /// Header lines without the request line, as sent.
        public var headerLines: [String] {
            Array(headText.components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty })
        }
        public var requestLine: String { headText.components(separatedBy: "\r\n").first ?? "" }
    }

    public enum Answer: Sendable {
        /// Write these bytes.
        case bytes([UInt8])
        /// Wait, then write.
        case delayed(milliseconds: Int, [UInt8])
        /// Close the connection without answering.
        case close
    }

    public static func response(
        _ status: Int = 200, reason: String = "OK", headers: [(String, String)] = [], body: String = ""
    ) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(reason)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        return Array(text.utf8)
    }

    private struct State {
        var requests: [Request] = []
        var connections = 0
        var clientSockets: [Int32] = []
        var stopped = false
        var listenerClosed = false
    }

    public let port: UInt16
    private let listener: Int32
    private let state = Mutex(State())
    private let answer: @Sendable (Request) -> Answer
    /// Bytes written as soon as a connection is accepted, before anything is read (a server speaking first).
    private let greeting: [UInt8]?

    /// Binds 127.0.0.1 on `port` (0: any free port) and starts accepting.
    public init(
        port: UInt16 = 0, greeting: [UInt8]? = nil,
        answer: @escaping @Sendable (Request) -> Answer = { _ in .bytes(response()) }
    ) throws {
        self.answer = answer
        self.greeting = greeting
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        // No SO_REUSEADDR: with it, Linux may give a port-0 bind the port of another test's reserved (bound, not
        // listening) socket, and connections meant to be refused would reach this server.
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.listener = fd
        self.port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    public var url: String { "http://127.0.0.1:\(port)" }

    /// A port on 127.0.0.1 that refuses connections: bound (so no other test gets it) but not listening.
    /// Close the descriptor just before starting a server on that port.
    public static func reservePort() throws -> (descriptor: Int32, port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    public var requests: [Request] { state.withLock { $0.requests } }
    public var connectionCount: Int { state.withLock { $0.connections } }

    /// Waits until at least `count` requests arrived (or `seconds` passed) and returns them, without blocking a
    /// thread of the cooperative pool.
    public func requests(atLeast count: Int, seconds: Double = 30) async -> [Request] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let requests = self.requests
            if requests.count >= count { return requests }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return requests
    }

    public func stop() {
        // Only shut down, under the lock the serving threads close under: a descriptor number closed elsewhere may
        // already belong to another test's socket. The accept thread closes the listener, so its number cannot be
        // reused by another server while that thread may still call accept on it.
        state.withLock { state in
            guard !state.stopped else { return }
            state.stopped = true
            for socket in state.clientSockets { shutdown(socket, Int32(SHUT_RDWR)) }
            if !state.listenerClosed { shutdown(listener, Int32(SHUT_RDWR)) }
        }
    }

    private func acceptLoop() {
        defer {
            state.withLock { state in
                state.listenerClosed = true
                close(listener)
            }
        }
        while true {
            let client = accept(listener, nil, nil)
            // Not inherited by processes other tests start: a copy there would keep the connection open.
            if client >= 0 { _ = fcntl(client, F_SETFD, FD_CLOEXEC) }
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            var yes: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            let index: Int? = state.withLock { state in
                guard !state.stopped else {
                    close(client)
                    return nil
                }
                state.clientSockets.append(client)
                defer { state.connections += 1 }
                return state.connections
            }
            guard let index else { return }
            let thread = Thread { [self] in serve(client, connection: index) }
            thread.start()
        }
    }

    private func serve(_ client: Int32, connection: Int) {
        defer {
            state.withLock { state in
                state.clientSockets.removeAll { $0 == client }
                close(client)
            }
        }
        if let greeting, !write(client, greeting) { return }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        func fill() -> Bool {
            let count = chunk.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
            guard count > 0 else { return false }
            buffer.append(contentsOf: chunk[0..<count])
            return true
        }
        while true {
            var headEnd: Int?
            while headEnd == nil {
                headEnd = Self.find([13, 10, 13, 10], in: buffer).map { $0 + 4 }
                if headEnd == nil, !fill() { return }
            }
            let head = Array(buffer[0..<headEnd!])
            let length = Self.contentLength(head)
            while buffer.count < headEnd! + length {
                if !fill() { return }
            }
            let body = Array(buffer[headEnd!..<(headEnd! + length)])
            buffer.removeFirst(headEnd! + length)
            let request = Request(head: head, body: body, connection: connection)
            state.withLock { $0.requests.append(request) }
            switch answer(request) {
            case .bytes(let bytes):
                guard write(client, bytes) else { return }
            case .delayed(let milliseconds, let bytes):
                usleep(UInt32(milliseconds) * 1000)
                guard write(client, bytes) else { return }
            case .close:
                return
            }
        }
    }

    private func write(_ client: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    public static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return start }
        }
        return nil
    }

    public static func contentLength(_ head: [UInt8]) -> Int {
        let text = String(decoding: head, as: UTF8.self)
        for line in text.components(separatedBy: "\r\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "content-length" {
                return Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
            }
        }
        return 0
    }
}
