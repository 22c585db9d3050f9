import HookstashCore

/// Why the capture listener cannot follow a request. The listener records the request as malformed, answers with
/// `status` and closes the connection.
public enum HTTPRequestProblem: Error, Sendable, Hashable {
    /// The method is not a token, or the request line is not `method SP target SP version`.
    case invalidRequestLine
    /// The request-target is empty or holds a control byte or a space.
    case invalidTarget
    /// The version is not `HTTP/d.d`.
    case invalidVersion
    /// A well-formed version other than HTTP/1.0 or HTTP/1.1.
    case unsupportedVersion
    /// A line of the head or of the chunked framing ends in LF without CR.
    case bareLineFeed
    /// A CR not followed by LF.
    case bareCarriageReturn
    /// A header line starts with a space or tab (obs-fold, RFC 9112 §5.2).
    case obsoleteLineFolding
    /// A header line has no colon, an empty name, a name that is not a token, or a space before the colon.
    case invalidHeaderName
    /// A header value holds NUL, DEL or another control byte (other than tab).
    case invalidHeaderValue
    /// `Content-Length` is not digits only, or is too large to be a length.
    case invalidContentLength
    /// `Content-Length` was sent more than once.
    case duplicateContentLength
    /// Both `Content-Length` and `Transfer-Encoding` were sent.
    case contentLengthWithTransferEncoding
    /// `Transfer-Encoding` does not end with `chunked`, or names `chunked` twice.
    case unsupportedTransferEncoding
    /// A chunk size is not hexadecimal, or has more than `maxChunkSizeDigits` digits or 15 significant ones.
    case invalidChunkSize
    /// A chunk extension holds a control byte.
    case invalidChunkExtension
    /// The chunk extensions of one request exceed their byte limit.
    case chunkExtensionsTooLarge(limit: Int)
    /// Chunk data is not followed by CRLF.
    case missingChunkTerminator
    /// A trailer line is not `name: value`.
    case invalidTrailer
    /// The trailer section exceeds the head limit.
    case trailersTooLarge(limit: Int)
    /// The head grew beyond its limit without ending.
    case headTooLarge(limit: Int)
    /// The chunked framing of one request (sizes, extensions, CRLFs, trailers) exceeds its byte limit.
    case framingTooLarge(limit: Int)
    /// `Upgrade` or `Connection: upgrade`: the listener does not switch protocols.
    case upgradeNotSupported
    /// `CONNECT`: the listener is not a proxy.
    case connectNotSupported
    /// `PRI`, the HTTP/2 connection preface.
    case http2Preface

    /// The status the listener answers with.
    public var status: Int {
        switch self {
        case .headTooLarge, .trailersTooLarge: 431
        case .framingTooLarge: 413
        case .upgradeNotSupported, .connectNotSupported, .http2Preface: 501
        case .unsupportedVersion: 505
        default: 400
        }
    }
}

extension HTTPRequestProblem {
    /// The problem as a capture records it.
    public var captureProblem: CaptureProblem {
        switch self {
        case .invalidRequestLine: CaptureProblem(.invalidRequestLine)
        case .invalidTarget: CaptureProblem(.invalidTarget)
        case .invalidVersion: CaptureProblem(.invalidVersion)
        case .unsupportedVersion: CaptureProblem(.unsupportedVersion)
        case .bareLineFeed: CaptureProblem(.bareLineFeed)
        case .bareCarriageReturn: CaptureProblem(.bareCarriageReturn)
        case .obsoleteLineFolding: CaptureProblem(.obsoleteLineFolding)
        case .invalidHeaderName: CaptureProblem(.invalidHeaderName)
        case .invalidHeaderValue: CaptureProblem(.invalidHeaderValue)
        case .invalidContentLength: CaptureProblem(.invalidContentLength)
        case .duplicateContentLength: CaptureProblem(.duplicateContentLength)
        case .contentLengthWithTransferEncoding: CaptureProblem(.contentLengthWithTransferEncoding)
        case .unsupportedTransferEncoding: CaptureProblem(.unsupportedTransferEncoding)
        case .invalidChunkSize: CaptureProblem(.invalidChunkSize)
        case .invalidChunkExtension: CaptureProblem(.invalidChunkExtension)
        case .chunkExtensionsTooLarge(let limit): CaptureProblem(.chunkExtensionsTooLarge, limit: Int64(limit))
        case .missingChunkTerminator: CaptureProblem(.missingChunkTerminator)
        case .invalidTrailer: CaptureProblem(.invalidTrailer)
        case .trailersTooLarge(let limit): CaptureProblem(.trailersTooLarge, limit: Int64(limit))
        case .headTooLarge(let limit): CaptureProblem(.headTooLarge, limit: Int64(limit))
        case .framingTooLarge(let limit): CaptureProblem(.framingTooLarge, limit: Int64(limit))
        case .upgradeNotSupported: CaptureProblem(.upgradeNotSupported)
        case .connectNotSupported: CaptureProblem(.connectNotSupported)
        case .http2Preface: CaptureProblem(.http2Preface)
        }
    }
}

extension HTTPRequestProblem: CustomStringConvertible {
    public var description: String { Wording.standard.sentence(captureProblem) }
}
