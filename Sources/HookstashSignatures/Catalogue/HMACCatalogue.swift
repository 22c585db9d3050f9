import HookstashCore

/// The HMAC providers beyond the first ten, each as its documentation describes it. The vectors that check them are
/// in `Tests/HookstashSignaturesTests/Fixtures/catalogue-vectors.json`, with the page each recipe comes from.
extension SchemeDefinition {
    /// A scheme whose signature header holds the MAC of the raw body, nothing else.
    private static func bodyOnly(
        _ name: String, _ provider: String, header: String, _ algorithm: DigestAlgorithm, _ encoding: SignatureEncoding,
        prefix: String = "", detectionAlsoNeeds: [String] = [], autoDetected: Bool = true
    ) -> SchemeDefinition {
        SchemeDefinition(
            name: name, provider: provider, algorithm: algorithm, encoding: encoding, format: .plain(prefix: prefix),
            headers: [SchemeHeaders(signature: header)], signed: [.body], detectionAlsoNeeds: detectionAlsoNeeds,
            autoDetected: autoDetected)
    }

    /// Twitch EventSub: `Twitch-Eventsub-Message-Signature: sha256=<hex HMAC-SHA256 of id + timestamp + body>`, the
    /// timestamp RFC 3339; Twitch asks receivers to reject messages older than 10 minutes.
    static let twitch = SchemeDefinition(
        name: "twitch", provider: "Twitch", algorithm: .sha256, encoding: .hex, format: .plain(prefix: "sha256="),
        headers: [
            SchemeHeaders(
                signature: "Twitch-Eventsub-Message-Signature",
                timestamp: .header("Twitch-Eventsub-Message-Timestamp"), id: "Twitch-Eventsub-Message-Id")
        ],
        signed: [.id, .timestamp, .body], timestampUnit: .rfc3339,
        tolerance: SignatureFinding.Tolerance(
            seconds: 600, enforcedBy: "receivers following Twitch's docs", plural: true))

    /// Zoom: `x-zm-signature: v0=<hex HMAC-SHA256 of "v0:" + x-zm-request-timestamp + ":" + body>` (secret token).
    static let zoom = SchemeDefinition(
        name: "zoom", provider: "Zoom", algorithm: .sha256, encoding: .hex, format: .plain(prefix: "v0="),
        headers: [SchemeHeaders(signature: "x-zm-signature", timestamp: .header("x-zm-request-timestamp"))],
        signed: [.literal("v0:"), .timestamp, .literal(":"), .body], handshake: .zoomURLValidation)

    static let linear = bodyOnly("linear", "Linear", header: "Linear-Signature", .sha256, .hex)

    /// Intercom signs as GitHub's legacy header does (`X-Hub-Signature: sha1=<hex>`), so `auto` reads it as GitHub's.
    static let intercom = bodyOnly(
        "intercom", "Intercom", header: "X-Hub-Signature", .sha1, .hex, prefix: "sha1=", autoDetected: false)

    /// HubSpot v3: `X-HubSpot-Signature-v3` = base64(HMAC-SHA256(client secret, method + URL + body + timestamp)),
    /// `X-HubSpot-Request-Timestamp` in milliseconds, rejected beyond 5 minutes.
    static let hubspot = SchemeDefinition(
        name: "hubspot", provider: "HubSpot", algorithm: .sha256, encoding: .base64, format: .plain(prefix: ""),
        headers: [
            SchemeHeaders(signature: "X-HubSpot-Signature-v3", timestamp: .header("X-HubSpot-Request-Timestamp"))
        ],
        signed: [.method, .url, .body, .timestamp], timestampUnit: .milliseconds,
        tolerance: SignatureFinding.Tolerance(
            seconds: 300, enforcedBy: "receivers following HubSpot's docs", plural: true))

    static let typeform = bodyOnly(
        "typeform", "Typeform", header: "Typeform-Signature", .sha256, .base64, prefix: "sha256=")
    static let woocommerce = bodyOnly(
        "woocommerce", "WooCommerce", header: "X-WC-Webhook-Signature", .sha256, .base64)
    /// Asana proves the endpoint with `X-Hook-Secret`, echoed in the answer; that secret then keys the HMAC.
    static let asana = bodyOnly("asana", "Asana", header: "X-Hook-Signature", .sha256, .hex)
        .with(handshake: .echoHeader("X-Hook-Secret"))
    static let sentry = bodyOnly("sentry", "Sentry", header: "Sentry-Hook-Signature", .sha256, .hex)
    static let vercel = bodyOnly("vercel", "Vercel", header: "x-vercel-signature", .sha1, .hex)
    /// Lemon Squeezy's `X-Signature` is a generic name: `auto` picks it only beside `X-Event-Name`.
    static let lemonsqueezy = bodyOnly(
        "lemonsqueezy", "Lemon Squeezy", header: "X-Signature", .sha256, .hex, detectionAlsoNeeds: ["X-Event-Name"])
    /// Bitbucket Cloud writes `X-Hub-Signature: sha256=<hex>`, GitHub's legacy header name: `auto` picks it beside
    /// Bitbucket's `X-Event-Key`.
    static let bitbucket = bodyOnly(
        "bitbucket", "Bitbucket", header: "X-Hub-Signature", .sha256, .hex, prefix: "sha256=",
        detectionAlsoNeeds: ["X-Event-Key"])
    /// Meta (WhatsApp, Messenger, Instagram) signs as GitHub does, so `auto` reads it as GitHub's.
    static let meta = bodyOnly(
        "meta", "Meta", header: "X-Hub-Signature-256", .sha256, .hex, prefix: "sha256=", autoDetected: false
    ).with(handshake: .verifyTokenChallenge)

