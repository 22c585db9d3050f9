import HookstashCore

/// One HTTP/1.1 request ready for libcurl: method, request-target, headers in order and body, exactly as they
/// should go out, with the list of changes made to the capture it came from.
public struct OutgoingRequest: Sendable, Hashable {
    public var method: String
    /// Where to connect.
    public var target: DeliveryTarget
    /// The request-target sent on the request line, byte for byte.
    public var requestTarget: String
    /// Header fields in the order given to libcurl (libcurl sends `Host` first whatever its position).
    public var headers: HeaderList
    public var body: [UInt8]
    /// False when the request has no body and no `Content-Length` at all (a plain GET).
    public var sendsBody: Bool
    /// Each change from the captured request (`Wording` says it: `Host set to localhost:3000 (was example.com)`).
    public var changes: [RequestChange]
    /// True when signature headers were recomputed.
    public var resigned: Bool

    public init(
        method: String, target: DeliveryTarget, requestTarget: String, headers: HeaderList, body: [UInt8],
        sendsBody: Bool? = nil, changes: [RequestChange] = [], resigned: Bool = false
    ) {
        self.method = method
        self.target = target
        self.requestTarget = requestTarget
        self.headers = headers
        self.body = body
        self.sendsBody = sendsBody ?? (!body.isEmpty || headers.contains("Content-Length"))
        self.changes = changes
        self.resigned = resigned
    }

    /// The full URL, for records and messages.
    public var url: String {
        requestTarget.hasPrefix("/") ? "\(target.scheme)://\(target.authority)\(requestTarget)" : target.description
    }

    /// Sets `name` (replacing the first field of that name in place and removing the others, or appending),
    /// or removes it when `value` is nil. Records the change.
    public mutating func setHeader(_ name: String, _ value: String?, because source: RequestChange.Source) {
        let existing = headers.values(name)
        if let value {
            guard existing != [value] else { return }
            headers.replace(name, with: value)
            changes.append(RequestChange(existing.isEmpty ? .headerAdded : .headerReplaced, name: name, source: source))
        } else if !existing.isEmpty {
            headers.remove(name)
            changes.append(RequestChange(.headerRemoved, name: name, source: source))
        }
    }
}

/// How a capture is turned into a request: the documented changes and the user's additions.
public struct ReplaySettings: Sendable, Hashable {
    /// Keep the captured `Host` instead of the target's host.
    public var keepHost: Bool
    /// Headers to set, in order (`K: V`); a nil value removes the header (`K:`).
    public var extraHeaders: [(name: String, value: String?)]
    /// How the delivery record names where the extra headers came from.
    public var extraHeadersSource: RequestChange.Source
    /// Changes to the method, request-target and body the user asked for (edit and replay).
    public var edits = RequestEdits()

    public init(
        keepHost: Bool = false, extraHeaders: [(name: String, value: String?)] = [],
        extraHeadersSource: RequestChange.Source = .replayCommand
    ) {
        self.keepHost = keepHost
        self.extraHeaders = extraHeaders
        self.extraHeadersSource = extraHeadersSource
    }

    public static func == (lhs: ReplaySettings, rhs: ReplaySettings) -> Bool {
        lhs.keepHost == rhs.keepHost && lhs.extraHeadersSource == rhs.extraHeadersSource && lhs.edits == rhs.edits
            && lhs.extraHeaders.map { [$0.name, $0.value ?? "\u{0}"] }
                == rhs.extraHeaders.map { [$0.name, $0.value ?? "\u{0}"] }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(keepHost)
        hasher.combine(edits)
        for header in extraHeaders {
            hasher.combine(header.name)
            hasher.combine(header.value)
        }
    }

    /// Parses `K: V` as `--header` takes it; `K:` (nothing after the colon) means remove K.
    public static func parseHeader(_ text: String) throws(DeliveryError) -> (name: String, value: String?) {
        guard let colon = text.firstIndex(of: ":") else {
            throw .invalidRequest("the header \(text) has no colon; write it as 'Name: value'")
        }
        let name = text[..<colon].trimmingSpaces()
        guard !name.isEmpty, name.utf8.allSatisfy(HTTPFieldName.isTokenByte) else {
            throw .invalidRequest("\(name.isEmpty ? "an empty name" : name) is not a valid header name")
        }
        let value = text[text.index(after: colon)...].trimmingSpaces()
        // By bytes: "\r\n" is one Character, equal to neither "\r" nor "\n".
        if let found = LineBreakingByte.first(in: value) {
            throw .invalidRequest("the value of \(name) contains \(found); a header is one line")
        }
        return (name, value.isEmpty ? nil : value)
    }
}

