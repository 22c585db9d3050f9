import HookstashCore
import NIOHTTP1

extension CaptureResponse {
    static func error(_ status: Int, _ message: String) -> CaptureResponse {
        CaptureResponse(
            status: status, headers: HeaderList([("Content-Type", "text/plain; charset=utf-8")]),
            body: Array((message + "\n").utf8))
    }

    /// The response bytes. `Content-Length` is always ours; `Connection: close` is added when closing.
    func serialized(closing: Bool, keepAliveHTTP10: Bool) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(HTTPResponseStatus(statusCode: status).reasonPhrase)\r\n"
        for field in headers
        where !field.name.equalsIgnoringASCIICase("Content-Length")
            && !field.name.equalsIgnoringASCIICase("Connection")
            && !field.name.equalsIgnoringASCIICase("Transfer-Encoding")
        {
            text += "\(field.name): \(field.value)\r\n"
        }
        text += "Content-Length: \(body.count)\r\n"
        if closing {
            text += "Connection: close\r\n"
        } else if keepAliveHTTP10 {
            text += "Connection: keep-alive\r\n"
        }
        text += "\r\n"
        return Array(text.utf8) + body
    }
}
