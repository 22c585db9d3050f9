import HookstashCore

/// The answers to the requests providers send to prove an endpoint before they send webhooks.
extension SignatureScheme {
    /// The answer to a handshake recognised by its headers alone (Front's `X-Front-Challenge`, Asana's
    /// `X-Hook-Secret`, Okta's `X-Okta-Verification-Challenge`), whichever scheme the path checks: a sender proving
    /// the endpoint before it sends any webhook has no signature yet. nil for any other request.
    public static func handshakeResponse(to headers: HeaderList) -> CaptureResponse? {
        handshakeResponse(
            to: SignatureRequest(method: "POST", target: "/", headers: headers, body: [], receivedAt: .now()),
            policy: SignaturePolicy())
    }

    /// The answer to a provider's handshake, given the policy of the path it arrived on; nil when the request is
    /// not one (the configured answer then applies).
    ///
    /// Front's, Asana's and Okta's handshakes carry a header of their own and are answered on any path; Dropbox's
    /// `challenge`, Meta's `hub.challenge` and Zoom's `endpoint.url_validation` only on a path whose scheme names
    /// the provider (a `challenge` query parameter is too common to echo everywhere). Zoom's and Discord's handshakes
    /// are JSON bodies: a body the caller did not keep in memory (empty here) is not one.
    public static func handshakeResponse(to request: SignatureRequest, policy: SignaturePolicy) -> CaptureResponse? {
        var named: SchemeDefinition?
        if case .scheme(let scheme) = policy.scheme { named = scheme.definition }
        if let named, let answer = named.handshakeResponse(to: request, policy: policy) { return answer }
        for definition in unambiguousHandshakes {
            if let answer = definition.handshakeResponse(to: request, policy: policy) { return answer }
        }
        return nil
    }

    /// The definitions whose handshake is recognised by its headers alone, found once: every captured request is
    /// asked about them.
    static let unambiguousHandshakes = allCases.map(\.definition).filter { $0.handshake?.isUnambiguous == true }
}

extension SchemeDefinition {
    /// The longest challenge echoed back: more is not a handshake.
    static let maximumChallenge = 1024

    func handshakeResponse(to request: SignatureRequest, policy: SignaturePolicy) -> CaptureResponse? {
        switch handshake {
        case .echoHeaderAsJSON(let header, let field):
            guard let value = request.headers.first(header), value.utf8.count <= Self.maximumChallenge else {
                return nil
            }
            return Self.json([(field, value)])
        case .echoHeader(let header):
            guard let value = request.headers.first(header), value.utf8.count <= Self.maximumChallenge else {
                return nil
            }
            return CaptureResponse(status: 200, headers: HeaderList([(header, value)]))
        case .queryChallenge(let parameter):
            guard request.method == "GET", let challenge = Self.queryValue(parameter, in: request.target) else {
                return nil
            }
            return Self.plain(challenge)
        case .verifyTokenChallenge:
            guard request.method == "GET", Self.queryValue("hub.mode", in: request.target) == "subscribe",
                let challenge = Self.queryValue("hub.challenge", in: request.target),
                let token = Self.queryValue("hub.verify_token", in: request.target, safeOnly: false),
                let configured = policy.verifyToken
            else { return nil }
            guard constantTimeEquals(Array(token.utf8), Array(configured.utf8)) else {
                return CaptureResponse(
                    status: 403, headers: HeaderList([("Content-Type", "text/plain")]),
                    body: Array("hub.verify_token is not the configured verify token\n".utf8))
            }
            return Self.plain(challenge)
        case .zoomURLValidation:
            guard request.method == "POST", request.body.count <= 64 * 1024,
                case .object(let members)? = JSONReserialization.parse(request.body),
                members.contains(where: { $0.0 == "event" && $0.1.text == "endpoint.url_validation" }),
                case .object(let payload)? = members.first(where: { $0.0 == "payload" })?.1,
                let plainToken = payload.first(where: { $0.0 == "plainToken" })?.1.text,
                plainToken.utf8.count <= Self.maximumChallenge
            else { return nil }
            // Answered only for a request Zoom signed with the configured secret.
            var zoom = policy
            zoom.scheme = .scheme(.zoom)
            let verdict = SignatureVerifier.verify(request, policy: zoom)
            guard verdict.status == .valid, let index = verdict.matchedSecret,
                let mac = try? HMAC.code(
                    .sha256, key: Array(policy.secrets[index - 1].utf8), message: Array(plainToken.utf8))
            else { return nil }
            return Self.json([("plainToken", plainToken), ("encryptedToken", mac.hexString)])
        case .discordPing:
            guard request.method == "POST", request.body.count <= 64 * 1024,
                case .object(let members)? = JSONReserialization.parse(request.body),
                members.contains(where: { $0.0 == "type" && $0.1.literalText == "1" })
            else { return nil }
            var discord = policy
            discord.scheme = .scheme(.discord)
            guard SignatureVerifier.verify(request, policy: discord).status == .valid else {
                return CaptureResponse(
                    status: 401, headers: HeaderList([("Content-Type", "text/plain")]),
                    body: Array("invalid request signature\n".utf8))
            }
            return CaptureResponse(
                status: 200, headers: HeaderList([("Content-Type", "application/json")]),
                body: Array(#"{"type":1}"#.utf8))
        case nil:
            return nil
        }
    }

    /// `200` with a JSON object of string members.
    static func json(_ members: [(String, String)]) -> CaptureResponse {
        var body = Array("{".utf8)
        for (index, (name, value)) in members.enumerated() {
            if index > 0 { body += Array(",".utf8) }
            body += Array("\"\(JSONText.escaped(name))\":\"\(JSONText.escaped(value))\"".utf8)
        }
        body += Array("}".utf8)
        return CaptureResponse(status: 200, headers: HeaderList([("Content-Type", "application/json")]), body: body)
    }

    /// `200` with `text` as a plain-text body that no browser sniffs as anything else.
    static func plain(_ text: String) -> CaptureResponse {
        CaptureResponse(
            status: 200,
            headers: HeaderList([("Content-Type", "text/plain"), ("X-Content-Type-Options", "nosniff")]),
            body: Array(text.utf8))
    }

    /// The percent-decoded value of query parameter `name` in `target`; with `safeOnly`, nil unless it is short and
    /// made of letters, digits and `-._~` only (a challenge echoed back is never markup).
    static func queryValue(_ name: String, in target: String, safeOnly: Bool = true) -> String? {
        guard let raw = FormParameters.value(of: name, inQueryOf: target) else { return nil }
        let decoded = FormParameters.percentDecoded(ArraySlice(raw.utf8))
        guard decoded.count <= maximumChallenge else { return nil }
        if safeOnly {
            let safe = decoded.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                    || byte == 0x2d || byte == 0x2e || byte == 0x5f || byte == 0x7e
            }
            guard safe, !decoded.isEmpty else { return nil }
        }
        return String(decoding: decoded, as: UTF8.self)
    }
}

extension JSONReserialization.Node {
    /// The string, when the node is one.
    var text: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// A number, `true`, `false` or `null` as written, when the node is one.
    var literalText: String? {
        if case .literal(let value) = self { return value }
        return nil
    }
}
