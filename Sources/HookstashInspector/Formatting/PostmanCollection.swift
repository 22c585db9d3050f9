import Foundation
import HookstashCore

/// A Postman collection (format v2.1) with one request per capture, as Postman's import reads it: method, URL (raw
/// and in parts), headers in order with duplicates, and a text body as `raw`. A body that is not text cannot be
/// carried in a collection: the request says so in its description (`export --format fixtures` gives its bytes).
public struct PostmanCollection: Encodable, Sendable {
    public static let schema = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"

    public var name: String
    public var entries: [HARDocument.Entry]

    public init(name: String = "hookstash captures", entries: [HARDocument.Entry]) {
        self.name = name
        self.entries = entries
    }

    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return [UInt8](try encoder.encode(self))
    }

    private struct Info: Encodable {
        var name: String
        var schema: String
    }

    private struct Item: Encodable {
        var name: String
        var request: Request
    }

    private struct Request: Encodable {
        var method: String
        var header: [KeyValue]
        var url: URLParts
        var body: Body?
        var description: String?
    }

    private struct KeyValue: Encodable {
        var key: String
        var value: String
    }

    private struct URLParts: Encodable {
        var raw: String
        var `protocol`: String
        var host: [String]
        var port: String?
        var path: [String]
        var query: [KeyValue]?
    }

    private struct Body: Encodable {
        var mode = "raw"
        var raw: String
    }

    enum CodingKeys: String, CodingKey { case info, item }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Info(name: name, schema: Self.schema), forKey: .info)
        try container.encode(entries.map(Self.item), forKey: .item)
    }

    private static func item(_ entry: HARDocument.Entry) -> Item {
        let capture = entry.capture
        let url = capture.absoluteURL
        var body: Body?
        var description: String?
        if !entry.body.isEmpty {
            if BodyPresentation.isText(entry.body), let text = String(validating: entry.body, as: UTF8.self) {
                body = Body(raw: text)
            } else {
                description =
                    "The captured body (\(entry.body.count) bytes) is not text and is not included: "
                    + "`hookstash export \(capture.id) --format fixtures --out DIR` writes its bytes."
            }
        }
        return Item(
            name: "#\(capture.id) \(capture.method) \(capture.target.path)",
            request: Request(
                method: capture.method,
                header: capture.headers.fields.map { KeyValue(key: $0.name, value: $0.value) },
                url: parts(of: url, target: capture.target), body: body, description: description))
    }

    private static func parts(of url: String, target: RequestTarget) -> URLParts {
        let components = URLComponents(string: url)
        let host = components?.host ?? "localhost"
        let query = target.query.map { query in
            query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                return KeyValue(key: String(parts[0]), value: parts.count > 1 ? String(parts[1]) : "")
            }
        }
        return URLParts(
            raw: url, protocol: components?.scheme ?? "http", host: host.split(separator: ".").map(String.init),
            port: components?.port.map(String.init),
            path: target.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init),
            query: query)
    }
}