    /// Trello: `X-Trello-Webhook` = base64(HMAC-SHA1(application secret, body + callback URL)).
    static let trello = SchemeDefinition(
        name: "trello", provider: "Trello", algorithm: .sha1, encoding: .base64, format: .plain(prefix: ""),
        headers: [SchemeHeaders(signature: "X-Trello-Webhook")], signed: [.body, .url])

    /// Dropbox proves the endpoint with a GET `?challenge=…`, echoed as the body.
    static let dropbox = bodyOnly("dropbox", "Dropbox", header: "X-Dropbox-Signature", .sha256, .hex)
        .with(handshake: .queryChallenge(parameter: "challenge"))

    /// Calendly: `Calendly-Webhook-Signature: t=<seconds>,v1=<hex HMAC-SHA256 of "t.body">`, 3 minutes' tolerance.
    static let calendly = timestamped(
        "calendly", "Calendly", header: "Calendly-Webhook-Signature",
        SignatureFinding.Tolerance(seconds: 180, enforcedBy: "receivers following Calendly's docs", plural: true))

    /// Mux: `Mux-Signature: t=<seconds>,v1=<hex HMAC-SHA256 of "t.body">`.
    static let mux = timestamped(
        "mux", "Mux", header: "Mux-Signature",
        SignatureFinding.Tolerance(seconds: 300, enforcedBy: "Mux's SDKs", plural: true))

    /// Persona: `Persona-Signature: t=<seconds>,v1=<hex HMAC-SHA256 of "t.body">`.
    static let persona = timestamped(
        "persona", "Persona", header: "Persona-Signature",
        SignatureFinding.Tolerance(seconds: 300, enforcedBy: "receivers following Persona's docs", plural: true))

    private static func timestamped(
        _ name: String, _ provider: String, header: String, _ tolerance: SignatureFinding.Tolerance
    ) -> SchemeDefinition {
        SchemeDefinition(
            name: name, provider: provider, algorithm: .sha256, encoding: .hex,
            format: .keyValue(separator: ",", key: "v1"),
            headers: [SchemeHeaders(signature: header, timestamp: .field("t"))],
            signed: [.timestamp, .literal("."), .body], tolerance: tolerance)
    }

    /// PagerDuty v3: `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>]` (several during a rotation), HMAC-SHA256 of the
    /// body.
    static let pagerduty = SchemeDefinition(
        name: "pagerduty", provider: "PagerDuty", algorithm: .sha256, encoding: .hex,
        format: .list(separator: ",", prefix: "v1="), headers: [SchemeHeaders(signature: "X-PagerDuty-Signature")],
        signed: [.body])

    /// CircleCI: `circleci-signature: v1=<hex HMAC-SHA256 of the body>` among other versions' `key=value` items.
    static let circleci = SchemeDefinition(
        name: "circleci", provider: "CircleCI", algorithm: .sha256, encoding: .hex,
        format: .keyValue(separator: ",", key: "v1"), headers: [SchemeHeaders(signature: "circleci-signature")],
        signed: [.body])

    /// Webflow: `x-webflow-signature` = hex HMAC-SHA256(client secret, timestamp + ":" + body), `x-webflow-timestamp`
    /// in milliseconds, rejected beyond 5 minutes.
    static let webflow = SchemeDefinition(
        name: "webflow", provider: "Webflow", algorithm: .sha256, encoding: .hex, format: .plain(prefix: ""),
        headers: [SchemeHeaders(signature: "x-webflow-signature", timestamp: .header("x-webflow-timestamp"))],
        signed: [.timestamp, .literal(":"), .body], timestampUnit: .milliseconds,
        tolerance: SignatureFinding.Tolerance(
            seconds: 300, enforcedBy: "receivers following Webflow's docs", plural: true))

