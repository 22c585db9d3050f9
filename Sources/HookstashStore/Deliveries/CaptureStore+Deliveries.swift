import Foundation
import GRDB
import HookstashCore

extension CaptureStore {
    /// Records one delivery attempt of a capture and returns its id. `detail` is a JSON document with the
    /// request as sent, the response and timings.
    @discardableResult
    public func recordDelivery(_ delivery: Delivery, detail: String? = nil) throws -> Int64 {
        try translatingErrors("record a delivery") {
            try write { db in
                try db.execute(
                    sql: """
                        INSERT INTO delivery (capture_id, to_url, at, status, duration_ms, error, resigned, detail)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        delivery.captureID, delivery.to, delivery.at.microsecondsSinceEpoch, delivery.status,
                        delivery.durationMs, delivery.error, delivery.resigned, detail,
                    ])
                return db.lastInsertedRowID
            }
        }
    }

    /// The deliveries of one capture, oldest first.
    public func deliveries(captureID: Int64) throws -> [Delivery] {
        try translatingErrors("read deliveries") {
            try pool.read { db in try Self.deliveries(db, captureID: captureID) }
        }
    }

    /// The `detail` JSON recorded with a delivery.
    public func deliveryDetail(id: Int64) throws -> String? {
        try translatingErrors("read a delivery") {
            try pool.read { db in
                try String.fetchOne(db, sql: "SELECT detail FROM delivery WHERE id = ?", arguments: [id])
            }
        }
    }

    static func deliveries(_ db: Database, captureID: Int64) throws -> [Delivery] {
        try Row.fetchAll(
            db, sql: "SELECT * FROM delivery WHERE capture_id = ? ORDER BY id", arguments: [captureID]
        ).map { row in
            Delivery(
                id: row["id"], captureID: row["capture_id"], to: row["to_url"],
                at: Timestamp(microsecondsSinceEpoch: row["at"]), status: row["status"],
                durationMs: row["duration_ms"], error: row["error"], resigned: row["resigned"])
        }
    }
}

extension CaptureStore {
    /// Records several delivery attempts in one transaction (bulk replay) and returns their ids, in order.
    @discardableResult
    public func recordDeliveries(_ deliveries: [(delivery: Delivery, detail: String?)]) throws -> [Int64] {
        guard !deliveries.isEmpty else { return [] }
        return try translatingErrors("record deliveries") {
            try write { db in
                let statement = try db.cachedStatement(
                    sql: """
                        INSERT INTO delivery (capture_id, to_url, at, status, duration_ms, error, resigned, detail)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                var ids: [Int64] = []
                ids.reserveCapacity(deliveries.count)
                for (delivery, detail) in deliveries {
                    try statement.execute(arguments: [
                        delivery.captureID, delivery.to, delivery.at.microsecondsSinceEpoch, delivery.status,
                        delivery.durationMs, delivery.error, delivery.resigned, detail,
                    ])
                    ids.append(db.lastInsertedRowID)
                }
                return ids
            }
        }
    }
}
