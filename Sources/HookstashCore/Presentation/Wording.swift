/// The one place typed findings, problems and changes become the sentences users read: `hookstash` prints them,
/// the inspector shows them, the JSON API puts them beside their codes, and the capture listener sends a refused
/// request's problem as the body of its answer.
///
/// Sentences name settings through `settingName`: by default as the configuration file spells them; the command
/// line passes its flag names (`Wording(settingName:)`), which no library spells.
public struct Wording: Sendable {
    /// A setting a sentence may point to.
    public enum Setting: Sendable, Hashable {
        /// The public URL senders sign (`public_url`).
        case publicURL
        /// The signature scheme, with the value suggested.
        case scheme(String)
        /// The capture listener's body size limit.
        case maxBodySize
        /// Where a replay's extra headers came from.
        case replayHeaders(RequestChange.Source)
        /// The scheme a re-signed request is signed with.
        case resignScheme
        /// The secret a re-signed request is signed with.
        case signingSecret
    }

    public var settingName: @Sendable (Setting) -> String

    /// The key under which an encoder's `userInfo` may carry the wording its sentences use.
    public static let userInfoKey = CodingUserInfoKey(rawValue: "hookstash.wording")!

    public init(settingName: @escaping @Sendable (Setting) -> String) {
        self.settingName = settingName
    }

    /// Settings named as the configuration file spells them.
    public static let standard = Wording { setting in
        switch setting {
        case .publicURL: "public_url in the config"
        case .scheme(let name): "scheme = \"\(name)\""
        case .maxBodySize: "the body size limit"
        case .replayHeaders(.replayCommand): "replay headers"
        case .replayHeaders(.replayRequest): "replay request"
        case .resignScheme: "scheme = \"…\" on the endpoint in the config"
        case .signingSecret: "a secret for the endpoint in the config"
        }
    }
}

// MARK: - Signature findings

