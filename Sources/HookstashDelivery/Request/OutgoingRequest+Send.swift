import HookstashCore

extension OutgoingRequest {
    /// A new request carrying `body` to `target` (`hookstash send`): `Host`, `User-Agent`, `Content-Type` (given,
    /// or `application/json` when the body looks like JSON, else `application/octet-stream`), `Content-Length`,
    /// then the extra headers. Sign it with `Resigner.sign`.
    public static func sending(
        _ body: [UInt8], to target: DeliveryTarget, method: String = "POST", contentType: String? = nil,
        extraHeaders: [(name: String, value: String?)] = []
    ) -> OutgoingRequest {
        let type = contentType ?? (Self.looksLikeJSON(body) ? "application/json" : "application/octet-stream")
        var request = OutgoingRequest(
            method: method, target: target, requestTarget: target.requestTarget,
            headers: HeaderList([
                ("Host", target.authority), ("User-Agent", "hookstash"), ("Content-Type", type),
                ("Content-Length", String(body.count)),
            ]), body: body, sendsBody: true)
        for header in extraHeaders {
            request.setHeader(header.name, header.value, because: .replayCommand)
        }
        return request
    }

    static func looksLikeJSON(_ body: [UInt8]) -> Bool {
        let first = body.first { ![0x20, 0x09, 0x0a, 0x0d].contains($0) }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
    }
}