    static let razorpay = bodyOnly("razorpay", "Razorpay", header: "X-Razorpay-Signature", .sha256, .hex)
    static let paystack = bodyOnly("paystack", "Paystack", header: "x-paystack-signature", .sha512, .hex)
    static let calcom = bodyOnly("cal-com", "Cal.com", header: "X-Cal-Signature-256", .sha256, .hex)
    static let coinbaseCommerce = bodyOnly(
        "coinbase-commerce", "Coinbase Commerce", header: "X-CC-Webhook-Signature", .sha256, .hex)
    static let notion = bodyOnly(
        "notion", "Notion", header: "X-Notion-Signature", .sha256, .hex, prefix: "sha256=")
    static let docusign = bodyOnly("docusign", "DocuSign", header: "X-DocuSign-Signature-1", .sha256, .base64)

    /// Zendesk: `X-Zendesk-Webhook-Signature` = base64(HMAC-SHA256(signing secret, timestamp + body)), the timestamp
    /// (`X-Zendesk-Webhook-Signature-Timestamp`) RFC 3339.
    static let zendesk = SchemeDefinition(
        name: "zendesk", provider: "Zendesk", algorithm: .sha256, encoding: .base64, format: .plain(prefix: ""),
        headers: [
            SchemeHeaders(
                signature: "X-Zendesk-Webhook-Signature", timestamp: .header("X-Zendesk-Webhook-Signature-Timestamp"))
        ],
        signed: [.timestamp, .body], timestampUnit: .rfc3339)

    /// GitLab: `X-Gitlab-Token` is the secret token itself, compared as is; it covers nothing of the body.
    static let gitlab = SchemeDefinition(
        name: "gitlab", provider: "GitLab", algorithm: .sha256, encoding: .hex, format: .plain(prefix: ""),
        headers: [SchemeHeaders(signature: "X-Gitlab-Token")], signed: [], comparesToken: true)

    /// Okta event hooks: the secret in the header the hook is configured with (`Authorization` by default),
    /// compared as is; `auto` does not read `Authorization` as Okta's. Okta proves the endpoint with a GET carrying
    /// `X-Okta-Verification-Challenge`, answered `{"verification":"<value>"}`.
    static let okta = SchemeDefinition(
        name: "okta", provider: "Okta", algorithm: .sha256, encoding: .hex, format: .plain(prefix: ""),
        headers: [SchemeHeaders(signature: "Authorization")], signed: [], comparesToken: true, autoDetected: false,
        handshake: .echoHeaderAsJSON(header: "X-Okta-Verification-Challenge", field: "verification"))

    /// Discord interactions: `X-Signature-Ed25519` = hex Ed25519 signature of `X-Signature-Timestamp` + body, checked
    /// with the application's public key (hex). The endpoint check's PING is answered only when it verifies.
    static let discord = SchemeDefinition(
        name: "discord", provider: "Discord", algorithm: .sha256, encoding: .hex, format: .plain(prefix: ""),
        headers: [SchemeHeaders(signature: "X-Signature-Ed25519", timestamp: .header("X-Signature-Timestamp"))],
        signed: [.timestamp, .body], publicKey: .ed25519, handshake: .discordPing)

    /// SendGrid's signed event webhook: `X-Twilio-Email-Event-Webhook-Signature` = base64 DER ECDSA P-256/SHA-256
    /// signature of `X-Twilio-Email-Event-Webhook-Timestamp` + body, checked with the verification key (base64 DER).
    static let sendgrid = SchemeDefinition(
        name: "sendgrid", provider: "SendGrid", algorithm: .sha256, encoding: .base64, format: .plain(prefix: ""),
        headers: [
            SchemeHeaders(
                signature: "X-Twilio-Email-Event-Webhook-Signature",
                timestamp: .header("X-Twilio-Email-Event-Webhook-Timestamp"))
        ],
        signed: [.timestamp, .body], publicKey: .ecdsaP256SHA256)

    /// Mailgun: the JSON body's `signature` object holds `timestamp`, `token` and `signature` = hex
    /// HMAC-SHA256(HTTP webhook signing key, timestamp + token); the body itself is not signed. `auto` cannot tell it
    /// from headers: name `mailgun`.
    static let mailgun = SchemeDefinition(
        name: "mailgun", provider: "Mailgun", algorithm: .sha256, encoding: .hex, format: .plain(prefix: ""),
        headers: [SchemeHeaders(signature: BodySignature.label(["signature", "signature"]))],
        signed: [.timestamp, .id],
        bodySignature: BodySignature(
            signature: ["signature", "signature"], timestamp: ["signature", "timestamp"], id: ["signature", "token"]),
        autoDetected: false)

    /// This definition with `handshake`.
    func with(handshake: Handshake) -> SchemeDefinition {
        var copy = self
        copy.handshake = handshake
        return copy
    }
}