extension Wording {
    public func sentence(_ finding: SignatureFinding) -> String {
        let f = finding
        let provider = f.provider ?? "the provider"
        let label = f.secret.map { "secret #\($0)" } ?? "the secret"
        let suffix = writtenSuffix(f)
        switch f.code {
        case .secretUnusable:
            return "\(f.secret.map { "secret #\($0)" } ?? "secret #1") is not base64 after 'whsec_'; Standard Webhooks "
                + "secrets are 'whsec_' followed by base64"
        case .signatureWrittenDifferently:
            let name = f.secret.map { " with secret #\($0)" } ?? ""
            return "the header holds the right HMAC\(name) but " + describeWritten(f)
        case .secretHasSurroundingWhitespace:
            return "matches with \(label) trimmed of surrounding whitespace: the configured secret has leading or "
                + "trailing spaces or a newline (often picked up from a file or a paste)" + suffix
        case .secretMissingTrailingNewline:
            return "matches with a newline added after \(label): the sender's copy of the secret ends in a newline "
                + "(often read from a file)" + suffix
        case .secretPrefixDecoded:
            return
                "matches when the part of \(label) after 'whsec_' is base64-decoded and used as the key: Stripe keys "
                + "the HMAC with the whole secret text, 'whsec_' included (decoding is the Standard Webhooks rule)"
                + suffix
        case .secretPrefixNotDecoded:
            let which = f.field == "after_prefix" ? "the part of \(label) after 'whsec_'" : "the whole of \(label)"
            return "matches when \(which) is used as raw text: Standard Webhooks base64-decodes the part after "
                + "'whsec_' and uses those bytes as the key" + suffix
        case .secretOfOtherEndpoint:
            return "matches the secret of \(f.endpoint ?? "another endpoint"): the sender signs with that secret; "
                + "check the path it delivers to, or which secret is configured here" + suffix
        case .algorithmMismatch:
            let used = f.algorithm ?? .sha256
            let expected = f.expectedAlgorithm ?? .sha256
            let name = f.secret.map { " with secret #\($0)" } ?? ""
            var hint = ""
            if let scheme = f.suggestedScheme {
                hint = " (\(Self.schemeSummary(scheme)): try \(settingName(.scheme(scheme))))"
            }
            return "matches HMAC-\(used.plain) instead of HMAC-\(expected.plain)\(name): the sender hashes with "
                + "\(used.rawValue); \(provider) uses \(expected.rawValue)\(hint)" + suffix
        case .bodyTrailingCRLFAdded:
            return "matches if a trailing CRLF (\\r\\n) is removed from the body: a line ending was added after the "
                + "body was signed, or the signer signed it before adding one" + suffix
        case .bodyTrailingNewlineAdded:
            return "matches if a trailing newline is removed from the body: a newline was added after the body was "
                + "signed (an editor, `echo`, a template), or the signer signed it before adding one" + suffix
        case .bodyTrailingNewlineMissing:
            return "matches if a trailing newline is added to the body: the signed body ended in a newline (\\n) that "
                + "did not arrive (stripped by a framework, an editor or a shell)" + suffix
        case .bodyTrailingCRLFMissing:
            return "matches if a trailing CRLF (\\r\\n) is added to the body: the signed body ended in a line break "
                + "that did not arrive" + suffix
        case .bodyReserializedCompact, .bodyReserializedPretty2, .bodyReserializedPretty4, .bodyReserializedPython,
            .bodyReserializedSortedKeys, .bodyReserializedEscapedNonASCII, .bodyReserializedEscapedSlashes:
            return "matches the body re-serialized as \(Self.serialization(f.code)): the signature was computed over "
                + "a different serialization than the bytes that arrived (the body was parsed and re-encoded on one "
                + "side); sign and verify the raw bytes" + suffix
        case .bodySignedInsteadOfUndefined:
            let method = (f.method ?? "GET").uppercased()
            return "matches when the actual body is signed instead of the string 'undefined': Front signs "
                + "'undefined' for \(method) requests, so the sender does not follow Front's rule" + suffix
        case .undefinedSignedInsteadOfBody:
            let method = (f.method ?? "POST").uppercased()
            return "matches when the body is replaced by the string 'undefined', as Front signs GET and DELETE "
                + "requests: this \(method) request was signed as if it had no body" + suffix
        case .timestampSignedInSeconds, .timestampSignedInMilliseconds:
            let (signedUnit, sentUnit) =
                f.code == .timestampSignedInSeconds ? ("seconds", "milliseconds") : ("milliseconds", "seconds")
            return "matches if the timestamp is taken in \(signedUnit) ('\(f.signedTimestamp ?? "")') instead of the "
                + "\(sentUnit) in \(f.header ?? "the timestamp header") ('\(f.timestamp ?? "")'): the sender signed a "
                + "different timestamp than it sent" + suffix
        case .urlDiffers:
            let differences = (f.urlDifferences ?? []).map(Self.describe).joined(separator: ", ")
            return "matches the URL '\(f.url ?? "")' (\(differences)) instead of '\(f.checkedURL ?? "")': the sender "
                + "signs the URL it is configured with; pass its scheme and host as \(settingName(.publicURL))"
                + suffix
        case .bodyHashMismatch:
            return "the URL signature matches, but the body's SHA-256 (\(f.bodySHA256 ?? "")) differs from the "
                + "bodySHA256 query parameter (\(f.claimedBodySHA256 ?? "")): the body was changed after Twilio sent it"
        case .nothingMatched:
            return nothingMatched(f)
        case .publicKeyUnusable:
            return "\(f.secret.map { "key #\($0)" } ?? "the configured key") is not an \(f.detail ?? "") public key; "
                + "\(provider) webhooks are checked with the provider's public key (hex for Ed25519, base64 DER or PEM "
                + "for ECDSA)"
        case .signatureNotVerified:
            return "the \(f.detail ?? "") signature in \(f.header ?? "the signature header") does not verify with "
                + "\(f.secret.map { "key #\($0)" } ?? "the configured public key") over what \(provider) signs, nor over "
                + "the body with other line endings or re-serialized; check that the key is \(provider)'s public key "
                + "for this application"
        case .tokenMismatch:
            return
                "\(f.header ?? "the token header") is not \(f.secret.map { "secret #\($0)" } ?? "the configured secret"); "
                + "\(provider) sends the secret itself, compared byte for byte (it covers nothing of the body)"
        case .timestampAbsent:
            let header = f.header ?? "the timestamp header"
            if let field = f.field { return "\(header) has no \(field)= timestamp" }
            if let provider = f.provider {
                return "\(header) is absent; \(provider) webhooks sign it together with the body"
            }
            return "\(header) is absent"
        case .messageIDAbsent:
            return "\(f.header ?? "webhook-id") is absent"
        case .legacyHeaderOnly:
            return "only the legacy \(f.header ?? "") (HMAC-\((f.algorithm ?? .sha1).plain)) header is present; "
                + "\(provider) also sends \(f.expectedHeader ?? "")"
        case .timestampNotANumber:
            return "\(f.header ?? "the timestamp") '\(f.timestamp ?? "")' is not a whole number"
        case .timestampInSeconds:
            return "\(f.header ?? "the timestamp") '\(f.timestamp ?? "")' looks like seconds; \(provider) sends "
                + "milliseconds"
        case .timestampInMilliseconds:
            return "\(f.header ?? "the timestamp") '\(f.timestamp ?? "")' looks like milliseconds; \(provider) sends "
                + "seconds"
        case .timestampOutsideTolerance:
            let skew = f.skewSeconds ?? 0
            var sentence =
                skew >= 0
                ? "timestamp is \(SkewText.words(skew)) older than the time received"
                : "timestamp is \(SkewText.words(skew)) ahead of the time received (a clock is off)"
            if let tolerance = f.tolerance {
                sentence +=
                    "; \(tolerance.enforcedBy) \(tolerance.plural ? "reject" : "rejects") beyond "
                    + SkewText.words(tolerance.seconds)
            }
            return sentence
        case .hmacUnavailable:
            return f.detail ?? "the HMAC could not be computed"
        case .bodyTooLargeToVerify:
            return "the body (\(f.bodySize ?? 0) bytes) is too large to verify while capturing"
        case .recordedText:
            return f.text ?? ""
        }
    }

