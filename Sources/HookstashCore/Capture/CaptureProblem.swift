/// Why the capture listener did not answer a request normally: it was malformed, too large, too slow or cut off.
///
/// A stable machine `code` and the limits it speaks of; `Wording` turns it into the sentence users read (and the
/// listener sends as the body of its 4xx answer). Stored with the capture as JSON (`jsonText`); rows stored before
/// problems had codes hold a sentence, read back as `recorded_text`.
public struct CaptureProblem: Sendable, Hashable, Codable {
    public enum Code: String, Sendable, Hashable, Codable, CaseIterable {
        // Not valid HTTP/1.x (400, 505).
        case invalidRequestLine = "invalid_request_line"
        case invalidTarget = "invalid_target"
        case invalidVersion = "invalid_version"
        case unsupportedVersion = "unsupported_version"
        case bareLineFeed = "bare_line_feed"
        case bareCarriageReturn = "bare_carriage_return"
        case obsoleteLineFolding = "obsolete_line_folding"
        case invalidHeaderName = "invalid_header_name"
        case invalidHeaderValue = "invalid_header_value"
        case invalidContentLength = "invalid_content_length"
        case duplicateContentLength = "duplicate_content_length"
        case contentLengthWithTransferEncoding = "content_length_with_transfer_encoding"
        case unsupportedTransferEncoding = "unsupported_transfer_encoding"
        case invalidChunkSize = "invalid_chunk_size"
        case invalidChunkExtension = "invalid_chunk_extension"
        /// `limit`: bytes.
        case chunkExtensionsTooLarge = "chunk_extensions_too_large"
        case missingChunkTerminator = "missing_chunk_terminator"
        case invalidTrailer = "invalid_trailer"
        // Too large (413, 431): `limit` in bytes.
        case trailersTooLarge = "trailers_too_large"
        case headTooLarge = "head_too_large"
        case framingTooLarge = "framing_too_large"
        /// The body exceeds the listener's body size limit (`limit`; `announced` when Content-Length said so).
        case bodyTooLarge = "body_too_large"
        // Not supported (501).
        case upgradeNotSupported = "upgrade_not_supported"
        case connectNotSupported = "connect_not_supported"
        case http2Preface = "http2_preface"
        // Cut off (408, or no answer when the peer closed).
        /// `milliseconds`: the head timeout.
        case headTimedOut = "head_timed_out"
        /// `milliseconds`: the body timeout.
        case bodyStalled = "body_stalled"
        /// `limit`: the minimum rate in bytes per second.
        case bodyTooSlow = "body_too_slow"
        case connectionClosed = "connection_closed"
        /// A sentence stored before problems had codes (`text`).
        case recordedText = "recorded_text"
    }

    public var code: Code
    /// The limit the request exceeded: bytes, or bytes per second for `body_too_slow`.
    public var limit: Int64?
    /// The body size the request announced in `Content-Length`.
    public var announced: Int64?
    /// The timeout that ran out.
    public var milliseconds: Int64?
    /// The sentence itself, for `recorded_text`.
    public var text: String?

    public init(
        _ code: Code, limit: Int64? = nil, announced: Int64? = nil, milliseconds: Int64? = nil, text: String? = nil
    ) {
        self.code = code
        self.limit = limit
        self.announced = announced
        self.milliseconds = milliseconds
        self.text = text
    }

    /// A sentence stored before problems had codes.
    public static func recorded(_ text: String) -> CaptureProblem { CaptureProblem(.recordedText, text: text) }

    /// The problem as stored: a JSON object (`{"code":"body_too_large","limit":1024}`).
    public var jsonText: String {
        var out = "{\"code\":\"" + code.rawValue + "\""
        for (key, value) in [("limit", limit), ("announced", announced), ("milliseconds", milliseconds)] {
            if let value { out += ",\"\(key)\":\(value)" }
        }
        if let text {
            out += ",\"text\":\""
            JSONText.appendEscaped(text, to: &out)
            out += "\""
        }
        return out + "}"
    }
}
