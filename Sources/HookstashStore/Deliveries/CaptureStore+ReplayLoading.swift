import GRDB
import HookstashCore

extension CaptureStore {
    /// The captures with these ids (without their deliveries), read in one transaction: what a bulk replay needs.
    /// Ids with no capture are absent from the result.
    public func capturesForDelivery(_ ids: [Int64]) throws -> [Int64: Capture] {
        guard !ids.isEmpty else { return [:] }
        return try translatingErrors("read captures") {
            try pool.read { db in
                var captures: [Int64: Capture] = [:]
                captures.reserveCapacity(ids.count)
                for start in stride(from: 0, to: ids.count, by: 500) {
                    let chunk = Array(ids[start..<min(start + 500, ids.count)])
                    let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                    let rows = try Row.fetchCursor(
                        db, sql: "SELECT * FROM capture WHERE id IN (\(placeholders))",
                        arguments: StatementArguments(chunk))
                    while let row = try rows.next() {
                        let capture = try Self.capture(from: row)
                        captures[capture.id] = capture
                    }
                }
                return captures
            }
        }
    }
}
