import Foundation
import GRDB
import HookstashCore

/// The hookstash store: one SQLite file in WAL mode (so a server and CLI commands can use it at once)
/// and a directory beside it for bodies too large to keep in a row.
public final class CaptureStore: Sendable {
    /// Path of the SQLite file.
    public let path: String
    /// Directory of spilled body files: `<path>.bodies/`.
    public let bodiesDirectory: String
    let pool: DatabasePool
    /// Set when checkpoints run in the background (`Checkpoints.background`).
    private let checkpointer: WALCheckpointer?
    /// Rung after every commit that adds captures (live event streams wait on it).
    public let newCaptures = CaptureBell()

    /// Who copies the write-ahead log back into the database file.
    public enum Checkpoints: Sendable {
        /// SQLite's automatic checkpoint, inside the commit that crosses 1,000 log pages. For short-lived
        /// commands.
        case automatic
        /// A passive checkpoint on a separate connection and thread shortly after commits, so that commits seldom
        /// wait for one (`WALCheckpointer`). What `serve` uses.
        case background
    }

    public enum OpenMode: Sendable {
        /// Create the file (and its directory) when absent. What `serve` does.
        case createIfMissing
        /// Fail with `notFound` when the file is absent. What read-only commands do.
        case mustExist
    }

    /// - Parameter maxSize: an upper bound for the database file in bytes (SQLite `max_page_count`); writes that
    ///   would grow it further fail as if the disk were full. Body files are not counted.
    public init(
        path: String, mode: OpenMode = .createIfMissing, busyTimeout: Duration = .seconds(2), maxSize: Int64? = nil,
        checkpoints: Checkpoints = .automatic
    ) throws {
        self.path = path
        self.bodiesDirectory = path + ".bodies"
        let fileManager = FileManager.default
        switch mode {
        case .mustExist:
            guard fileManager.fileExists(atPath: path) else {
                throw HookstashError.notFound("no store at \(path)")
            }
        case .createIfMissing:
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try StoreFilePermissions.createDirectory(directory)
            }
            try StoreFilePermissions.createDatabaseFile(path)
        }
        StoreFilePermissions.tighten(databasePath: path, bodiesDirectory: bodiesDirectory)
        var configuration = Configuration()
        configuration.busyMode = .timeout(DurationText.seconds(of: busyTimeout))
        configuration.label = "hookstash"
        configuration.prepareDatabase { db in
            // An acknowledged capture must survive power loss, not only a crash: sync the WAL on every
            // commit. Group commit keeps this to one sync per batch of concurrent captures.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            if let maxSize {
                let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
                try db.execute(sql: "PRAGMA max_page_count = \(max(1, maxSize / pageSize))")
            }
            if case .background = checkpoints {
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(WALCheckpointer.writerCheckpointPages)")
            }
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB turns the writer to `synchronous = NORMAL` when it enables WAL, after `prepareDatabase`: set
            // FULL again on that connection, or commits are not synced and a power cut can lose answered captures.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try StoreMigrations.migrator.migrate(pool)
            if case .background = checkpoints {
                checkpointer = try WALCheckpointer(path: path, configuration: configuration)
            } else {
                checkpointer = nil
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY {
            throw Self.readOnly(path, error)
        } catch let error as DatabaseError {
            throw HookstashError.storeUnavailable(
                "\(path) is not a usable hookstash store: \(error.message ?? "\(error)")")
        } catch {
            throw HookstashError.storeUnavailable("cannot open \(path): \(error)")
        }
    }

    /// A write transaction on the store's writer connection. Every write goes through here, so that background
    /// checkpoints follow commits.
    func write<T>(_ updates: (Database) throws -> T) throws -> T {
        let result = try pool.writeWithoutTransaction { db in
            do {
                var result: T?
                try db.inTransaction {
                    result = try updates(db)
                    return .commit
                }
                return result!
            } catch let error as DatabaseError
                where [.SQLITE_IOERR, .SQLITE_READONLY, .SQLITE_CANTOPEN].contains(error.resultCode)
            {
                throw explained(error)
            }
        }
        checkpointer?.noteCommit()
        return result
    }

    /// SQLite says only "disk I/O error" or "readonly database"; what a user can fix is in the files themselves.
    private func explained(_ error: DatabaseError) -> DatabaseError {
        guard let reason = StoreFaultDiagnosis.reason(databasePath: path) else { return error }
        return DatabaseError(
            resultCode: error.extendedResultCode, message: "\(error.message ?? "\(error.resultCode)"): \(reason)",
            sql: error.sql)
    }

    /// Runs `body` and turns database failures into `storeUnavailable` errors a user can read.
    func translatingErrors<T>(_ action: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as HookstashError {
            throw error
        } catch let error as DatabaseError {
            throw HookstashError.storeUnavailable("cannot \(action) in \(path): \(error.message ?? "\(error)")")
        } catch {
            throw HookstashError.storeUnavailable("cannot \(action) in \(path): \(error)")
        }
    }

    /// The writer connection's `PRAGMA synchronous` (2 is FULL: every commit syncs the log).
    func writerSynchronousLevel() throws -> Int {
        try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// True when a write transaction can be committed right now (the `/healthz` check).
    public func isWritable() -> Bool {
        (try? probeWrite()) != nil
    }

    /// Throws `storeUnavailable` when the database file cannot be written at all (opened read-only: no write
    /// permission, a read-only mount). `serve` checks this before it starts accepting, rather than answering 503
    /// to every request; a store that is only busy (another writer) passes.
    public func requireWritableFile() throws {
        do {
            try probeWrite()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY {
            throw Self.readOnly(path, error)
        } catch {
            return
        }
    }

    private static func readOnly(_ path: String, _ error: DatabaseError) -> HookstashError {
        .storeUnavailable(
            "\(path) is read-only (\(error.message ?? "attempt to write a readonly database")): "
                + "give this user write access to the file and its directory, or use another store file")
    }

    /// Commits a write that changes nothing a reader sees (`user_version` set to its own value): the only way to
    /// know that the log itself can be written and synced. A transaction that is rolled back writes nothing, so it
    /// passes on a file that has become immutable while every capture fails.
    private func probeWrite() throws {
        try write { db in
            let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            try db.execute(sql: "PRAGMA user_version = \(version)")
        }
    }

    /// `PRAGMA integrity_check`; "ok" when the file is sound.
    public func integrityCheck() throws -> String {
        try translatingErrors("check integrity") {
            try pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "\n") }
        }
    }
}
