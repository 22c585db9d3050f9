import Foundation
import HookstashCore
import HookstashDelivery

/// The inspector API of a remote hookstash, read through libcurl: the newest capture id, one capture (its JSON and
/// its exact bytes), and the URL and headers of the event stream.
public struct RemoteInspector: Sendable {
    /// The remote inspector's URL as given, normalised; also the key of the position in the local store.
    public let url: String
    private let base: DeliveryTarget
    /// Path prefix when the inspector is served under one (`https://host/hookstash`), without a trailing slash.
    private let prefix: String
    private let token: String?
    public let options: DeliveryOptions
    /// The largest capture body accepted from the remote; a fetch is capped near what such a capture takes.
    public let maxBodySize: Int

    /// What the capture listener accepts by default (25 MiB).
    public static let defaultMaxBodySize = 25 << 20

    public init(
        url text: String, token: String?, options: DeliveryOptions = DeliveryOptions(),
        maxBodySize: Int = RemoteInspector.defaultMaxBodySize
    ) throws {
        let base: DeliveryTarget
        do {
            base = try DeliveryTarget(parsing: text)
        } catch {
            throw RelayError.invalidRemote("the remote inspector's URL \(text): \(error.message)")
        }
        guard base.query == nil else {
            throw RelayError.invalidRemote("the remote inspector's URL \(text) has a query; give it without one")
        }
        self.base = base
        var prefix = base.path ?? ""
        while prefix.hasSuffix("/") { prefix.removeLast() }
        self.prefix = prefix
        self.url = "\(base.scheme)://\(base.authority)\(prefix)/"
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        var options = options
        options.followRedirects = false
        self.options = options
        self.maxBodySize = max(0, maxBodySize)
    }

    /// The remote's host (for the guard's check).
    public var host: String { base.host }

    /// True when a token is sent over plain `http://` to a host that is not this machine: anyone on the way can
    /// read it (and then the remote's captures).
    public var sendsTokenInClear: Bool {
        guard token != nil, base.scheme == "http" else { return false }
        let host = base.host.lowercased()
        if host == "localhost" || host.hasSuffix(".localhost") { return false }
        guard let address = IPAddress(host) else { return true }
        let loopback = [IPNetwork("127.0.0.0/8")!, IPNetwork("::1/128")!]
        let candidates = [address] + (address.embeddedIPv4.map { [$0] } ?? [])
        return !candidates.contains { candidate in loopback.contains { $0.contains(candidate) } }
    }

    /// The most a capture's JSON can take: its body in base64 (4/3) and a margin for the other fields.
    var jsonFetchLimit: Int { maxBodySize / 3 * 4 + 4 + Self.fetchMargin }
    /// The most a capture's raw bytes can take: the body in its original framing (chunked framing can double a body
    /// of small chunks) and the head.
    var rawFetchLimit: Int { maxBodySize * 2 + Self.fetchMargin }
    static let fetchMargin = 1 << 20

    /// The event stream's URL.
    public var eventsURL: String { "\(base.scheme)://\(base.authority)\(prefix)/api/events" }

    /// Headers for the event stream, resuming after `lastEventID`.
    public func eventHeaders(after lastEventID: Int64) -> [String] {
        var headers = ["Accept: text/event-stream", "Last-Event-ID: \(lastEventID)"]
        if let token { headers.append("Authorization: Bearer \(token)") }
        return headers
    }

    /// The newest capture id on the remote (0 when it has none).
    public func newestCaptureID(engine: DeliveryEngine) async throws -> Int64 {
        let body = try await get("/api/captures?limit=1", engine: engine, limit: Self.fetchMargin)
        struct Page: Decodable {
            struct Summary: Decodable { var id: Int64 }
            var captures: [Summary]
        }
        guard let page = try? JSONDecoder().decode(Page.self, from: Data(body)) else {
            throw RelayError.unexpectedAnswer("\(url) did not answer /api/captures as a hookstash inspector does")
        }
        return page.captures.first?.id ?? 0
    }

