import HookstashCore

/// A sender's signing scheme, named as the command line and the config file name it (`front`).
public enum SignatureScheme: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case front
    case frontApp = "front-app"
    case github
    case stripe
    case slack
    case shopify
    case standardWebhooks = "standard-webhooks"
    case twilio
    case paddle
    case square
    case twitch
    case zoom
    case linear
    case intercom
    case hubspot
    case typeform
    case woocommerce
    case asana
    case sentry
    case vercel
    case lemonsqueezy
    case bitbucket
    case meta
    case trello
    case dropbox
    case calendly
    case mux
    case persona
    case pagerduty
    case circleci
    case webflow
    case razorpay
    case paystack
    case calcom = "cal-com"
    case coinbaseCommerce = "coinbase-commerce"
    case notion
    case docusign
    case zendesk
    case gitlab
    case okta
    case discord
    case sendgrid
    case mailgun

    public var description: String { rawValue }

    /// The header fields a sender of this scheme adds; a re-signing replay removes these before adding new ones.
    public var headerNames: [String] { definition.headerNames }

    /// Whether the signature covers the request URL, so verifying needs the public URL the sender used.
    public var signsURL: Bool { definition.signsURL }

    /// Whether the sender puts the secret itself in a header (GitLab, Okta) rather than a MAC of the request.
    public var comparesToken: Bool { definition.comparesToken }

    /// Whether the signature is inside the JSON body (Mailgun), so that no header can be signed for it.
    public var signsInsideBody: Bool { definition.bodySignature != nil }

    /// Whether the sender signs with a private key and the configured "secret" is its public key (Discord, SendGrid).
    public var usesPublicKey: Bool { definition.publicKey != nil }

    /// The scheme `auto` picks from the signature headers this scheme's sender adds (`hookstash sign` writes): itself,
    /// another scheme that signs the same way in the same headers (Meta and Intercom read as GitHub), or nil when
    /// `auto` also needs a header the signature does not bring (Lemon Squeezy's `X-Event-Name`).
    public var autoDetectedAs: SignatureScheme? {
        let headers = HeaderList(definition.headers[0].names.map { ($0, "x") })
        return Self.detect(in: headers)
    }

    var definition: SchemeDefinition {
        switch self {
        case .front: .front
        case .frontApp: .frontApp
        case .github: .github
        case .stripe: .stripe
        case .slack: .slack
        case .shopify: .shopify
        case .standardWebhooks: .standardWebhooks
        case .twilio: .twilio
        case .paddle: .paddle
        case .square: .square
        case .twitch: .twitch
        case .zoom: .zoom
        case .linear: .linear
        case .intercom: .intercom
        case .hubspot: .hubspot
        case .typeform: .typeform
        case .woocommerce: .woocommerce
        case .asana: .asana
        case .sentry: .sentry
        case .vercel: .vercel
        case .lemonsqueezy: .lemonsqueezy
        case .bitbucket: .bitbucket
        case .meta: .meta
        case .trello: .trello
        case .dropbox: .dropbox
        case .calendly: .calendly
        case .mux: .mux
        case .persona: .persona
        case .pagerduty: .pagerduty
        case .circleci: .circleci
        case .webflow: .webflow
        case .razorpay: .razorpay
        case .paystack: .paystack
        case .calcom: .calcom
        case .coinbaseCommerce: .coinbaseCommerce
        case .notion: .notion
        case .docusign: .docusign
        case .zendesk: .zendesk
        case .gitlab: .gitlab
        case .okta: .okta
        case .discord: .discord
        case .sendgrid: .sendgrid
        case .mailgun: .mailgun
        }
    }

    /// The scheme whose signature headers `headers` carries, most specific first; nil when none is present.
    public static func detect(in headers: HeaderList) -> SignatureScheme? {
        // Order matters: a Front application request also carries X-Front-Signature.
        // Bitbucket's X-Hub-Signature is GitHub's legacy header name: Bitbucket (with X-Event-Key) goes first.
        let order: [SignatureScheme] =
            [
                .frontApp, .front, .bitbucket, .github, .stripe, .slack, .shopify, .standardWebhooks, .twilio, .paddle,
                .square,
            ]
        return (order + allCases.filter { !order.contains($0) }).first { $0.definition.isPresent(in: headers) }
    }
}

/// Which scheme a policy checks: one by name, whichever the headers show (`auto`), or none.
public enum SignatureSchemeSelection: Sendable, Hashable, CustomStringConvertible {
    case auto
    case none
    case scheme(SignatureScheme)
    /// A scheme the configuration defines (`[[scheme]]`).
    case custom(CustomSignatureScheme)

    /// Parses `auto`, `none` or a scheme name (case-insensitive); nil for anything else.
    public init?(name: String) {
        let lowered = name.trimmingSpaces().lowercased()
        switch lowered {
        case "auto": self = .auto
        case "none", "off": self = .none
        default:
            guard let scheme = SignatureScheme(rawValue: lowered) else { return nil }
            self = .scheme(scheme)
        }
    }

    public var description: String {
        switch self {
        case .auto: "auto"
        case .none: "none"
        case .scheme(let scheme): scheme.rawValue
        case .custom(let scheme): scheme.name
        }
    }

    /// Every accepted name, for help texts and error messages.
    public static var names: [String] { SignatureScheme.allCases.map(\.rawValue) + ["none", "auto"] }
}
