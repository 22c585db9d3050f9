/// One thing a signature check found: a variant of the request that would have matched, what was compared when
/// none did, or a fact about the headers that does not change the status.
///
/// A stable machine `code` and the typed values it speaks of; `Wording` turns it into the sentence users read.
/// Which parameters are set depends on the code (docs/signatures.md lists them); the others are nil.
public struct SignatureFinding: Sendable, Hashable, Codable {
    public enum Code: String, Sendable, Hashable, Codable, CaseIterable {
        // Diagnosis: what would have matched.
        /// A configured secret cannot key this scheme's HMAC (`secret`).
        case secretUnusable = "secret_unusable"
        /// The right MAC is in the header, written in another encoding or with another prefix (`written`).
        case signatureWrittenDifferently = "signature_written_differently"
        case secretHasSurroundingWhitespace = "secret_has_surrounding_whitespace"
        case secretMissingTrailingNewline = "secret_missing_trailing_newline"
        /// Stripe: matches when the part after `whsec_` is base64-decoded (Stripe keys with the whole text).
        case secretPrefixDecoded = "secret_whsec_decoded"
        /// Standard Webhooks: matches when the secret is used as raw text (it should be base64-decoded).
        case secretPrefixNotDecoded = "secret_whsec_not_decoded"
        /// Matches another endpoint's secret (`endpoint`).
        case secretOfOtherEndpoint = "secret_of_other_endpoint"
        /// Matches another hash algorithm (`algorithm`, `expected_algorithm`, `suggested_scheme`).
        case algorithmMismatch = "algorithm_mismatch"
        /// Matches once a trailing CRLF is removed: one was added after signing.
        case bodyTrailingCRLFAdded = "body_trailing_crlf_added"
        case bodyTrailingNewlineAdded = "body_trailing_newline_added"
        /// Matches once a trailing newline is added: the signed body had one that did not arrive.
        case bodyTrailingNewlineMissing = "body_trailing_newline_missing"
        case bodyTrailingCRLFMissing = "body_trailing_crlf_missing"
        case bodyReserializedCompact = "body_reserialized_compact"
        case bodyReserializedPretty2 = "body_reserialized_pretty_2"
        case bodyReserializedPretty4 = "body_reserialized_pretty_4"
        case bodyReserializedPython = "body_reserialized_python"
        case bodyReserializedSortedKeys = "body_reserialized_sorted_keys"
        case bodyReserializedEscapedNonASCII = "body_reserialized_escaped_non_ascii"
        case bodyReserializedEscapedSlashes = "body_reserialized_escaped_slashes"
        /// Front: the body was signed where Front signs the string `undefined` (`method`).
        case bodySignedInsteadOfUndefined = "body_signed_instead_of_undefined"
        /// Front: `undefined` was signed for a request whose body Front signs (`method`).
        case undefinedSignedInsteadOfBody = "undefined_signed_instead_of_body"
        /// Matches with the timestamp in seconds where the header holds milliseconds (`timestamp`, `signed_timestamp`).
        case timestampSignedInSeconds = "timestamp_signed_in_seconds"
        case timestampSignedInMilliseconds = "timestamp_signed_in_milliseconds"
        /// Matches another URL (`url`, `checked_url`, `url_differences`).
        case urlDiffers = "url_differs"
        /// Twilio: the URL signature matches but the body's SHA-256 differs from `bodySHA256`.
        case bodyHashMismatch = "body_hash_mismatch"
        /// No variant matched: what was computed and compared.
        case nothingMatched = "nothing_matched"
        /// A scheme that sends the secret itself (GitLab's `X-Gitlab-Token`): the value is no configured secret
        /// (`header`, `provider`).
        case tokenMismatch = "token_mismatch"
        /// A configured public key is not one of the scheme's kind (`secret`, `detail`: the algorithm).
        case publicKeyUnusable = "public_key_unusable"
        /// A public-key signature (Discord's Ed25519, SendGrid's ECDSA) does not verify over the signed content, and
        /// no variant does (`header`, `detail`: the algorithm, `secret`).
        case signatureNotVerified = "signature_not_verified"

