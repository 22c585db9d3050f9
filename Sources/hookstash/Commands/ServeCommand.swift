import ArgumentParser
import Foundation
import HookstashCore
import HookstashDelivery
import HookstashInspector
import HookstashServe
import HookstashServer
import HookstashStore
import Logging

/// `hookstash serve`: maps its flags (and the config file) to a `ServeConfiguration`, runs a `ServeApplication`,
/// and prints what it reports.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Capture every request on any method and path into the store, answering only after it is stored.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var listener: ListenerOptions
    @OptionGroup var inspector: InspectorOptions

    @Option(
        help: ArgumentHelp(
            "TOML file with several endpoints (path prefix → scheme, secrets, response, forward target).",
            valueName: "file"))
    var config: String?

    @OptionGroup var signatures: SignatureOptions
    @OptionGroup var forwarding: ForwardingOptions

    /// `--allow-target`: for `--forward`, config forwards and the inspector's replay.
    @OptionGroup var targets: TargetOptions

    @OptionGroup var response: ResponseOptions
    @OptionGroup var retention: RetentionOptions

    @Flag(help: "Do not print a line for each capture.")
    var quiet = false

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: Logger.Level = .info

    @Option(
        help: ArgumentHelp(
            "Once the listener and the inspector accept, write their URLs (real ports), the store and the pid to "
                + "this file as JSON; removed on shutdown. See `hookstash wait-ready`.",
            valueName: "path"))
    var readyFile: String?

    func validate() throws {
        if let inspect = inspector.configuration(environment: ProcessInfo.processInfo.environment) {
            do {
                try InspectorExposure.check(host: inspect.host, token: inspect.token)
            } catch {
                throw HookstashError.invalidInput(
                    "refusing to start the inspector on \(inspect.host), which other machines can reach, without a "
                        + "token: pass --inspect-token (or set HOOKSTASH_TOKEN), or use --inspect 127.0.0.1:4040")
            }
        }
        for name in signatures.secretEnvironment where ProcessInfo.processInfo.environment[name] == nil {
            throw ValidationError("--secret-env names \(name), which is not set in the environment")
        }
        if forwarding.forwardSync, forwarding.forward == nil, config == nil {
            throw ValidationError("--forward-sync needs --forward URL (or endpoints with forward in --config)")
        }
    }

    /// The flags and the config file as one `ServeConfiguration`; `environment` supplies secrets and the token.
    func serveConfiguration(environment: [String: String]) throws -> ServeConfiguration {
        let endpoints: ConfigurationFile
        do {
            endpoints =
                try config.map { try ConfigurationFile.load(path: $0, environment: environment) }
                ?? ConfigurationFile()
        } catch {
            throw HookstashError.invalidInput("\(error)")
        }
        var configuration = ServeConfiguration(
            store: .init(path: store.resolvedPath, maxSize: retention.maxStoreSize, retention: retention.policy),
            listener: listener.configuration, inspector: inspector.configuration(environment: environment),
            endpoints: endpoints, signatures: try signatures.policy(environment: environment),
            response: try response.response(), forwarding: forwarding.configuration,
            targetGuard: targets.targetGuard)
        configuration.wording = .commandLine
        if let config {
            configuration.reloadEndpoints = { () throws(ConfigurationError) in
                try ConfigurationFile.load(path: config, environment: environment)
            }
        }
        configuration.readyFile = readyFile
        return configuration
    }

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let configuration = try serveConfiguration(environment: ProcessInfo.processInfo.environment)
        let quiet = self.quiet
        let forward = forwarding.forward
        let synchronous = forwarding.forwardSync
        let listen = listener.listen
        var shownInspectorHost = ""
        if let inspect = configuration.inspector {
            shownInspectorHost = inspect.host.contains(":") ? "[\(inspect.host)]" : inspect.host
        }
        let inspectorHost = shownInspectorHost
        let application = ServeApplication(
            configuration: configuration,
            hooks: .init(
                listening: { running in
                    let host = listen.host.contains(":") ? "[\(listen.host)]" : listen.host
                    Terminal.line("hookstash is capturing")
                    Terminal.line("  capture:   http://\(host):\(running.capturePort)/")
                    Terminal.line("  store:     \(running.storePath)")
                    for endpoint in running.endpoints {
                        Terminal.line("  endpoint:  \(endpoint)")
                    }
                    if let forward {
                        Terminal.line(
                            "  forward:   \(forward)\(synchronous ? " (answers with the target's answer)" : "")")
                    }
                },
                inspectorRunning: { port in Terminal.line("  inspector: http://\(inspectorHost):\(port)/") },
                committed: { captures in
                    guard !quiet else { return }
                    FileHandle.standardOutput.write(Data(captures.map(ServeOutput.line).joined().utf8))
                }),
            logger: Logger(label: "hookstash"))
        do {
            try await application.runService()
        } catch let refusal as TargetRefusal {
            throw HookstashError.invalidInput("forward target: \(TargetOptions.message(refusal))")
        } catch let error as BindError {
            throw HookstashError.io("\(error)\(Self.hint(error))")
        }
        Terminal.line("hookstash stopped; every answered capture is in \(configuration.store.path)")
    }

    /// The flag that resolves a listener that cannot bind.
    static func hint(_ error: BindError) -> String {
        guard error.reason == .addressInUse else { return "" }
        switch error.listener {
        case .capture: return "; pass --listen with another port"
        case .inspector: return "; pass --inspect with another port (127.0.0.1:0 picks a free one), or --inspect off"
        }
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
