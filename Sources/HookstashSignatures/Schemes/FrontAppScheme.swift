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
    var tolerance: SignatureFinding.Tolerance? {
        SignatureFinding.Tolerance(seconds: 300, enforcedBy: "Front", plural: false)
    }
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
            var warning = SignatureFinding.timestampAbsent(header: "X-Front-Request-Timestamp")
            warning.provider = "Front application"
            reading.warnings.append(warning)
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

    func signedMessage(_ parts: SignedParts) -> [SignatureFinding.MessagePart] {
        [
            SignatureFinding.MessagePart(
                .headerValue, header: "X-Front-Request-Timestamp", value: parts.timestamp ?? ""),
            .literal(":"),
            Self.signsUndefined(method: parts.method)
                ? SignatureFinding.MessagePart(.undefinedBody, method: parts.method)
                : .rawBody(size: parts.body.count),
        ]
    }

    /// Front rule webhooks hash with SHA-1.
    func suggestedScheme(for algorithm: DigestAlgorithm) -> SignatureScheme? { algorithm == .sha1 ? .front : nil }

    /// The sender applied the other side of Front's rule: signed the body of a GET or DELETE, or `undefined` for a
    /// request with a body.
    func methodVariant(_ parts: SignedParts) -> (parts: SignedParts, code: SignatureFinding.Code)? {
        var varied = parts
        if Self.signsUndefined(method: parts.method) {
            varied.method = "POST"
            return (varied, .bodySignedInsteadOfUndefined)
        }
        varied.method = "GET"
        return (varied, .undefinedSignedInsteadOfBody)
    }

    func headers(signature: String, parts: SignedParts) -> HeaderList {
        HeaderList([("X-Front-Request-Timestamp", parts.timestamp ?? ""), ("X-Front-Signature", signature)])
    }
}