    private static func schemeSummary(_ scheme: String) -> String {
        switch scheme {
        case "front-app": "Front application webhooks use SHA-256"
        case "front": "Front rule webhooks use SHA-1"
        default: "the \(scheme) scheme may fit"
        }
    }

    private static func serialization(_ code: SignatureFinding.Code) -> String {
        switch code {
        case .bodyReserializedPretty2: "2-space pretty-printed JSON"
        case .bodyReserializedPretty4: "4-space pretty-printed JSON"
        case .bodyReserializedPython:
            "JSON in Python's json.dumps style (', ' and ': ' separators, non-ASCII escaped as \\uXXXX)"
        case .bodyReserializedSortedKeys: "compact JSON with sorted keys"
        case .bodyReserializedEscapedNonASCII: "compact JSON with non-ASCII characters escaped as \\uXXXX"
        case .bodyReserializedEscapedSlashes:
            "compact JSON with slashes escaped as \\/ (as PHP's json_encode writes it)"
        default: "compact JSON (no whitespace, non-ASCII as literal UTF-8, as JSON.stringify writes it)"
        }
    }

    /// ` (and the value is written as base64 where …)` when the match was written differently; empty otherwise.
    private func writtenSuffix(_ finding: SignatureFinding) -> String {
        guard finding.written != nil, finding.code != .signatureWrittenDifferently else { return "" }
        return " (and the value is " + describeWritten(finding) + ")"
    }

