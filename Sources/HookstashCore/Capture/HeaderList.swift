/// Header fields in the order they were received, with their original case and duplicates.
///
/// Lookups are case-insensitive, as HTTP field names are; iteration keeps the wire order.
public struct HeaderList: Sendable, Hashable, Sequence {
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var fields: [Field]

    public init(_ fields: [Field] = []) {
        self.fields = fields
    }

    public init(_ pairs: [(String, String)]) {
        self.fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    public mutating func append(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// The first value of `name`, compared case-insensitively.
    public func first(_ name: String) -> String? {
        fields.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }

    /// Every value of `name`, in received order.
    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.equalsIgnoringASCIICase(name) }.map(\.value)
    }

    public func contains(_ name: String) -> Bool {
        fields.contains { $0.name.equalsIgnoringASCIICase(name) }
    }

    /// Removes every field called `name`.
    public mutating func remove(_ name: String) {
        fields.removeAll { $0.name.equalsIgnoringASCIICase(name) }
    }

    /// Replaces the first field called `name` in place (keeping its position and case) and removes the others;
    /// appends when absent.
    public mutating func replace(_ name: String, with value: String) {
        guard let index = fields.firstIndex(where: { $0.name.equalsIgnoringASCIICase(name) }) else {
            append(name: name, value: value)
            return
        }
        fields[index].value = value
        var seen = false
        fields.removeAll { field in
            guard field.name.equalsIgnoringASCIICase(name) else { return false }
            defer { seen = true }
            return seen
        }
    }
}

extension HeaderList: Codable {
    /// Encoded as `[["Name", "value"], …]`, the shape of the `headers` field in the capture JSON.
    public init(from decoder: any Decoder) throws {
        let pairs = try [[String]](from: decoder)
        self.fields = try pairs.map { pair in
            guard pair.count == 2 else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "a header is a [name, value] pair")
                )
            }
            return Field(name: pair[0], value: pair[1])
        }
    }

    public func encode(to encoder: any Encoder) throws {
        try fields.map { [$0.name, $0.value] }.encode(to: encoder)
    }
}

extension String {
    /// ASCII case-insensitive comparison, the rule for HTTP field names.
    public func equalsIgnoringASCIICase(_ other: String) -> Bool {
        let a = self.utf8
        let b = other.utf8
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { x, y in
            x == y || (x | 0x20 == y | 0x20 && (x | 0x20) >= UInt8(ascii: "a") && (x | 0x20) <= UInt8(ascii: "z"))
        }
    }
}

extension HeaderList {
    /// `[["Name","value"],…]` written directly (the capture path stores this for every request; JSONEncoder's
    /// generic machinery costs more than the rest of the insert).
    public var jsonText: String {
        var out = "["
        out.reserveCapacity(fields.count * 48)
        for (index, field) in fields.enumerated() {
            if index > 0 { out += "," }
            out += "[\""
            JSONText.appendEscaped(field.name, to: &out)
            out += "\",\""
            JSONText.appendEscaped(field.value, to: &out)
            out += "\"]"
        }
        out += "]"
        return out
    }
}
