import Foundation
import HookstashCore
import NIOHTTP1

/// An HTTP Archive (HAR 1.2) of captures, as browser devtools import it. Text bodies are kept as text,
/// others as base64 with `"encoding": "base64"` (the field HAR defines for response content).
public struct HARDocument: Encodable, Sendable {
    public struct Entry: Sendable {
        public var capture: Capture
        public var body: [UInt8]

        public init(capture: Capture, body: [UInt8]) {
            self.capture = capture
            self.body = body
        }
    }

    public var entries: [Entry]
    public var creatorVersion: String

    public init(entries: [Entry], creatorVersion: String = "1") {
        self.entries = entries
        self.creatorVersion = creatorVersion
    }

    /// The document as pretty-printed JSON.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return [UInt8](try encoder.encode(self))
    }

    private struct NameVersion: Encodable {
        var name: String
        var value: String
    }

    private struct Creator: Encodable {
        var name: String
        var version: String
    }

    private struct HAREntry: Encodable {
        var startedDateTime: String
        var time: Double
        var request: Request
        var response: Response
        var cache: [String: String] = [:]
        var timings: Timings
        var comment: String
    }

    private struct Request: Encodable {
        var method: String
        var url: String
        var httpVersion: String
        var cookies: [NameVersion]
        var headers: [NameVersion]
        var queryString: [NameVersion]
        var postData: PostData?
        var headersSize: Int
        var bodySize: Int64
    }

    private struct PostData: Encodable {
        var mimeType: String
        var text: String
        var encoding: String?
    }

    private struct Response: Encodable {
        var status: Int
        var statusText: String
        var httpVersion: String
        var cookies: [NameVersion] = []
        var headers: [NameVersion] = []
        var content: Content
        var redirectURL = ""
        var headersSize = -1
        var bodySize = -1
    }

    private struct Content: Encodable {
        var size: Int
        var mimeType: String
    }

    private struct Timings: Encodable {
        var send: Double
        var wait: Double
        var receive: Double
    }

    enum CodingKeys: String, CodingKey { case log }

    private struct LogWithCreator: Encodable {
        var version: String
        var creator: Creator
        var entries: [HAREntry]
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let log = LogWithCreator(
            version: "1.2", creator: Creator(name: "hookstash", version: creatorVersion),
            entries: entries.map(Self.entry))
        try container.encode(log, forKey: .log)
    }

    private static func entry(_ item: Entry) -> HAREntry {
        let capture = item.capture
        let headers = capture.headers.map { NameVersion(name: $0.name, value: $0.value) }
        var postData: PostData?
        if !item.body.isEmpty || capture.headers.contains("Content-Type") {
            let mimeType = capture.headers.first("Content-Type") ?? ""
            if BodyPresentation.isText(item.body), let text = String(validating: item.body, as: UTF8.self) {
                postData = PostData(mimeType: mimeType, text: text, encoding: nil)
            } else {
                postData = PostData(mimeType: mimeType, text: Base64.encode(item.body), encoding: "base64")
            }
        }
        let request = Request(
            method: capture.method,
            url: capture.absoluteURL,
            httpVersion: capture.httpVersion,
            cookies: cookies(capture.headers),
            headers: headers,
            queryString: queryPairs(capture.target.query),
            postData: postData,
            headersSize: capture.rawHead.count,
            bodySize: capture.bodySize)
        let response = Response(
            status: capture.responseStatus,
            statusText: HTTPResponseStatus(statusCode: capture.responseStatus).reasonPhrase,
            httpVersion: capture.httpVersion,
            content: Content(size: 0, mimeType: ""))
        return HAREntry(
            startedDateTime: capture.receivedAt.rfc3339,
            time: 0,
            request: request,
            response: response,
            timings: Timings(send: 0, wait: 0, receive: 0),
            comment: "hookstash capture \(capture.id) from \(capture.remoteAddress)")
    }

    private static func queryPairs(_ query: String?) -> [NameVersion] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ text: Substring) -> String {
                let plusAsSpace = text.replacing("+", with: " ")
                return plusAsSpace.removingPercentEncoding ?? String(text)
            }
            return NameVersion(name: decoded(parts[0]), value: parts.count > 1 ? decoded(parts[1]) : "")
        }
    }

    private static func cookies(_ headers: HeaderList) -> [NameVersion] {
        headers.values("Cookie").flatMap { line in
            line.split(separator: ";").compactMap { part -> NameVersion? in
                let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = pair[0].trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty else { return nil }
                return NameVersion(name: name, value: pair.count > 1 ? String(pair[1]) : "")
            }
        }
    }
}