    private func describeWritten(_ finding: SignatureFinding) -> String {
        guard let written = finding.written else { return "" }
        let expected = finding.expectedWritten ?? written
        let provider = finding.provider ?? "the provider"
        var words: [String] = []
        if written.encoding != expected.encoding {
            words.append("written as \(written.encoding) where \(provider) writes \(expected.encoding)")
        }
        if written.prefix != expected.prefix {
            switch (written.prefix.isEmpty, expected.prefix.isEmpty) {
            case (true, false): words.append("without the '\(expected.prefix)' prefix \(provider) puts before it")
            case (false, true): words.append("with a '\(written.prefix)' prefix \(provider) does not use")
            default: words.append("with the prefix '\(written.prefix)' instead of '\(expected.prefix)'")
            }
        }
        if words.isEmpty { words.append("in a form hookstash did not read as \(provider)'s") }
        return words.joined(separator: " and ")
    }

    private static func describe(_ source: SignatureFinding.HostSource?) -> String {
        switch source {
        case .publicURL: "the public URL"
        case .forwardedHost: "X-Forwarded-Host"
        case .hostHeader: "the Host header"
        case .requestTarget: "the request-target"
        case .defaultHost, nil: "a default (no Host header)"
        }
    }

    private static func describe(_ difference: SignatureFinding.URLDifference) -> String {
        switch difference.kind {
        case .scheme: "\(difference.value) instead of \(difference.checked ?? "")"
        case .host:
            "host '\(difference.value)' from \(describe(difference.source)) instead of '\(difference.checked ?? "")' "
                + "from \(describe(difference.checkedSource))"
        case .portRemoved: "without the port :\(difference.value)"
        case .portAdded: "with the port :\(difference.value) written out"
        case .port: "port :\(difference.value) instead of :\(difference.checked ?? "")"
        }
    }

    private static func describe(_ parts: [SignatureFinding.MessagePart]) -> String {
        var pieces: [String] = []
        var index = 0
        while index < parts.count {
            let part = parts[index]
            switch part.kind {
            case .literal: pieces.append("'\(part.text ?? "")'")
            case .headerValue:
                if let field = part.field {
                    pieces.append("the \(field)= timestamp '\(part.value ?? "")'")
                } else {
                    pieces.append("the \(part.header ?? "header") value '\(part.value ?? "")'")
                }
            case .rawBody: pieces.append("the raw body (\(part.size ?? 0) bytes)")
            case .undefinedBody:
                pieces.append(
                    "the string 'undefined' (Front signs that for \((part.method ?? "GET").uppercased()) requests)")
            case .url:
                // A URL followed by what completes it reads as one phrase.
                let next = index + 1 < parts.count ? parts[index + 1] : nil
                let url = "'\(part.value ?? "")'"
                switch next?.kind {
                case .sortedFormParameters:
                    pieces.append(
                        "the URL \(url) followed by the \(next?.size ?? 0) form parameters' names and values sorted "
                            + "by name")
                    index += 1
                case .bodyCoveredByQueryHash:
                    pieces.append("the URL \(url) alone (the body is covered by its bodySHA256 query parameter)")
                    index += 1
                case .rawBody:
                    pieces.append("the notification URL \(url) followed by the raw body (\(next?.size ?? 0) bytes)")
                    index += 1
                default:
                    pieces.append("the URL \(url)")
                }
            case .sortedFormParameters: pieces.append("the \(part.size ?? 0) form parameters sorted by name")
            case .bodyCoveredByQueryHash: pieces.append("the URL's bodySHA256 query parameter")
            }
            index += 1
        }
        guard pieces.count > 1 else { return pieces.first ?? "the raw body" }
        return pieces.dropLast().joined(separator: ", ") + " and " + pieces[pieces.count - 1]
    }

