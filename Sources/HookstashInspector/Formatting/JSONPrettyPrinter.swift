import Foundation

/// Re-indents a JSON document without parsing it into dictionaries, so keys keep the order the sender chose.
///
/// Indentation grows with depth, so a deeply nested document would grow quadratically (256 KiB of nested arrays
/// became ~130 MB): the output is bounded by `outputLimit(for:)`, and past it the caller shows the text as sent.
enum JSONPrettyPrinter {
    /// The most bytes a document of `inputBytes` may become: 8 times its size and 64 KiB. Ordinary payloads grow
    /// 1.5 to 4 times.
    static func outputLimit(for inputBytes: Int) -> Int {
        inputBytes * 8 + 64 * 1024
    }

    /// The document indented by two spaces, or nil when `bytes` is not JSON or its indented form would exceed
    /// `outputLimit(for: bytes.count)`.
    static func prettyPrinted(_ bytes: [UInt8]) -> String? {
        guard !bytes.isEmpty,
            (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil
        else { return nil }
        let limit = outputLimit(for: bytes.count)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 4)
        var depth = 0
        var overLimit = false
        var inString = false
        var escaped = false
        var index = 0
        func newline() {
            // Only indentation adds bytes; everything else is copied or dropped.
            guard out.count + 1 + depth * 2 <= limit else {
                overLimit = true
                return
            }
            out.append(UInt8(ascii: "\n"))
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
        }
        func nextSignificant(after position: Int) -> UInt8? {
            var next = position + 1
            while next < bytes.count {
                switch bytes[next] {
                case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): next += 1
                default: return bytes[next]
                }
            }
            return nil
        }
        while index < bytes.count {
            if overLimit { return nil }
            let byte = bytes[index]
            if inString {
                out.append(byte)
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                break
            case UInt8(ascii: "\""):
                inString = true
                out.append(byte)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                out.append(byte)
                let closing = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if nextSignificant(after: index) == closing {
                    // An empty object or array stays on one line.
                    while bytes[index] != closing { index += 1 }
                    out.append(closing)
                } else {
                    depth += 1
                    newline()
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                newline()
                out.append(byte)
            case UInt8(ascii: ","):
                out.append(byte)
                newline()
            case UInt8(ascii: ":"):
                out.append(byte)
                out.append(UInt8(ascii: " "))
            default:
                out.append(byte)
            }
            index += 1
        }
        return overLimit ? nil : String(decoding: out, as: UTF8.self)
    }
}
