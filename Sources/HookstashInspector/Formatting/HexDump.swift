/// The classic 16-bytes-a-line dump: offset, hex bytes, printable ASCII.
enum HexDump {
    static func lines(_ bytes: ArraySlice<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 5)
        var offset = 0
        let start = bytes.startIndex
        while offset < bytes.count {
            let line = bytes[(start + offset)..<(start + min(offset + 16, bytes.count))]
            var label = String(offset, radix: 16)
            label = String(repeating: "0", count: max(0, 8 - label.count)) + label
            out.append(contentsOf: label.utf8)
            out.append(contentsOf: "  ".utf8)
            for column in 0..<16 {
                if column < line.count {
                    let byte = line[line.startIndex + column]
                    out.append(digits[Int(byte >> 4)])
                    out.append(digits[Int(byte & 0x0f)])
                } else {
                    out.append(contentsOf: "  ".utf8)
                }
                out.append(UInt8(ascii: " "))
                if column == 7 { out.append(UInt8(ascii: " ")) }
            }
            out.append(contentsOf: " |".utf8)
            for byte in line {
                out.append((0x20..<0x7f).contains(byte) ? byte : UInt8(ascii: "."))
            }
            out.append(contentsOf: "|\n".utf8)
            offset += 16
        }
        return String(decoding: out, as: UTF8.self)
    }
}
