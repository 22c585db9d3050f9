import HookstashCore

/// The one HTTP/1.x request parser of the capture path: it splits a connection's bytes into requests, validates
/// them, removes the chunked framing and keeps every byte, in one pass.
///
/// Every byte is reported exactly once: in a head, as body `content` (decoded and raw at once), as chunked
/// `framing` (raw only), or, once the parser has stopped on a problem, as `unparsed`. The split does not depend on
/// how the stream is cut into reads, and each byte is looked at a bounded number of times (a head line is scanned
/// once for its LF and once to validate it), so no input costs more than linear time.
///
/// What is accepted (RFC 9112, as llhttp does, stricter where listed):
/// - Empty lines (CR, LF or CRLF) before a request line are skipped; they are kept in the request's raw head.
/// - Every other line ends in CRLF. A bare LF (`bareLineFeed`) or a CR not followed by LF (`bareCarriageReturn`)
///   anywhere in a head, a chunk-size line, after chunk data or in a trailer is refused.
/// - obs-fold (a header line starting with SP or HTAB) is refused (`obsoleteLineFolding`): folding is how
///   smuggling hides a header from one parser and not another, and no webhook sender folds.
/// - The request line is `token SP target SP HTTP/d.d` with single spaces. Any token is a method (llhttp only
///   knows a fixed list: hookstash captures any). The target is bytes 0x21–0x7E in origin-form (`/…`),
///   absolute-form (`scheme://authority…`) or `*`. Only HTTP/1.0 and
///   1.1 are taken; `CONNECT`, `PRI` and any request with `Upgrade` or `Connection: upgrade` are refused.
/// - Header names are tokens directly followed by `:`; values are HTAB, SP, VCHAR or 0x80–0xFF.
/// - `Content-Length` is 1–18 digits and sent once; with `Transfer-Encoding` it is refused.
/// - `Transfer-Encoding` lists codings whose last is `chunked`, named once.
/// - A chunk size is 1–64 hex digits, at most 15 significant (leading zeros allowed), then extensions or CRLF.
///   Extensions are `;name[=value]`, the value a token or a quoted-string of visible ASCII, without spaces;
///   at most `maxChunkExtensionBytes` per request.
///   Trailer lines are header fields other than `Content-Length` and `Transfer-Encoding`, at most `maxHeadSize`
///   bytes in all; they are kept in the raw body, not in the parsed view. All chunked framing of one request
///   (sizes, extensions, CRLFs, trailers) is at most `maxFramingBytes`.
struct HTTPRequestParser {
    struct Limits: Sendable {
        /// Bytes of a head (from leading empty lines through the blank line), and of a trailer section.
        var maxHeadSize: Int
        /// Bytes of chunk extensions (from `;` to CR) in one request.
        var maxChunkExtensionBytes = 16 * 1024
        /// Bytes of chunked framing in one request: what its raw body may hold beyond its decoded body.
        var maxFramingBytes = 1 << 20
        /// Digits of one chunk size, leading zeros included.
        static let maxChunkSizeDigits = 64
    }

    /// How the body of a request is delimited.
    enum BodyFraming: Equatable, Sendable {
        case none
        case length(Int64)
        case chunked
    }

    /// A validated request head.
    struct Head: Sendable {
        /// Every byte of the head, from any empty lines before the request line through the blank line.
        var bytes: [UInt8]
        var method: String
        var target: String
        var version: String
        var headers: HeaderList
        var framing: BodyFraming
        /// The connection stays open after this request (by the version and `Connection`).
        var keepAlive: Bool
        /// `Expect: 100-continue` was sent.
        var expectsContinue: Bool

        /// The length `Content-Length` announced, if any.
        var announcedLength: Int64? {
            if case .length(let length) = framing { return length }
            return nil
        }
    }

    enum Event {
        case head(Head)
        /// Body bytes that are both the raw and the decoded body, as a range of the buffer passed to `consume`.
        case content(Range<Int>)
        /// Chunked framing (sizes, extensions, CRLFs, trailers): raw body bytes that are not content.
        case framing(Range<Int>)
        /// The request is complete.
        case end
        /// The parser stopped: nothing more is parsed on this connection. `pendingHead` holds the bytes of the
        /// head being received (empty when the problem is in a body); every later byte is given as `unparsed`.
        case invalid(HTTPRequestProblem, pendingHead: [UInt8])
        /// Bytes after the parser stopped.
        case unparsed(Range<Int>)
    }

