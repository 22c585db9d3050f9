import GRDB
import GRDBSQLite

/// Binds one row's values straight to a prepared statement, in column order.
///
/// The capture insert runs once per request on the writer thread; GRDB's `StatementArguments` boxes every value
/// (22 here) in an existential and a `DatabaseValue` before binding it, which cost about a tenth of that thread's
/// time. Values are copied by SQLite (`SQLITE_TRANSIENT`), as GRDB does. Lengths are bound as 64-bit values, so a
/// value of any size is either stored or refused by SQLite with `SQLITE_TOOBIG`, never truncated or trapped on.
struct RowBinder {
    private let statement: SQLiteStatement
    private var index: CInt = 1

    init(_ statement: Statement) {
        self.statement = statement.sqliteStatement
        sqlite3_reset(self.statement)
        sqlite3_clear_bindings(self.statement)
    }

    mutating func bind(_ value: Int64?) throws {
        try check(value.map { sqlite3_bind_int64(statement, index, $0) } ?? sqlite3_bind_null(statement, index))
    }

    mutating func bind(_ value: Int?) throws {
        try bind(value.map(Int64.init))
    }

    mutating func bind(_ value: Bool) throws {
        try bind(Int64(value ? 1 : 0))
    }

    mutating func bind(_ value: String?) throws {
        guard var value else { return try check(sqlite3_bind_null(statement, index)) }
        // A zero-length text has no base address: bind "" rather than NULL.
        guard !value.isEmpty else { return try check(sqlite3_bind_text(statement, index, "", 0, Self.transient)) }
        try check(
            value.withUTF8 { text in
                text.withMemoryRebound(to: CChar.self) { chars in
                    // The 64-bit length: SQLite refuses what is over its limit (SQLITE_TOOBIG) instead of a CInt
                    // conversion trapping past 2 GiB.
                    sqlite3_bind_text64(
                        statement, index, chars.baseAddress, sqlite3_uint64(chars.count), Self.transient,
                        UInt8(SQLITE_UTF8))
                }
            })
    }

    /// A blob; empty bytes are an empty blob, not NULL.
    mutating func bind(_ bytes: [UInt8]?) throws {
        guard let bytes else { return try check(sqlite3_bind_null(statement, index)) }
        guard !bytes.isEmpty else { return try check(sqlite3_bind_zeroblob(statement, index, 0)) }
        try check(
            bytes.withUnsafeBytes { raw in
                sqlite3_bind_blob64(statement, index, raw.baseAddress, sqlite3_uint64(raw.count), Self.transient)
            })
    }

    /// Runs the statement once (an INSERT: no rows).
    func execute() throws {
        let code = sqlite3_step(statement)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: Self.message(statement))
        }
    }

    private mutating func check(_ code: CInt) throws {
        guard code == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: Self.message(statement))
        }
        index += 1
    }

    private static func message(_ statement: SQLiteStatement) -> String? {
        sqlite3_db_handle(statement).flatMap(sqlite3_errmsg).map { String(cString: $0) }
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
