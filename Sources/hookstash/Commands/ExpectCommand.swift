import ArgumentParser
import Foundation
import HookstashCore
import HookstashDelivery
import HookstashRelay
import HookstashStore

/// `hookstash expect`: waits until enough captures match the match keys (the keys of response rules), on the store
/// a running `serve` writes or on a remote inspector; exit 0 with the matches, 1 at the deadline with the nearest
/// misses, 2 on usage errors.
struct ExpectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expect",
        abstract: "Wait for captures matching the given keys (for CI): exit 0 when they arrive, 1 at the deadline.",
        discussion: """
            Every key given must match (they are ANDed); none matches every capture. Globs: * any run of bytes, \
            ? one byte, \\* \\? \\\\ the literal character. Reads the store (--db) that a running `hookstash serve` \
            writes, or a remote inspector (--from). At the deadline, exits 1 and says how many captures arrived, \
            how many matched, and the nearest misses with every key each failed.
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("Read a hookstash inspector's API instead of the store.", valueName: "url"))
    var from: String?

    @Option(help: ArgumentHelp("The inspector's token (with --from); also $HOOKSTASH_TOKEN.", valueName: "token"))
    var token: String?

    @Option(help: ArgumentHelp("The method, exactly (case-sensitive).", valueName: "method"))
    var method: String?

    @Option(help: ArgumentHelp("A glob on the path (without the query).", valueName: "glob"))
    var path: String?

    @Option(
        name: .customLong("header"),
        help: ArgumentHelp(
            "'Name: glob': some field of that name (case-insensitive) has a matching value; repeatable.",
            valueName: "header"))
    var headers: [String] = []

    @Option(
        name: .customLong("query"),
        help: ArgumentHelp("'name=glob' on the percent-decoded query parameters; repeatable.", valueName: "param"))
    var queries: [String] = []

    @Option(
        name: .customLong("json"),
        help: ArgumentHelp(
            "'/pointer = glob' on the text of the JSON body's value at that JSON pointer; repeatable.",
            valueName: "pointer=glob"))
    var jsonKeys: [String] = []

    @Option(help: ArgumentHelp("The signature status: valid, invalid, missing, unchecked.", valueName: "status"))
    var signature: String?

    @Option(help: "How many matching captures to wait for.")
    var count = 1

    @Option(
        help: ArgumentHelp("How long to wait (500ms, 30s, 5m).", valueName: "duration"),
        transform: DurationValue.argument)
    var within = DurationValue(.seconds(30))

    @Option(
        help: ArgumentHelp(
            "Also look at captures received since then: an RFC 3339 time (2026-12-01T10:00:00Z) or a duration "
                + "ago (5m). Default: only captures that arrive after expect starts.",
            valueName: "time|duration"),
        transform: SinceValue.argument)
    var since: SinceValue?

    @Option(
        name: .customLong("since-id"),
        help: ArgumentHelp(
            "Only captures with an id above this one (instead of those after expect starts).", valueName: "id"))
    var sinceID: Int64?

    @Option(help: ArgumentHelp("Output: text (lines as `list` prints) or json (an array of capture documents)."))
    var format: ExpectOutputFormat = .text

    @Option(help: ArgumentHelp("How often to look for new captures, in milliseconds.", visibility: .hidden))
    var pollInterval = 200

    /// The largest body json keys are checked against; a larger one is a `body_unavailable` miss.
    static let maximumCheckedBody = JSONValueReader.maximumSize

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count takes a positive number, not \(count)") }
        guard within.duration > .zero else { throw ValidationError("--within takes a duration above 0") }
        if let sinceID, sinceID < 0 {
            throw ValidationError("--since-id takes a capture id (0 or more), not \(sinceID)")
        }
        guard pollInterval > 0 else { throw ValidationError("--poll-interval takes a positive number") }
        if let from {
            if store.db != nil { throw ValidationError("--db and --from are exclusive: read a store or an inspector") }
            do {
                _ = try RemoteInspector(url: from, token: nil)
            } catch {
                throw ValidationError("--from: \(error)")
            }
        } else if token != nil {
            throw ValidationError("--token goes with --from")
        }
        if let token, let found = LineBreakingByte.first(in: token) {
            throw ValidationError("--token contains \(found); a token is one line")
        }
        _ = try criteria()
    }

    /// The keys, parsed; a key that cannot be read is a usage error naming its flag.
    func criteria() throws -> CaptureCriteria {
        var criteria: [CaptureCriterion] = []
        func parse(_ flag: String, _ text: String, _ read: (String) throws(CriterionSyntaxError) -> CaptureCriterion)
            throws
        {
            do {
                criteria.append(try read(text))
            } catch {
                throw ValidationError("\(flag): \(Wording.commandLine.sentence(error))")
            }
        }
        if let method { try parse("--method", method, CaptureCriterion.method(parsing:)) }
        if let path { criteria.append(.path(GlobPattern(path))) }
        for header in headers { try parse("--header", header, CaptureCriterion.header(parsing:)) }
        for query in queries { try parse("--query", query, CaptureCriterion.query(parsing:)) }
        for key in jsonKeys { try parse("--json", key, CaptureCriterion.json(parsing:)) }
        if let signature { try parse("--signature", signature, CaptureCriterion.signature(parsing:)) }
        return CaptureCriteria(criteria)
    }

    func run() async throws {
        do {
            try await wait()
        } catch let error as RelayError {
            Terminal.error(error.message + (error.needsToken ? "; give it with --token" : ""))
            throw ExitCode.failure
        }
    }

    private func wait() async throws {
        let deadline = ContinuousClock.now + within.duration
        var expectation = CaptureExpectation(criteria: try criteria(), count: count)
        let source: any ExpectSource
        if let from {
            let environmentToken = ProcessInfo.processInfo.environment["HOOKSTASH_TOKEN"].flatMap {
                $0.isEmpty ? nil : $0
            }
            source = try await RemoteExpectSource(
                url: from, token: token ?? environmentToken, since: since?.timestamp, sinceID: sinceID)
        } else {
            source = try StoreExpectSource(
                store: store.openExisting(), since: since?.timestamp, sinceID: sinceID,
                readsBodies: expectation.criteria.needsBody)
        }
        defer { source.close() }
        // Said once the position is taken, so that a script (or a test) knows later captures will be seen.
        Terminal.error(
            "waiting up to \(DurationText.format(within.duration)) for \(count) matching capture"
                + "\(count == 1 ? "" : "s") after capture \(source.after)")
        var matches: [ExpectMatch] = []
        while true {
            for candidate in try await source.next() {
                let subject = MatchSubject(
                    method: candidate.capture.method, target: candidate.capture.target,
                    headers: candidate.capture.headers, body: candidate.checkedBody,
                    signature: candidate.capture.signature?.status)
                if expectation.observe(captureID: candidate.capture.id, subject) {
                    matches.append(try await source.match(candidate))
                }
                if expectation.isSatisfied {
                    try show(matches)
                    return
                }
            }
            let now = ContinuousClock.now
            if now >= deadline { break }
            try await Task.sleep(for: min(.milliseconds(pollInterval), deadline - now))
        }
        explainTimeout(expectation)
        throw ExitCode.failure
    }

    private func show(_ matches: [ExpectMatch]) throws {
        switch format {
        case .json:
            var out: [UInt8] = [UInt8(ascii: "[")]
            for (index, match) in matches.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out += match.json
            }
            out.append(UInt8(ascii: "]"))
            Terminal.jsonLine(out)
        case .text:
            Terminal.line(CaptureLine.header)
            for match in matches { Terminal.line(CaptureLine.format(CaptureSummary(match.capture))) }
        }
    }

    /// What arrived instead, on stderr (and as JSON on stdout with `--format json`).
    private func explainTimeout(_ expectation: CaptureExpectation) {
        let wording = Wording.commandLine
        let matched = expectation.matched
        let ids = matched.isEmpty ? "" : " (\(matched.map { "capture \($0)" }.joined(separator: ", ")))"
        Terminal.error(
            "no \(count == 1 ? "match" : "\(count) matches") within \(DurationText.format(within.duration)): "
                + "\(expectation.arrived) capture\(expectation.arrived == 1 ? "" : "s") arrived, "
                + "\(matched.count) matched\(ids)")
        if !expectation.nearestMisses.isEmpty {
            Terminal.status("nearest misses:")
            for nearMiss in expectation.nearestMisses {
                // The sentences quote captured values: one line each, controls made visible.
                Terminal.status("  " + Terminal.field(wording.sentence(nearMiss)))
            }
        }
        if format == .json {
            try? Terminal.json(ExpectTimeoutDocument(expectation, wording: wording))
        }
    }
}

enum ExpectOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}

/// `--since`: an RFC 3339 time, or a duration before now.
struct SinceValue {
    var timestamp: Timestamp

    static func argument(_ text: String) throws -> SinceValue {
        if let timestamp = Timestamp(rfc3339: text) { return SinceValue(timestamp: timestamp) }
        guard let duration = try? DurationText.duration(text) else {
            throw ArgumentProblem(description: "not a time such as 2026-12-01T10:00:00Z or a duration such as 5m")
        }
        return SinceValue(timestamp: Timestamp.now().adding(seconds: -DurationText.seconds(of: duration)))
    }
}

/// A capture to evaluate, with its body when it is small enough to check json keys against.
struct ExpectCandidate {
    var capture: Capture
    var checkedBody: [UInt8]?
    /// The capture's JSON document as the remote gave it.
    var remoteJSON: [UInt8]?
}

/// A match to print.
struct ExpectMatch {
    var capture: Capture
    /// The capture JSON document (as `show --json` and `/api/captures/{id}` give it), compact.
    var json: [UInt8]
}

/// Where `expect` reads captures from.
protocol ExpectSource {
    /// The id of the last capture looked at (or skipped as before the start).
    var after: Int64 { get }
    /// Captures that arrived since the last call, oldest first.
    func next() async throws -> [ExpectCandidate]
    /// The printable form of a matching candidate.
    func match(_ candidate: ExpectCandidate) async throws -> ExpectMatch
    func close()
}

/// The store a running `serve` writes, polled by id as `tail` does.
final class StoreExpectSource: ExpectSource {
    let store: CaptureStore
    let since: Timestamp?
    var after: Int64

    /// Whether a json key needs the bodies (else only the matches' bodies are read, to print them).
    let readsBodies: Bool

    init(store: CaptureStore, since: Timestamp?, sinceID: Int64?, readsBodies: Bool) throws {
        self.store = store
        self.since = since
        self.readsBodies = readsBodies
        after = try sinceID ?? (since == nil ? store.latestID() : 0)
    }

    func next() async throws -> [ExpectCandidate] {
        let ids = try store.ids(CaptureFilter(since: since, afterID: after), limit: 500)
        var candidates: [ExpectCandidate] = []
        for id in ids {
            after = id
            // Removed in the meantime (retention, `DELETE`): nothing to match.
            guard let capture = try store.capture(id: id) else { continue }
            var body: [UInt8]?
            if readsBodies, capture.bodySize <= Int64(ExpectCommand.maximumCheckedBody) {
                body = try store.bytes(of: capture.body)
            }
            candidates.append(ExpectCandidate(capture: capture, checkedBody: body))
        }
        return candidates
    }

    func match(_ candidate: ExpectCandidate) async throws -> ExpectMatch {
        let body = try candidate.checkedBody ?? store.bytes(of: candidate.capture.body)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.userInfo[Wording.userInfoKey] = Wording.commandLine
        let json = try encoder.encode(CaptureDocument(candidate.capture, body: body))
        return ExpectMatch(capture: candidate.capture, json: Array(json))
    }

    func close() {}
}

/// A hookstash inspector's JSON API, polled.
final class RemoteExpectSource: ExpectSource {
    let engine = DeliveryEngine(maxTransfers: 2)
    let remote: RemoteInspector
    let since: Timestamp?
    var after: Int64

    init(url: String, token: String?, since: Timestamp?, sinceID: Int64?) async throws {
        remote = try RemoteInspector(url: url, token: token)
        self.since = since
        do {
            if let sinceID {
                after = sinceID
            } else if since != nil {
                after = 0
            } else {
                after = try await remote.newestCaptureID(engine: engine)
            }
        } catch {
            engine.shutdown()
            throw error
        }
    }

    func next() async throws -> [ExpectCandidate] {
        var candidates: [ExpectCandidate] = []
        for id in try await remote.captureIDs(after: after, engine: engine, limit: 500) {
            after = id
            guard let (capture, json) = try await remote.captureDocument(id: id, engine: engine) else { continue }
            if let since, capture.receivedAt < since { continue }
            let body = capture.body.inlineBytes.flatMap { $0.count <= ExpectCommand.maximumCheckedBody ? $0 : nil }
            candidates.append(ExpectCandidate(capture: capture, checkedBody: body, remoteJSON: json))
        }
        return candidates
    }

    func match(_ candidate: ExpectCandidate) async throws -> ExpectMatch {
        // The document as the inspector wrote it (its encoder writes one line), without a trailing line break.
        var json = candidate.remoteJSON ?? []
        while let last = json.last, [0x20, 0x09, 0x0a, 0x0d].contains(last) { json.removeLast() }
        return ExpectMatch(capture: candidate.capture, json: json)
    }

    func close() { engine.shutdown() }
}

/// `--format json` at the deadline: what arrived instead.
struct ExpectTimeoutDocument: Encodable {
    struct Miss: Encodable {
        var code: String
        var key: String
        var actual: String?
        var message: String
    }
    struct NearMiss: Encodable {
        var id: Int64
        var misses: [Miss]
    }
    var matched: Bool = false
    var arrived: Int
    var matchedIDs: [Int64]
    var nearestMisses: [NearMiss]

    init(_ expectation: CaptureExpectation, wording: Wording) {
        arrived = expectation.arrived
        matchedIDs = expectation.matched
        nearestMisses = expectation.nearestMisses.map { near in
            NearMiss(
                id: near.captureID,
                misses: near.misses.map {
                    Miss(
                        code: $0.code.rawValue, key: $0.criterion.text, actual: $0.actual, message: wording.sentence($0)
                    )
                })
        }
    }

    enum CodingKeys: String, CodingKey {
        case matched, arrived
        case matchedIDs = "matched_ids"
        case nearestMisses = "nearest_misses"
    }
}