    private enum State {
        case head
        case fixedBody(remaining: Int64)
        case chunkSize(size: Int64, digits: Int, significant: Int)
        case chunkExtension(size: Int64, ExtensionPart)
        case chunkSizeLF(size: Int64)
        case chunkData(remaining: Int64)
        case chunkDataCR
        case chunkDataLF
        case trailer
        case failed
    }

    /// Where a chunk extension `;name[=token|"quoted"]` is.
    private enum ExtensionPart {
        case nameStart
        case name
        case valueStart
        case token
        case quoted
        case quotedPair
        case afterQuoted

        /// The next part after `byte`; nil when `byte` cannot come here (CR is handled before).
        func next(_ byte: UInt8) -> ExtensionPart? {
            switch self {
            case .nameStart: return byte.isTokenByte ? .name : nil
            case .name:
                if byte.isTokenByte { return .name }
                if byte == UInt8(ascii: "=") { return .valueStart }
                return byte == UInt8(ascii: ";") ? .nameStart : nil
            case .valueStart:
                if byte.isTokenByte { return .token }
                return byte == UInt8(ascii: "\"") ? .quoted : nil
            case .token:
                if byte.isTokenByte { return .token }
                return byte == UInt8(ascii: ";") ? .nameStart : nil
            case .quoted:
                if byte == UInt8(ascii: "\"") { return .afterQuoted }
                if byte == UInt8(ascii: "\\") { return .quotedPair }
                return byte == UInt8(ascii: "\t") || (byte >= 0x20 && byte < 0x7F) ? .quoted : nil
            case .quotedPair:
                return byte == UInt8(ascii: "\t") || (byte >= 0x20 && byte < 0x7F) ? .quoted : nil
            case .afterQuoted: return byte == UInt8(ascii: ";") ? .nameStart : nil
            }
        }

        /// The extension may end here.
        var canEnd: Bool {
            switch self {
            case .name, .token, .afterQuoted: true
            default: false
            }
        }
    }

    /// What the lines of the head being received have said so far.
    private struct HeadFields {
        var sawRequestLine = false
        var method = ""
        var target = ""
        var version = ""
        var headers = HeaderList()
        var contentLengthCount = 0
        var contentLength: Int64 = 0
        var transferEncoding = false
        var codings: [String] = []
        var connectionClose = false
        var connectionKeepAlive = false
        var upgrade = false
        var expectsContinue = false
    }

    let limits: Limits
    private var state = State.head
    /// Bytes of the head being received.
    private var headBuffer: [UInt8] = []
    /// Where the current line of `headBuffer` starts.
    private var lineStart = 0
    private var fields = HeadFields()
    /// The current trailer line (without its CR LF).
    private var trailerLine: [UInt8] = []
    private var trailerBytes = 0
    private var framingBytes = 0
    private var extensionBytes = 0

    init(limits: Limits) {
        self.limits = limits
    }

    /// True between the first byte of a request and the end of its head.
    var isReceivingHead: Bool {
        if case .head = state { return !headBuffer.isEmpty }
        return false
    }

    /// True while a request's body is being received.
    var isReceivingBody: Bool {
        switch state {
        case .head, .failed: false
        default: true
        }
    }

    var hasStopped: Bool {
        if case .failed = state { return true }
        return false
    }

    /// The bytes of the head being received (for recording a request cut off or timed out); the parser stops.
    mutating func stop() -> [UInt8] {
        let pending = headBuffer
        headBuffer = []
        state = .failed
        return pending
    }

