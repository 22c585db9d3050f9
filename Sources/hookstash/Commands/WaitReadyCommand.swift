import ArgumentParser
import Foundation
import HookstashCore
import HookstashDelivery
import HookstashServe

/// `hookstash wait-ready`: waits until a `serve` started in the background accepts, for scripts and CI.
struct WaitReadyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait-ready",
        abstract: "Wait until a hookstash serve accepts (for scripts): exit 0 when ready, 1 at the timeout.",
        discussion: """
            --ready-file: ready once the file `serve --ready-file` writes exists, parses, and its capture URL \
            accepts a TCP connection. --url: ready once the URL's host and port accept a TCP connection (nothing \
            is sent, so a capture URL records nothing); a URL whose path ends in /healthz is fetched instead and \
            must answer 200 (the inspector's health: its store is writable).
            """)

    @Option(help: ArgumentHelp("The file `hookstash serve --ready-file` writes.", valueName: "path"))
    var readyFile: String?

    @Option(help: ArgumentHelp("A capture or inspector URL, or an inspector's /healthz URL.", valueName: "url"))
    var url: String?

    @Option(
        help: ArgumentHelp("How long to wait (500ms, 30s, 5m).", valueName: "duration"),
        transform: DurationValue.argument)
    var timeout = DurationValue(.seconds(30))

    @Flag(help: "Print the ready file's contents (with --ready-file) once ready.")
    var print = false

    func validate() throws {
        guard (readyFile == nil) != (url == nil) else {
            throw ValidationError("give one of --ready-file and --url")
        }
        if let url {
            do {
                _ = try DeliveryTarget(parsing: url)
            } catch {
                throw ValidationError("--url: \(error.message)")
            }
        }
        if print && readyFile == nil { throw ValidationError("--print goes with --ready-file") }
    }

    func run() async throws {
        let deadline = ContinuousClock.now + timeout.duration
        let engine = DeliveryEngine(maxTransfers: 1)
        defer { engine.shutdown() }
        var waiting: ReadinessProbe.Wait
        while true {
            if let readyFile {
                switch await offThePool({ ReadinessProbe.check(readyFile: readyFile) }) {
                case .success(let contents):
                    if print { Terminal.text(contents.jsonText) }
                    return
                case .failure(let wait):
                    waiting = wait
                }
            } else if let url, let target = try? DeliveryTarget(parsing: url) {
                if (target.path ?? "").hasSuffix("/healthz") {
                    guard let wait = await ReadinessProbe.health(target, engine: engine) else { return }
                    waiting = wait
                } else {
                    if await offThePool({ ReadinessProbe.accepts(target) }) { return }
                    waiting = .notAccepting(url: target.description)
                }
            } else {
                return
            }
            let now = ContinuousClock.now
            if now >= deadline { break }
            try await Task.sleep(for: min(.milliseconds(100), deadline - now))
        }
        Terminal.error(
            "not ready after \(DurationText.format(timeout.duration)): \(Self.describe(waiting, readyFile: readyFile))")
        throw ExitCode.failure
    }

    static func describe(_ wait: ReadinessProbe.Wait, readyFile: String?) -> String {
        let file = Terminal.field(readyFile ?? "")
        switch wait {
        case .readyFileMissing: return "\(file) does not exist (is `hookstash serve --ready-file \(file)` running?)"
        case .readyFileUnreadable: return "\(file) is not the JSON object `serve --ready-file` writes"
        case .notAccepting(let url): return "\(Terminal.field(url)) does not accept connections"
        case .unhealthy(let url, let status):
            return "\(Terminal.field(url)) answered \(status.map(String.init) ?? "nothing"), not 200"
        }
    }
}

/// Runs blocking work (a connect with a timeout, a file read) on a thread of its own, off Swift's cooperative pool.
func offThePool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: body()) }
    }
}
