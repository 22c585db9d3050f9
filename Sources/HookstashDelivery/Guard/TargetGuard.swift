import HookstashCore

/// Where hookstash does not deliver unless allowed: link-local addresses and cloud metadata services.
///
/// A replay's target can be chosen by anyone who reaches the inspector, and the answer is read back: without this
/// guard, `{"to":"http://169.254.169.254/latest/meta-data/"}` reads a cloud instance's credentials. The guard is
/// applied to every transfer hookstash makes (replay, forward, send, pull) on the address libcurl actually connects
/// to, after resolution, on every connection and every followed redirect, so a name that resolves differently the
/// second time (DNS rebinding) cannot pass it. Names of metadata services are refused before anything is resolved.
///
/// `allowing` lifts it for a range or a host (`--allow-target`).
public struct TargetGuard: Sendable, Hashable {
    /// A range or a host name that is delivered to even though the guard would refuse it.
    public enum Allowance: Sendable, Hashable, CustomStringConvertible {
        case network(IPNetwork)
        /// A host name, lowercased, without a trailing dot. Every address it resolves to is allowed.
        case host(String)

        /// `169.254.0.0/16`, `fd00:ec2::254`, `[fe80::1]`, `metadata.google.internal`; nil when it is none of them.
        public init?(parsing text: String) {
            let trimmed = text.trimmingSpaces()
            if trimmed.contains("/") {
                guard let network = IPNetwork(trimmed) else { return nil }
                self = .network(network)
            } else if let address = IPAddress(trimmed) {
                self = .network(IPNetwork(address: address, prefixLength: address.bytes.count * 8))
            } else {
                let name = TargetGuard.normalized(trimmed)
                guard !name.isEmpty, name.utf8.count <= 253,
                    name.utf8.allSatisfy({ byte in
                        (0x30...0x39).contains(byte) || (0x61...0x7a).contains(byte) || byte == 0x2d || byte == 0x2e
                            || byte == 0x5f
                    })
                else { return nil }
                self = .host(name)
            }
        }

        public var description: String {
            switch self {
            case .network(let network): network.description
            case .host(let name): name
            }
        }
    }

    /// A refused range and why.
    struct Rule: Sendable, Hashable {
        var network: IPNetwork
        var reason: TargetRefusal.Reason
    }

    /// Ranges refused by default.
    static let standardRules: [Rule] = [
        // Link-local: AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle metadata (169.254.169.254), ECS task
        // credentials (169.254.170.2), and IPv6 link-local.
        Rule(network: IPNetwork("169.254.0.0/16")!, reason: .linkLocal),
        Rule(network: IPNetwork("fe80::/10")!, reason: .linkLocal),
        // AWS's metadata service over IPv6.
        Rule(network: IPNetwork("fd00:ec2::254/128")!, reason: .cloudMetadata),
        // Alibaba Cloud's metadata service.
        Rule(network: IPNetwork("100.100.100.200/32")!, reason: .cloudMetadata),
        // Azure's WireServer (platform configuration and extension settings).
        Rule(network: IPNetwork("168.63.129.16/32")!, reason: .cloudMetadata),
    ]

    /// Names refused by default, whatever they resolve to (lowercase, no trailing dot).
    static let standardNames: [String] = [
        "metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal",
    ]

    public var allowances: [Allowance]
    let rules: [Rule]
    let names: [String]

    /// The standard guard, with `allowances` lifted.
    public init(allowing allowances: [Allowance] = []) {
        self.init(rules: Self.standardRules, names: Self.standardNames, allowing: allowances)
    }

    /// A guard with other rules (tests: refusing loopback ranges shows the guard at work without leaving the host).
    init(rules: [Rule], names: [String], allowing allowances: [Allowance]) {
        self.rules = rules
        self.names = names
        self.allowances = allowances
    }

    /// Refuses the host itself: a metadata service's name, or an address literal in a refused range. Names are
    /// checked again, resolved, on each connection (`check(address:host:)`).
    public func check(host: String) -> TargetRefusal? {
        if let address = IPAddress(host) { return check(address: address, host: host) }
        let name = Self.normalized(host)
        guard !hostAllowed(name), names.contains(name) else { return nil }
        return TargetRefusal(host: host, address: nil, reason: .cloudMetadata, rule: name)
    }

    /// Refuses an address `host` resolved to (or is), unless the host or a range holding the address is allowed.
    public func check(address: IPAddress, host: String) -> TargetRefusal? {
        if hostAllowed(Self.normalized(host)) { return nil }
        let candidates = [address] + (address.embeddedIPv4.map { [$0] } ?? [])
        for candidate in candidates {
            guard let rule = rules.first(where: { $0.network.contains(candidate) }) else { continue }
            if allowances.contains(where: { allowance in
                if case .network(let network) = allowance {
                    return network.contains(candidate) || network.contains(address)
                }
                return false
            }) {
                continue
            }
            return TargetRefusal(
                host: host, address: address.description, reason: rule.reason, rule: rule.network.description)
        }
        return nil
    }

    private func hostAllowed(_ name: String) -> Bool {
        allowances.contains { $0 == .host(name) }
    }

    /// Lowercased, brackets and a trailing dot removed.
    static func normalized(_ host: String) -> String {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        while name.hasSuffix(".") { name.removeLast() }
        return name
    }
}