    mutating func consume(_ bytes: UnsafeRawBufferPointer, _ emit: (Event) -> Void) {
        var index = 0
        let count = bytes.count
        /// Start of framing bytes consumed and not yet emitted.
        var framingStart: Int?

        func flushFraming(upTo end: Int) {
            if let start = framingStart, start < end { emit(.framing(start..<end)) }
            framingStart = nil
        }
        func fail(_ problem: HTTPRequestProblem, at position: Int) {
            flushFraming(upTo: position)
            let pending: [UInt8]
            if case .head = state {
                pending = headBuffer
                headBuffer = []
            } else {
                pending = []
            }
            state = .failed
            emit(.invalid(problem, pendingHead: pending))
            if position < count { emit(.unparsed(position..<count)) }
            index = count
        }
        /// Counts one framing byte at `position`; false when the request's framing budget is spent.
        func takeFraming(at position: Int) -> Bool {
            framingBytes += 1
            if framingBytes > limits.maxFramingBytes {
                fail(.framingTooLarge(limit: limits.maxFramingBytes), at: position)
                return false
            }
            if framingStart == nil { framingStart = position }
            return true
        }
        func endRequest(at position: Int) {
            flushFraming(upTo: position)
            state = .head
            emit(.end)
        }

        while index < count {
            switch state {
            case .failed:
                emit(.unparsed(index..<count))
                return

            case .head:
                if !fields.sawRequestLine, lineStart == headBuffer.count {
                    let byte = bytes[index]
                    if byte == .cr || byte == .lf {
                        // An empty line before the request line.
                        headBuffer.append(byte)
                        lineStart = headBuffer.count
                        index += 1
                        if headBuffer.count > limits.maxHeadSize {
                            fail(.headTooLarge(limit: limits.maxHeadSize), at: index)
                        }
                        continue
                    }
                }
                var newline = index
                while newline < count, bytes[newline] != .lf { newline += 1 }
                let end = newline < count ? newline + 1 : count
                headBuffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<end]))
                index = end
                if headBuffer.count > limits.maxHeadSize {
                    fail(.headTooLarge(limit: limits.maxHeadSize), at: index)
                    continue
                }
                guard newline < count else { continue }
                let lineEnd = headBuffer.count - 1
                guard lineEnd > lineStart, headBuffer[lineEnd - 1] == .cr else {
                    fail(.bareLineFeed, at: index)
                    continue
                }
                let line = lineStart..<(lineEnd - 1)
                lineStart = headBuffer.count
                if let problem = takeLine(line) {
                    fail(problem, at: index)
                    continue
                }
                guard line.isEmpty, fields.sawRequestLine else { continue }
                switch finishHead() {
                case .failure(let problem):
                    fail(problem, at: index)
                case .success(let head):
                    headBuffer = []
                    lineStart = 0
                    fields = HeadFields()
                    framingBytes = 0
                    extensionBytes = 0
                    trailerBytes = 0
                    emit(.head(head))
                    switch head.framing {
                    case .none, .length(0): emit(.end)
                    case .length(let length): state = .fixedBody(remaining: length)
                    case .chunked: state = .chunkSize(size: 0, digits: 0, significant: 0)
                    }
                }

            case .fixedBody(let remaining):
                let take = Int(min(Int64(count - index), remaining))
                emit(.content(index..<index + take))
                index += take
                if remaining == Int64(take) {
                    endRequest(at: index)
                } else {
                    state = .fixedBody(remaining: remaining - Int64(take))
                }

            case .chunkData(let remaining):
                flushFraming(upTo: index)
                let take = Int(min(Int64(count - index), remaining))
                emit(.content(index..<index + take))
                index += take
                state = remaining == Int64(take) ? .chunkDataCR : .chunkData(remaining: remaining - Int64(take))

            case .chunkSize(let size, let digits, let significant):
                let byte = bytes[index]
                if let nibble = byte.hexValue {
                    let significant = significant > 0 || nibble > 0 ? significant + 1 : 0
                    guard digits < Limits.maxChunkSizeDigits, significant <= 15 else {
                        fail(.invalidChunkSize, at: index)
                        continue
                    }
                    guard takeFraming(at: index) else { continue }
                    state = .chunkSize(size: size * 16 + Int64(nibble), digits: digits + 1, significant: significant)
                } else if digits > 0, byte == UInt8(ascii: ";") {
                    extensionBytes += 1
                    guard takeFraming(at: index) else { continue }
                    state = .chunkExtension(size: size, .nameStart)
                } else if digits > 0, byte == .cr {
                    guard takeFraming(at: index) else { continue }
                    state = .chunkSizeLF(size: size)
                } else {
                    fail(byte == .lf && digits > 0 ? .bareLineFeed : .invalidChunkSize, at: index)
                    continue
                }
                index += 1

