import ArgumentParser
import HookstashCore
import HookstashServe
import HookstashServer
import HookstashSignatures
import Logging

/// `serve`'s capture listener flags: address, limits, timeouts.
struct ListenerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Capture listener address; every method and path is captured.", valueName: "host:port"))
    var listen = ListenAddress(host: "127.0.0.1", port: 8080)

    @Option(
        help: ArgumentHelp(
            "Larger bodies are answered 413 (the attempt is still recorded): 25MiB, 2GiB, 1048576. "
                + "(default: \(ServeConfiguration.Listener().maxBodySize))", valueName: "bytes"),
        transform: ByteSize.argument)
    var maxBodySize = ServeConfiguration.Listener().maxBodySize

    @Option(
        help: ArgumentHelp(
            "Connections the capture listener holds open at once; more wait in the backlog "
                + "(default: all but an eighth of `ulimit -n`).", valueName: "n"))
    var maxConnections: Int?

    @Option(
        help: ArgumentHelp("Seconds a request head may take to arrive.", visibility: .hidden),
        transform: SecondsValue.argument)
    var headerTimeout = SecondsValue(.seconds(10))

    @Option(
        help: ArgumentHelp("Seconds a request body may go without a byte.", visibility: .hidden),
        transform: SecondsValue.argument)
    var bodyTimeout = SecondsValue(.seconds(30))

    @Option(
        help: ArgumentHelp("Seconds a keep-alive connection may stay idle.", visibility: .hidden),
        transform: SecondsValue.argument)
    var idleTimeout = SecondsValue(.seconds(75))

    @Option(
        help: ArgumentHelp("Largest request head, in bytes, before answering 431.", visibility: .hidden),
        transform: ByteSize.argument)
    var maxHeaderSize = ByteSize.kibibytes(64)

    func validate() throws {
        if let maxConnections, maxConnections < 1 {
            throw ValidationError("--max-connections takes a positive number, not \(maxConnections)")
        }
    }

    var configuration: ServeConfiguration.Listener {
        ServeConfiguration.Listener(
            host: listen.host, port: listen.port, maxBodySize: maxBodySize, maxHeadSize: maxHeaderSize,
            headerTimeout: headerTimeout.duration, bodyTimeout: bodyTimeout.duration, idleTimeout: idleTimeout.duration,
            maxConnections: maxConnections)
    }
}

/// `serve`'s answer to every sender (captures no config endpoint covers).
struct ResponseOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The status the listener answers with.", valueName: "status"))
    var responseStatus = 200

    @Option(help: ArgumentHelp("A header the listener answers with, 'Name: value'; repeatable.", valueName: "header"))
    var responseHeader: [String] = []

    @Option(help: ArgumentHelp("The body the listener answers with.", valueName: "text"))
    var responseBody = ""

    @Option(
        help: ArgumentHelp("Milliseconds to wait, after storing, before answering. (default: 0)", valueName: "ms"),
        transform: MillisecondsValue.argument)
    var responseDelay = MillisecondsValue(.zero)

    func validate() throws {
        guard (100...599).contains(responseStatus) else {
            throw ValidationError("--response-status must be between 100 and 599, not \(responseStatus)")
        }
        _ = try response()
    }

    func response() throws -> CaptureResponse {
        var headers = HeaderList()
        for text in responseHeader {
            do {
                let (name, value) = try ResponseHeaderLine.parse(text)
                headers.append(name: name, value: value)
            } catch .notNameColonValue {
                throw ValidationError("--response-header takes 'Name: value', not '\(Terminal.field(text))'")
            } catch .lineBreak(let found) {
                throw ValidationError(
                    "--response-header '\(Terminal.field(text))' contains \(found); a header is one line")
            } catch {
                throw ValidationError("--response-header '\(Terminal.field(text))': \(error)")
            }
        }
        return CaptureResponse(
            status: responseStatus, headers: headers, body: Array(responseBody.utf8),
            delay: responseDelay.duration)
    }
}

/// `serve`'s inspector flags.
struct InspectorOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Inspector (HTML pages and JSON API) address, or 'off'. Off loopback it needs --inspect-token.",
            valueName: "host:port|off"))
    var inspect = InspectAddress.on(ListenAddress(host: "127.0.0.1", port: 4040))

    @Option(
        help: ArgumentHelp(
            "Token every inspector request must carry (bearer, or ?token= once, then a cookie); also $HOOKSTASH_TOKEN.",
            valueName: "token"))
    var inspectToken: String?

    @Option(
        name: .customLong("inspect-allow-host"),
        help: ArgumentHelp(
            "Another Host name the inspector answers, such as the name a reverse proxy serves it under; repeatable. "
                + "Loopback names and IP addresses are always answered.", valueName: "name"))
    var inspectAllowHosts: [String] = []

    func validate() throws {
        for name in inspectAllowHosts where name.isEmpty || name.contains(where: { $0.isWhitespace || $0 == "/" }) {
            throw ValidationError("--inspect-allow-host takes a host name such as relay.example.com, not '\(name)'")
        }
    }

    /// nil when off. `environment` supplies `HOOKSTASH_TOKEN` when `--inspect-token` is not given.
    func configuration(environment: [String: String]) -> ServeConfiguration.Inspector? {
        guard case .on(let address) = inspect else { return nil }
        let token = inspectToken ?? environment["HOOKSTASH_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return ServeConfiguration.Inspector(
            host: address.host, port: address.port, token: token, allowedHosts: inspectAllowHosts)
    }
}

