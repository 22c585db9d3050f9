import ArgumentParser
import HookstashDelivery

/// How one delivery is made: extra headers, timeouts, TLS checking. Shared by `replay`, `send` and `pull`.
struct DeliveryFlags: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Set a header ('K: V'); 'K:' removes it. Repeatable.", valueName: "header"))
    var header: [String] = []

    @Option(
        help: ArgumentHelp("Total time allowed per delivery, in milliseconds (default 30000).", valueName: "ms"),
        transform: MillisecondsValue.argument)
    var timeout: MillisecondsValue?

    @Option(
        help: ArgumentHelp("Time allowed to connect, in milliseconds (default 5000).", valueName: "ms"),
        transform: MillisecondsValue.argument)
    var connectTimeout: MillisecondsValue?

    @Flag(help: "Do not check TLS certificates (self-signed local HTTPS; for pull, also the remote's).")
    var insecure = false

    @Option(
        help: ArgumentHelp(
            "Connect to ADDRESS for HOST:PORT instead of resolving HOST (as curl's --resolve); repeatable.",
            valueName: "host:port:address"))
    var resolve: [String] = []

    func validate() throws {
        if let timeout, timeout.duration < .milliseconds(1) {
            throw ValidationError("--timeout must be a positive number of milliseconds.")
        }
        if let connectTimeout, connectTimeout.duration < .milliseconds(1) {
            throw ValidationError("--connect-timeout must be a positive number of milliseconds.")
        }
        for entry in resolve {
            let parts = entry.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, !parts[0].isEmpty, let port = Int(parts[1]), (1...65535).contains(port),
                IPAddress(String(parts[2])) != nil
            else {
                throw ValidationError("--resolve takes HOST:PORT:ADDRESS (relay.test:443:127.0.0.1), not '\(entry)'")
            }
        }
        do {
            for text in header { _ = try ReplaySettings.parseHeader(text) }
        } catch {
            throw ValidationError(error.message)
        }
    }

    /// Timeouts, TLS checking, fixed addresses and where deliveries may go, as given.
    func options(_ targets: TargetOptions) -> DeliveryOptions {
        DeliveryOptions(
            connectTimeoutMs: connectTimeout?.milliseconds ?? DeliveryOptions.defaultConnectTimeoutMs,
            totalTimeoutMs: timeout?.milliseconds ?? DeliveryOptions.defaultTotalTimeoutMs, insecure: insecure,
            targetGuard: targets.targetGuard, resolve: resolve)
    }

    /// The `--header` values, parsed.
    func extraHeaders() throws -> [(name: String, value: String?)] {
        try header.map { try ReplaySettings.parseHeader($0) }
    }
}