    /// One capture, rebuilt from its JSON and its exact bytes; nil when the remote no longer has it.
    public func capture(id: Int64, engine: DeliveryEngine) async throws -> Capture? {
        guard
            let json = try await get(
                "/api/captures/\(id)", engine: engine, limit: jsonFetchLimit, missingIsNil: true),
            let raw = try await get(
                "/api/captures/\(id)/raw", engine: engine, limit: rawFetchLimit, missingIsNil: true)
        else { return nil }
        let document: RemoteCaptureDocument
        do {
            document = try JSONDecoder().decode(RemoteCaptureDocument.self, from: Data(json))
        } catch {
            throw RelayError.unexpectedAnswer("capture \(id) from \(url) is not the capture JSON hookstash writes")
        }
        return try document.capture(raw: raw)
    }

    /// Ids of the remote's captures above `after`, oldest first: pages of `/api/captures` read newest first until
    /// one reaches `after` (at most `limit` ids, the oldest of them when more arrived).
    public func captureIDs(after: Int64, engine: DeliveryEngine, limit: Int = 10_000) async throws -> [Int64] {
        struct Page: Decodable {
            struct Summary: Decodable { var id: Int64 }
            var captures: [Summary]
            var next: String?
        }
        var ids: [Int64] = []
        var before: String?
        while true {
            let query = "/api/captures?limit=500" + (before.map { "&before=\($0)" } ?? "")
            let body = try await get(query, engine: engine, limit: Self.fetchMargin)
            guard let page = try? JSONDecoder().decode(Page.self, from: Data(body)) else {
                throw RelayError.unexpectedAnswer("\(url) did not answer /api/captures as a hookstash inspector does")
            }
            let newer = page.captures.map(\.id).filter { $0 > after }
            ids += newer
            guard newer.count == page.captures.count, let next = page.next, ids.count < limit else { break }
            before = next.allSatisfy(\.isNumber) ? next : nil
            if before == nil { break }
        }
        return Array(ids.sorted().prefix(limit))
    }

    /// One capture as `GET /api/captures/{id}` gives it: the capture (without its raw head: only the JSON is read)
    /// and the JSON document as received; nil when the remote no longer has it.
    public func captureDocument(id: Int64, engine: DeliveryEngine) async throws -> (capture: Capture, json: [UInt8])? {
        guard let json = try await get("/api/captures/\(id)", engine: engine, limit: jsonFetchLimit, missingIsNil: true)
        else { return nil }
        let document: RemoteCaptureDocument
        do {
            document = try JSONDecoder().decode(RemoteCaptureDocument.self, from: Data(json))
        } catch {
            throw RelayError.unexpectedAnswer("capture \(id) from \(url) is not the capture JSON hookstash writes")
        }
        var capture = try document.capture(raw: [])
        capture.id = document.id
        return (capture, json)
    }

    private func get(_ path: String, engine: DeliveryEngine, limit: Int) async throws -> [UInt8] {
        guard let body = try await get(path, engine: engine, limit: limit, missingIsNil: false) else { return [] }
        return body
    }

    /// The body of a 200 answer to `path`, at most `limit` bytes (a larger answer is an error, not truncated).
    private func get(_ path: String, engine: DeliveryEngine, limit: Int, missingIsNil: Bool) async throws
        -> [UInt8]?
    {
        var headers = HeaderList([("Host", base.authority), ("Accept", "*/*")])
        if let token { headers.append(name: "Authorization", value: "Bearer \(token)") }
        let request = OutgoingRequest(
            method: "GET", target: base, requestTarget: prefix + path, headers: headers, body: [], sendsBody: false)
        var options = self.options
        options.responseBodyLimit = limit
        let outcome = await engine.deliver(request, options: options)
        if let error = outcome.error {
            throw RelayError.unreachable("\(url) is unreachable: \(error.message)")
        }
        guard let response = outcome.response else {
            throw RelayError.unreachable("\(url) did not answer")
        }
        switch response.status {
        case 200 where response.truncated:
            throw RelayError.unexpectedAnswer(
                "\(url) answered \(prefix + path) with \(response.bodySize) bytes, more than a capture of at most "
                    + "\(ByteSizeText.format(Int64(maxBodySize))) takes")
        case 200: return response.body
        case 404 where missingIsNil: return nil
        case 401, 403:
            throw RelayError.unauthorized(
                "\(url) refused the request (\(response.status)): it needs the inspector's token")
        case 404:
            throw RelayError.refused("\(url) has no hookstash inspector API (\(prefix + path) answered 404)")
        default:
            throw RelayError.unreachable("\(url) answered \(response.status) to \(prefix + path)")
        }
    }
}
