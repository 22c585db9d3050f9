/// `application/x-www-form-urlencoded` decoding, as Twilio's signature needs it.
enum FormParameters {
    /// Name and value pairs as bytes, `+` read as a space and `%XX` decoded.
    static func decode(_ body: [UInt8]) -> [(name: [UInt8], value: [UInt8])] {
        guard !body.isEmpty else { return [] }
        return body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true).map { item in
            let equals = item.firstIndex(of: UInt8(ascii: "="))
            let name = equals.map { item[item.startIndex..<$0] } ?? item[...]
            let value = equals.map { item[item.index(after: $0)...] } ?? []
            return (percentDecoded(name), percentDecoded(value))
        }
    }

    static func percentDecoded(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(0x20)
            } else if byte == UInt8(ascii: "%"), index + 2 < bytes.endIndex,
                let decoded = [UInt8](hexString: String(decoding: bytes[index + 1...index + 2], as: UTF8.self))
            {
                out.append(decoded[0])
                index += 3
                continue
            } else {
                out.append(byte)
            }
            index += 1
        }
        return out
    }

    /// The value of the query parameter `name` in `url`, undecoded.
    static func value(of name: String, inQueryOf url: String) -> String? {
        guard let mark = url.firstIndex(of: "?") else { return nil }
        let query = url[url.index(after: mark)...].split(separator: "#", maxSplits: 1).first ?? ""
        for item in query.split(separator: "&") {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.first.map(String.init) == name { return parts.count > 1 ? String(parts[1]) : "" }
        }
        return nil
    }
}

extension Array where Element == (name: [UInt8], value: [UInt8]) {
    /// Twilio's order: distinct names sorted, and for each name its distinct values sorted, compared as bytes.
    func sortedForTwilio() -> [(name: [UInt8], value: [UInt8])] {
        var byName: [[UInt8]: Set<[UInt8]>] = [:]
        for (name, value) in self { byName[name, default: []].insert(value) }
        return byName.keys.sorted { $0.lexicographicallyPrecedes($1) }.flatMap { name in
            byName[name]!.sorted { $0.lexicographicallyPrecedes($1) }.map { (name: name, value: $0) }
        }
    }
}
