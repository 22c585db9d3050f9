import ArgumentParser
import HookstashDelivery

/// How one delivery is made: extra headers, timeouts, TLS checking. Shared by `replay`, `send` and `pull`.
struct DeliveryFlags: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Set a header ('K: V'); 'K:' removes it. Repeatable.", valueName: "header"))
    var header: [String] = []

    @Option(help: ArgumentHelp("Total time allowed per delivery, in milliseconds (default 30000).", valueName: "ms"))
    var timeout: Int?

    @Option(help: ArgumentHelp("Time allowed to connect, in milliseconds (default 5000).", valueName: "ms"))
    var connectTimeout: Int?

    @Flag(help: "Do not check TLS certificates (self-signed local HTTPS; for pull, also the remote's).")
    var insecure = false

    func validate() throws {
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be a positive number of milliseconds.") }
        if let connectTimeout, connectTimeout <= 0 {
            throw ValidationError("--connect-timeout must be a positive number of milliseconds.")
        }
        do {
            for text in header { _ = try ReplaySettings.parseHeader(text) }
        } catch {
            throw ValidationError(error.message)
        }
    }

    /// The `--header` values, parsed.
    func extraHeaders() throws -> [(name: String, value: String?)] {
        try header.map { try ReplaySettings.parseHeader($0) }
    }
}
