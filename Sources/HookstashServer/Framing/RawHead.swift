import HookstashCore

/// A lenient parse of a head the parser refused, for showing what arrived: the method, target, version and
/// header fields as far as they can be read.
///
/// It never fails and is linear in the head's size: it accepts bare LF, obs-fold (joined to the previous value)
/// and spaces before the colon. Only records of malformed requests use it; accepted requests carry the parser's
/// own view.
struct RawHead: Sendable {
    var method: String
    var target: String
    var version: String
    var headers: HeaderList

    init(bytes: [UInt8]) {
        var index = 0
        while index < bytes.count, bytes[index] == UInt8(ascii: "\r") || bytes[index] == UInt8(ascii: "\n") {
            index += 1
        }
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = index
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") {
                var end = index
                if end > lineStart, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                lines.append(bytes[lineStart..<end])
                lineStart = index + 1
            }
            index += 1
        }
        if lineStart < bytes.count { lines.append(bytes[lineStart...]) }

        let requestLine = lines.first ?? []
        let parts = requestLine.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        method = parts.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        if parts.count >= 3 {
            version = String(decoding: parts[parts.count - 1], as: UTF8.self)
            // The target is everything between the method and the version, as sent.
            let start = parts[1].startIndex
            let end = parts[parts.count - 2].endIndex
            target = String(decoding: requestLine[start..<end], as: UTF8.self)
        } else {
            version = parts.count == 2 ? "HTTP/0.9" : ""
            target = parts.count == 2 ? String(decoding: parts[1], as: UTF8.self) : ""
        }

        // Names and values as byte slices; a folded line is appended to the previous value in place.
        var fields: [(name: ArraySlice<UInt8>, value: [UInt8])] = []
        for line in lines.dropFirst() where !line.isEmpty {
            if let first = line.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t"), !fields.isEmpty {
                fields[fields.count - 1].value.append(UInt8(ascii: " "))
                fields[fields.count - 1].value += Self.trimmed(line)
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                fields.append((line, []))
                continue
            }
            fields.append((line[line.startIndex..<colon], Array(Self.trimmed(line[(colon + 1)...]))))
        }
        headers = HeaderList(
            fields.map {
                HeaderList.Field(
                    name: String(decoding: $0.name, as: UTF8.self), value: String(decoding: $0.value, as: UTF8.self))
            })
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            slice = slice.dropFirst()
        }
        while let last = slice.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
            slice = slice.dropLast()
        }
        return slice
    }
}