        // Warnings: facts that do not change the status.
        /// The timestamp the scheme signs is absent (`header`, `field`).
        case timestampAbsent = "timestamp_absent"
        /// Standard Webhooks: the `webhook-id` header is absent (`header`).
        case messageIDAbsent = "message_id_absent"
        /// GitHub: only the legacy SHA-1 header is present (`header`, `expected_header`).
        case legacyHeaderOnly = "legacy_header_only"
        case timestampNotANumber = "timestamp_not_a_number"
        /// The timestamp looks like seconds where the provider sends milliseconds.
        case timestampInSeconds = "timestamp_in_seconds"
        case timestampInMilliseconds = "timestamp_in_milliseconds"
        /// The timestamp is further from the time received than the provider accepts (`skew_seconds`, `tolerance`).
        case timestampOutsideTolerance = "timestamp_outside_tolerance"
        /// libcrypto could not compute the HMAC (`detail`).
        case hmacUnavailable = "hmac_unavailable"
        /// The body was too large to verify while capturing (`body_size`).
        case bodyTooLargeToVerify = "body_too_large_to_verify"
        /// A sentence stored before findings had codes (`text`).
        case recordedText = "recorded_text"
    }

    /// How a MAC was written in a header: its encoding (`hex`, `base64`) and the text before it.
    public struct Written: Sendable, Hashable, Codable {
        public var encoding: String
        public var prefix: String

        public init(encoding: String, prefix: String) {
            self.encoding = encoding
            self.prefix = prefix
        }
    }

    /// One respect in which a URL differs from the one checked.
    public struct URLDifference: Sendable, Hashable, Codable {
        public enum Kind: String, Sendable, Hashable, Codable {
            case scheme, host
            case portRemoved = "port_removed"
            case portAdded = "port_added"
            case port
        }
        public var kind: Kind
        public var value: String
        public var checked: String?
        public var source: HostSource?
        public var checkedSource: HostSource?

        public init(
            kind: Kind, value: String, checked: String? = nil, source: HostSource? = nil,
            checkedSource: HostSource? = nil
        ) {
            self.kind = kind
            self.value = value
            self.checked = checked
            self.source = source
            self.checkedSource = checkedSource
        }

        enum CodingKeys: String, CodingKey {
            case kind, value, checked, source
            case checkedSource = "checked_source"
        }
    }

    /// Where the host of a signed URL came from.
    public enum HostSource: String, Sendable, Hashable, Codable {
        case publicURL = "public_url"
        case forwardedHost = "x_forwarded_host"
        case hostHeader = "host_header"
        case requestTarget = "request_target"
        case defaultHost = "default"
    }

    /// One piece of the message a scheme signs, for the finding that says what was compared.
    public struct MessagePart: Sendable, Hashable, Codable {
        public enum Kind: String, Sendable, Hashable, Codable {
            /// A fixed text such as `v0:` or a separator (`text`).
            case literal
            /// A header's value (`header`, `value`), or a field of one (`field`: `t` of `Stripe-Signature`).
            case headerValue = "header_value"
            /// The body as received (`size`).
            case rawBody = "raw_body"
            /// Front's `undefined` in place of the body of a request of this method (`method`).
            case undefinedBody = "undefined_body"
            /// The URL the sender signed (`value`), or the notification URL (Square).
            case url
            /// Twilio: the form parameters' names and values, sorted by name (`size`: how many).
            case sortedFormParameters = "sorted_form_parameters"
            /// Twilio: the body is covered by the URL's `bodySHA256` query parameter.
            case bodyCoveredByQueryHash = "body_covered_by_query_hash"
        }
        public var kind: Kind
        public var text: String?
        public var header: String?
        public var field: String?
        public var value: String?
        public var size: Int?
        public var method: String?

        public init(
            _ kind: Kind, text: String? = nil, header: String? = nil, field: String? = nil, value: String? = nil,
            size: Int? = nil, method: String? = nil
        ) {
            self.kind = kind
            self.text = text
            self.header = header
            self.field = field
            self.value = value
            self.size = size
            self.method = method
        }

        public static func literal(_ text: String) -> MessagePart { MessagePart(.literal, text: text) }
        public static func rawBody(size: Int) -> MessagePart { MessagePart(.rawBody, size: size) }
    }