            case .chunkExtension(let size, let part):
                let byte = bytes[index]
                if byte == .cr, part.canEnd {
                    guard takeFraming(at: index) else { continue }
                    state = .chunkSizeLF(size: size)
                } else if let next = part.next(byte) {
                    extensionBytes += 1
                    guard extensionBytes <= limits.maxChunkExtensionBytes else {
                        fail(.chunkExtensionsTooLarge(limit: limits.maxChunkExtensionBytes), at: index)
                        continue
                    }
                    guard takeFraming(at: index) else { continue }
                    state = .chunkExtension(size: size, next)
                } else {
                    fail(
                        byte == .lf ? .bareLineFeed : byte == .cr ? .bareCarriageReturn : .invalidChunkExtension,
                        at: index)
                    continue
                }
                index += 1

            case .chunkSizeLF(let size):
                guard bytes[index] == .lf else {
                    fail(.bareCarriageReturn, at: index)
                    continue
                }
                guard takeFraming(at: index) else { continue }
                index += 1
                if size == 0 {
                    trailerLine = []
                    state = .trailer
                } else {
                    flushFraming(upTo: index)
                    state = .chunkData(remaining: size)
                }

            case .chunkDataCR:
                guard bytes[index] == .cr else {
                    fail(.missingChunkTerminator, at: index)
                    continue
                }
                guard takeFraming(at: index) else { continue }
                index += 1
                state = .chunkDataLF

            case .chunkDataLF:
                guard bytes[index] == .lf else {
                    fail(.missingChunkTerminator, at: index)
                    continue
                }
                guard takeFraming(at: index) else { continue }
                index += 1
                state = .chunkSize(size: 0, digits: 0, significant: 0)

