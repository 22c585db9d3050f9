import Foundation
import HookstashCore
import HookstashStore

/// Captures as the capture listener would store them, and temporary stores to put them in.
public enum TestCaptures {
    public static func make(
        method: String = "POST", target: String = "/webhooks/front?x=1", headers: [(String, String)],
        body: [UInt8], chunked: Bool = false, receivedAt: Timestamp = .now()
    ) -> Capture {
        var head = "\(method) \(target) HTTP/1.1\r\n"
        for (name, value) in headers { head += value.isEmpty ? "\(name):\r\n" : "\(name): \(value)\r\n" }
        head += "\r\n"
        var rawBody: BodyBytes?
        if chunked {
            let hex = String(body.count, radix: 16)
            rawBody = .inline(Array("\(hex)\r\n".utf8) + body + Array("\r\n0\r\n\r\n".utf8))
        }
        return Capture(
            receivedAt: receivedAt, remoteAddress: "127.0.0.1:50000", method: method, target: RequestTarget(target),
            httpVersion: "HTTP/1.1", headers: HeaderList(headers), body: .inline(body),
            bodySHA256: DigestHasher.digest(.sha256, body).map { String(format: "%02x", $0) }.joined(),
            rawHead: Array(head.utf8), rawBody: rawBody, responseStatus: 200)
    }

    /// A store in a fresh temporary directory.
    public static func temporaryStore() throws -> CaptureStore {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("hookstash-delivery-tests-\(UUID().uuidString)")
        return try CaptureStore(path: directory.appendingPathComponent("store.sqlite").path)
    }

    /// Header lines of a captured head, without the request line.
    public static func headerLines(of capture: Capture) -> [String] {
        Array(
            String(decoding: capture.rawHead, as: UTF8.self).components(separatedBy: "\r\n").dropFirst()
                .filter { !$0.isEmpty })
    }
}
