import HookstashCore

/// A URL split into the parts a URL-signing sender may get differently from the receiver: scheme, host, port.
struct SignedURL: Hashable {
    var scheme: String
    var host: String
    /// The port as written, nil when none is.
    var port: String?
    /// Path and query, starting with `/` (or empty).
    var rest: String

    init(scheme: String, host: String, port: String?, rest: String) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.rest = rest
    }

    /// Parses `scheme://host[:port][/rest]`; nil for anything else.
    init?(_ text: String) {
        guard let separator = text.firstRange(of: "://") else { return nil }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard !scheme.isEmpty else { return nil }
        let afterScheme = text[separator.upperBound...]
        let slash = afterScheme.firstIndex { $0 == "/" || $0 == "?" } ?? afterScheme.endIndex
        let authority = String(afterScheme[..<slash])
        guard !authority.isEmpty else { return nil }
        self.init(scheme: scheme, authority: authority, rest: String(afterScheme[slash...]))
    }

    init(scheme: String, authority: String, rest: String) {
        self.scheme = scheme
        self.rest = rest
        // `[v6]:port` or `host:port`.
        if let close = authority.lastIndex(of: "]") {
            host = String(authority[...close])
            let after = authority[authority.index(after: close)...]
            port = after.hasPrefix(":") ? String(after.dropFirst()) : nil
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = String(authority[authority.index(after: colon)...])
        } else {
            host = authority
            port = nil
        }
    }

    var authority: String { port.map { "\(host):\($0)" } ?? host }
    var text: String { "\(scheme)://\(authority)\(rest)" }

    var defaultPort: String { scheme == "https" ? "443" : "80" }

    var withoutPort: SignedURL {
        var copy = self
        copy.port = nil
        return copy
    }

    /// With the scheme's default port written out when no port is.
    var withDefaultPort: SignedURL {
        var copy = self
        if copy.port == nil { copy.port = defaultPort }
        return copy
    }

    /// The path and query of a request-target: origin-form as is, absolute-form without its scheme and authority.
    static func pathAndQuery(of target: String) -> String {
        if target.hasPrefix("/") { return target }
        if let parsed = SignedURL(target) { return parsed.rest.isEmpty ? "/" : parsed.rest }
        return target == "*" ? "" : "/" + target
    }
}

/// Where the URL a sender signed comes from: the public URL, the forwarding headers a tunnel adds, or `Host`.
struct SignedURLSources {
    struct Candidate: Hashable {
        var url: SignedURL
        /// Where the host came from: the public URL, `X-Forwarded-Host`, the Host header.
        var hostSource: SignatureFinding.HostSource
    }

    let canonical: Candidate
    let hosts: [(authority: String, source: SignatureFinding.HostSource)]

    init(request: SignatureRequest, publicURL: String?) {
        let pathAndQuery = SignedURL.pathAndQuery(of: request.target)
        var hosts: [(String, SignatureFinding.HostSource)] = []
        var fromPublic: SignedURL?
        if let publicURL, let base = SignedURL(publicURL.trimmingSpaces()) {
            var joined = base
            var basePath = base.rest
            while basePath.hasSuffix("/") { basePath.removeLast() }
            joined.rest = basePath + pathAndQuery
            fromPublic = joined
            hosts.append((base.authority, .publicURL))
        }
        let forwardedHost = request.headers.first("X-Forwarded-Host").map(Self.firstListItem)
        let forwardedProto = request.headers.first("X-Forwarded-Proto").map(Self.firstListItem)?.lowercased()
        let host = request.headers.first("Host")?.trimmingSpaces()
        if let forwardedHost, !forwardedHost.isEmpty { hosts.append((forwardedHost, .forwardedHost)) }
        if let host, !host.isEmpty { hosts.append((host, .hostHeader)) }
        if let absolute = SignedURL(request.target) { hosts.append((absolute.authority, .requestTarget)) }
        if hosts.isEmpty { hosts.append(("localhost", .defaultHost)) }
        self.hosts = hosts
        if let fromPublic {
            canonical = Candidate(url: fromPublic, hostSource: hosts[0].1)
        } else {
            let scheme = forwardedProto.flatMap { $0 == "http" || $0 == "https" ? $0 : nil } ?? "http"
            canonical = Candidate(
                url: SignedURL(scheme: scheme, authority: hosts[0].0, rest: pathAndQuery), hostSource: hosts[0].1)
        }
    }

    private static func firstListItem(_ value: String) -> String {
        (value.split(separator: ",").first.map { $0.trimmingSpaces() }) ?? ""
    }

    /// Every URL worth trying: both schemes, every host source, with and without the port. At most a dozen.
    var alternatives: [Candidate] {
        var seen: Set<SignedURL> = []
        var out: [Candidate] = []
        for (authority, source) in hosts.prefix(3) {
            for scheme in [canonical.url.scheme, canonical.url.scheme == "https" ? "http" : "https"] {
                let base = SignedURL(scheme: scheme, authority: authority, rest: canonical.url.rest)
                for url in [base, base.withoutPort, base.withDefaultPort] where seen.insert(url).inserted {
                    out.append(Candidate(url: url, hostSource: source))
                }
            }
        }
        return out
    }

    /// How `candidate` differs from the URL hookstash checked against.
    func differences(of candidate: Candidate) -> [SignatureFinding.URLDifference] {
        var out: [SignatureFinding.URLDifference] = []
        let reference = canonical.url
        if candidate.url.scheme != reference.scheme {
            out.append(.init(kind: .scheme, value: candidate.url.scheme, checked: reference.scheme))
        }
        if candidate.url.host.lowercased() != reference.host.lowercased() {
            out.append(
                .init(
                    kind: .host, value: candidate.url.host, checked: reference.host, source: candidate.hostSource,
                    checkedSource: canonical.hostSource))
        }
        if candidate.url.port != reference.port {
            switch (candidate.url.port, reference.port) {
            case (nil, let port?): out.append(.init(kind: .portRemoved, value: port))
            case (let port?, nil): out.append(.init(kind: .portAdded, value: port))
            case (let port?, let other?): out.append(.init(kind: .port, value: port, checked: other))
            default: break
            }
        }
        return out
    }
}