    private static func describe(_ kind: SignatureFinding.VariantKind) -> String {
        switch kind {
        case .lineEndings: "line endings"
        case .secretWhitespace: "whitespace in the secret"
        case .hashAlgorithm: "hash algorithm"
        case .encodingAndPrefix: "encoding and prefix"
        case .jsonReserialization: "JSON re-serialization"
        case .timestampUnit: "timestamp in seconds or milliseconds"
        case .secretPrefixDecoding: "'whsec_' decoding"
        case .undefinedBody: "the 'undefined' body"
        case .url: "URL scheme, host and port"
        case .otherEndpointSecrets: "other endpoints' secrets"
        }
    }

    private func nothingMatched(_ f: SignatureFinding) -> String {
        let secret = f.secret.map { "secret #\($0)" } ?? "the configured secret"
        let algorithm = (f.algorithm ?? .sha256).plain
        let kinds = (f.variantKinds ?? []).map(Self.describe).joined(separator: ", ")
        var sentence =
            "nothing matched: hookstash computed HMAC-\(algorithm) with \(secret) over "
            + "\(Self.describe(f.message ?? [])), \(f.messageSize ?? 0) bytes beginning '\(f.messagePreview ?? "")' "
            + "(body SHA-256 \(f.bodySHA256 ?? "")), wrote it as \(f.expectedWritten?.encoding ?? "hex") and compared "
            + "it with \(f.header ?? "the signature header"); \(f.variantsTried ?? 0) variants were tried (\(kinds))"
            + (f.stoppedEarly == true ? ", then the diagnosis stopped because the body is large. " : ". ")
            + "Check that the sender signs these exact bytes with the same secret"
        if let source = f.checkedHostSource {
            sentence +=
                "; the URL was built from \(Self.describe(source)): if the sender delivers through a tunnel or "
                + "proxy, pass the URL it is configured with as \(settingName(.publicURL))"
        }
        return sentence
    }
}

extension DigestAlgorithm {
    /// `SHA1`, `SHA256`: as in `HMAC-SHA256`.
    public var plain: String { rawValue.filter { $0 != "-" } }
}

// MARK: - Capture problems

extension Wording {
    public func sentence(_ problem: CaptureProblem) -> String {
        let limit = problem.limit ?? 0
        switch problem.code {
        case .invalidRequestLine: return "not valid HTTP/1.x: the request line is not `method target version`"
        case .invalidTarget: return "not valid HTTP/1.x: the request-target is not valid"
        case .invalidVersion: return "not valid HTTP/1.x: the HTTP version is not valid"
        case .unsupportedVersion: return "not valid HTTP/1.x: only HTTP/1.0 and HTTP/1.1 are captured"
        case .bareLineFeed: return "not valid HTTP/1.x: a bare LF where CRLF was expected"
        case .bareCarriageReturn: return "not valid HTTP/1.x: a CR not followed by LF"
        case .obsoleteLineFolding: return "not valid HTTP/1.x: a header line is folded (obs-fold)"
        case .invalidHeaderName:
            return "not valid HTTP/1.x: a header line is not `name: value` (space before the colon, or a bad character)"
        case .invalidHeaderValue: return "not valid HTTP/1.x: a header value holds a control character"
        case .invalidContentLength: return "not valid HTTP/1.x: Content-Length is not a number"
        case .duplicateContentLength: return "not valid HTTP/1.x: Content-Length was sent more than once"
        case .contentLengthWithTransferEncoding:
            return "not valid HTTP/1.x: both Content-Length and Transfer-Encoding were sent"
        case .unsupportedTransferEncoding: return "not valid HTTP/1.x: Transfer-Encoding does not end with chunked"
        case .invalidChunkSize: return "not valid HTTP/1.x: a chunk size is not hexadecimal or too long"
        case .invalidChunkExtension: return "not valid HTTP/1.x: a chunk extension holds a control character"
        case .chunkExtensionsTooLarge: return "not valid HTTP/1.x: the chunk extensions exceed \(limit) bytes"
        case .missingChunkTerminator: return "not valid HTTP/1.x: chunk data is not followed by CRLF"
        case .invalidTrailer: return "not valid HTTP/1.x: a trailer line is not `name: value`"
        case .trailersTooLarge: return "the trailer section exceeds \(limit) bytes"
        case .headTooLarge: return "the request head exceeds \(limit) bytes"
        case .framingTooLarge: return "the chunked framing of the body exceeds \(limit) bytes"
        case .bodyTooLarge:
            let announced = problem.announced.map { " (\($0) bytes announced)" } ?? ""
            return "the body\(announced) exceeds \(settingName(.maxBodySize)) (\(limit) bytes)"
        case .upgradeNotSupported: return "protocol upgrades (Upgrade, Connection: upgrade) are not supported"
        case .connectNotSupported: return "CONNECT is not supported: this is not a proxy"
        case .http2Preface: return "HTTP/2 (the PRI preface) is not supported: send HTTP/1.1"
        case .headTimedOut:
            return "the request head did not complete within \(Self.duration(milliseconds: problem.milliseconds))"
        case .bodyStalled: return "no body bytes arrived for \(Self.duration(milliseconds: problem.milliseconds))"
        case .bodyTooSlow: return "the body arrived slower than \(limit) bytes/s"
        case .connectionClosed: return "the connection closed before the request was complete"
        case .recordedText: return problem.text ?? ""
        }
    }

