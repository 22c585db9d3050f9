import Foundation
import GRDB
import HookstashCore

extension CaptureStore {
    /// Stores `captures` in one transaction and returns their ids, in order.
    ///
    /// Spilled body files are synced to disk first, so a committed row never points at bytes that a crash lost.
    public func insert(_ captures: [Capture]) throws -> [Int64] {
        try insert(encoded: captures.map { EncodedCapture($0) })
    }

    /// Like `insert(_:)` for captures whose JSON columns were encoded already (off the writer's thread).
    public func insert(encoded captures: [EncodedCapture]) throws -> [Int64] {
        try insertChoosingRules(encoded: captures).map(\.id)
    }

    /// Like `insert(encoded:)`, and picks each capture's response rule among its `ruleCandidates` in the same
    /// transaction: the first candidate without a counter, or whose stored count is below its limit (the count
    /// goes up). The chosen rule is recorded in the row (`answered_by`, `rule`, and its status) and returned.
    public func insertChoosingRules(encoded captures: [EncodedCapture]) throws -> [StoredCapture] {
        try syncBodyFiles(of: captures.map(\.capture))
        let stored = try translatingErrors("store a capture") {
            try write { db in
                var captures = captures
                var answers: [RuleAnswer?] = []
                answers.reserveCapacity(captures.count)
                for index in captures.indices {
                    answers.append(try Self.chooseRule(for: &captures[index], in: db))
                }
                let ids = try Self.insertRows(captures, in: db)
                return zip(ids, answers).map { StoredCapture(id: $0, ruleAnswer: $1) }
            }
        }
        newCaptures.ring()
        return stored
    }

    /// Most `fail_times` counters kept; beyond, the oldest (first counted) are forgotten (their keys fail again).
    public static let maximumRuleCounters = 10_000

    /// How many `fail_times` counters are stored.
    public func ruleCounterCount() throws -> Int {
        try translatingErrors("read rule counters") {
            try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM rule_counter") ?? 0 }
        }
    }

    /// The stored count of a `fail_times` key (`RuleCandidate.Counter.key`); nil when it has none.
    public func ruleCount(key: String) throws -> Int? {
        try translatingErrors("read rule counters") {
            try pool.read { db in
                try Int.fetchOne(db, sql: "SELECT count FROM rule_counter WHERE key = ?", arguments: [key])
            }
        }
    }

    /// The candidate that answers `encoded`, its counter counted; the capture is marked as answered by it.
    static func chooseRule(for encoded: inout EncodedCapture, in db: Database) throws -> RuleAnswer? {
        for candidate in encoded.ruleCandidates {
            if let counter = candidate.counter {
                let count =
                    try Int.fetchOne(
                        db, sql: "SELECT count FROM rule_counter WHERE key = ?", arguments: [counter.key]) ?? 0
                guard count < counter.limit else { continue }
                let now = encoded.capture.receivedAt.microsecondsSinceEpoch
                try db.execute(
                    sql: """
                        INSERT INTO rule_counter (key, count, updated_at) VALUES (?, 1, ?)
                        ON CONFLICT (key) DO UPDATE SET count = count + 1, updated_at = excluded.updated_at
                        """, arguments: [counter.key, now])
                if count == 0 {
                    // A new key has the highest seq (the largest plus one): forget those more than the cap
                    // behind it, a range of the primary key, so the table stays bounded at constant cost.
                    try db.execute(
                        sql: "DELETE FROM rule_counter WHERE seq <= ?",
                        arguments: [db.lastInsertedRowID - Int64(maximumRuleCounters)])
                }
            }
            encoded.capture.answeredBy = .rule
            encoded.capture.rule = candidate.answer.ruleName
            encoded.capture.responseStatus = candidate.answer.action == .answer ? candidate.answer.status : 0
            return candidate.answer
        }
        return nil
    }

    /// Inserts the capture rows inside a write transaction the caller holds; returns their ids in order.
    /// Body files must have been synced already.
    static func insertRows(_ captures: [EncodedCapture], in db: Database) throws -> [Int64] {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO capture (
                    received_at, remote_address, method, target, path, http_version, headers, raw_head,
                    body, body_file, body_size, body_sha256, raw_body, raw_body_file, raw_body_size,
                    malformed, problem, announced_body_size, response_status,
                    signature_scheme, signature_status, signature, answered_by, rule)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        var ids: [Int64] = []
        ids.reserveCapacity(captures.count)
        for encoded in captures {
            let capture = encoded.capture
            let (body, bodyFile) = Self.columns(capture.body)
            let (rawBody, rawBodyFile) = capture.rawBody.map(Self.columns) ?? (nil, nil)
            var row = RowBinder(statement)
            try row.bind(capture.receivedAt.microsecondsSinceEpoch)
            try row.bind(capture.remoteAddress)
            try row.bind(capture.method)
            try row.bind(capture.target.raw)
            try row.bind(capture.target.path)
            try row.bind(capture.httpVersion)
            try row.bind(encoded.headersJSON)
            try row.bind(capture.rawHead)
            try row.bind(body)
            try row.bind(bodyFile)
            try row.bind(capture.body.size)
            try row.bind(capture.bodySHA256)
            try row.bind(rawBody)
            try row.bind(rawBodyFile)
            try row.bind(capture.rawBody?.size)
            try row.bind(capture.malformed)
            try row.bind(capture.problem?.jsonText)
            try row.bind(capture.announcedBodySize)
            try row.bind(capture.responseStatus)
            try row.bind(capture.signature?.scheme)
            try row.bind(capture.signature?.status.rawValue)
            try row.bind(encoded.signatureJSON)
            try row.bind(capture.answeredBy?.rawValue)
            try row.bind(capture.rule)
            try row.execute()
            let id = db.lastInsertedRowID
            ids.append(id)
            if let queue = encoded.forwardQueue {
                _ = try enqueueForward(db, [id], to: queue, at: capture.receivedAt)
            }
        }
        return ids
    }

