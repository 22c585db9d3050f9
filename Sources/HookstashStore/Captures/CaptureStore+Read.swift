import Foundation
import GRDB
import HookstashCore

extension CaptureStore {
    /// One capture with its deliveries; nil when there is no such id.
    public func capture(id: Int64) throws -> Capture? {
        try translatingErrors("read capture \(id)") {
            try pool.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM capture WHERE id = ?", arguments: [id]) else {
                    return nil
                }
                var capture = try Self.capture(from: row)
                capture.deliveries = try Self.deliveries(db, captureID: id)
                return capture
            }
        }
    }

    /// Like `capture(id:)` but throws `notFound` with a sentence a user understands.
    public func requireCapture(id: Int64) throws -> Capture {
        guard let capture = try capture(id: id) else {
            throw HookstashError.notFound("no capture with id \(id) in \(path)")
        }
        return capture
    }

    /// Newest first, at most `limit`.
    public func summaries(_ filter: CaptureFilter = CaptureFilter(), limit: Int) throws -> [CaptureSummary] {
        try translatingErrors("list captures") {
            try pool.read { db in
                let (whereClause, arguments) = Self.whereClause(filter)
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT c.id, c.received_at, c.remote_address, c.method, c.target, c.body_size, c.malformed,
                               c.response_status, c.signature_scheme, c.signature_status,
                               (SELECT COUNT(*) FROM delivery d WHERE d.capture_id = c.id) AS delivery_count,
                               (SELECT d.status FROM delivery d WHERE d.capture_id = c.id ORDER BY d.id DESC LIMIT 1)
                                   AS last_delivery_status
                        FROM capture c \(whereClause)
                        ORDER BY c.id DESC LIMIT ?
                        """, arguments: arguments + [limit])
                return rows.map(Self.summary(from:))
            }
        }
    }

    /// Ids of the captures matching `filter`, oldest first (the order of bulk replay and of following).
    public func ids(_ filter: CaptureFilter, limit: Int = .max) throws -> [Int64] {
        try translatingErrors("list captures") {
            try pool.read { db in
                let (whereClause, arguments) = Self.whereClause(filter)
                return try Int64.fetchAll(
                    db, sql: "SELECT c.id FROM capture c \(whereClause) ORDER BY c.id ASC LIMIT ?",
                    arguments: arguments + [limit])
            }
        }
    }

    /// The newest capture id, 0 when the store is empty.
    public func latestID() throws -> Int64 {
        try translatingErrors("read the newest capture") {
            try pool.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM capture") ?? 0 }
        }
    }

    public func count() throws -> Int {
        try translatingErrors("count captures") {
            try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM capture") ?? 0 }
        }
    }

    /// The exact bytes received: request line, header block and the body in its original framing.
    public func rawMessage(of capture: Capture) throws -> [UInt8] {
        try capture.rawHead + bytes(of: capture.rawBody ?? capture.body)
    }

    /// The bytes of a body, read from its file when it was spilled.
    public func bytes(of body: BodyBytes) throws -> [UInt8] {
        switch body {
        case .inline(let bytes):
            return bytes
        case .file(let name, _):
            let url = URL(fileURLWithPath: bodiesDirectory).appendingPathComponent(name)
            do {
                return [UInt8](try Data(contentsOf: url))
            } catch {
                throw HookstashError.storeUnavailable(
                    "cannot read the body file \(url.path): \(error.localizedDescription)")
            }
        }
    }

    /// Full path of a spilled body file, for streaming it without loading it.
    public func filePath(of body: BodyBytes) -> String? {
        if case .file(let name, _) = body { return bodiesDirectory + "/" + name }
        return nil
    }

    static func whereClause(_ filter: CaptureFilter) -> (String, StatementArguments) {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let method = filter.method {
            conditions.append("c.method = ?")
            _ = arguments.append(contentsOf: [method.uppercased()])
        }
        if let prefix = filter.pathPrefix {
            conditions.append("substr(c.path, 1, ?) = ?")
            _ = arguments.append(contentsOf: [prefix.utf8.count, prefix])
        }
        if let signature = filter.signature {
            if signature == .unchecked {
                conditions.append("(c.signature_status IS NULL OR c.signature_status = 'unchecked')")
            } else {
                conditions.append("c.signature_status = ?")
                _ = arguments.append(contentsOf: [signature.rawValue])
            }
        }
        if let since = filter.since {
            conditions.append("c.received_at >= ?")
            _ = arguments.append(contentsOf: [since.microsecondsSinceEpoch])
        }
        if let beforeID = filter.beforeID {
            conditions.append("c.id < ?")
            _ = arguments.append(contentsOf: [beforeID])
        }
        if let afterID = filter.afterID {
            conditions.append("c.id > ?")
            _ = arguments.append(contentsOf: [afterID])
        }
        if let text = filter.text, !text.isEmpty {
            // The raw head holds the request line and headers exactly as received (the JSON header column
            // escapes `/`); bodies spilled to files are not searched.
            let pattern = "%" + likeEscaped(text) + "%"
            conditions.append(
                "(CAST(c.raw_head AS TEXT) LIKE ? ESCAPE '\\' OR CAST(c.body AS TEXT) LIKE ? ESCAPE '\\')")
            _ = arguments.append(contentsOf: [pattern, pattern])
        }
        return (conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "), arguments)
    }

    /// `text` with LIKE's wildcards and the escape character itself escaped by a backslash — by bytes: a `%`
    /// followed by a combining mark is one `Character`, which a `Character` comparison would let through as a
    /// wildcard.
    static func likeEscaped(_ text: String) -> String {
        var escaped: [UInt8] = []
        for byte in text.utf8 {
            if byte == UInt8(ascii: "%") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "\\") {
                escaped.append(UInt8(ascii: "\\"))
            }
            escaped.append(byte)
        }
        return String(decoding: escaped, as: UTF8.self)
    }

    static func capture(from row: Row) throws -> Capture {
        let decoder = JSONDecoder()
        let headersJSON: String = row["headers"]
        let headers = try decoder.decode(HeaderList.self, from: Data(headersJSON.utf8))
        let signatureJSON: String? = row["signature"]
        // Abbreviated again on the way out: rows written before the stored form was abbreviated.
        let signature = try signatureJSON.map {
            try decoder.decode(SignatureVerdict.self, from: Data($0.utf8)).abbreviatingExpected
        }
        let body = bodyBytes(row, data: "body", file: "body_file", size: "body_size") ?? .empty
        let rawBody = bodyBytes(row, data: "raw_body", file: "raw_body_file", size: "raw_body_size")
        let rawHead: Data = row["raw_head"]
        var capture = Capture(
            id: row["id"],
            receivedAt: Timestamp(microsecondsSinceEpoch: row["received_at"]),
            remoteAddress: row["remote_address"],
            method: row["method"],
            target: RequestTarget(row["target"]),
            httpVersion: row["http_version"],
            headers: headers,
            body: body,
            bodySHA256: row["body_sha256"],
            rawHead: [UInt8](rawHead),
            rawBody: rawBody,
            malformed: row["malformed"],
            problem: (row["problem"] as String?).map { problem(stored: $0, decoder: decoder) },
            announcedBodySize: row["announced_body_size"],
            responseStatus: row["response_status"],
            signature: signature
        )
        capture.answeredBy = (row["answered_by"] as String?).flatMap(AnsweredBy.init(rawValue:))
        capture.rule = row["rule"]
        return capture
    }

    /// The problem as `CaptureProblem.jsonText` stored it; a row stored before problems had codes holds a sentence,
    /// kept as `recorded_text` (so does a code this version does not know).
    static func problem(stored text: String, decoder: JSONDecoder) -> CaptureProblem {
        guard text.hasPrefix("{"), let problem = try? decoder.decode(CaptureProblem.self, from: Data(text.utf8)) else {
            return .recorded(text)
        }
        return problem
    }

    private static func bodyBytes(_ row: Row, data: String, file: String, size: String) -> BodyBytes? {
        if let name: String = row[file] {
            return .file(name: name, size: row[size] ?? 0)
        }
        if let bytes: Data = row[data] {
            return .inline([UInt8](bytes))
        }
        return nil
    }

    static func summary(from row: Row) -> CaptureSummary {
        let status: String? = row["signature_status"]
        return CaptureSummary(
            id: row["id"],
            receivedAt: Timestamp(microsecondsSinceEpoch: row["received_at"]),
            remoteAddress: row["remote_address"],
            method: row["method"],
            target: RequestTarget(row["target"]),
            bodySize: row["body_size"],
            malformed: row["malformed"],
            responseStatus: row["response_status"],
            signatureScheme: row["signature_scheme"],
            signatureStatus: status.flatMap(SignatureStatus.init(rawValue:)),
            deliveryCount: row["delivery_count"],
            lastDeliveryStatus: row["last_delivery_status"]
        )
    }
}
