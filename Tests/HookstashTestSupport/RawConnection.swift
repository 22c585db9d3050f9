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
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw RawConnectionError("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(descriptor)
            throw RawConnectionError("connect() to \(host):\(port) failed: \(String(cString: strerror(errno)))")
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
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