    /// `30 s`, `1500 ms`.
    static func duration(milliseconds: Int64?) -> String {
        let milliseconds = milliseconds ?? 0
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }
}

// MARK: - Request changes

extension Wording {
    public func sentence(_ change: RequestChange) -> String {
        let name = change.name ?? ""
        let value = change.value ?? ""
        let source = settingName(.replayHeaders(change.source ?? .replayCommand))
        switch change.code {
        case .requestTargetRewritten: return "request-target \(value) (was \(change.was ?? ""))"
        case .requestTargetSignsBodyHash:
            return "request-target \(value) (Twilio signs the body's SHA-256 in the query)"
        case .hopByHopDropped: return "\(name) dropped (hop-by-hop)"
        case .duplicateContentLengthDropped: return "duplicate \(name) dropped"
        case .contentLengthRecomputed: return "Content-Length recomputed: \(value) (was \(change.was ?? ""))"
        case .contentLengthAdded: return "Content-Length: \(value) added"
        case .hostRewritten: return "Host set to \(value) (was \(change.was ?? ""))"
        case .hostAdded: return "Host: \(value) added"
        case .headerAdded: return "\(name) added (\(source))"
        case .headerReplaced: return "\(name) replaced (\(source))"
        case .headerRemoved: return "\(name) removed (\(source))"
        case .resigned: return "\(value) re-signed (\(change.scheme ?? ""), fresh timestamp)"
        case .methodEdited: return "method set to \(value) (was \(change.was ?? ""), edited)"
        case .requestTargetEdited: return "request-target set to \(value) (was \(change.was ?? ""), edited)"
        case .bodyReplaced: return "body replaced: \(value) bytes (was \(change.was ?? "") bytes, edited)"
        case .jsonValueSet:
            return change.was.map { "\(name) set to \(value) (was \($0), edited)" }
                ?? "\(name) = \(value) added (edited)"
        }
    }
}

// MARK: - Match criteria

