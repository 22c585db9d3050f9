import HookstashCore

/// Whether an inspector bind address is reachable only from this machine, and the refusal when it is not
/// protected.
public enum InspectorExposure {
    /// True for `localhost`, `127.0.0.0/8` and `::1` (bracketed or not).
    public static func isLoopback(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" || name.hasSuffix(".localhost") || name == "::1" || name == "0:0:0:0:0:0:0:1" {
            return true
        }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// Throws when the inspector would listen on a non-loopback address without a token: captured requests
    /// (often with secrets in their headers) would be readable, and replayable, by anyone on the network.
    public static func check(host: String, token: String?) throws {
        if isLoopback(host) { return }
        if let token, !token.isEmpty { return }
        throw HookstashError.invalidInput(
            "refusing to start the inspector on \(host), which other machines can reach, without a token: "
                + "give it a token, or bind it to a loopback address")
    }
}