    private static func columns(_ bytes: BodyBytes) -> ([UInt8]?, String?) {
        switch bytes {
        case .inline(let bytes): (bytes, nil)
        case .file(let name, _): (nil, name)
        }
    }

    /// Deletes one capture, its deliveries and its body files. False when there was no such capture.
    @discardableResult
    public func delete(id: Int64) throws -> Bool {
        let files: [String]? = try translatingErrors("delete a capture") {
            try write { db in
                guard
                    let row = try Row.fetchOne(
                        db, sql: "SELECT body_file, raw_body_file FROM capture WHERE id = ?", arguments: [id])
                else { return nil }
                try db.execute(sql: "DELETE FROM capture WHERE id = ?", arguments: [id])
                return [row["body_file"], row["raw_body_file"]].compactMap { $0 }
            }
        }
        guard let files else { return false }
        removeBodyFiles(files)
        return true
    }

    /// Deletes the oldest captures beyond `keepAtMost` and those received before `olderThan`, with their body
    /// files. Returns how many were deleted.
    public func prune(keepAtMost: Int?, receivedBefore olderThan: Timestamp?) throws -> Int {
        guard keepAtMost != nil || olderThan != nil else { return 0 }
        let (count, files): (Int, [String]) = try translatingErrors("prune old captures") {
            try write { db in
                var conditions: [String] = []
                var arguments: StatementArguments = []
                if let keepAtMost {
                    conditions.append(
                        "id <= (SELECT id FROM capture ORDER BY id DESC LIMIT 1 OFFSET ?)")
                    _ = arguments.append(contentsOf: [keepAtMost])
                }
                if let olderThan {
                    conditions.append("received_at < ?")
                    _ = arguments.append(contentsOf: [olderThan.microsecondsSinceEpoch])
                }
                let whereClause = conditions.joined(separator: " OR ")
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT body_file, raw_body_file FROM capture
                        WHERE (\(whereClause)) AND (body_file IS NOT NULL OR raw_body_file IS NOT NULL)
                        """, arguments: arguments)
                try db.execute(sql: "DELETE FROM capture WHERE \(whereClause)", arguments: arguments)
                let files = rows.flatMap { row in [row["body_file"], row["raw_body_file"]].compactMap { $0 as String? }
                }
                return (db.changesCount, files)
            }
        }
        removeBodyFiles(files)
        return count
    }
}

/// A stored capture's id, and the answer of the response rule chosen for it (nil: no rule answers).
public struct StoredCapture: Sendable {
    public var id: Int64
    public var ruleAnswer: RuleAnswer?

    public init(id: Int64, ruleAnswer: RuleAnswer? = nil) {
        self.id = id
        self.ruleAnswer = ruleAnswer
    }
}

/// A capture with its JSON columns encoded, ready to insert.
public struct EncodedCapture: Sendable {
    public var capture: Capture
    /// The forward queue this capture joins in the transaction that stores it, if any.
    public var forwardQueue: String?
    /// The response rules that match it, in order (`CaptureStore.insertChoosingRules` picks one).
    public var ruleCandidates: [RuleCandidate] = []
    let headersJSON: String
    let signatureJSON: String?

    public init(_ capture: Capture, forwardQueue: String? = nil) {
        self.capture = capture
        self.forwardQueue = forwardQueue
        headersJSON = capture.headers.jsonText
        signatureJSON = capture.signature.map(Self.signatureJSON)
    }

    /// A verdict without findings written directly; one with findings (an invalid signature, a warning) through
    /// `Codable`, which writes their codes and parameters beside the sentences.
    static func signatureJSON(_ verdict: SignatureVerdict) -> String {
        guard !verdict.isPlain, let data = try? JSONEncoder().encode(verdict.abbreviatingExpected) else {
            return verdict.jsonText
        }
        return String(decoding: data, as: UTF8.self)
    }
}

extension CaptureStore {
    /// Records the answer a capture's sender got when it was settled after the capture was stored: with
    /// forward-sync, the forward target's status, or the configured answer when the target gave none.
    public func recordAnswer(captureID: Int64, status: Int, answeredBy: AnsweredBy) throws {
        try translatingErrors("record the answer") {
            try write { db in
                try db.execute(
                    sql: "UPDATE capture SET response_status = ?, answered_by = ? WHERE id = ?",
                    arguments: [status, answeredBy.rawValue, captureID])
            }
        }
    }
}
