import Foundation
import HTTPTypes
import HookstashCore
import Hummingbird
import HummingbirdCore

/// The list filters and page, as `/` and `/api/captures` read them from the query string.
struct ListQuery: Sendable {
    static let defaultLimit = 50
    static let maximumLimit = 500

    var limit = ListQuery.defaultLimit
    var before: Int64?
    var method: String?
    var path: String?
    var signature: SignatureStatus?
    var text: String?

    /// Empty fields (as a submitted form sends them) count as absent.
    init(_ parameters: FlatDictionary<Substring, Substring>) throws {
        func value(_ name: String) -> String? {
            guard let text = parameters.get(name), !text.isEmpty else { return nil }
            return text
        }
        if let text = value("limit") {
            guard let number = Int(text), number >= 1 else {
                throw HookstashError.invalidInput("limit must be a whole number from 1 to \(Self.maximumLimit)")
            }
            limit = min(number, Self.maximumLimit)
        }
        if let text = value("before") {
            guard let id = Int64(text) else { throw HookstashError.invalidInput("before must be a capture id") }
            before = id
        }
        method = value("method")?.uppercased()
        path = value("path")
        if let text = value("signature") {
            guard let status = SignatureStatus(rawValue: text.lowercased()) else {
                throw HookstashError.invalidInput("signature must be one of valid, invalid, missing, unchecked")
            }
            signature = status
        }
        text = value("q")
    }

    var filter: CaptureFilter {
        CaptureFilter(method: method, pathPrefix: path, signature: signature, beforeID: before, text: text)
    }

    var isFiltered: Bool { method != nil || path != nil || signature != nil || text != nil }

    /// The query string of the same filters with another cursor (percent-encoded, not HTML-escaped).
    func queryString(before cursor: Int64?) -> String {
        var pairs: [(String, String)] = []
        if let method { pairs.append(("method", method)) }
        if let path { pairs.append(("path", path)) }
        if let signature { pairs.append(("signature", signature.rawValue)) }
        if let text { pairs.append(("q", text)) }
        if limit != Self.defaultLimit { pairs.append(("limit", String(limit))) }
        if let cursor { pairs.append(("before", String(cursor))) }
        return pairs.map { "\($0.0)=\(Self.percentEncoded($0.1))" }.joined(separator: "&")
    }

    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}

/// One page of the list: at most `limit` summaries and the cursor of the next page.
struct CapturePage: Sendable {
    var summaries: [CaptureSummary]
    var next: Int64?
}
