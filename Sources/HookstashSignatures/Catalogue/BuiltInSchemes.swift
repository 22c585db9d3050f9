import HookstashCore

/// The built-in schemes, as definitions.
extension SchemeDefinition {
    /// Front rule webhooks (and the legacy API webhooks): `X-Front-Signature` = base64(HMAC-SHA1(API secret, raw
    /// body)). Front proves an endpoint with `X-Front-Challenge`, answered `200 {"challenge":"<value>"}`.
    static let front = SchemeDefinition(
        name: "front", provider: "Front", algorithm: .sha1, encoding: .base64, format: .plain(prefix: ""),
        headers: [SchemeHeaders(signature: "X-Front-Signature")], signed: [.body], siblings: [.sha256: "front-app"],
        handshake: .echoHeaderAsJSON(header: "X-Front-Challenge", field: "challenge"))

    /// Front application webhooks and connectors: `X-Front-Signature` =
    /// base64(HMAC-SHA256(app secret, `X-Front-Request-Timestamp` + ":" + raw body)), the timestamp in milliseconds;
    /// GET and DELETE requests are signed over the string `undefined` in place of the body.
    static let frontApp = SchemeDefinition(
        name: "front-app", provider: "Front", algorithm: .sha256, encoding: .base64, format: .plain(prefix: ""),
        headers: [
            SchemeHeaders(signature: "X-Front-Signature", timestamp: .header("X-Front-Request-Timestamp"))
        ],
        signed: [.timestamp, .literal(":"), .body], timestampUnit: .milliseconds,
        tolerance: SignatureFinding.Tolerance(seconds: 300, enforcedBy: "Front", plural: false),
        detectionAlsoNeeds: ["X-Front-Request-Timestamp"], undefinedBodyMethods: ["GET", "DELETE"],
        siblings: [.sha1: "front"], timestampProvider: "Front application")

    /// GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`; the legacy `X-Hub-Signature:
    /// sha1=<hex>` is checked when it is the only one present, and sent beside the SHA-256 one.
    static let github = SchemeDefinition(
        name: "github", provider: "GitHub", algorithm: .sha256, encoding: .hex, format: .plain(prefix: "sha256="),
        headers: [SchemeHeaders(signature: "X-Hub-Signature-256")], signed: [.body],
        legacy: LegacySignature(header: "X-Hub-Signature", prefix: "sha1=", algorithm: .sha1), signerAddsLegacy: true)

    /// Stripe: `Stripe-Signature: t=<seconds>,v1=<hex HMAC-SHA256 of "t.body">[,v1=…]`, keyed with the whole
    /// `whsec_…` string as UTF-8.
    static let stripe = SchemeDefinition(
        name: "stripe", provider: "Stripe", algorithm: .sha256, encoding: .hex,
        format: .keyValue(separator: ",", key: "v1"),
        headers: [SchemeHeaders(signature: "Stripe-Signature", timestamp: .field("t"))],
        signed: [.timestamp, .literal("."), .body],
        tolerance: SignatureFinding.Tolerance(seconds: 300, enforcedBy: "Stripe's libraries", plural: true),
        key: .textWithPrefix("whsec_"))

    /// Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:timestamp:body">` with `X-Slack-Request-Timestamp`.
    static let slack = SchemeDefinition(
        name: "slack", provider: "Slack", algorithm: .sha256, encoding: .hex, format: .plain(prefix: "v0="),
        headers: [SchemeHeaders(signature: "X-Slack-Signature", timestamp: .header("X-Slack-Request-Timestamp"))],
        signed: [.literal("v0:"), .timestamp, .literal(":"), .body],
        tolerance: SignatureFinding.Tolerance(seconds: 300, enforcedBy: "Slack's SDKs", plural: true))

    /// Shopify: `X-Shopify-Hmac-Sha256` = base64(HMAC-SHA256(app secret, raw body)).
    static let shopify = SchemeDefinition(
        name: "shopify", provider: "Shopify", algorithm: .sha256, encoding: .base64, format: .plain(prefix: ""),
        headers: [SchemeHeaders(signature: "X-Shopify-Hmac-Sha256")], signed: [.body])

    /// Standard Webhooks (and Svix): `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` (several,
    /// space-separated), keyed with the base64-decoded part of the secret after `whsec_`. Svix sends the same headers
    /// named `svix-id`, `svix-timestamp`, `svix-signature`.
    static let standardWebhooks = SchemeDefinition(
        name: "standard-webhooks", provider: "Standard Webhooks", algorithm: .sha256, encoding: .base64,
        format: .list(separator: " ", prefix: "v1,"),
        headers: ["webhook", "svix"].map { family in
            SchemeHeaders(
                signature: "\(family)-signature", timestamp: .header("\(family)-timestamp"), id: "\(family)-id")
        },
        signed: [.id, .literal("."), .timestamp, .literal("."), .body],
        tolerance: SignatureFinding.Tolerance(seconds: 300, enforcedBy: "Standard Webhooks libraries", plural: true),
        key: .base64AfterPrefix("whsec_"))

    /// Twilio: `X-Twilio-Signature` = base64(HMAC-SHA1(auth token, full URL + each POST parameter's name and value,
    /// sorted by name)). For JSON bodies Twilio puts `bodySHA256=<hex>` in the URL query and signs the URL alone.
    static let twilio = SchemeDefinition(
        name: "twilio", provider: "Twilio", algorithm: .sha1, encoding: .base64, format: .plain(prefix: ""),
        headers: [SchemeHeaders(signature: "X-Twilio-Signature")], signed: [.url, .sortedFormParameters],
        bodyHashQueryParameter: "bodySHA256", acceptsURLWithOrWithoutPort: true)

    /// Paddle Billing: `Paddle-Signature: ts=<seconds>;h1=<hex HMAC-SHA256 of "ts:body">[;h1=…]`, keyed with the
    /// whole secret string.
    static let paddle = SchemeDefinition(
        name: "paddle", provider: "Paddle", algorithm: .sha256, encoding: .hex,
        format: .keyValue(separator: ";", key: "h1"),
        headers: [SchemeHeaders(signature: "Paddle-Signature", timestamp: .field("ts"))],
        signed: [.timestamp, .literal(":"), .body],
        tolerance: SignatureFinding.Tolerance(seconds: 5, enforcedBy: "Paddle's SDKs", plural: true))

    /// Square: `x-square-hmacsha256-signature` = base64(HMAC-SHA256(signature key, notification URL + raw body)).
    static let square = SchemeDefinition(
        name: "square", provider: "Square", algorithm: .sha256, encoding: .base64, format: .plain(prefix: ""),
        headers: [SchemeHeaders(signature: "x-square-hmacsha256-signature")], signed: [.url, .body])
}
