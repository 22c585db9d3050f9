import Foundation
import HookstashTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// An HTTP/1.1 answer as the test client read it off the socket.
struct TestResponse: @unchecked Sendable {
    // @unchecked: plain values; the tuple array is not inferred Sendable.
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    func headerValues(_ name: String) -> [String] {
        headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1)
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw TestSocketError("not a JSON object: \(text)")
        }
        return object
    }
}

struct TestSocketError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A blocking TCP connection to 127.0.0.1, so the tests see exactly the bytes the server writes.
final class TestSocket: @unchecked Sendable {
    // @unchecked: each socket is used by one test, one call at a time (through `offThePool`).
    let descriptor: Int32
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw TestSocketError("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(descriptor)
            throw TestSocketError("cannot connect to 127.0.0.1:\(port)")
        }
    }

    deinit { close(descriptor) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { throw TestSocketError("send failed") }
            offset += written
        }
    }

    /// Reads what is available within `timeout` seconds; false at end of stream or timeout.
    @discardableResult
    func fill(timeout: Double) throws -> Bool {
        var descriptorSet = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptorSet, 1, Int32(timeout * 1000))
        if ready <= 0 { return false }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count <= 0 { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }

    /// Reads until `predicate` finds what it wants in the buffer, or `timeout` seconds pass.
    func read<T>(timeout: Double, _ predicate: (inout [UInt8]) -> T?) throws -> T? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let value = predicate(&buffer) { return value }
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return nil }
            if try !fill(timeout: left) {
                if let value = predicate(&buffer) { return value }
                if Date() >= deadline { return nil }
                // End of stream: nothing more will come.
                var probe = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                if poll(&probe, 1, 0) > 0 { return predicate(&buffer) }
                return nil
            }
        }
    }

    /// The status line and headers; the buffer keeps what follows. The default wait is long: a debug build renders
    /// a 256 KiB detail page in about 1.5 s alone, and a whole suite on 2 cores can stretch that several times.
    func readHead(timeout: Double = 30) throws -> (Int, [(String, String)]) {
        guard
            let head = try read(
                timeout: timeout,
                { buffer -> [UInt8]? in
                    guard let end = buffer.firstRange(of: [13, 10, 13, 10]) else { return nil }
                    let head = Array(buffer[..<end.lowerBound])
                    buffer.removeSubrange(..<end.upperBound)
                    return head
                })
        else { throw TestSocketError("no response head") }
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw TestSocketError("bad status line \(lines[0])")
        }
        let headers = lines.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return (status, headers)
    }

    /// Reads the rest of the stream (the client sent `Connection: close`).
    func readToEnd(timeout: Double = 30) throws -> [UInt8] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, try fill(timeout: deadline.timeIntervalSinceNow) {}
        defer { buffer.removeAll() }
        return buffer
    }

    /// Next bytes up to and including a blank line (`\n\n`), decoded; nil on timeout.
    func readEvent(timeout: Double) throws -> String? {
        try read(timeout: timeout) { buffer -> String? in
            guard let end = buffer.firstRange(of: [10, 10]) else { return nil }
            let text = String(decoding: buffer[..<end.upperBound], as: UTF8.self)
            buffer.removeSubrange(..<end.upperBound)
            return text
        }
    }
}

/// One request per connection, `Connection: close`.
enum TestHTTPClient {
    static func request(
        port: Int, _ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = [],
        host: String? = nil
    ) throws -> TestResponse {
        let socket = try TestSocket(port: port)
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try socket.send(Array(head.utf8) + body)
        let (status, responseHeaders) = try socket.readHead()
        var rest = try socket.readToEnd()
        if responseHeaders.contains(where: {
            $0.0.lowercased() == "transfer-encoding" && $0.1.lowercased().contains("chunked")
        }) {
            rest = dechunk(rest)
        }
        return TestResponse(status: status, headers: responseHeaders, body: rest)
    }

    static func get(port: Int, _ target: String, headers: [(String, String)] = [], host: String? = nil) throws
        -> TestResponse
    {
        try request(port: port, "GET", target, headers: headers, host: host)
    }

    static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = bytes[index...].firstRange(of: [13, 10]) else { break }
            let sizeText = String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";")[0], radix: 16), size > 0 else { break }
            let start = lineEnd.upperBound
            out.append(contentsOf: bytes[start..<min(start + size, bytes.count)])
            index = start + size + 2
        }
        return out
    }
}
