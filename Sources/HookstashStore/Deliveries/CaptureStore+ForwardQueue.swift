import GRDB
import HookstashCore

extension CaptureStore {
    /// Queues captures for forwarding to `to`, first attempt at `at`. A capture already queued for that target is
    /// left as it is. Returns how many were added.
    @discardableResult
    public func enqueueForward(_ captureIDs: [Int64], to: String, at: Timestamp) throws -> Int {
        guard !captureIDs.isEmpty else { return 0 }
        return try translatingErrors("queue captures for forwarding") {
            try write { db in try Self.enqueueForward(db, captureIDs, to: to, at: at) }
        }
    }

    /// The same inside a caller's transaction (the capture writer queues a capture in the transaction that
    /// stores it, so no crash can leave a stored capture unqueued).
    static func enqueueForward(_ db: Database, _ captureIDs: [Int64], to: String, at: Timestamp) throws -> Int {
        let statement = try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO forward_queue (capture_id, to_url, enqueued_at, next_attempt_at)
                SELECT id, ?, ?, ? FROM capture WHERE id = ?
                """)
        var added = 0
        for id in captureIDs {
            try statement.execute(arguments: [to, at.microsecondsSinceEpoch, at.microsecondsSinceEpoch, id])
            added += db.changesCount
        }
        return added
    }

    /// Gives every pending entry for `to` the latest next-attempt time among them: the target did not answer, so
    /// the queue retries as one and catches up in capture order once the target is back.
    public func alignPendingForwards(to: String) throws {
        try translatingErrors("update the forward queue") {
            try write { db in
                try db.execute(
                    sql: """
                        UPDATE forward_queue SET next_attempt_at = (
                            SELECT MAX(next_attempt_at) FROM forward_queue WHERE to_url = ? AND state = 'pending')
                        WHERE to_url = ? AND state = 'pending'
                        """,
                    arguments: [to, to])
            }
        }
    }

    /// Pending entries for `to` whose attempt time has come, in queue (capture) order.
    public func dueForwards(to: String, at now: Timestamp, limit: Int) throws -> [ForwardQueueEntry] {
        try translatingErrors("read the forward queue") {
            try pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM forward_queue
                        WHERE to_url = ? AND state = 'pending' AND next_attempt_at <= ?
                        ORDER BY id LIMIT ?
                        """, arguments: [to, now.microsecondsSinceEpoch, limit]
                ).map(Self.forwardEntry(from:))
            }
        }
    }

    /// When the earliest pending entry for `to` is due; nil when nothing is pending.
    public func nextForwardAttempt(to: String) throws -> Timestamp? {
        try translatingErrors("read the forward queue") {
            try pool.read { db in
                try Int64.fetchOne(
                    db, sql: "SELECT MIN(next_attempt_at) FROM forward_queue WHERE to_url = ? AND state = 'pending'",
                    arguments: [to]
                ).map(Timestamp.init(microsecondsSinceEpoch:))
            }
        }
    }

    /// Records a forwarding attempt and the entry's new state in one transaction. Returns the delivery id, or nil
    /// when the capture (and so its entry) was deleted meanwhile.
    @discardableResult
    public func recordForwardAttempt(
        _ entry: ForwardQueueEntry, delivery: Delivery?, detail: String?
    ) throws -> Int64? {
        try recordForwardAttempts([ForwardAttemptRecord(entry: entry, delivery: delivery, detail: detail)])[0]
    }

    /// Records many forwarding attempts, each with its entry's new state, in one transaction (one sync of the
    /// log for all of them: the delivery queues' group commit). Returns each delivery id, in order, nil where
    /// there was no delivery or the capture (and so its entry) was deleted meanwhile.
    public func recordForwardAttempts(_ attempts: [ForwardAttemptRecord]) throws -> [Int64?] {
        guard !attempts.isEmpty else { return [] }
        return try translatingErrors("record forwarding attempts") {
            try write { db in
                let update = try db.cachedStatement(
                    sql: """
                        UPDATE forward_queue SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?
                        WHERE id = ?
                        """)
                let insert = try db.cachedStatement(
                    sql: """
                        INSERT INTO delivery (capture_id, to_url, at, status, duration_ms, error, resigned, detail)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                var ids: [Int64?] = []
                ids.reserveCapacity(attempts.count)
                for attempt in attempts {
                    let entry = attempt.entry
                    try update.execute(arguments: [
                        entry.state.rawValue, entry.attempts, entry.nextAttemptAt.microsecondsSinceEpoch,
                        entry.lastError, entry.id,
                    ])
                    guard db.changesCount == 1, let delivery = attempt.delivery else {
                        ids.append(nil)
                        continue
                    }
                    try insert.execute(arguments: [
                        delivery.captureID, delivery.to, delivery.at.microsecondsSinceEpoch, delivery.status,
                        delivery.durationMs, delivery.error, delivery.resigned, attempt.detail,
                    ])
                    ids.append(db.lastInsertedRowID)
                }
                return ids
            }
        }
    }

    /// How many entries for `to` are in `state`.
    public func forwardCount(to: String, state: ForwardQueueEntry.State) throws -> Int {
        try translatingErrors("read the forward queue") {
            try pool.read { db in
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM forward_queue WHERE to_url = ? AND state = ?",
                    arguments: [to, state.rawValue]) ?? 0
            }
        }
    }

    /// Every entry for `to` (all targets when nil), in queue order, optionally only those in `state`.
    public func forwardEntries(
        to: String? = nil, captureID: Int64? = nil, state: ForwardQueueEntry.State? = nil
    ) throws -> [ForwardQueueEntry] {
        try translatingErrors("read the forward queue") {
            try pool.read { db in
                var conditions: [String] = []
                var arguments: StatementArguments = []
                if let to {
                    conditions.append("to_url = ?")
                    _ = arguments.append(contentsOf: [to])
                }
                if let captureID {
                    conditions.append("capture_id = ?")
                    _ = arguments.append(contentsOf: [captureID])
                }
                if let state {
                    conditions.append("state = ?")
                    _ = arguments.append(contentsOf: [state.rawValue])
                }
                let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
                return try Row.fetchAll(
                    db, sql: "SELECT * FROM forward_queue \(whereClause) ORDER BY id", arguments: arguments
                ).map(Self.forwardEntry(from:))
            }
        }
    }

    static func forwardEntry(from row: Row) -> ForwardQueueEntry {
        let state: String = row["state"]
        return ForwardQueueEntry(
            id: row["id"], captureID: row["capture_id"], to: row["to_url"],
            state: ForwardQueueEntry.State(rawValue: state) ?? .pending, attempts: row["attempts"],
            enqueuedAt: Timestamp(microsecondsSinceEpoch: row["enqueued_at"]),
            nextAttemptAt: Timestamp(microsecondsSinceEpoch: row["next_attempt_at"]), lastError: row["last_error"])
    }
}
