import HookstashCore

/// A shell command that sends a capture again with curl: same method, target, headers in order and the exact
/// body bytes.
public struct CurlCommand: Sendable {
    public var capture: Capture
    public var body: [UInt8]
    /// Where to send it; defaults to the URL the capture was sent to (its `Host` and target).
    public var url: String
    /// When set, the body is read from this file (`--data-binary @file`) instead of being written into the
    /// command: for bodies too large to paste.
    public var bodyFile: String?

    public init(capture: Capture, body: [UInt8], url: String? = nil, bodyFile: String? = nil) {
        self.capture = capture
        self.body = body
        self.url = url ?? capture.absoluteURL
        self.bodyFile = bodyFile
    }

    /// Headers curl computes itself from what it sends; copying them would contradict the body or URL.
    private static let computedHeaders: Set<String> = ["host", "content-length", "transfer-encoding", "connection"]

    /// The command for a POSIX shell. A body that is text without NUL travels in single quotes (where the shell
    /// changes nothing: quotes, backslashes, `$` and newlines survive); any other body is decoded from base64
    /// and piped in.
    public var text: String {
        var parts: [String] = ["curl", "--silent", "--show-error"]
        switch capture.method {
        case "HEAD": parts.append("--head")
        case "GET" where body.isEmpty: break
        default: parts += ["--request", Self.quoted(capture.method)]
        }
        parts += ["--url", Self.quoted(url)]
        var named = Set<String>()
        for field in capture.headers {
            let lower = field.name.lowercased()
            named.insert(lower)
            if Self.computedHeaders.contains(lower) { continue }
            // curl drops a header given as `Name:` with no value; `Name;` sends it empty.
            parts += [
                "--header", Self.quoted(field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)"),
            ]
        }
        // Remove what curl would add on its own, so the receiver sees the captured headers only.
        for (header, lower) in [("Accept", "accept"), ("User-Agent", "user-agent")] where !named.contains(lower) {
            parts += ["--header", Self.quoted("\(header):")]
        }
        if !body.isEmpty {
            if !named.contains("content-type") { parts += ["--header", Self.quoted("Content-Type:")] }
            if !named.contains("expect") { parts += ["--header", Self.quoted("Expect:")] }
        }
        if body.isEmpty {
            return parts.joined(separator: " ")
        }
        if let bodyFile {
            parts += ["--data-binary", Self.quoted("@" + bodyFile)]
            return parts.joined(separator: " ")
        }
        if !body.contains(0), let text = String(validating: body, as: UTF8.self) {
            parts += ["--data-binary", Self.quoted(text)]
            return parts.joined(separator: " ")
        }
        parts += ["--data-binary", "@-"]
        return "printf '%s' " + Self.quoted(Base64.encode(body)) + " | base64 -d | " + parts.joined(separator: " ")
    }

    /// `value` in single quotes for a POSIX shell; a single quote becomes `'\''`.
    static func quoted(_ value: String) -> String {
        "'" + value.replacing("'", with: "'\\''") + "'"
    }
}

extension Capture {
    /// The URL the sender used: the absolute-form target, else `http://` + `Host` + target.
    public var absoluteURL: String {
        let raw = target.raw
        if raw.hasPrefix("http://") || raw.hasPrefix("https://") { return raw }
        let host = headers.first("Host").flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        let path = raw.hasPrefix("/") ? raw : "/" + raw
        return "http://" + host + path
    }
}
