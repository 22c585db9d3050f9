/// The parameters of a query string (`a=1&b=x%20y`), names and values percent-decoded to bytes, `+` read as a
/// space (the form encoding senders use); a parameter without `=` has an empty value. A `%` not followed by two hex
/// digits stays as it is. Pairs keep their order; names are compared byte for byte (case-sensitive).
public struct QueryParameters: Sendable, Hashable {
    public struct Parameter: Sendable, Hashable {
        public var name: [UInt8]
        public var value: [UInt8]
    }

    public let parameters: [Parameter]

    public init(_ query: String?) {
        guard let query, !query.isEmpty else {
            parameters = []
            return
        }
        var parameters: [Parameter] = []
        for pair in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                parameters.append(
                    Parameter(
                        name: Self.decoded(pair[pair.startIndex..<equals]),
                        value: Self.decoded(pair[pair.index(after: equals)...])))
            } else {
                parameters.append(Parameter(name: Self.decoded(pair), value: []))
            }
        }
        self.parameters = parameters
    }

    /// Every value of `name` (its UTF-8 bytes compared with the decoded names), in order.
    public func values(_ name: String) -> [[UInt8]] {
        let wanted = Array(name.utf8)
        return parameters.filter { $0.name == wanted }.map(\.value)
    }

    public static func decoded(_ bytes: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count, let high = hex(bytes[index + 1]),
                let low = hex(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
                continue
            }
            out.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index += 1
        }
        return out
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
