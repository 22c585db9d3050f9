import HookstashCore

/// Produces the header lines a sender of each scheme adds: for `hookstash sign`, `send`, and re-signing replays.
public enum SignatureSigner {
    /// The header fields to add (replacing any of `scheme.headerNames` already present).
    ///
    /// - Parameters:
    ///   - timestamp: the signing time; written in seconds, or milliseconds for `front-app`.
    ///   - method: matters for `front-app` (GET and DELETE sign `undefined`) and `twilio` (GET has no form body).
    ///   - url: the full URL the request is sent to; required for `twilio` and `square`. For Twilio with a JSON body
    ///     send to `deliveryURL(…)`, which carries the `bodySHA256` parameter the signature covers.
    ///   - contentType: tells Twilio form bodies from JSON; guessed from the body when nil.
    ///   - messageID: `webhook-id` for `standard-webhooks`; derived from the body and time when nil.
    public static func headers(
        scheme: SignatureScheme, secret: String, body: [UInt8], timestamp: Timestamp, method: String = "POST",
        url: String? = nil, contentType: String? = nil, messageID: String? = nil
    ) throws -> HeaderList {
        let definition = scheme.definition
        guard let key = definition.key(secret: secret) else {
            throw HookstashError.invalidInput(
                "The \(scheme) secret cannot be used as a key: it is not base64 after 'whsec_'.")
        }
        if scheme.signsURL, url == nil {
            throw HookstashError.invalidInput(
                "\(definition.provider) signs the request URL: give the URL the request is sent to.")
        }
        if let url, scheme.signsURL, SignedURL(url) == nil {
            throw HookstashError.invalidInput("'\(url)' is not an absolute http or https URL.")
        }
        let seconds = timestamp.microsecondsSinceEpoch / 1_000_000
        let parts = SignedParts(
            method: method, body: body,
            timestamp: definition.timestampUnit.text(timestamp),
            url: url.map { deliveryURL(scheme: scheme, url: $0, body: body, method: method, contentType: contentType) },
            messageID: messageID ?? defaultMessageID(body: body, seconds: seconds), contentType: contentType)
        if definition.bodySignature != nil {
            throw HookstashError.invalidInput(
                "\(definition.provider) signs inside the JSON body, not in headers: hookstash cannot add its signature."
            )
        }
        if definition.comparesToken { return definition.headers(signature: secret, parts: parts) }
        if let algorithm = definition.publicKey {
            guard let signature = algorithm.sign(privateKey: secret, message: definition.message(parts)) else {
                throw HookstashError.invalidInput(
                    "\(definition.provider) signs with a private key: give an \(algorithm.name) private key "
                        + (algorithm == .ed25519 ? "(the 32-byte seed in hex)." : "(PKCS#8 DER in base64, or PEM)."))
            }
            return definition.headers(signature: definition.written(signature), parts: parts)
        }
        let mac = try HMAC.code(definition.algorithm, key: key, message: definition.message(parts))
        var headers = definition.headers(signature: definition.written(mac), parts: parts)
        if let legacy = definition.legacy, definition.signerAddsLegacy {
            // The sender adds the legacy header beside the current one (GitHub's SHA-1).
            let mac = try HMAC.code(legacy.algorithm, key: key, message: definition.message(parts))
            headers.append(name: legacy.header, value: legacy.prefix + definition.encoding.encode(mac))
        }
        return headers
    }

    /// The URL to deliver to. The same as `url` except for Twilio with a body that is not form parameters, where
    /// Twilio adds `bodySHA256=<hex SHA-256 of the body>` to the query and signs the URL alone.
    public static func deliveryURL(
        scheme: SignatureScheme, url: String, body: [UInt8], method: String = "POST", contentType: String? = nil
    ) -> String {
        let definition = scheme.definition
        guard let parameter = definition.bodyHashQueryParameter,
            FormParameters.value(of: parameter, inQueryOf: url) == nil
        else { return url }
        let parts = SignedParts(method: method, body: body, url: url, contentType: contentType)
        guard !definition.signsFormParameters(parts), method.uppercased() != "GET" else { return url }
        let hash = DigestHasher.digest(.sha256, body).hexString
        return url + (url.contains("?") ? "&" : "?") + parameter + "=" + hash
    }

    private static func defaultMessageID(body: [UInt8], seconds: Int64) -> String {
        "msg_" + DigestHasher.digest(.sha256, Array(String(seconds).utf8) + body).hexString.prefix(24)
    }
}
