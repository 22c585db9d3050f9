import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Accepts one HTTP/1.1 request on 127.0.0.1 (port 0), answers 200 and keeps the request's bytes.
final class OneShotReceiver: @unchecked Sendable {
    // @unchecked: `received` is written by the accepting thread before `done` is signalled and read after.
    let port: Int
    private let listener: Int32
    private var received: [UInt8] = []
    private let done = DispatchSemaphore(value: 0)

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 4) == 0
                    && getsockname(listener, pointer, &length) == 0
            }
        }
        guard bound else { throw TestSocketError("cannot listen on 127.0.0.1") }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { self.serve() }
    }

    deinit { close(listener) }

    private func serve() {
        defer { done.signal() }
        let connection = accept(listener, nil, nil)
        // Not inherited by processes other tests start: a copy there would keep the connection open.
        if connection >= 0 { _ = fcntl(connection, F_SETFD, FD_CLOEXEC) }
        guard connection >= 0 else { return }
        defer { close(connection) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let end = bytes.firstRange(of: [13, 10, 13, 10]) {
                let head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).lowercased()
                let length =
                    head.components(separatedBy: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if bytes.count >= end.upperBound + length { break }
            }
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[..<count])
        }
        received = bytes
        let answer = Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
        _ = answer.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// The request's head (as text) and body, once it has arrived.
    func request(timeout: Double = 10) -> (head: String, body: [UInt8])? {
        guard done.wait(timeout: .now() + timeout) == .success else { return nil }
        guard let end = received.firstRange(of: [13, 10, 13, 10]) else { return nil }
        return (String(decoding: received[..<end.lowerBound], as: UTF8.self), Array(received[end.upperBound...]))
    }
}