            case .trailer:
                let byte = bytes[index]
                trailerBytes += 1
                guard trailerBytes <= limits.maxHeadSize else {
                    fail(.trailersTooLarge(limit: limits.maxHeadSize), at: index)
                    continue
                }
                guard takeFraming(at: index) else { continue }
                index += 1
                guard byte == .lf else {
                    trailerLine.append(byte)
                    continue
                }
                guard trailerLine.last == .cr else {
                    fail(.bareLineFeed, at: index)
                    continue
                }
                trailerLine.removeLast()
                if trailerLine.isEmpty {
                    endRequest(at: index)
                } else if Self.fieldProblem(trailerLine, 0..<trailerLine.count) != nil
                    || Self.isFramingField(trailerLine)
                {
                    fail(.invalidTrailer, at: index)
                } else {
                    trailerLine = []
                }
            }
        }
        flushFraming(upTo: index)
    }

    /// Validates one head line (without its CRLF) and notes what it says; the problem, if it is not valid.
    private mutating func takeLine(_ line: Range<Int>) -> HTTPRequestProblem? {
        if !fields.sawRequestLine {
            return takeRequestLine(line)
        }
        if line.isEmpty { return nil }
        if let problem = Self.fieldProblem(headBuffer, line) { return problem }
        let colon = headBuffer[line].firstIndex(of: UInt8(ascii: ":"))!
        var valueStart = colon + 1
        var valueEnd = line.upperBound
        while valueStart < valueEnd, headBuffer[valueStart].isSpace { valueStart += 1 }
        while valueEnd > valueStart, headBuffer[valueEnd - 1].isSpace { valueEnd -= 1 }
        let name = headBuffer[line.lowerBound..<colon]
        let value = headBuffer[valueStart..<valueEnd]
        fields.headers.append(
            name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))

        if name.equalsLowercase("content-length") {
            fields.contentLengthCount += 1
            guard fields.contentLengthCount == 1 else { return .duplicateContentLength }
            guard !value.isEmpty, value.count <= 18, value.allSatisfy({ $0.isDigit }) else {
                return .invalidContentLength
            }
            fields.contentLength = value.reduce(0) { $0 * 10 + Int64($1 - UInt8(ascii: "0")) }
        } else if name.equalsLowercase("transfer-encoding") {
            fields.transferEncoding = true
            fields.codings += Self.listElements(value)
        } else if name.equalsLowercase("connection") {
            for token in Self.listElements(value) {
                switch token {
                case "close": fields.connectionClose = true
                case "keep-alive": fields.connectionKeepAlive = true
                case "upgrade": fields.upgrade = true
                default: break
                }
            }
        } else if name.equalsLowercase("upgrade") {
            fields.upgrade = true
        } else if name.equalsLowercase("expect") {
            fields.expectsContinue = String(decoding: value, as: UTF8.self).lowercased() == "100-continue"
        }
        return nil
    }

    private mutating func takeRequestLine(_ line: Range<Int>) -> HTTPRequestProblem? {
        var index = line.lowerBound
        while index < line.upperBound, headBuffer[index].isTokenByte { index += 1 }
        guard index > line.lowerBound, index < line.upperBound, headBuffer[index] == .space else {
            return Self.controlProblem(headBuffer, line) ?? .invalidRequestLine
        }
        let method = headBuffer[line.lowerBound..<index]
        if method.elementsEqual("CONNECT".utf8) { return .connectNotSupported }
        if method.elementsEqual("PRI".utf8) { return .http2Preface }
        index += 1
        let targetStart = index
        while index < line.upperBound, headBuffer[index] != .space {
            guard headBuffer[index].isTargetByte else {
                return Self.controlProblem(headBuffer, line) ?? .invalidTarget
            }
            index += 1
        }
        guard index > targetStart, index < line.upperBound else { return .invalidRequestLine }
        let target = headBuffer[targetStart..<index]
        guard Self.isRequestTarget(target) else { return .invalidTarget }
        let version = headBuffer[(index + 1)..<line.upperBound]
        if version.first == .space { return .invalidRequestLine }
        guard version.count == 8, version.starts(with: "HTTP/".utf8),
            version[version.startIndex + 5].isDigit, version[version.startIndex + 6] == UInt8(ascii: "."),
            version[version.startIndex + 7].isDigit
        else {
            return Self.controlProblem(headBuffer, line) ?? .invalidVersion
        }
        guard version.elementsEqual("HTTP/1.1".utf8) || version.elementsEqual("HTTP/1.0".utf8) else {
            return .unsupportedVersion
        }
        fields.sawRequestLine = true
        fields.method = String(decoding: method, as: UTF8.self)
        fields.target = String(decoding: target, as: UTF8.self)
        fields.version = String(decoding: version, as: UTF8.self)
        return nil
    }

    private func finishHead() -> Result<Head, HTTPRequestProblem> {
        if fields.upgrade { return .failure(.upgradeNotSupported) }
        let framing: BodyFraming
        if fields.transferEncoding {
            guard fields.contentLengthCount == 0 else { return .failure(.contentLengthWithTransferEncoding) }
            guard fields.codings.last == "chunked", fields.codings.filter({ $0 == "chunked" }).count == 1 else {
                return .failure(.unsupportedTransferEncoding)
            }
            framing = .chunked
        } else if fields.contentLengthCount > 0 {
            framing = .length(fields.contentLength)
        } else {
            framing = .none
        }
        let keepAlive =
            !fields.connectionClose && (fields.version == "HTTP/1.1" || fields.connectionKeepAlive)
        return .success(
            Head(
                bytes: headBuffer, method: fields.method, target: fields.target, version: fields.version,
                headers: fields.headers, framing: framing, keepAlive: keepAlive,
                expectsContinue: fields.expectsContinue))
    }

    /// Why `line` of `bytes` is not a header field `token ":" OWS value OWS`; nil when it is one.
    static func fieldProblem(_ bytes: [UInt8], _ line: Range<Int>) -> HTTPRequestProblem? {
        guard let first = line.first.map({ bytes[$0] }) else { return .invalidHeaderName }
        if first.isSpace { return .obsoleteLineFolding }
        var index = line.lowerBound
        while index < line.upperBound, bytes[index].isTokenByte { index += 1 }
        guard index > line.lowerBound, index < line.upperBound, bytes[index] == UInt8(ascii: ":") else {
            return controlProblem(bytes, line) ?? .invalidHeaderName
        }
        for position in (index + 1)..<line.upperBound where !bytes[position].isFieldValueByte {
            return bytes[position] == .cr ? .bareCarriageReturn : .invalidHeaderValue
        }
        return nil
    }

    /// origin-form (`/path?query`), absolute-form (`scheme://authority/path?query`) or asterisk-form (`*`), as
    /// llhttp reads them; authority-form only comes with CONNECT, which is refused before.
    private static func isRequestTarget(_ target: ArraySlice<UInt8>) -> Bool {
        guard let first = target.first else { return false }
        if first == UInt8(ascii: "/") { return true }
        if target.elementsEqual("*".utf8) { return true }
        // scheme "://" authority [ path ]
        var index = target.startIndex
        while index < target.endIndex, target[index].isLetter { index += 1 }
        guard index > target.startIndex, target[index...].starts(with: "://".utf8) else { return false }
        index += 3
        let authorityStart = index
        while index < target.endIndex, target[index].isAuthorityByte { index += 1 }
        guard index > authorityStart else { return false }
        return index == target.endIndex || target[index] == UInt8(ascii: "/") || target[index] == UInt8(ascii: "?")
    }

    /// A trailer field that would change the framing (`Content-Length`, `Transfer-Encoding`): refused, as llhttp does.
    private static func isFramingField(_ line: [UInt8]) -> Bool {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return false }
        let name = line[..<colon]
        return name.equalsLowercase("content-length") || name.equalsLowercase("transfer-encoding")
    }

    /// `bareCarriageReturn` when `line` holds a CR: a more precise reason than the syntax error it causes.
    private static func controlProblem(_ bytes: [UInt8], _ line: Range<Int>) -> HTTPRequestProblem? {
        bytes[line].contains(.cr) ? .bareCarriageReturn : nil
    }

    /// The lowercased, trimmed, non-empty elements of a comma-separated list.
    private static func listElements(_ value: ArraySlice<UInt8>) -> [String] {
        value.split(separator: UInt8(ascii: ",")).compactMap { element in
            let text = String(decoding: element, as: UTF8.self).trimmingSpaces().lowercased()
            return text.isEmpty ? nil : text
        }
    }
}