    /// A kind of variant the diagnosis tries.
    public enum VariantKind: String, Sendable, Hashable, Codable {
        case lineEndings = "line_endings"
        case secretWhitespace = "secret_whitespace"
        case hashAlgorithm = "hash_algorithm"
        case encodingAndPrefix = "encoding_and_prefix"
        case jsonReserialization = "json_reserialization"
        case timestampUnit = "timestamp_unit"
        case secretPrefixDecoding = "secret_prefix_decoding"
        case undefinedBody = "undefined_body"
        case url = "url"
        case otherEndpointSecrets = "other_endpoint_secrets"
    }

    /// A provider's documented timestamp tolerance.
    public struct Tolerance: Sendable, Hashable, Codable {
        public var seconds: Double
        /// Who rejects beyond it: `Stripe's libraries`, `Front`.
        public var enforcedBy: String
        /// Whether `enforcedBy` names several (`libraries`): for agreement.
        public var plural: Bool

        public init(seconds: Double, enforcedBy: String, plural: Bool) {
            self.seconds = seconds
            self.enforcedBy = enforcedBy
            self.plural = plural
        }

        enum CodingKeys: String, CodingKey {
            case seconds
            case enforcedBy = "enforced_by"
            case plural
        }
    }

    public var code: Code
    /// Which configured secret, counting from 1; nil when one secret is configured.
    public var secret: Int?
    /// `Front`, `GitHub`.
    public var provider: String?
    /// How the matching MAC was written, when not as the scheme writes it.
    public var written: Written?
    /// How the scheme writes it.
    public var expectedWritten: Written?
    public var algorithm: DigestAlgorithm?
    public var expectedAlgorithm: DigestAlgorithm?
    /// A scheme name (`front-app`) that would fit better.
    public var suggestedScheme: String?
    /// The label of the endpoint whose secret matched.
    public var endpoint: String?
    public var method: String?
    public var header: String?
    public var expectedHeader: String?
    /// The field of `header` (`t`, `ts`).
    public var field: String?
    public var timestamp: String?
    public var signedTimestamp: String?
    public var url: String?
    public var checkedURL: String?
    public var urlDifferences: [URLDifference]?
    public var checkedHostSource: HostSource?
    public var bodySHA256: String?
    public var claimedBodySHA256: String?
    public var bodySize: Int64?
    public var message: [MessagePart]?
    public var messageSize: Int?
    /// The first bytes of the signed message, printable, escapes for the rest.
    public var messagePreview: String?
    public var variantsTried: Int?
    public var variantKinds: [VariantKind]?
    /// The diagnosis stopped before every variant was tried (a large body).
    public var stoppedEarly: Bool?
    /// Received minus signed, in seconds.
    public var skewSeconds: Double?
    public var tolerance: Tolerance?
    /// An error's own description (libcrypto's).
    public var detail: String?
    /// The sentence itself, for `recorded_text`.
    public var text: String?

    public init(_ code: Code) {
        self.code = code
    }

    /// A sentence stored before findings had codes.
    public static func recorded(_ text: String) -> SignatureFinding {
        var finding = SignatureFinding(.recordedText)
        finding.text = text
        return finding
    }

    enum CodingKeys: String, CodingKey {
        case code, secret, provider, written
        case expectedWritten = "expected_written"
        case algorithm
        case expectedAlgorithm = "expected_algorithm"
        case suggestedScheme = "suggested_scheme"
        case endpoint, method, header
        case expectedHeader = "expected_header"
        case field, timestamp
        case signedTimestamp = "signed_timestamp"
        case url
        case checkedURL = "checked_url"
        case urlDifferences = "url_differences"
        case checkedHostSource = "checked_host_source"
        case bodySHA256 = "body_sha256"
        case claimedBodySHA256 = "claimed_body_sha256"
        case bodySize = "body_size"
        case message = "signed_message"
        case messageSize = "message_size"
        case messagePreview = "message_preview"
        case variantsTried = "variants_tried"
        case variantKinds = "variant_kinds"
        case stoppedEarly = "stopped_early"
        case skewSeconds = "skew_seconds"
        case tolerance, detail, text
    }
}
