import Foundation
import HookstashCore
import HookstashDelivery

/// The inspector API of a remote hookstash, read through libcurl: the newest capture id, one capture (its JSON and
/// its exact bytes), and the URL and headers of the event stream.
public struct RemoteInspector: Sendable {
    /// The URL as given to `--from`, normalised; also the key of the position in the local store.
    public let url: String
    private let base: DeliveryTarget
    /// Path prefix when the inspector is served under one (`https://host/hookstash`), without a trailing slash.
    private let prefix: String
    private let token: String?
    public let options: DeliveryOptions

    public init(url text: String, token: String?, options: DeliveryOptions = DeliveryOptions()) throws {
        let base: DeliveryTarget
        do {
            base = try DeliveryTarget(parsing: text)
        } catch {
            throw RelayError.invalidRemote("--from \(text): \(error.message)")
        }
        guard base.query == nil else {
            throw RelayError.invalidRemote("--from \(text): give the inspector's URL without a query")
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
    }

    /// The event stream's URL.
    public var eventsURL: String { "\(base.scheme)://\(base.authority)\(prefix)/api/events" }

    /// Headers for the event stream, resuming after `lastEventID`.
    public func eventHeaders(after lastEventID: Int64) -> [String] {
        var headers = ["Accept: text/event-stream", "Last-Event-ID: \(lastEventID)"]
        if let token { headers.append("Authorization: Bearer \(token)") }
        return headers
    }

    /// The newest capture id on the remote (0 when it has none).
    public func newestCaptureID(workers: DeliveryWorkers) async throws -> Int64 {
        let body = try await get("/api/captures?limit=1", workers: workers)
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
    public func capture(id: Int64, workers: DeliveryWorkers) async throws -> Capture? {
        guard let json = try await get("/api/captures/\(id)", workers: workers, missingIsNil: true),
            let raw = try await get("/api/captures/\(id)/raw", workers: workers, missingIsNil: true)
        else { return nil }
        let document: RemoteCaptureDocument
        do {
            document = try JSONDecoder().decode(RemoteCaptureDocument.self, from: Data(json))
        } catch {
            throw RelayError.unexpectedAnswer("capture \(id) from \(url) is not the capture JSON hookstash writes")
        }
        return try document.capture(raw: raw)
    }

    private func get(_ path: String, workers: DeliveryWorkers) async throws -> [UInt8] {
        guard let body = try await get(path, workers: workers, missingIsNil: false) else { return [] }
        return body
    }

    private func get(_ path: String, workers: DeliveryWorkers, missingIsNil: Bool) async throws -> [UInt8]? {
        var headers = HeaderList([("Host", base.authority), ("Accept", "*/*")])
        if let token { headers.append(name: "Authorization", value: "Bearer \(token)") }
        let request = OutgoingRequest(
            method: "GET", target: base, requestTarget: prefix + path, headers: headers, body: [], sendsBody: false)
        var options = self.options
        options.responseBodyLimit = Int(Int32.max)
        let outcome = await workers.deliver(request, options: options)
        if let error = outcome.error {
            throw RelayError.unreachable("\(url) is unreachable: \(error.message)")
        }
        guard let response = outcome.response else {
            throw RelayError.unreachable("\(url) did not answer")
        }
        switch response.status {
        case 200: return response.body
        case 404 where missingIsNil: return nil
        case 401, 403:
            throw RelayError.refused(
                "\(url) refused the request (\(response.status)): give the inspector's token with --token")
        case 404:
            throw RelayError.refused("\(url) has no hookstash inspector API (\(prefix + path) answered 404)")
        default:
            throw RelayError.unreachable("\(url) answered \(response.status) to \(prefix + path)")
        }
    }
}