/// `--inspect HOST:PORT` or `--inspect off`.
enum InspectAddress: ExpressibleByArgument, Sendable {
    case on(ListenAddress)
    case off

    init?(argument: String) {
        if argument == "off" {
            self = .off
        } else if let address = ListenAddress(argument: argument) {
            self = .on(address)
        } else {
            return nil
        }
    }

    var defaultValueDescription: String {
        switch self {
        case .on(let address): address.description
        case .off: "off"
        }
    }
}

/// `serve`'s signature flags, for captures no config endpoint covers.
struct SignatureOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Signature scheme for captures no config endpoint covers: front, front-app, github, stripe, slack, shopify, standard-webhooks, twilio, paddle, square, none, auto.",
            valueName: "name"))
    var scheme = "auto"

    @Option(
        name: .customLong("secret"), help: ArgumentHelp("Signing secret; repeatable (rotation).", valueName: "value"))
    var secrets: [String] = []

    @Option(
        name: .customLong("secret-env"),
        help: ArgumentHelp("Read a signing secret from this environment variable; repeatable.", valueName: "name"))
    var secretEnvironment: [String] = []

    @Option(
        help: ArgumentHelp(
            "The base URL the sender signs against (Twilio, Square); default: X-Forwarded-Proto/Host, else Host.",
            valueName: "url"))
    var publicURL: String?

    func validate() throws {
        guard SignatureSchemeSelection(name: scheme) != nil else {
            throw ValidationError(
                "--scheme must be one of \(EndpointConfiguration.schemeNames.joined(separator: ", ")), not '\(scheme)'")
        }
        if let publicURL, !(publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://")) {
            throw ValidationError("--public-url must be an http:// or https:// URL, not '\(publicURL)'")
        }
    }

    func policy(environment: [String: String]) throws -> SignaturePolicy {
        var resolved = secrets
        for name in secretEnvironment {
            guard let value = environment[name] else {
                throw ValidationError("--secret-env names \(name), which is not set in the environment")
            }
            resolved.append(value)
        }
        return SignaturePolicy(
            scheme: SignatureSchemeSelection(name: scheme) ?? .auto, secrets: resolved, publicURL: publicURL)
    }
}

/// `serve`'s forwarding flags.
struct ForwardingOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Forward every capture to URL through a durable queue (retries with backoff; survives restarts).",
            valueName: "url"))
    var forward: String?

    @Flag(
        help:
            "Answer each sender with the forward target's answer (first attempt, within 4.5 s; else the configured answer)."
    )
    var forwardSync = false

    @Option(
        help: ArgumentHelp("Delay before the first forward retry (1s, 500ms).", valueName: "duration"),
        transform: DurationValue.argument)
    var forwardRetryInitial: DurationValue?

    @Option(
        help: ArgumentHelp("Longest delay between forward retries (5m).", valueName: "duration"),
        transform: DurationValue.argument)
    var forwardRetryMax: DurationValue?

    @Option(help: ArgumentHelp("Attempts before a forward is given up (20).", valueName: "n"))
    var forwardMaxAttempts: Int?

    @Option(help: ArgumentHelp("Forwards in flight at once per target (1 keeps capture order).", valueName: "n"))
    var forwardConcurrency: Int?

    @Option(
        help: ArgumentHelp("Total time allowed for one forward attempt, in milliseconds.", valueName: "ms"),
        transform: MillisecondsValue.argument)
    var forwardTimeout: MillisecondsValue?

    func validate() throws {
        if let forwardMaxAttempts, forwardMaxAttempts < 1 {
            throw ValidationError("--forward-max-attempts must be at least 1")
        }
        if let forwardConcurrency, !(1...64).contains(forwardConcurrency) {
            throw ValidationError("--forward-concurrency must be between 1 and 64")
        }
        if let forwardTimeout, forwardTimeout.duration < .milliseconds(1) {
            throw ValidationError("--forward-timeout must be a positive number of milliseconds")
        }
    }

    var configuration: ServeConfiguration.Forwarding {
        ServeConfiguration.Forwarding(
            target: forward, answersWithTargetsAnswer: forwardSync,
            limits: CaptureForwarder.Limits(
                retryInitial: forwardRetryInitial?.duration, retryMax: forwardRetryMax?.duration,
                maxAttempts: forwardMaxAttempts, concurrency: forwardConcurrency, timeout: forwardTimeout?.duration))
    }
}

/// `serve`'s retention and size flags for the store.
struct RetentionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Keep at most this many captures (oldest pruned first).", valueName: "n"))
    var retain: Int?

    @Option(
        help: ArgumentHelp("Keep captures younger than this duration: 7d, 12h, 30m.", valueName: "duration"),
        transform: DurationValue.argument)
    var retainFor: DurationValue?

    @Option(
        help: ArgumentHelp(
            "Largest size of the database file (bodies over 1 MiB live beside it); when full, captures are answered 503 until retention frees space.",
            valueName: "bytes"),
        transform: ByteSize.argument)
    var maxStoreSize: ByteSize?

    func validate() throws {
        if let retain, retain < 1 {
            throw ValidationError("--retain must be at least 1")
        }
    }

    var policy: RetentionService.Policy {
        RetentionService.Policy(keepAtMost: retain, keepFor: retainFor?.duration)
    }
}

/// `--log-level trace|debug|info|notice|warning|error|critical`.
extension Logger.Level: @retroactive ExpressibleByArgument {}
