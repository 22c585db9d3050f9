import HookstashCore

/// Front application webhooks and connectors: `X-Front-Signature` =
/// base64(HMAC-SHA256(app secret, `X-Front-Request-Timestamp` + ":" + raw body)), the timestamp in milliseconds;
/// GET and DELETE requests are signed over the string `undefined` in place of the body.
struct FrontAppScheme: SchemeDefinition {
    var scheme: SignatureScheme { .frontApp }
    var provider: String { "Front" }
    var algorithm: DigestAlgorithm { .sha256 }
    var encoding: SignatureEncoding { .base64 }
    var headerNames: [String] { ["X-Front-Request-Timestamp", "X-Front-Signature"] }
    var tolerance: (seconds: Double, words: String)? { (300, "Front rejects beyond 5 minutes") }
    var timestampInMilliseconds: Bool { true }

    func isPresent(in headers: HeaderList) -> Bool {
        headers.contains("X-Front-Signature") && headers.contains("X-Front-Request-Timestamp")
    }

    func read(_ headers: HeaderList) -> SignatureReading? {
        guard let value = headers.first("X-Front-Signature") else { return nil }
        var reading = SignatureReading(
            header: "X-Front-Signature", received: value, signatures: [value.trimmingSpaces()],
            timestamp: headers.first("X-Front-Request-Timestamp")?.trimmingSpaces(),
            timestampHeader: "X-Front-Request-Timestamp")
        if reading.timestamp == nil {
            reading.warnings.append(
                "X-Front-Request-Timestamp is absent; Front application webhooks sign it together with the body")
        }
        return reading
    }

    /// Front signs the string `undefined` for requests that carry no body by method.
    static func signsUndefined(method: String) -> Bool {
        let upper = method.uppercased()
        return upper == "GET" || upper == "DELETE"
    }

    func message(_ parts: SignedParts) -> [UInt8] {
        let body = Self.signsUndefined(method: parts.method) ? "undefined".bytes : parts.body
        return (parts.timestamp ?? "").bytes + ":".bytes + body
    }

    func messageDescription(_ parts: SignedParts) -> String {
        let body =
            Self.signsUndefined(method: parts.method)
            ? "the string 'undefined' (Front signs that for \(parts.method.uppercased()) requests)"
            : "the raw body (\(parts.body.count) bytes)"
        return "the X-Front-Request-Timestamp value '\(parts.timestamp ?? "")', ':' and \(body)"
    }

    func headers(signature: String, parts: SignedParts) -> HeaderList {
        HeaderList([("X-Front-Request-Timestamp", parts.timestamp ?? ""), ("X-Front-Signature", signature)])
    }
}
