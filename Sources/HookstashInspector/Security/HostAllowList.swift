/// The `Host` values the inspector answers, against DNS rebinding: a page on an attacker's domain that
/// resolves to 127.0.0.1 still sends its own domain name as `Host`.
struct HostAllowList: Sendable {
    private let names: Set<String>

    init(configured: [String], bindHost: String) {
        // A configured `relay.example.com:443` means the name: the port of a Host header is not compared.
        var names = Set(configured.map { Self.hostPart($0).lowercased() })
        names.insert(bindHost.lowercased())
        self.names = names
    }

    /// Accepts loopback names (`localhost`, `*.localhost`), IP literals (an address typed by the user is not a
    /// name an attacker controls), the bind host and the configured names, with or without a port.
    func allows(_ hostHeader: String?) -> Bool {
        // Host names on the wire are ASCII (browsers send IDNs as punycode). Anything else is refused before any
        // comparison, which then works on ASCII only: `Character` comparisons and properties (`isHexDigit` is true
        // for fullwidth digits, a `]` or `:` followed by a combining mark is another character) would otherwise
        // decide on grapheme clusters, not bytes.
        guard let hostHeader, !hostHeader.isEmpty, hostHeader.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            return false
        }
        let host = Self.hostPart(hostHeader).lowercased()
        if host.isEmpty { return false }
        if host == "localhost" || host.hasSuffix(".localhost") { return true }
        if Self.isIPLiteral(host) { return true }
        return names.contains(host)
    }

    /// `example.com:4040` → `example.com`; `[::1]:4040` → `[::1]`.
    static func hostPart(_ header: String) -> String {
        if header.hasPrefix("[") {
            guard let close = header.firstIndex(of: "]") else { return "" }
            return String(header[...close])
        }
        guard let colon = header.lastIndex(of: ":") else { return header }
        return String(header[..<colon])
    }

    static func isIPLiteral(_ host: String) -> Bool {
        if host.hasPrefix("[") && host.hasSuffix("]") {
            let inner = host.dropFirst().dropLast()
            return !inner.isEmpty && inner.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
        }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { !$0.isEmpty && $0.count <= 3 && UInt8($0) != nil }
    }
}
