import HookstashCore

/// The request line and header block of one request, exactly as received, with a lenient parse beside it.
///
/// The parse never fails: it is the parsed view shown to users even for requests that NIOHTTP1 rejects, so
/// it accepts bare LF, obs-fold and spaces before the colon, and leaves judging to the decoder.
struct RawHead: Sendable {
    /// Every byte of the head, from any empty lines before the request line through the blank line.
    var bytes: [UInt8]
    var method: String
    var target: String
    var version: String
    var headers: HeaderList
    /// The announced body length; nil when absent or not a number.
    var contentLength: Int64?
    /// The last transfer coding is `chunked`.
    var chunked: Bool
    /// Where the request line starts (after leading empty lines).
    var requestLineStart: Int

    init(bytes: [UInt8]) {
        self.bytes = bytes
        var index = 0
        while index < bytes.count, bytes[index] == UInt8(ascii: "\r") || bytes[index] == UInt8(ascii: "\n") {
            index += 1
        }
        requestLineStart = index
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = index
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") {
                var end = index
                if end > lineStart, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                lines.append(bytes[lineStart..<end])
                lineStart = index + 1
            }
            index += 1
        }
        if lineStart < bytes.count { lines.append(bytes[lineStart...]) }

        let requestLine = lines.first ?? []
        let parts = requestLine.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        method = parts.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        if parts.count >= 3 {
            version = String(decoding: parts[parts.count - 1], as: UTF8.self)
            // The target is everything between the method and the version, as sent.
            let start = parts[1].startIndex
            let end = parts[parts.count - 2].endIndex
            target = String(decoding: requestLine[start..<end], as: UTF8.self)
        } else {
            version = parts.count == 2 ? "HTTP/0.9" : ""
            target = parts.count == 2 ? String(decoding: parts[1], as: UTF8.self) : ""
        }

        var headers = HeaderList()
        for line in lines.dropFirst() where !line.isEmpty {
            if let first = line.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t"), !headers.isEmpty {
                // obs-fold: a continuation of the previous field's value.
                var fields = headers.fields
                fields[fields.count - 1].value += " " + String(decoding: line, as: UTF8.self).trimmingSpaces()
                headers = HeaderList(fields)
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                headers.append(name: String(decoding: line, as: UTF8.self), value: "")
                continue
            }
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces()
            headers.append(name: name, value: value)
        }
        self.headers = headers

        let codings = headers.values("Transfer-Encoding").flatMap { $0.split(separator: ",") }
        chunked = codings.last.map { $0.trimmingSpaces().lowercased() == "chunked" } ?? false
        contentLength = headers.first("Content-Length").flatMap { Int64($0.trimmingSpaces()) }
    }

    /// `Expect: 100-continue` was sent.
    var expectsContinue: Bool {
        headers.first("Expect")?.lowercased() == "100-continue"
    }

    /// Whether the connection stays open after this request, by the HTTP version and `Connection` header.
    var keepAlive: Bool {
        let tokens = headers.values("Connection").flatMap { $0.lowercased().split(separator: ",") }.map {
            $0.trimmingSpaces()
        }
        if tokens.contains("close") { return false }
        if version == "HTTP/1.1" { return true }
        return tokens.contains("keep-alive")
    }

    /// The head as the HTTP decoder should see it: without leading empty lines, and with a method llhttp does not
    /// know replaced by `POST`, so that any method is captured (the recorded method is always the one sent).
    var decoderBytes: [UInt8] {
        let methodEnd = requestLineStart + method.utf8.count
        guard !RawHead.decoderMethods.contains(method), !method.isEmpty, Self.isToken(method),
            methodEnd <= bytes.count
        else {
            return Array(bytes[requestLineStart...])
        }
        return Array("POST".utf8) + bytes[methodEnd...]
    }

    /// Methods NIOHTTP1's parser accepts in a request line.
    static let decoderMethods: Set<String> = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH", "PURGE", "COPY", "LOCK", "MKCOL",
        "MOVE", "PROPFIND", "PROPPATCH", "SEARCH", "UNLOCK", "BIND", "REBIND", "UNBIND", "ACL", "REPORT",
        "MKACTIVITY", "CHECKOUT", "MERGE", "M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "MKCALENDAR", "LINK",
        "UNLINK", "SOURCE",
    ]

    /// RFC 9110 token characters.
    static func isToken(_ text: String) -> Bool {
        text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default:
                Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
            }
        }
    }
}
