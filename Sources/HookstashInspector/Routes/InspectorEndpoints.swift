import Foundation
import HTTPTypes
import HookstashCore
import HookstashStore
import Hummingbird
import HummingbirdCore

/// The inspector's routes. Store calls are synchronous SQLite reads; they are short and bounded (pages of at
/// most 500 summaries, one capture).
struct InspectorEndpoints: Sendable {
    let configuration: InspectorConfiguration
    let csrfToken: String
    var store: CaptureStore { configuration.store }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/") { request, _ in try listPage(request) }
        router.get("/captures/:id") { _, context in try detailPage(id: context.parameters.require("id")) }
        router.get("/captures/:id/compare") { request, context in
            try comparePage(id: context.parameters.require("id"), with: request.uri.queryParameters.get("with") ?? "")
        }
        router.post("/captures/:id/replay") { request, context in
            try await replayForm(request, id: context.parameters.require("id"))
        }
        router.post("/captures/:id/delete") { _, context in try deleteForm(id: context.parameters.require("id")) }
        router.get("/static/inspector.js") { _, _ in StaticAsset.script.response }
        router.get("/static/inspector.css") { _, _ in StaticAsset.stylesheet.response }

        router.get("/api/captures") { request, _ in try listJSON(request) }
        router.get("/api/captures/:id") { _, context in try captureJSON(id: context.parameters.require("id")) }
        router.get("/api/captures/:id/raw") { _, context in try rawDownload(id: context.parameters.require("id")) }
        router.get("/api/captures/:id/body") { _, context in try bodyDownload(id: context.parameters.require("id")) }
        router.get("/api/captures/:id/har") { _, context in try harDownload(id: context.parameters.require("id")) }
        router.get("/api/captures/:id/curl") { _, context in try curlText(id: context.parameters.require("id")) }
        router.post("/api/captures/:id/replay") { request, context in
            try await replayJSON(request, id: context.parameters.require("id"))
        }
        router.delete("/api/captures/:id") { _, context in try deleteJSON(id: context.parameters.require("id")) }
        router.get("/api/captures/:id/diff/:other") { _, context in
            try diffJSON(.captures, context.parameters.require("id"), context.parameters.require("other"))
        }
        router.get("/api/captures/:id/signed-diff") { _, context in
            try signedDiffJSON(id: context.parameters.require("id"))
        }
        router.get("/api/deliveries/:id/diff/:other") { _, context in
            try diffJSON(.deliveries, context.parameters.require("id"), context.parameters.require("other"))
        }
        router.get("/api/events") { request, _ in events(request) }
        router.get("/healthz") { _, _ in healthz() }
    }

    // MARK: shared

    /// Runs `body`, turning user errors into JSON answers (400, 404, 503).
    func answering(_ body: () throws -> Response) -> Response {
        do {
            return try body()
        } catch let error as HookstashError {
            return ErrorResponse.make(Self.status(of: error), error.message)
        } catch {
            return ErrorResponse.make(.internalServerError, "the inspector failed: \(error)")
        }
    }

    static func status(of error: HookstashError) -> HTTPResponse.Status {
        if error.isNotFound { return .notFound }
        if error.isStoreUnavailable { return .serviceUnavailable }
        return .badRequest
    }

    func captureID(_ text: String) throws -> Int64 {
        guard let id = Int64(text), id > 0 else { throw HookstashError.notFound("no capture with id \(text)") }
        return id
    }

    func capture(_ text: String) throws -> Capture {
        let id = try captureID(text)
        guard let capture = try store.capture(id: id) else { throw HookstashError.notFound("no capture with id \(id)") }
        return capture
    }

    func page(_ query: ListQuery) throws -> CapturePage {
        var rows = try store.summaries(query.filter, limit: query.limit + 1)
        var next: Int64?
        if rows.count > query.limit {
            rows.removeLast(rows.count - query.limit)
            next = rows.last?.id
        }
        return CapturePage(summaries: rows, next: next)
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    /// The type every download is served as, whatever the sender declared: a browser neither renders nor runs it
    /// (with `nosniff`, a `<script src>` or stylesheet pointing at it is refused).
    static let downloadType = "application/octet-stream"
    /// Text views (the curl script) are plain text.
    static let textDownloadType = "text/plain; charset=utf-8"
    /// The Content-Type the capture declared, given beside the download's own.
    static let capturedContentTypeHeader = HTTPField.Name("X-Hookstash-Content-Type")!

    static func download(
        _ bytes: [UInt8], contentType: String = downloadType, filename: String, capturedContentType: String? = nil
    ) -> Response {
        var headers: HTTPFields = [
            .contentType: contentType,
            .contentDisposition: "attachment; filename=\"\(filename)\"",
            // Even opened in a tab, a download runs nothing with the inspector's origin.
            .contentSecurityPolicy: "default-src 'none'; sandbox",
        ]
        if let capturedContentType { headers[capturedContentTypeHeader] = capturedContentType }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    // MARK: JSON API

    /// `next` is the cursor (the last id shown, as a string, as `hookstash list --json` prints it) to pass as
    /// `before=`; null on the last page.
    struct ListDocument: Encodable {
        var captures: [CaptureSummaryDocument]
        var next: String?

        enum CodingKeys: String, CodingKey { case captures, next }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(captures, forKey: .captures)
            try container.encode(next, forKey: .next)
        }
    }

    func listJSON(_ request: Request) throws -> Response {
        answering {
            let page = try page(ListQuery(request.uri.queryParameters))
            return try Self.json(
                ListDocument(
                    captures: page.summaries.map(CaptureSummaryDocument.init), next: page.next.map(String.init)))
        }
    }

    func captureJSON(id: String) throws -> Response {
        answering {
            let capture = try capture(id)
            return try Self.json(CaptureDocument(capture, body: try store.bytes(of: capture.body)))
        }
    }

    enum Compared { case captures, deliveries }

    /// `GET /api/captures/{a}/diff/{b}`, `GET /api/deliveries/{a}/diff/{b}`: the `MessageDiff` as JSON.
    func diffJSON(_ compared: Compared, _ old: String, _ new: String) throws -> Response {
        answering {
            let comparison = Comparison(store: store)
            switch compared {
            case .captures:
                return try Self.json(comparison.captures(try captureID(old), try captureID(new)))
            case .deliveries:
                guard let old = Int64(old), let new = Int64(new) else {
                    throw HookstashError.notFound("no delivery with id \(Int64(old) == nil ? old : new)")
                }
                return try Self.json(comparison.deliveries(old, new))
            }
        }
    }

    /// `GET /api/captures/{id}/signed-diff`: the body received against each body the diagnosis found signed.
    func signedDiffJSON(id: String) throws -> Response {
        answering { try Self.json(Comparison(store: store).signedBodies(of: try captureID(id))) }
    }

    func rawDownload(id: String) throws -> Response {
        answering {
            let capture = try capture(id)
            return Self.download(try store.rawMessage(of: capture), filename: "capture-\(capture.id).http")
        }
    }

    func bodyDownload(id: String) throws -> Response {
        answering {
            let capture = try capture(id)
            return Self.download(
                try store.bytes(of: capture.body), filename: "capture-\(capture.id).body",
                capturedContentType: capture.headers.first("Content-Type").flatMap { Self.safeContentType($0) })
        }
    }

    /// The captured Content-Type when it is printable ASCII with a `/` (a value with a line break, another
    /// control character or a byte above 0x7E is not sent back as a header).
    static func safeContentType(_ value: String) -> String? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }), trimmed.contains("/") else {
            return nil
        }
        return trimmed
    }

    func harDownload(id: String) throws -> Response {
        answering {
            let capture = try capture(id)
            let document = HARDocument(entries: [.init(capture: capture, body: try store.bytes(of: capture.body))])
            return Self.download(try document.encoded(), filename: "capture-\(capture.id).har")
        }
    }

    func curlText(id: String) throws -> Response {
        answering {
            let capture = try capture(id)
            let command = CurlCommand(capture: capture, body: try store.bytes(of: capture.body)).text + "\n"
            return Self.download(
                Array(command.utf8), contentType: Self.textDownloadType, filename: "capture-\(capture.id).sh")
        }
    }

    func replayJSON(_ request: Request, id: String) async throws -> Response {
        let captureID: Int64
        let replayRequest: ReplayRequest
        do {
            captureID = try self.captureID(id)
            var request = request
            let body = try await request.collectBody(upTo: 1024 * 1024)
            do {
                replayRequest = try JSONDecoder().decode(ReplayRequest.self, from: Data(buffer: body))
            } catch {
                throw HookstashError.invalidInput(
                    "the body must be JSON like {\"to\":\"http://localhost:3000/hook\",\"resign\":false,\"headers\":[]}"
                )
            }
        } catch let error as HookstashError {
            return ErrorResponse.make(Self.status(of: error), error.message)
        }
        switch await replay(captureID, replayRequest) {
        case .success(let delivery):
            return try Self.json(delivery)
        case .failure(let refusal):
            guard let code = refusal.code else { return ErrorResponse.make(refusal.status, refusal.message) }
            struct Coded: Encodable { var error: String, code: String }
            return try Self.json(Coded(error: refusal.message, code: code), status: refusal.status)
        }
    }

    struct ReplayRefusal: Error {
        var status: HTTPResponse.Status
        var message: String
        /// A guard's refusal (`target_not_allowed`, `signature_not_verified`), answered in the JSON's `code`.
        var code: String? = nil
    }

    /// Calls the replay hook; 501 when none is configured.
    func replay(_ captureID: Int64, _ request: ReplayRequest) async -> Result<any Encodable & Sendable, ReplayRefusal> {
        guard let hook = configuration.replay else {
            return .failure(
                ReplayRefusal(
                    status: .notImplemented,
                    message: "replay is not available in this inspector; use `hookstash replay ID --to URL`"))
        }
        if let refusal = Self.lineBreakRefusal(request) { return .failure(refusal) }
        guard let url = URL(string: request.to), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", url.host != nil
        else {
            return .failure(
                ReplayRefusal(status: .badRequest, message: "the target must be an http:// or https:// URL"))
        }
        do {
            guard try store.capture(id: captureID) != nil else {
                return .failure(ReplayRefusal(status: .notFound, message: "no capture with id \(captureID)"))
            }
            return .success(try await hook(captureID, request))
        } catch let refusal as any DeliveryRefusal {
            return .failure(ReplayRefusal(status: .forbidden, message: refusal.description, code: refusal.code))
        } catch let problem as ResignProblem {
            return .failure(
                ReplayRefusal(
                    status: .badRequest, message: Wording.standard.sentence(problem), code: problem.code.rawValue))
        } catch let error as HookstashError {
            let status: HTTPResponse.Status =
                error.isNotFound || error.isStoreUnavailable ? Self.status(of: error) : .badRequest
            return .failure(ReplayRefusal(status: status, message: error.message))
        } catch {
            return .failure(ReplayRefusal(status: .badGateway, message: "replay failed: \(error)"))
        }
    }

    /// A 400 when the target or a header carries CR, LF or NUL: each would end the line it is on when sent.
    static func lineBreakRefusal(_ request: ReplayRequest) -> ReplayRefusal? {
        if let found = LineBreakingByte.first(in: request.to) {
            return ReplayRefusal(status: .badRequest, message: "the target URL contains \(found)")
        }
        for (index, pair) in request.headers.enumerated() {
            for (part, text) in zip(["name", "value"], pair) {
                if let found = LineBreakingByte.first(in: text) {
                    return ReplayRefusal(
                        status: .badRequest,
                        message: "the \(part) of header \(index + 1) contains \(found); a header is one line")
                }
            }
        }
        return nil
    }

    func deleteJSON(id: String) throws -> Response {
        answering {
            let captureID = try captureID(id)
            guard try store.delete(id: captureID) else {
                throw HookstashError.notFound("no capture with id \(captureID)")
            }
            return Response(status: .noContent)
        }
    }

    func healthz() -> Response {
        if store.isWritable() {
            return (try? Self.json(["status": "ok"])) ?? Response(status: .ok)
        }
        return ErrorResponse.make(.serviceUnavailable, "the store at \(store.path) cannot be written")
    }
}
