import HookstashCore

/// Where a delivery goes: the `--to` URL, split into what curl connects to and what replaces the
/// captured request-target.
///
/// `http://localhost:3000` has no path: the captured request-target is sent unchanged.
/// `http://localhost:3000/hook` has a path: it replaces the captured path; the captured query is kept
/// unless the URL has its own query, which then replaces it.
public struct DeliveryTarget: Sendable, Hashable, CustomStringConvertible {
    /// `http` or `https`, lowercased.
    public let scheme: String
    /// `host[:port]` as written (`[::1]:8080` for IPv6).
    public let authority: String
    /// The path given in the URL, nil when the URL has none.
    public let path: String?
    /// The query given in the URL, nil when the URL has none.
    public let query: String?

    public init(parsing text: String) throws(DeliveryError) {
        if let found = LineBreakingByte.first(in: text) {
            throw .invalidTarget("the URL contains \(found); a URL is one line")
        }
        var rest = Substring(text.trimmingSpaces())
        guard let separator = rest.firstRange(of: "://") else {
            throw .invalidTarget("\(text) is not a URL: expected http://host[:port][/path]")
        }
        let scheme = rest[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw .invalidTarget("\(text) uses \(scheme)://, but only http:// and https:// targets are supported")
        }
        rest = rest[separator.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = String(rest[..<authorityEnd])
        guard !authority.isEmpty, !authority.hasPrefix(":") else {
            throw .invalidTarget("\(text) has no host")
        }
        guard authority.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "@" }) else {
            throw .invalidTarget("\(text) has an unsupported host part \(authority)")
        }
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            let port = authority[authority.index(after: colon)...]
            guard let number = Int(port), (1...65535).contains(number) else {
                throw .invalidTarget("\(text) has an invalid port \(port)")
            }
        }
        rest = rest[authorityEnd...]
        var path: Substring = rest
        var query: String?
        if let mark = rest.firstIndex(of: "?") {
            path = rest[..<mark]
            query = String(rest[rest.index(after: mark)...])
        }
        guard rest.allSatisfy({ $0.isASCII && $0 != " " && $0 != "\r" && $0 != "\n" }) else {
            throw .invalidTarget("\(text) contains spaces or non-ASCII characters; percent-encode them")
        }
        self.scheme = scheme
        self.authority = authority
        self.path = path.isEmpty ? nil : String(path)
        self.query = query
    }

    /// The host without port or brackets: `localhost`, `192.0.2.1`, `::1`.
    public var host: String {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<close])
        }
        guard let colon = authority.lastIndex(of: ":") else { return authority }
        return String(authority[..<colon])
    }

    /// The URL as given, normalised to scheme://authority/path?query.
    public var description: String {
        "\(scheme)://\(authority)\(path ?? "")\(query.map { "?\($0)" } ?? "")"
    }

    /// What curl connects to; the request-target is set separately so that it goes out byte for byte.
    var connectionURL: String { "\(scheme)://\(authority)/" }

    /// The request-target to send for a captured one.
    public func requestTarget(replacing captured: RequestTarget) -> String {
        guard let path else {
            guard let query else { return captured.raw }
            return captured.path + "?" + query
        }
        let query = self.query ?? captured.query
        return path + (query.map { "?\($0)" } ?? "")
    }

    /// The request-target when sending a file with no capture behind it (`send`).
    public var requestTarget: String {
        (path ?? "/") + (query.map { "?\($0)" } ?? "")
    }
}