extension OutgoingRequest {
    /// Header fields never forwarded: the hop-by-hop ones (`Transfer-Encoding` is replaced by a recomputed
    /// `Content-Length`) and any `Proxy-` header.
    static func isHopByHop(_ name: String) -> Bool {
        HTTPFieldName.isHopByHop(name)
            || (name.utf8.count >= 6 && String(name.prefix(6)).equalsIgnoringASCIICase("Proxy-"))
    }

    /// The request that re-delivers `capture` to `target`: the captured method, request-target (or the target's
    /// path), headers in order with their case and duplicates, and `body` byte for byte, with only the
    /// documented changes (Host, Content-Length, hop-by-hop headers) and the user's extra headers.
    public static func replaying(
        _ capture: Capture, body: [UInt8], to target: DeliveryTarget, settings: ReplaySettings = ReplaySettings()
    ) throws(DeliveryError) -> OutgoingRequest {
        guard !capture.malformed else {
            throw .invalidRequest(
                "capture \(capture.id) is not a well-formed HTTP request and cannot be replayed; its raw bytes can "
                    + "still be exported")
        }
        guard !capture.method.isEmpty, capture.method.utf8.allSatisfy(HTTPFieldName.isTokenByte) else {
            throw .invalidRequest("capture \(capture.id) has an unusable method \(capture.method)")
        }
        let requestTarget = target.requestTarget(replacing: capture.target)
        guard !requestTarget.isEmpty, !requestTarget.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7f }) else {
            throw .invalidRequest("capture \(capture.id) has a request-target with spaces or control characters")
        }
        var changes: [RequestChange] = []
        if requestTarget != capture.target.raw {
            changes.append(RequestChange(.requestTargetRewritten, value: requestTarget, was: capture.target.raw))
        }
        var headers = HeaderList()
        var dropped: [String] = []
        var contentLengthPosition: Int?
        var hadBodyFraming = false
        for field in capture.headers {
            guard !field.name.isEmpty, field.name.utf8.allSatisfy(HTTPFieldName.isTokenByte),
                !field.value.utf8.contains(where: { $0 == 0x0d || $0 == 0x0a || $0 == 0 })
            else {
                throw .invalidRequest("capture \(capture.id) has a header that cannot be sent again: \(field.name)")
            }
            if field.name.equalsIgnoringASCIICase("Content-Length") {
                hadBodyFraming = true
                if headers.contains("Content-Length") {
                    dropped.append(field.name)
                } else {
                    headers.append(name: field.name, value: field.value)
                }
                continue
            }
            if isHopByHop(field.name) {
                if field.name.equalsIgnoringASCIICase("Transfer-Encoding") {
                    hadBodyFraming = true
                    if contentLengthPosition == nil { contentLengthPosition = headers.count }
                }
                dropped.append(field.name)
                continue
            }
            headers.append(name: field.name, value: field.value)
        }
        for name in dropped {
            changes.append(
                RequestChange(
                    name.equalsIgnoringASCIICase("Content-Length") ? .duplicateContentLengthDropped : .hopByHopDropped,
                    name: name))
        }
        // Content-Length: recomputed from the body, in the position of the captured one (or of the dropped
        // Transfer-Encoding); appended when the capture had a body without either.
        let length = String(body.count)
        var fields = headers.fields
        if let index = fields.firstIndex(where: { $0.name.equalsIgnoringASCIICase("Content-Length") }) {
            if fields[index].value != length {
                changes.append(RequestChange(.contentLengthRecomputed, value: length, was: fields[index].value))
                fields[index].value = length
            }
        } else if hadBodyFraming || !body.isEmpty {
            let index = min(contentLengthPosition ?? fields.count, fields.count)
            fields.insert(.init(name: "Content-Length", value: length), at: index)
            changes.append(RequestChange(.contentLengthAdded, value: length))
        }
        headers = HeaderList(fields)
        var request = OutgoingRequest(
            method: capture.method, target: target, requestTarget: requestTarget, headers: headers, body: body,
            sendsBody: hadBodyFraming || !body.isEmpty, changes: changes)
        if !settings.keepHost {
            let captured = request.headers.values("Host")
            if captured != [target.authority] {
                request.headers.replace("Host", with: target.authority)
                request.changes.append(
                    captured.isEmpty
                        ? RequestChange(.hostAdded, value: target.authority)
                        : RequestChange(.hostRewritten, value: target.authority, was: captured.joined(separator: ", ")))
            }
        }
        for header in settings.extraHeaders {
            request.setHeader(header.name, header.value, because: settings.extraHeadersSource)
        }
        return request
    }
}
