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

extension HTTPRequestProblem: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidRequestLine: "not valid HTTP/1.x: the request line is not `method target version`"
        case .invalidTarget: "not valid HTTP/1.x: the request-target is not valid"
        case .invalidVersion: "not valid HTTP/1.x: the HTTP version is not valid"
        case .unsupportedVersion: "not valid HTTP/1.x: only HTTP/1.0 and HTTP/1.1 are captured"
        case .bareLineFeed: "not valid HTTP/1.x: a bare LF where CRLF was expected"
        case .bareCarriageReturn: "not valid HTTP/1.x: a CR not followed by LF"
        case .obsoleteLineFolding: "not valid HTTP/1.x: a header line is folded (obs-fold)"
        case .invalidHeaderName:
            "not valid HTTP/1.x: a header line is not `name: value` (space before the colon, or a bad character)"
        case .invalidHeaderValue: "not valid HTTP/1.x: a header value holds a control character"
        case .invalidContentLength: "not valid HTTP/1.x: Content-Length is not a number"
        case .duplicateContentLength: "not valid HTTP/1.x: Content-Length was sent more than once"
        case .contentLengthWithTransferEncoding:
            "not valid HTTP/1.x: both Content-Length and Transfer-Encoding were sent"
        case .unsupportedTransferEncoding: "not valid HTTP/1.x: Transfer-Encoding does not end with chunked"
        case .invalidChunkSize: "not valid HTTP/1.x: a chunk size is not hexadecimal or too long"
        case .invalidChunkExtension: "not valid HTTP/1.x: a chunk extension holds a control character"
        case .chunkExtensionsTooLarge(let limit):
            "not valid HTTP/1.x: the chunk extensions exceed \(limit) bytes"
        case .missingChunkTerminator: "not valid HTTP/1.x: chunk data is not followed by CRLF"
        case .invalidTrailer: "not valid HTTP/1.x: a trailer line is not `name: value`"
        case .trailersTooLarge(let limit): "the trailer section exceeds \(limit) bytes"
        case .headTooLarge(let limit): "the request head exceeds \(limit) bytes"
        case .framingTooLarge(let limit): "the chunked framing of the body exceeds \(limit) bytes"
        case .upgradeNotSupported: "protocol upgrades (Upgrade, Connection: upgrade) are not supported"
        case .connectNotSupported: "CONNECT is not supported: this is not a proxy"
        case .http2Preface: "HTTP/2 (the PRI preface) is not supported: send HTTP/1.1"
        }
    }
}