extension UInt8 {
    fileprivate static let cr = UInt8(ascii: "\r")
    fileprivate static let lf = UInt8(ascii: "\n")
    fileprivate static let space = UInt8(ascii: " ")

    fileprivate var isSpace: Bool { self == .space || self == UInt8(ascii: "\t") }
    fileprivate var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }

    fileprivate var hexValue: UInt8? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): self - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): self - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): self - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    fileprivate var isLetter: Bool {
        (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "z"))
            || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z"))
    }

    /// An authority byte in an absolute-form target: unreserved, sub-delims, `:`, `@`, `[`, `]`, `%`.
    fileprivate var isAuthorityByte: Bool {
        isLetter || isDigit || Array("-._~!$&'()*+,;=:@[]%".utf8).contains(self)
    }

    /// RFC 9110 `tchar`.
    fileprivate var isTokenByte: Bool { HTTPFieldName.isTokenByte(self) }

    /// A request-target byte: visible ASCII (llhttp refuses obs-text in a target).
    fileprivate var isTargetByte: Bool { self > 0x20 && self < 0x7F }

    /// A field-value (or chunk-extension) byte: HTAB, SP, VCHAR or obs-text.
    fileprivate var isFieldValueByte: Bool { self == UInt8(ascii: "\t") || (self >= 0x20 && self != 0x7F) }
}

extension ArraySlice<UInt8> {
    /// Equal to `lowercase` (ASCII) ignoring case.
    fileprivate func equalsLowercase(_ lowercase: String) -> Bool {
        guard count == lowercase.utf8.count else { return false }
        return zip(self, lowercase.utf8).allSatisfy { byte, expected in
            (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte) == expected
        }
    }
}
