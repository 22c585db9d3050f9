import ArgumentParser
import Foundation
import HookstashCore
import HookstashDelivery
import HookstashInspector
import HookstashServer
import HookstashSignatures
import HookstashStore
import Logging
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Capture every request on any method and path into the store, answering only after it is stored.")

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("Capture listener address; every method and path is captured.", valueName: "host:port"))
    var listen = ListenAddress(host: "127.0.0.1", port: 8080)

    @Option(
        help: ArgumentHelp(
            "Inspector (HTML pages and JSON API) address, or 'off'. Off loopback it needs --inspect-token.",
            valueName: "host:port|off"))
    var inspect = "127.0.0.1:4040"

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

    @Option(
        help: ArgumentHelp(
            "TOML file with several endpoints (path prefix → scheme, secrets, response, forward target).",
            valueName: "file"))
    var config: String?

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

    /// `--allow-target`: for `--forward`, config forwards and the inspector's replay.
    @OptionGroup var targets: TargetOptions

    @Option(help: ArgumentHelp("Delay before the first forward retry (1s, 500ms).", valueName: "duration"))
    var forwardRetryInitial: String?

    @Option(help: ArgumentHelp("Longest delay between forward retries (5m).", valueName: "duration"))
    var forwardRetryMax: String?

    @Option(help: ArgumentHelp("Attempts before a forward is given up (20).", valueName: "n"))
    var forwardMaxAttempts: Int?

    @Option(help: ArgumentHelp("Forwards in flight at once per target (1 keeps capture order).", valueName: "n"))
    var forwardConcurrency: Int?

    @Option(help: ArgumentHelp("Total time allowed for one forward attempt, in milliseconds.", valueName: "ms"))
    var forwardTimeout: Int?

    @Option(help: ArgumentHelp("The status the listener answers with.", valueName: "status"))
    var responseStatus = 200

    @Option(help: ArgumentHelp("A header the listener answers with, 'Name: value'; repeatable.", valueName: "header"))
    var responseHeader: [String] = []

    @Option(help: ArgumentHelp("The body the listener answers with.", valueName: "text"))
    var responseBody = ""

    @Option(help: ArgumentHelp("Milliseconds to wait, after storing, before answering.", valueName: "ms"))
    var responseDelay = 0

    @Option(
        help: ArgumentHelp(
            "Larger bodies are answered 413 (the attempt is still recorded): 25MiB, 2GiB, 1048576.", valueName: "bytes")
    )
    var maxBodySize = "25MiB"

    @Option(help: ArgumentHelp("Keep at most this many captures (oldest pruned first).", valueName: "n"))
    var retain: Int?

    @Option(help: ArgumentHelp("Keep captures younger than this duration: 7d, 12h, 30m.", valueName: "duration"))
    var retainFor: String?

    @Option(
        help: ArgumentHelp(
            "Largest size of the database file (bodies over 1 MiB live beside it); when full, captures are answered 503 until retention frees space.",
            valueName: "bytes"))
    var maxStoreSize: String?

    @Flag(help: "Do not print a line for each capture.")
    var quiet = false

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel = "info"

    @Option(
        help: ArgumentHelp(
            "Connections the capture listener holds open at once; more wait in the backlog "
                + "(default: all but an eighth of `ulimit -n`).", valueName: "n"))
    var maxConnections: Int?

    @Option(help: ArgumentHelp("Seconds a request head may take to arrive.", visibility: .hidden))
    var headerTimeout = 10.0

    @Option(help: ArgumentHelp("Seconds a request body may go without a byte.", visibility: .hidden))
    var bodyTimeout = 30.0

    @Option(help: ArgumentHelp("Seconds a keep-alive connection may stay idle.", visibility: .hidden))
    var idleTimeout = 75.0

    @Option(help: ArgumentHelp("Largest request head, in bytes, before answering 431.", visibility: .hidden))
    var maxHeaderSize = 64 * 1024

    func validate() throws {
        for name in inspectAllowHosts where name.isEmpty || name.contains(where: { $0.isWhitespace || $0 == "/" }) {
            throw ValidationError("--inspect-allow-host takes a host name such as relay.example.com, not '\(name)'")
        }
        if let maxConnections, maxConnections < 1 {
            throw ValidationError("--max-connections takes a positive number, not \(maxConnections)")
        }
        if inspect != "off" {
            guard let address = ListenAddress(argument: inspect) else {
                throw ValidationError("--inspect takes HOST:PORT or off, not '\(inspect)'")
            }
            try InspectorExposure.check(host: address.host, token: resolvedInspectToken)
        }
        guard SignatureSchemeSelection(name: scheme) != nil else {
            throw ValidationError(
                "--scheme must be one of \(EndpointConfiguration.schemeNames.joined(separator: ", ")), not '\(scheme)'")
        }
        for name in secretEnvironment where ProcessInfo.processInfo.environment[name] == nil {
            throw ValidationError("--secret-env names \(name), which is not set in the environment")
        }
        if let publicURL, !(publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://")) {
            throw ValidationError("--public-url must be an http:// or https:// URL, not '\(publicURL)'")
        }
        for (flag, value) in [
            ("--forward-retry-initial", forwardRetryInitial), ("--forward-retry-max", forwardRetryMax),
        ] {
            try DurationFlag.check(flag, value, examples: "1s, 500ms or 5m")
        }
        if forwardSync, forward == nil, config == nil {
            throw ValidationError("--forward-sync needs --forward URL (or endpoints with forward in --config)")
        }
        guard (100...599).contains(responseStatus) else {
            throw ValidationError("--response-status must be between 100 and 599, not \(responseStatus)")
        }
        guard ByteSizeText.parse(maxBodySize) != nil else {
            throw ValidationError("--max-body-size takes a size such as 25MiB, 2GiB or 1048576, not '\(maxBodySize)'")
        }
        if let maxStoreSize, ByteSizeText.parse(maxStoreSize) == nil {
            throw ValidationError("--max-store-size takes a size such as 500MiB or 2GiB, not '\(maxStoreSize)'")
        }
        try DurationFlag.check("--retain-for", retainFor, examples: "7d, 12h or 30m")
        if let retain, retain < 1 {
            throw ValidationError("--retain must be at least 1")
        }
        guard responseDelay >= 0 else { throw ValidationError("--response-delay cannot be negative") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        _ = try responseHeaders()
    }

    private var resolvedInspectToken: String? {
        inspectToken ?? ProcessInfo.processInfo.environment["HOOKSTASH_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }

    private func responseHeaders() throws -> HeaderList {
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
        return headers
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "hookstash")
        // Before the listeners size their connection limits from it.
        DescriptorBudget.raiseSoftLimit()
        let captureStore = try CaptureStore(
            path: store.resolvedPath, mode: .createIfMissing, maxSize: maxStoreSize.flatMap(ByteSizeText.parse),
            checkpoints: .background)
        try captureStore.requireWritableFile()
        let response = CaptureResponse(
            status: responseStatus, headers: try responseHeaders(), body: Array(responseBody.utf8),
            delayMilliseconds: responseDelay)
        let configuration: ConfigurationFile
        do {
            configuration = try config.map { try ConfigurationFile.load(path: $0) } ?? ConfigurationFile()
        } catch {
            throw HookstashError.invalidInput("\(error)")
        }
        let environment = ProcessInfo.processInfo.environment
        let router = EndpointRouter(
            configuration: configuration,
            defaultPolicy: SignaturePolicy(
                scheme: SignatureSchemeSelection(name: scheme) ?? .auto,
                secrets: secrets + secretEnvironment.compactMap { environment[$0] }, publicURL: publicURL),
            defaultResponse: response, defaultForward: forward)
        let forwarder: CaptureForwarder
        do {
            forwarder = try CaptureForwarder(
                store: captureStore, router: router, logger: logger,
                limits: .init(
                    retryInitialSeconds: forwardRetryInitial.flatMap(DurationText.parse),
                    retryMaxSeconds: forwardRetryMax.flatMap(DurationText.parse), maxAttempts: forwardMaxAttempts,
                    concurrency: forwardConcurrency, timeoutMs: forwardTimeout, targetGuard: targets.targetGuard))
        } catch let refusal as TargetRefusal {
            throw HookstashError.invalidInput("forward target: \(TargetOptions.message(refusal))")
        }
        let forwardSync = self.forwardSync
        let replayer = CaptureReplayer(
            store: captureStore, router: router, options: DeliveryOptions(targetGuard: targets.targetGuard))
        defer { replayer.shutdown() }
        let signatures = CaptureSignatureCheck(router: router, store: captureStore)
        let quiet = self.quiet
        let writer = CaptureWriter(
            store: captureStore,
            prepare: { signatures.annotate(&$0) },
            forwardQueue: { forwardSync ? nil : forwarder.queueKey(for: $0) },
            committed: { captures in
                if !forwardSync { forwarder.notifyQueued(captures) }
                guard !quiet else { return }
                let lines = captures.map(ServeOutput.line).joined()
                FileHandle.standardOutput.write(Data(lines.utf8))
            })
        var relay: (@Sendable (Capture) async -> CaptureResponse?)?
        if forwardSync {
            relay = { capture in await ForwardSync.answer(forwarder: forwarder, capture: capture) }
        }
        var listenerConfiguration = CaptureListenerConfiguration(
            host: listen.host, port: listen.port, maxBodySize: ByteSizeText.parse(maxBodySize)!,
            maxHeadSize: maxHeaderSize, headerTimeout: headerTimeout, bodyTimeout: bodyTimeout,
            idleTimeout: idleTimeout,
            maxConnections: maxConnections ?? DescriptorBudget.current().captureConnections,
            respond: { target, _ in router.route(forPath: target.path).response },
            relay: relay)
        listenerConfiguration.wording = .commandLine
        let listener = CaptureListener(
            configuration: listenerConfiguration, store: captureStore, writer: writer, logger: logger)
        if inspect != "off", let address = ListenAddress(argument: inspect) {
            try await Inspector.checkAddress(host: address.host, port: address.port)
        }
        let address = try await listener.start()
        let retention = RetentionService(
            store: captureStore,
            policy: .init(keepAtMost: retain, keepFor: retainFor.flatMap(DurationText.parse)), logger: logger)

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: listener), .init(service: retention),
        ]
        services += forwarder.services.map { .init(service: $0) }
        if inspect != "off", let address = ListenAddress(argument: inspect) {
            let shownHost = address.host.contains(":") ? "[\(address.host)]" : address.host
            let inspector = Inspector(
                configuration: InspectorConfiguration(
                    host: address.host, port: address.port, store: captureStore, token: resolvedInspectToken,
                    allowedHosts: inspectAllowHosts,
                    replay: { id, request in
                        try await replayer.replay(
                            captureID: id, to: request.to, resign: request.resign,
                            resignUnverified: request.resignUnverified, headers: request.headers)
                    },
                    onServerRunning: { port in Terminal.line("  inspector: http://\(shownHost):\(port)/") },
                    logger: logger))
            services.append(.init(service: inspector))
        }

        let host = listen.host.contains(":") ? "[\(listen.host)]" : listen.host
        Terminal.line("hookstash is capturing")
        Terminal.line("  capture:   http://\(host):\(address.port ?? listen.port)/")
        Terminal.line("  store:     \(captureStore.path)")
        for endpoint in configuration.endpoints {
            Terminal.line("  endpoint:  \(endpoint)")
        }
        if let forward {
            Terminal.line("  forward:   \(forward)\(forwardSync ? " (answers with the target's answer)" : "")")
        }

        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        Terminal.line("hookstash stopped; every answered capture is in \(captureStore.path)")
    }
}

/// The line `serve` prints for each stored capture; captured values go through `Terminal.field`.
enum ServeOutput {
    static func line(_ capture: Capture) -> String {
        let signature = capture.signature.map { " signature \($0.status.rawValue)" } ?? ""
        let problem = capture.problem.map { " (\(Terminal.field(Wording.commandLine.sentence($0))))" } ?? ""
        return
            "#\(capture.id) \(CaptureLine.truncate(capture.method, 12)) \(CaptureLine.truncate(capture.target.raw, 60)) "
            + "→ \(capture.responseStatus)  \(ByteSizeText.format(capture.bodySize))\(signature)\(problem)\n"
    }
}

/// `--forward-sync`: the sender gets the forward target's answer when it comes within the budget.
enum ForwardSync {
    static func answer(forwarder: CaptureForwarder, capture: Capture) async -> CaptureResponse? {
        guard let outcome = await forwarder.forwardNow(capture), let response = outcome.response,
            !response.truncated
        else { return nil }
        var headers = response.headers
        for name in ["Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "TE", "Trailer", "Upgrade"] {
            headers.remove(name)
        }
        return CaptureResponse(status: response.status, headers: headers, body: response.body)
    }
}