extension Wording {
    /// Why a capture missed one criterion: `/type is 'invoice.created', wanted invoice.*`. The actual text comes
    /// from the capture: the caller escapes the sentence for where it shows it (`TerminalText`, HTML).
    public func sentence(_ miss: CriterionMiss) -> String {
        let actual = miss.actual.map { "'\($0)\(miss.actualWasCut ? "…" : "")'" } ?? "''"
        switch (miss.code, miss.criterion) {
        case (.methodDiffers, .method(let wanted)):
            return "method is \(actual), wanted \(wanted)"
        case (.pathDiffers, .path(let glob)):
            return "path is \(actual), wanted \(glob)"
        case (.headerMissing, .header(let name, let glob)):
            return "no \(name) header, wanted \(name): \(glob)"
        case (.headerDiffers, .header(let name, let glob)):
            return "\(name) is \(actual), wanted \(glob)"
        case (.queryMissing, .query(let name, let glob)):
            return "no query parameter \(name), wanted \(name)=\(glob)"
        case (.queryDiffers, .query(let name, let glob)):
            return "query parameter \(name) is \(actual), wanted \(glob)"
        case (.jsonNotJSON, .json(let pointer, let glob)):
            return "the body is not JSON, wanted \(Self.pointerName(pointer)) = \(glob)"
        case (.jsonPointerMissing, .json(let pointer, let glob)):
            return "\(Self.pointerName(pointer)) is absent from the body, wanted \(glob)"
        case (.jsonDiffers, .json(let pointer, let glob)):
            return "\(Self.pointerName(pointer)) is \(actual), wanted \(glob)"
        case (.bodyUnavailable, _):
            return "the body was not read (too large), wanted \(miss.criterion.text)"
        case (.signatureDiffers, .signature(let wanted)):
            return "signature is \(miss.actual ?? "unchecked"), wanted \(wanted.rawValue)"
        default:
            // A code paired with another kind of criterion: say what was wanted and what was there.
            return "\(miss.code.rawValue): \(miss.actual == nil ? "" : "\(actual), ")wanted \(miss.criterion.text)"
        }
    }

    /// Why a match key's text cannot be read.
    public func sentence(_ error: CriterionSyntaxError) -> String {
        let text = "'\(error.text)'"
        switch error.code {
        case .headerMissingColon: return "\(text) is not a header match: write Name: glob"
        case .headerNameInvalid:
            return "\(text) does not start with a header name (letters, digits, -) before the colon"
        case .queryMissingEquals: return "\(text) is not a query match: write name=glob"
        case .queryNameEmpty: return "\(text) has no parameter name before '='"
        case .jsonMissingEquals: return "\(text) is not a JSON match: write /pointer = glob"
        case .jsonPointerNotAbsolute:
            return "\(text) does not start with a JSON pointer: a pointer starts with / (/type, /data/object/id)"
        case .jsonPointerBadEscape: return "\(text) has a ~ in its JSON pointer not followed by 0 (~) or 1 (/)"
        case .methodInvalid: return "\(text) is not an HTTP method"
        case .signatureUnknown: return "\(text) is not a signature status: use valid, invalid, missing or unchecked"
        }
    }

    /// The pointer as written; the whole document (the empty pointer) as `the body`.
    private static func pointerName(_ pointer: JSONPointer) -> String {
        pointer.description.isEmpty ? "the body" : pointer.description
    }
}

// MARK: - Expectations

extension Wording {
    /// `capture 17: /type is 'invoice.created', wanted invoice.*; signature is invalid, wanted valid`.
    public func sentence(_ nearMiss: CaptureExpectation.NearMiss) -> String {
        "capture \(nearMiss.captureID): " + nearMiss.misses.map(sentence).joined(separator: "; ")
    }
}

// MARK: - Re-signing

extension Wording {
    public func sentence(_ problem: ResignProblem) -> String {
        switch problem.code {
        case .schemeUnknown:
            return "capture \(problem.captureID) carries no signature header hookstash recognises; name the scheme "
                + "with \(settingName(.resignScheme))"
        case .secretMissing:
            return "no signing secret is configured for \(problem.path ?? "capture \(problem.captureID)"); give "
                + "\(settingName(.signingSecret)) to re-sign"
        }
    }
}

// MARK: - JSON edits

extension Wording {
    public func sentence(_ failure: JSONEdit.Failure) -> String {
        switch failure.code {
        case .bodyNotJSON: "cannot set \(failure.pointer): the body is not JSON (or is larger than 1 MiB)"
        case .parentMissing: "cannot set \(failure.pointer): its parent is not an object or array of the body"
        case .indexOutOfRange:
            "cannot set \(failure.pointer): past the end of the array (use the array's length or - to append)"
        }
    }
}
