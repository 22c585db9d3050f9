import Foundation
import HookstashTestSupport

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
            throw RawConnectionError("not a JSON object: \(text)")
        }
        return object
    }
}

/// One request per connection, `Connection: close`.
enum TestHTTPClient {
    static func request(
        port: Int, _ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = [],
        host: String? = nil
    ) throws -> TestResponse {
        let socket = try RawConnection(port: port)
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try socket.send(Array(head.utf8) + body)
        let (status, responseHeaders) = try socket.readHead()
        var rest = try socket.readToEnd(timeout: 30)
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
