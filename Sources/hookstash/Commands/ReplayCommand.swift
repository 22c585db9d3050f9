import ArgumentParser
import Foundation
import HookstashCore
import HookstashDelivery
import HookstashSignatures
import HookstashStore
import Synchronization

/// `hookstash replay`: re-delivers captures through libcurl and records each delivery.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-deliver captures to a URL, byte for byte, and record each delivery.",
        discussion: """
            The captured method, request-target, headers (order, case, duplicates) and body are sent unchanged, \
            except: Host becomes the target's host (unless --keep-host), Content-Length is recomputed, \
            Transfer-Encoding and hop-by-hop headers are dropped. A --to URL with a path replaces the captured \
            path (the query is kept). Exit status 0 only when every delivery got a 2xx or 3xx answer.
            """)

    @OptionGroup var delivery: DeliveryFlags

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "Capture ids to replay, in order.")
    var ids: [Int64] = []

    @Option(help: ArgumentHelp("Target URL: http(s)://host[:port][/path][?query].", valueName: "url"))
    var to: String

    @Flag(help: "Replay every capture, oldest first.")
    var all = false

    /// `--since`, `--method`, `--path`, `--signature`, as `list` takes them.
    @OptionGroup var filters: FilterOptions

    @OptionGroup var resigning: ResignOptions

    @OptionGroup(title: "Edits (edit and replay)") var editing: EditOptions

    @OptionGroup var targets: TargetOptions

    @Option(help: ArgumentHelp("Deliveries at once (default 1 for ids, 8 for --all/--since).", valueName: "n"))
    var concurrency: Int?

    @Flag(help: "Send the captured Host header instead of the target's host.")
    var keepHost = false

    @Flag(help: "Follow 3xx answers (same method and body).")
    var followRedirects = false

    @Option(help: ArgumentHelp("Send through this proxy (environment proxies are never used).", valueName: "url"))
    var proxy: String?

    @Option(
        help: ArgumentHelp("Response body bytes kept in the record (default 64KiB).", valueName: "size"),
        transform: ByteSize.argument)
    var maxResponseBody: ByteSize?

    @Flag(help: "One JSON object per delivery, one per line.")
    var json = false

    var isBulk: Bool { all || filters.since != nil }

    func validate() throws {
        if ids.isEmpty, !isBulk {
            throw ValidationError("Give capture ids, --all or --since.")
        }
        if !ids.isEmpty, isBulk {
            throw ValidationError("Give either capture ids or --all/--since, not both.")
        }
        if all, filters.since != nil {
            throw ValidationError("Give either --all or --since, not both.")
        }
        if !isBulk, filters.method != nil || filters.path != nil || filters.signature != nil {
            throw ValidationError("--method, --path and --signature select captures with --all or --since.")
        }
        if let concurrency, !(1...256).contains(concurrency) {
            throw ValidationError("--concurrency must be between 1 and 256.")
        }
        try ReplayOutput.validateTarget(to)
    }

    func run() async throws {
        try await ReplayOutput.failingOnError { try await replay() }
    }

    private func replay() async throws {
        let store = try storeOptions.openExisting()
        let target = try DeliveryTarget(parsing: to)
        var settings = ReplaySettings(
            keepHost: keepHost, extraHeaders: try delivery.extraHeaders() + editing.headers())
        settings.edits = try editing.edits()
        var options = delivery.options(targets)
        options.responseBodyLimit =
            maxResponseBody.map { Int(clamping: $0.bytes) } ?? DeliveryOptions.defaultResponseBodyLimit
        options.followRedirects = followRedirects
        options.proxy = proxy
        if let refusal = options.checkTarget(host: target.host) {
            ReplayOutput.fail(TargetOptions.message(refusal))
        }
        let transform = try resigning.transform()

        var selected = ids
        if isBulk {
            selected = try store.ids(filters.filter)
            if selected.isEmpty {
                ReplayOutput.err("No capture matches; nothing was sent.")
                return
            }
        }
        let engine = DeliveryEngine(maxTransfers: min(concurrency ?? (isBulk ? 8 : 1), selected.count))
        defer { engine.shutdown() }
        let started = Timestamp.now()
        let json = self.json
        let showBody = !isBulk
        let save = editing.save
        let failures = Atomic<Int>(0)
        try await Replayer(store: store, engine: engine).replay(
            selected, to: target, settings: settings, options: options, source: "replay", transform: transform,
            keepResults: false
        ) { result in
            if !result.succeeded { failures.add(1, ordering: .relaxed) }
            var saved: Int64?
            if save, let request = result.request {
                do {
                    saved = try store.insert([EditOptions.capture(of: request, editing: result.captureID)])[0]
                } catch {
                    failures.add(1, ordering: .relaxed)
                    ReplayOutput.err("capture \(result.captureID): the request as sent was not saved: \(error)")
                }
            }
            if json {
                Terminal.jsonLine(ReplayOutput.json(result, savedAs: saved))
            } else {
                ReplayOutput.text(result, showBody: showBody)
                if let saved { ReplayOutput.out("  the request as sent is saved as capture \(saved)") }
            }
        }
        let failed = failures.load(ordering: .relaxed)
        let count = selected.count
        if isBulk, !json {
            let seconds = Double(Timestamp.now().microsecondsSinceEpoch - started.microsecondsSinceEpoch) / 1e6
            ReplayOutput.out(
                "Replayed \(count) capture\(count == 1 ? "" : "s") in "
                    + String(format: "%.2f s", seconds)
                    + ": \(count - failed) answered 2xx/3xx, \(failed) did not.")
        }
        if failed > 0 { throw ExitCode.failure }
    }
}

