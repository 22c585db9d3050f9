import Foundation
import HookstashTestSupport
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The local app in relay tests: an HTTP/1.1 server on raw POSIX sockets, on 127.0.0.1, that answers every request
/// `200` and records its body in arrival order. It can be stopped and started again on the same port.
final class LocalAppRecorder: @unchecked Sendable {
    // @unchecked: the listening socket and connection list are only touched under `lock`; the bodies in a Mutex.
    private let received = Mutex<[String]>([])
    private let lock = NSLock()
    private var listener: Int32 = -1
    private var connections: [Int32] = []
    private(set) var port: Int

    init(port: Int = 0) throws {
        self.port = port
        try start()
    }

    deinit {
        stop()
    }

    /// The bodies received so far, in order.
    var bodies: [String] { received.withLock { $0 } }

    /// Listens again (on the same port once it has one).
    func start() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw ServeError("socket() failed") }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(descriptor, 64) == 0 else {
            close(descriptor)
            throw ServeError("the recorder cannot listen on port \(port): \(String(cString: strerror(errno)))")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        lock.withLock { listener = descriptor }
        let thread = Thread { [weak self] in self?.accept(on: descriptor) }
        thread.start()
    }

    /// Closes the listening socket and every connection: the app is down.
    func stop() {
        lock.withLock {
            if listener >= 0 {
                shutdown(listener, Int32(SHUT_RDWR))
                close(listener)
                listener = -1
            }
            for connection in connections { shutdown(connection, Int32(SHUT_RDWR)) }
            connections = []
        }
    }

    /// Waits until `count` bodies have arrived; false on timeout.
    func waitFor(_ count: Int, seconds: Double = 60) async throws -> Bool {
        try await eventually(timeout: .seconds(seconds)) { bodies.count >= count }
    }

    private func accept(on descriptor: Int32) {
        while true {
            let connection = Glibc.accept(descriptor, nil, nil)
            // Not inherited by processes other tests start: a copy there would keep the connection open.
            if connection >= 0 { _ = fcntl(connection, F_SETFD, FD_CLOEXEC) }
            guard connection >= 0 else { return }
            let open = lock.withLock { () -> Bool in
                guard listener == descriptor else { return false }
                connections.append(connection)
                return true
            }
            guard open else {
                close(connection)
                return
            }
            let thread = Thread { [weak self] in
                self?.serve(connection)
                close(connection)
            }
            thread.start()
        }
    }

    private func serve(_ connection: Int32) {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        func fill() -> Bool {
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return false }
            buffer += chunk[0..<count]
            return true
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        while true {
            var headEnd: Int?
            while headEnd == nil {
                if buffer.count >= 4 {
                    for index in 0...(buffer.count - 4) where buffer[index..<index + 4].elementsEqual(separator) {
                        headEnd = index + 4
                        break
                    }
                }
                if headEnd == nil, !fill() { return }
            }
            let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
            var length = 0
            for line in head.split(separator: "\r\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == "content-length" {
                    length = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            while buffer.count < headEnd! + length {
                if !fill() { return }
            }
            let body = String(decoding: buffer[headEnd!..<headEnd! + length], as: UTF8.self)
            buffer.removeFirst(headEnd! + length)
            // Recorded before answering: a delivery counts once the app has it.
            received.withLock { $0.append(body) }
            let answer = Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8)
            let sent = answer.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return }
        }
    }
}
