import ArgumentParser
import Foundation
import HookstashCore
import HookstashDelivery
import HookstashRelay
import HookstashSignatures

/// `hookstash pull`: follows a remote hookstash's inspector and re-delivers every capture to a local target.
struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Follow a remote hookstash and re-deliver each capture to a local target, resuming where it stopped.",
        discussion: """
            Each capture on the remote is imported into the local store (so `hookstash list` shows it) and delivered \
            to --to with the same fidelity rules as `replay`, in capture order. A capture waits while the target is \
            down; after a restart `pull` resumes after the last capture it imported.
            """)

    @OptionGroup var delivery: DeliveryFlags

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("The remote inspector's URL, e.g. https://relay.example.com/.", valueName: "url"))
    var from: String

    @Option(help: ArgumentHelp("Local target URL: http(s)://host[:port][/path][?query].", valueName: "url"))
    var to: String

    @Option(help: ArgumentHelp("The remote inspector's token; also $HOOKSTASH_TOKEN.", valueName: "token"))
    var token: String?

    @OptionGroup var resigning: ResignOptions

    @OptionGroup var targets: TargetOptions

    @Flag(help: "Send the captured Host header instead of the target's host.")
    var keepHost = false

    @Flag(help: "One JSON object per delivery attempt, one per line.")
    var json = false

    @Option(
        name: .customLong("since-id"),
        help: ArgumentHelp(
            "Start after this remote capture id (0: from the remote's first capture) instead of where the last pull "
                + "stopped, or, the first time, at the remote's newest. Captures pulled already are not delivered "
                + "again.", valueName: "id"))
    var sinceID: Int64?

    @Option(
        help: ArgumentHelp(
            "Largest capture body pulled (as the remote's --max-body-size); larger answers are refused. "
                + "(default: \(ByteSize(bytes: Int64(RemoteInspector.defaultMaxBodySize))))",
            valueName: "bytes"),
        transform: ByteSize.argument)
    var maxBodySize = ByteSize(bytes: Int64(RemoteInspector.defaultMaxBodySize))

    @Option(help: ArgumentHelp("Longest pause between two delivery attempts, in seconds.", visibility: .hidden))
    var maxRetryDelay: Double = 30

    func validate() throws {
        if let token, let found = LineBreakingByte.first(in: token) {
            throw ValidationError("--token contains \(found); a token is one line")
        }
        guard maxBodySize.bytes <= Int64(Int32.max) else {
            throw ValidationError("--max-body-size takes a size up to 2GiB such as 25MiB, not '\(maxBodySize)'")
        }
        if let sinceID, sinceID < 0 {
            throw ValidationError("--since-id takes a capture id (0 or more), not \(sinceID)")
        }
        do {
            _ = try DeliveryTarget(parsing: to)
        } catch {
            throw ValidationError(error.message)
        }
        do {
            _ = try RemoteInspector(url: from, token: nil)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() async throws {
        let store = try storeOptions.openOrCreate()
        let resolvedToken =
            token ?? ProcessInfo.processInfo.environment["HOOKSTASH_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let options = delivery.options(targets)
        let remote = try RemoteInspector(
            url: from, token: resolvedToken,
            options: DeliveryOptions(
                insecure: delivery.insecure, targetGuard: targets.targetGuard, resolve: delivery.resolve),
            maxBodySize: Int(maxBodySize.bytes))
        let target = try DeliveryTarget(parsing: to)
        for (refusal, flag) in [
            (remote.options.checkTarget(host: remote.host), "--from"), (options.checkTarget(host: target.host), "--to"),
        ] {
            if let refusal {
                Terminal.error("\(flag): \(TargetOptions.message(refusal))")
                throw ExitCode.failure
            }
        }
        if remote.sendsTokenInClear {
            Terminal.error(
                "warning: the token goes to \(remote.url) over plain http://, readable by anyone on the way; "
                    + "use https:// for a remote that is not on this machine")
        }
        // The remote's verdict is not trusted for re-signing: the capture must verify with the local secret.
        let transform = try resigning.transform(requiring: .verifiesWithSecret)
        let configuration = Relay.Configuration(
            remote: remote, target: target,
            settings: ReplaySettings(
                keepHost: keepHost, extraHeaders: try delivery.extraHeaders()),
            options: options,
            retry: RetryPolicy(initialDelay: 0.5, maxDelay: max(0.5, maxRetryDelay), maxAttempts: Int.max),
            transform: transform, startAfter: sinceID)
        let json = self.json
        let relay = Relay(store: store, configuration: configuration) { event in
            // A guard's refusal is said with the flag that lifts it, a re-signing problem with the flag it needs.
            if case .delivery(var delivery) = event, let problem = delivery.problem {
                delivery.error = TargetOptions.message(problem)
                PullOutput.show(.delivery(delivery), json: json)
            } else {
                PullOutput.show(event, json: json)
            }
        }
        do {
            try await relay.run()
        } catch let error as RelayError {
            Terminal.error(error.message + (error.needsToken ? "; give it with --token" : ""))
            throw ExitCode.failure
        }
    }
}

/// What `pull` prints: deliveries on stdout, changes of state on stderr. The remote's name, its reasons and every
/// delivery's method, URL and error go through `Terminal.field`: they come from the remote.
enum PullOutput {
    static func show(_ event: RelayEvent, json: Bool) {
        let field = Terminal.field
        switch event {
        case .connected(let remote, let after):
            status("connected to \(field(remote)), resuming after capture \(after)")
        case .caughtUp(_, let position):
            status("caught up (remote capture \(position)); following live")
        case .remoteBehind(let remote, let newest, let position):
            status(
                "\(field(remote)) has captures only up to \(newest), but this store has pulled up to \(position): "
                    + "was the remote's store replaced? Captures after \(position) will be pulled; "
                    + "use another --db to start afresh")
        case .unreachable(let remote, let reason):
            status("cannot reach \(field(remote)): \(field(reason))")
        case .disconnected(let remote, let reason):
            status("disconnected from \(field(remote)): \(field(reason))")
        case .retrying(let seconds):
            status("retrying in \(secondsText(seconds))")
        case .targetDown(let target, let reason, let seconds):
            status(
                "\(field(target)) is not answering (\(field(reason))); captures wait, retrying in \(secondsText(seconds))"
            )
        case .targetBack(let target):
            status("\(field(target)) answers again")
        case .delivery(let delivery):
            if json {
                try? Terminal.json(delivery)
            } else if delivery.state != "pending" || delivery.status != nil {
                Terminal.line(line(delivery))
            }
        }
    }

    private static func secondsText(_ value: Double) -> String {
        String(format: value < 10 ? "%.1f s" : "%.0f s", value)
    }

    private static func status(_ text: String) {
        Terminal.status("pull: " + text)
    }

    private static func line(_ delivery: RelayDelivery) -> String {
        let field = Terminal.field
        let remote = delivery.remoteID.map { " (remote \($0))" } ?? ""
        let result = delivery.status.map(String.init) ?? field(delivery.error ?? "no answer")
        let retry =
            delivery.state == "pending"
            ? ", will retry" : delivery.state == "delivered" ? "" : ", \(field(delivery.state))"
        return "\(delivery.captureID)\(remote) \(field(delivery.method)) \(field(delivery.url)) → \(result) "
            + String(format: "%.1f ms", delivery.durationMs) + retry
    }
}