/// How `replay` and `send` print a delivery.
enum ReplayOutput {
    /// One line to stdout, unbuffered (output may be piped while a long replay runs), through `Terminal`.
    static func out(_ line: String) {
        Terminal.line(line)
    }

    /// One line to stderr.
    static func err(_ line: String) {
        Terminal.status(line)
    }

    /// Throws a usage error (exit 2) when `url` cannot be a delivery target.
    static func validateTarget(_ url: String) throws {
        do {
            _ = try DeliveryTarget(parsing: url)
        } catch {
            throw ValidationError(error.message)
        }
    }

    /// Runs a delivery command's body: usage errors and exit codes pass through, any other error is said (as the
    /// command line words it) and exits 1.
    static func failingOnError(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch {
            fail(TargetOptions.message(error))
        }
    }

    /// Prints the reason to stderr and exits with status 1.
    static func fail(_ reason: String) -> Never {
        Terminal.error(reason)
        Foundation.exit(1)
    }

    static func json(_ result: Replayer.Result, savedAs: Int64? = nil) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let delivery = result.delivery else {
            let problem = NotSent(
                captureID: result.captureID, problem: result.problem.map(TargetOptions.message) ?? "not sent",
                code: result.problem.flatMap(TargetOptions.code))
            return (try? encoder.encode(problem)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        }
        let record = SavedRecord(record: DeliveryRecord(delivery: delivery, detail: result.report), savedAs: savedAs)
        return (try? encoder.encode(record)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// The reason phrase of an HTTP status line, with a leading space, safe for one line ("" when there is none).
    static func reason(_ statusLine: String) -> String {
        statusLine.split(separator: " ", maxSplits: 2).dropFirst(2).first.map { " " + Terminal.field(String($0)) } ?? ""
    }

    /// A delivery record, with the capture the request as sent was saved as (`--save`).
    struct SavedRecord: Encodable {
        var record: DeliveryRecord
        var savedAs: Int64?

        enum CodingKeys: String, CodingKey { case savedCaptureID = "saved_capture_id" }

        func encode(to encoder: any Encoder) throws {
            try record.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(savedAs, forKey: .savedCaptureID)
        }
    }

    /// A capture that was not sent, as JSON.
    struct NotSent: Encodable {
        var captureID: Int64
        var problem: String
        var code: String?

        enum CodingKeys: String, CodingKey {
            case captureID = "capture_id"
            case problem
            case code
        }
    }

    static func text(_ result: Replayer.Result, showBody: Bool) {
        let field = Terminal.field
        guard let delivery = result.delivery, let report = result.report else {
            err(field(result.problem.map(TargetOptions.message) ?? "capture \(result.captureID) was not sent"))
            return
        }
        let time = String(format: "%.1f ms", delivery.durationMs)
        let line = "#\(result.captureID) \(field(report.request.method)) \(field(report.request.url))"
        guard let response = report.response, delivery.error == nil else {
            err("\(line) → failed after \(time): \(field(delivery.error ?? "no answer"))")
            return
        }
        out("\(line) → \(response.status)\(reason(response.statusLine)) in \(time) (delivery \(delivery.id))")
        guard showBody, response.bodySize > 0 else { return }
        // The target's answer keeps its line breaks; `out` makes its control characters visible.
        if let text = response.bodyText {
            let shown = text.count > 2000 ? String(text.prefix(2000)) + "…" : text
            out(
                shown.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
            )
        } else {
            out("  (\(response.bodySize) bytes of binary body)")
        }
        if response.truncated {
            out("  (response body truncated in the record: \(response.bodySize) bytes received)")
        }
    }
}
