/// Splits a Server-Sent Events stream into events, as the bytes arrive in pieces of any size.
///
/// Follows the event-stream format: lines end with LF, CR LF or CR; a blank line ends an event; `:` starts a
/// comment; `id`, `event` and `data` fields (several `data` lines are joined with LF). A plain value type.
public struct ServerSentEventParser: Sendable {
    public struct Event: Sendable, Hashable {
        public var id: String?
        public var name: String
        public var data: String
    }

    /// The longest line, and the most data in one event, accepted from the remote (hookstash's own events are a
    /// few dozen bytes): a stream that goes past it is broken or hostile and is not read further.
    public static let defaultLineLimit = 64 * 1024

    private let lineLimit: Int
    private var line: [UInt8] = []
    private var lastWasCR = false
    private var id: String?
    private var name = ""
    private var data: [String] = []
    private var dataSize = 0
    private var hasFields = false
    /// Set once a line or an event went past the limit; nothing more is parsed.
    public private(set) var overflowed = false

    public init(lineLimit: Int = ServerSentEventParser.defaultLineLimit) {
        self.lineLimit = max(1, lineLimit)
    }

    /// Feeds bytes; returns the events they complete, in order (none once `overflowed`).
    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [Event] where Bytes.Element == UInt8 {
        var events: [Event] = []
        for byte in bytes {
            guard !overflowed else { return events }
            if byte == 0x0a, lastWasCR {
                lastWasCR = false
                continue
            }
            lastWasCR = byte == 0x0d
            if byte == 0x0a || byte == 0x0d {
                if let event = endLine() { events.append(event) }
            } else if line.count < lineLimit {
                line.append(byte)
            } else {
                overflowed = true
            }
        }
        return events
    }

    private mutating func endLine() -> Event? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            guard hasFields else { return nil }
            defer {
                name = ""
                data = []
                dataSize = 0
                hasFields = false
            }
            return Event(id: id, name: name.isEmpty ? "message" : name, data: data.joined(separator: "\n"))
        }
        if line.first == UInt8(ascii: ":") { return nil }
        let text = String(decoding: line, as: UTF8.self)
        var field = Substring(text)
        var value: Substring = ""
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        }
        switch field {
        case "id":
            id = String(value)
            hasFields = true
        case "event":
            name = String(value)
            hasFields = true
        case "data":
            dataSize += value.utf8.count + 1
            guard dataSize <= lineLimit else {
                overflowed = true
                return nil
            }
            data.append(String(value))
            hasFields = true
        default:
            break
        }
        return nil
    }
}
