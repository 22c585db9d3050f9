import HookstashCore

extension CaptureResponse {
    /// The answer to Front's challenge handshake: `200 {"challenge":"<value>"}`.
    public static func frontChallenge(_ value: String) -> CaptureResponse {
        var body = Array(#"{"challenge":""#.utf8)
        body += JSONText.escaped(value).utf8
        body += Array(#""}"#.utf8)
        return CaptureResponse(status: 200, headers: HeaderList([("Content-Type", "application/json")]), body: body)
    }

    static func error(_ status: Int, _ message: String) -> CaptureResponse {
        CaptureResponse(
            status: status, headers: HeaderList([("Content-Type", "text/plain; charset=utf-8")]),
            body: Array((message + "\n").utf8))
    }

    /// The response bytes. `Content-Length` is always ours; `Connection: close` is added when closing.
    func serialized(closing: Bool, keepAliveHTTP10: Bool) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
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

    static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 408: "Request Timeout"
        case 410: "Gone"
        case 413: "Content Too Large"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Status \(status)"
        }
    }
}
