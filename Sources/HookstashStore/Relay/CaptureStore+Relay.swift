import GRDB
import HookstashCore

/// What `hookstash pull` keeps in the local store: how far it has read each remote, and which local capture each
/// remote capture became.
extension CaptureStore {
    /// The last remote capture id imported (or passed over) from `remote`; nil before the first run.
    public func relayPosition(remote: String) throws -> Int64? {
        try translatingErrors("read the relay position") {
            try pool.read { db in
                try Int64.fetchOne(
                    db, sql: "SELECT last_remote_id FROM relay_position WHERE remote = ?", arguments: [remote])
            }
        }
    }

    /// Sets the starting position for `remote` when it has none yet. Returns the position in force afterwards.
    @discardableResult
    public func startRelay(remote: String, after remoteID: Int64, at now: Timestamp = .now()) throws -> Int64 {
        try translatingErrors("record the relay position") {
            try write { db in
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO relay_position (remote, last_remote_id, updated_at) VALUES (?, ?, ?)
                        """, arguments: [remote, remoteID, now.microsecondsSinceEpoch])
                return try Int64.fetchOne(
                    db, sql: "SELECT last_remote_id FROM relay_position WHERE remote = ?", arguments: [remote])
                    ?? remoteID
            }
        }
    }

    /// Stores a capture pulled from `remote` as a local capture, records which remote capture it was, moves the
    /// position past it and queues it for delivery to `queue` — all in one transaction, so that a crash leaves
    /// either all of it or none. Returns the local id, or nil when that remote capture was imported already.
    public func importRelayed(
        _ capture: Capture, remote: String, remoteID: Int64, queue: String, at now: Timestamp = .now()
    ) throws -> Int64? {
        try syncBodyFiles(of: [capture])
        let encoded = EncodedCapture(capture)
        let id: Int64? = try translatingErrors("store a pulled capture") {
            try write { db -> Int64? in
                let known =
                    try Bool.fetchOne(
                        db, sql: "SELECT 1 FROM relay_import WHERE remote = ? AND remote_id = ?",
                        arguments: [remote, remoteID]) ?? false
                guard !known else {
                    try Self.advanceRelay(remote: remote, to: remoteID, at: now.microsecondsSinceEpoch, in: db)
                    return nil
                }
                let id = try Self.insertRows([encoded], in: db)[0]
                let time = now.microsecondsSinceEpoch
                try db.execute(
                    sql: """
                        INSERT INTO relay_import (remote, remote_id, capture_id, imported_at) VALUES (?, ?, ?, ?)
                        """, arguments: [remote, remoteID, id, time])
                try Self.advanceRelay(remote: remote, to: remoteID, at: time, in: db)
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO forward_queue (capture_id, to_url, enqueued_at, next_attempt_at)
                        VALUES (?, ?, ?, ?)
                        """, arguments: [id, queue, time, time])
                return id
            }
        }
        if id != nil { newCaptures.ring() }
        return id
    }

    /// Sets the position for `remote` to `remoteID`, backwards or forwards (a relay told where to start). Remote captures
    /// imported already are recognised by their id and neither imported nor delivered again.
    public func moveRelayPosition(remote: String, to remoteID: Int64, at now: Timestamp = .now()) throws {
        try translatingErrors("record the relay position") {
            try write { db in
                try db.execute(
                    sql: """
                        INSERT INTO relay_position (remote, last_remote_id, updated_at) VALUES (?, ?, ?)
                        ON CONFLICT (remote) DO UPDATE SET
                            last_remote_id = excluded.last_remote_id, updated_at = excluded.updated_at
                        """, arguments: [remote, remoteID, now.microsecondsSinceEpoch])
            }
        }
    }

    /// Whether the remote capture `remoteID` of `remote` was imported already.
    public func hasRelayed(remote: String, remoteID: Int64) throws -> Bool {
        try translatingErrors("read the relay imports") {
            try pool.read { db in
                try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM relay_import WHERE remote = ? AND remote_id = ?",
                    arguments: [remote, remoteID]) ?? false
            }
        }
    }

    /// Moves the position past a remote capture that is gone (deleted on the remote before it could be read).
    public func passOverRelayed(remote: String, remoteID: Int64, at now: Timestamp = .now()) throws {
        try translatingErrors("record the relay position") {
            try write { db in
                try Self.advanceRelay(remote: remote, to: remoteID, at: now.microsecondsSinceEpoch, in: db)
            }
        }
    }

    /// The remote capture id a local capture was pulled from, if it was.
    public func relayedRemoteID(of captureID: Int64) throws -> Int64? {
        try translatingErrors("read the relay imports") {
            try pool.read { db in
                try Int64.fetchOne(
                    db, sql: "SELECT remote_id FROM relay_import WHERE capture_id = ?", arguments: [captureID])
            }
        }
    }

    private static func advanceRelay(remote: String, to remoteID: Int64, at time: Int64, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO relay_position (remote, last_remote_id, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (remote) DO UPDATE SET
                    last_remote_id = MAX(last_remote_id, excluded.last_remote_id), updated_at = excluded.updated_at
                """, arguments: [remote, remoteID, time])
    }
}
