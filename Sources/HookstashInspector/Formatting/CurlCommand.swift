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

    /// The command for a POSIX shell (`sh`, `bash`, `dash`, `zsh`), built with `ShellQuoting`: every captured
    /// value is one word, single-quoted when it is plain printable ASCII and decoded from base64 otherwise, so no
    /// captured byte is ever parsed by the shell. A body of printable ASCII and line feeds travels in single quotes
    /// with `--data-raw` (which, unlike `--data-binary`, never reads a file for a body starting with `@`); any
    /// other body is decoded from base64 and piped in. `--disable` ignores the user's `.curlrc` and `--globoff`
    /// keeps `[]{}` in the URL literal.
    public var text: String {
        var parts: [String] = ["curl", "--disable", "--globoff", "--silent", "--show-error"]
        switch capture.method {
        case "HEAD": parts.append("--head")
        case "GET" where body.isEmpty: break
        default: parts += ["--request", ShellQuoting.word(capture.method)]
        }
        parts += ["--url", ShellQuoting.word(url)]
        var named = Set<String>()
        for field in capture.headers {
            let lower = field.name.lowercased()
            named.insert(lower)
            if Self.computedHeaders.contains(lower) { continue }
            // A name that is not an HTTP token cannot be sent as captured (and one starting with `@` would make
            // curl read a file).
            guard Self.isToken(field.name) else { continue }
            // curl drops a header given as `Name:` with no value; `Name;` sends it empty.
            parts += [
                "--header", ShellQuoting.word(field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)"),
            ]
        }
        // Remove what curl would add on its own, so the receiver sees the captured headers only.
        for (header, lower) in [("Accept", "accept"), ("User-Agent", "user-agent")] where !named.contains(lower) {
            parts += ["--header", ShellQuoting.word("\(header):")]
        }
        if !body.isEmpty {
            if !named.contains("content-type") { parts += ["--header", ShellQuoting.word("Content-Type:")] }
            if !named.contains("expect") { parts += ["--header", ShellQuoting.word("Expect:")] }
        }
        if body.isEmpty {
            return parts.joined(separator: " ")
        }
        if let bodyFile {
            parts += ["--data-binary", ShellQuoting.word("@" + bodyFile)]
            return parts.joined(separator: " ")
        }
        if ShellQuoting.isPlain(body, allowingLineFeeds: true) {
            parts += ["--data-raw", ShellQuoting.singleQuoted(body)]
            return parts.joined(separator: " ")
        }
        parts += ["--data-binary", "@-"]
        return ShellQuoting.pipedFromBase64(body) + " | " + parts.joined(separator: " ")
    }

    static func isToken(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy(HTTPFieldName.isTokenByte)
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
