import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP client on raw POSIX sockets: sends exact bytes and reads exact bytes, so tests see the wire.
public final class RawConnection: @unchecked Sendable {
    // @unchecked: one caller at a time drives a connection (the async readers below hand it to one thread and
    // wait for it); `buffered` is never touched concurrently.
    private let descriptor: Int32
    private var buffered: [UInt8] = []

    public init(port: Int, host: String = "127.0.0.1") throws {
        // The socket is stored only once connected: a class whose stored properties are all set runs `deinit`
        // when its initializer throws, and a second `close` of the number would close whatever socket the
        // process opened under it in between (NIO's, a pipe of a child process).
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socketDescriptor >= 0 else { throw RawConnectionError("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            close(socketDescriptor)
            throw RawConnectionError("connect() to \(host):\(port) failed: \(reason)")
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        descriptor = socketDescriptor
    }

    deinit {
        close(descriptor)
    }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw RawConnectionError("send() failed: \(String(cString: strerror(errno)))") }
            offset += sent
        }
    }

    public func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    /// Half-closes the sending side.
    public func finishSending() {
        shutdown(descriptor, Int32(SHUT_WR))
    }

    /// Reads bytes until the peer closes (or the 10 s receive timeout).
    public func readToEnd() throws -> [UInt8] {
        while try fill() {}
        defer { buffered = [] }
        return buffered
    }

    /// Reads one HTTP response (head, and a Content-Length body).
    public func readResponse() throws -> RawResponse {
        while true {
            if let response = RawResponse.parse(&buffered) { return response }
            guard try fill() else { throw RawConnectionError("connection closed before a full response") }
        }
    }

    /// True when the peer has closed the connection (reads return EOF).
    public func isClosedByPeer() throws -> Bool {
        !(try fill())
    }

    /// `readResponse()` on a thread of its own, so a waiting test holds no thread of Swift's cooperative pool.
    public func response() async throws -> RawResponse {
        try await offThePool { try self.readResponse() }
    }

    /// `readToEnd()` on a thread of its own.
    public func bytesUntilClose() async throws -> [UInt8] {
        try await offThePool { try self.readToEnd() }
    }

    /// `isClosedByPeer()` on a thread of its own.
    public func closedByPeer() async throws -> Bool {
        try await offThePool { try self.isClosedByPeer() }
    }

    /// Reads what arrives within `timeout` seconds; false at end of stream or when nothing came in time.
    @discardableResult
    public func fill(timeout: Double) throws -> Bool {
        var descriptorSet = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptorSet, 1, Int32(max(0, timeout) * 1000)) > 0 else { return false }
        return try fill()
    }

    /// Reads until `predicate` finds what it wants in the buffer (and takes it out), or `timeout` seconds pass;
    /// nil then, or at end of stream.
    public func read<T>(timeout: Double, _ predicate: (inout [UInt8]) -> T?) throws -> T? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let value = predicate(&buffered) { return value }
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return nil }
            if try !fill(timeout: left) { return predicate(&buffered) }
        }
    }

    /// The status line and headers of a response; the buffer keeps what follows. The default wait is long: a debug
    /// build renders a 256 KiB page in about 1.5 s alone, and a whole suite on 2 cores can stretch that.
    public func readHead(timeout: Double = 30) throws -> (status: Int, headers: [(String, String)]) {
        guard
            let head = try read(
                timeout: timeout,
                { buffer -> [UInt8]? in
                    guard let end = buffer.firstRange(of: [13, 10, 13, 10]) else { return nil }
                    let head = Array(buffer[..<end.lowerBound])
                    buffer.removeSubrange(..<end.upperBound)
                    return head
                })
        else { throw RawConnectionError("no response head") }
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw RawConnectionError("bad status line \(lines[0])")
        }
        let headers = lines.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return (status, headers)
    }

    /// Reads until the peer closes or `timeout` seconds pass.
    public func readToEnd(timeout: Double) throws -> [UInt8] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, try fill(timeout: deadline.timeIntervalSinceNow) {}
        defer { buffered = [] }
        return buffered
    }

    /// The next bytes up to and including a blank line (`\n\n`: one server-sent event), decoded; nil on timeout.
    public func readEvent(timeout: Double) throws -> String? {
        try read(timeout: timeout) { buffer -> String? in
            guard let end = buffer.firstRange(of: [10, 10]) else { return nil }
            let text = String(decoding: buffer[..<end.upperBound], as: UTF8.self)
            buffer.removeSubrange(..<end.upperBound)
            return text
        }
    }

    /// What the peer did next, as a reader sees it.
    public enum Arrival: Sendable, Equatable {
        case bytes
        /// An orderly close (FIN): reads return 0.
        case endOfStream
        /// The peer reset the connection (RST): reads fail with ECONNRESET.
        case reset
        /// Nothing within the timeout; the connection is still open.
        case nothing
    }

    /// Waits up to `timeout` seconds for the peer to send, close or reset (bytes that arrive are kept).
    public func nextArrival(timeout: Double) -> Arrival {
        var descriptorSet = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptorSet, 1, Int32(max(0, timeout) * 1000)) > 0 else { return .nothing }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count < 0 { return errno == ECONNRESET ? .reset : .endOfStream }
        if count == 0 { return .endOfStream }
        buffered += chunk[0..<count]
        return .bytes
    }

    /// The bytes read and kept so far (not taken out).
    public var bufferedBytes: [UInt8] { buffered }

    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count < 0 {
            if errno == ECONNRESET { return false }
            throw RawConnectionError("recv() failed: \(String(cString: strerror(errno)))")
        }
        if count == 0 { return false }
        buffered += chunk[0..<count]
        return true
    }
}

public struct RawConnectionError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

public struct RawResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    public static func parse(_ buffer: inout [UInt8]) -> RawResponse? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard buffer.count >= 4,
            let end = (0...(buffer.count - 4)).first(where: { Array(buffer[$0..<$0 + 4]) == separator })
        else { return nil }
        let head = String(decoding: buffer[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(head[0].split(separator: " ")[1]) ?? 0
        let headers = head.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
        guard buffer.count >= end + 4 + length else { return nil }
        let body = Array(buffer[(end + 4)..<(end + 4 + length)])
        buffer.removeFirst(end + 4 + length)
        return RawResponse(status: status, headers: headers, body: body)
    }
}
