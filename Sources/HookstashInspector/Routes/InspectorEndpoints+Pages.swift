import Foundation
import HTTPTypes
import HookstashCore
import HookstashStore
import Hummingbird
import HummingbirdCore

extension InspectorEndpoints {
    /// Bytes of the raw message shown on the detail page before it is cut off.
    static let rawDisplayLimit = 64 * 1024
    /// Largest body the page's curl command carries inline.
    static let curlInlineLimit = 64 * 1024

    func errorPage(_ status: HTTPResponse.Status, heading: String, message: String, back: String = "/") -> Response {
        PageRenderer.page(
            "error", title: "\(heading) · hookstash", page: "error",
            values: ["heading": heading, "message": message, "back": back], csrf: csrfToken, storePath: store.path,
            status: status)
    }

    /// Runs `body`, turning user errors into an HTML error page.
    func answeringPage(_ body: () throws -> Response) -> Response {
        do {
            return try body()
        } catch let error as HookstashError {
            return errorPage(Self.status(of: error), heading: "Cannot show this", message: error.message)
        } catch {
            return errorPage(.internalServerError, heading: "The inspector failed", message: "\(error)")
        }
    }

    /// A finding for the detail template: its sentence and its code.
    static func findingValues(_ finding: SignatureFinding) -> [String: Any] {
        ["message": Wording.standard.sentence(finding), "code": finding.code.rawValue]
    }

    static func displayTime(_ timestamp: Timestamp) -> String {
        let text = timestamp.rfc3339
        return String(text.replacing("T", with: " ").prefix(23))
    }

    func listPage(_ request: Request) throws -> Response {
        answeringPage {
            let query = try ListQuery(request.uri.queryParameters)
            // Read before the page, so a capture committed in between is sent by the event stream.
            let newest = try store.latestID()
            let page = try page(query)
            let rows: [[String: Any]] = page.summaries.map { summary in
                let delivery: String
                if summary.deliveryCount == 0 {
                    delivery = "—"
                } else {
                    delivery =
                        (summary.lastDeliveryStatus.map(String.init) ?? "no response") + " (\(summary.deliveryCount))"
                }
                return [
                    "rowID": summary.id,
                    "rowReceivedAt": summary.receivedAt.rfc3339,
                    "rowTime": Self.displayTime(summary.receivedAt),
                    "rowMethod": summary.method,
                    "rowTarget": summary.target.raw,
                    "rowSize": ByteSizeText.format(summary.bodySize),
                    "rowSignature": (summary.signatureStatus ?? .unchecked).rawValue,
                    "rowDelivery": delivery,
                ]
            }
            let methodChoices = ["", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
            var methods: [[String: Any]] = methodChoices.map { method in
                ["value": method, "label": method.isEmpty ? "any" : method, "selected": method == (query.method ?? "")]
            }
            if let method = query.method, !methodChoices.contains(method) {
                methods.append(["value": method, "label": method, "selected": true])
            }
            let signatures: [[String: Any]] =
                [["value": "", "label": "any", "selected": query.signature == nil]]
                + SignatureStatus.allCases.map { status in
                    ["value": status.rawValue, "label": status.rawValue, "selected": status == query.signature]
                }
            let values: [String: Any] = [
                "rows": rows,
                "hasRows": !rows.isEmpty,
                "live": query.before == nil,
                "after": newest,
                "filtered": query.isFiltered,
                "filterMethod": query.method ?? "",
                "filterPath": query.path ?? "",
                "filterSignature": query.signature?.rawValue ?? "",
                "filterText": query.text ?? "",
                "methods": methods,
                "signatures": signatures,
                "hasNext": page.next != nil,
                "nextQuery": query.queryString(before: page.next),
            ]
            return PageRenderer.page(
                "list", title: "Captures · hookstash", page: "list", values: values, csrf: csrfToken,
                storePath: store.path)
        }
    }

    func detailPage(id: String) throws -> Response {
        answeringPage {
            let capture = try capture(id)
            let body = try store.bytes(of: capture.body)
            let presentation = BodyPresentation(body: body, totalBytes: capture.bodySize)
            let raw = rawDisplay(capture, body: body)
            // A large body is not pasted into the page: the command reads the downloaded body file instead.
            let curlUsesFile = body.count > Self.curlInlineLimit
            let curl = CurlCommand(
                capture: capture, body: body, bodyFile: curlUsesFile ? "capture-\(capture.id).body" : nil
            ).text
            let deliveries: [[String: Any]] = capture.deliveries.reversed().map { delivery in
                let detail = (try? store.deliveryDetail(id: delivery.id)) ?? nil
                let prettyDetail = detail.map { JSONPrettyPrinter.prettyPrinted(Array($0.utf8)) ?? $0 }
                let summary = DeliveryDetailSummary(json: detail)
                return [
                    "hasChanges": !summary.changes.isEmpty,
                    "changes": summary.changes,
                    "hasResponseLine": summary.responseLine != nil,
                    "responseLine": summary.responseLine ?? "",
                    "hasTimings": summary.timings != nil,
                    "timings": summary.timings ?? "",
                    "deliveryID": delivery.id,
                    "deliveryAt": Self.displayTime(delivery.at),
                    "deliveryTo": delivery.to,
                    "deliveryStatus": delivery.status.map(String.init) ?? "no response",
                    "deliveryDuration": String(format: "%.1f ms", delivery.durationMs),
                    "deliveryResigned": delivery.resigned ? "yes" : "no",
                    "deliveryError": delivery.error ?? "",
                    "hasDetail": prettyDetail != nil,
                    "detail": prettyDetail ?? "",
                ]
            }
            var values: [String: Any] = [
                "id": capture.id,
                "method": capture.method,
                "target": capture.target.raw,
                "receivedAt": capture.receivedAt.rfc3339,
                "time": Self.displayTime(capture.receivedAt) + " UTC",
                "remoteAddress": capture.remoteAddress,
                "responseStatus": capture.responseStatus,
                "answeredBy": capture.answeredBy?.rawValue ?? "",
                "rule": capture.rule ?? "",
                "size": ByteSizeText.format(capture.bodySize),
                "malformed": capture.malformed,
                "requestLine": "\(capture.method) \(capture.target.raw) \(capture.httpVersion)",
                "headerCount": capture.headers.count == 1 ? "1 field" : "\(capture.headers.count) fields",
                "headers": capture.headers.map { ["name": $0.name, "value": $0.value] },
                "bodyKind": presentation.kind.rawValue,
                "hasBody": presentation.kind != .empty,
                "body": presentation.shown,
                "bodyPartial": presentation.isPartial,
                "bodyShown": ByteSizeText.format(Int64(presentation.shownBytes)),
                "deliveryCount": capture.deliveries.count,
                "hasDeliveries": !capture.deliveries.isEmpty,
                "deliveries": deliveries,
                "replayAvailable": configuration.replay != nil,
                "lastTarget": capture.deliveries.last?.to ?? "",
                "curl": curl,
                "curlUsesFile": curlUsesFile,
                "raw": raw.text,
                "rawPartial": raw.note != nil,
                "rawNote": raw.note ?? "",
                "csrf": csrfToken,
            ]
            if let problem = capture.problem {
                values["problem"] = Wording.standard.sentence(problem)
                values["problemCode"] = problem.code.rawValue
            }
            if let signature = capture.signature {
                var panel: [String: Any] = [
                    "scheme": signature.scheme,
                    "status": signature.status.rawValue,
                    "received": signature.received ?? "—",
                    "expected": signature.expected ?? "—",
                    "diagnosis": signature.diagnosis.map(Self.findingValues),
                    "hasDiagnosis": !signature.diagnosis.isEmpty,
                    "warnings": signature.warnings.map(Self.findingValues),
                    "hasWarnings": !signature.warnings.isEmpty,
                ]
                if let header = signature.header { panel["header"] = header }
                if let matched = signature.matchedSecret { panel["matchedSecret"] = matched }
                values["signature"] = panel
            }
            let title = "#\(capture.id) \(capture.method) \(capture.target.raw.prefix(80)) · hookstash"
            return PageRenderer.page(
                "detail", title: title, page: "detail", values: values, csrf: csrfToken, storePath: store.path)
        }
    }

    /// `GET /captures/{id}/compare?with={other}`: capture `id` against capture `other`.
    func comparePage(id: String, with other: String) throws -> Response {
        answeringPage {
            let old = try captureID(id)
            let new = try captureID(other)
            let diff = try Comparison(store: store).captures(old, new)
            var values: [String: Any] = [
                "old": old, "new": new, "identical": diff.isEmpty,
                "hasStartLine": !diff.startLine.isEmpty,
                "startLine": diff.startLine.map { ["field": $0.field, "old": $0.old, "new": $0.new] },
                "hasHeaders": !diff.headers.isEmpty,
                "headers": diff.headers.map { change -> [String: Any] in
                    let caseChange = change.kind == .caseChanged
                    return [
                        "kind": change.kind.rawValue, "name": change.name,
                        "oldText": caseChange
                            ? change.oldName ?? "" : change.oldValue ?? Self.position(change.oldIndex),
                        "newText": caseChange ? change.name : change.newValue ?? Self.position(change.newIndex),
                    ]
                },
            ]
            switch diff.body {
            case .identical:
                values["bodyKind"] = "identical"
                values["bodyIdentical"] = true
            case .json(let changes, let truncated):
                values["bodyKind"] = "JSON, by pointer"
                values["hasJSON"] = true
                values["jsonTruncated"] = truncated
                values["json"] = changes.map {
                    [
                        "kind": $0.kind.rawValue, "pointer": $0.pointer.isEmpty ? "(root)" : $0.pointer,
                        "oldValue": $0.old ?? "", "newValue": $0.new ?? "",
                    ]
                }
            case .lines(let hunks):
                values["bodyKind"] = "text, by line"
                values["hasLines"] = true
                values["hunks"] = hunks.map { hunk -> [String: Any] in
                    [
                        "oldStart": hunk.oldStart, "newStart": hunk.newStart,
                        "lines": hunk.lines.map { line -> [String: Any] in
                            let mark = line.kind == .added ? "+" : line.kind == .removed ? "-" : " "
                            return ["kind": line.kind.rawValue, "mark": mark, "text": line.text]
                        },
                    ]
                }
            case .bytes(let difference):
                values["bodyKind"] = "bytes"
                values["hasBytes"] = true
                values["offset"] = difference.offset
                values["oldSize"] = difference.oldSize
                values["newSize"] = difference.newSize
                values["before"] = String(decoding: difference.before, as: UTF8.self)
                values["oldAfter"] = String(decoding: difference.oldAfter, as: UTF8.self)
                values["newAfter"] = String(decoding: difference.newAfter, as: UTF8.self)
            }
            return PageRenderer.page(
                "compare", title: "#\(old) → #\(new) · hookstash", page: "compare", values: values, csrf: csrfToken,
                storePath: store.path)
        }
    }

    /// A header's position for a moved field ("field 3").
    static func position(_ index: Int?) -> String {
        index.map { "field \($0 + 1)" } ?? ""
    }

    /// What the detail page picks out of a delivery's recorded `detail` JSON (written by the delivery engine):
    /// the changes from the capture, the response status line and the timings. Unknown shapes give nothing.
    struct DeliveryDetailSummary {
        var changes: [String] = []
        var responseLine: String?
        var timings: String?

        init(json: String?) {
            guard let json, let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
            else { return }
            changes = ((object["request"] as? [String: Any])?["changes"] as? [String]) ?? []
            responseLine = (object["response"] as? [String: Any])?["status_line"] as? String
            if let timing = object["timings"] as? [String: Any] {
                let parts = [("connect", "connect_ms"), ("first byte", "first_byte_ms"), ("total", "total_ms")]
                    .compactMap { label, key in
                        (timing[key] as? Double).map { "\(label) \(String(format: "%.1f", $0)) ms" }
                    }
                timings = parts.isEmpty ? nil : parts.joined(separator: ", ")
            }
        }
    }

    /// The raw message as text: the head as received, then the body in its original framing when it is text,
    /// cut at `rawDisplayLimit`.
    private func rawDisplay(_ capture: Capture, body: [UInt8]) -> (text: String, note: String?) {
        let head = String(decoding: capture.rawHead.prefix(Self.rawDisplayLimit), as: UTF8.self)
        if capture.rawHead.count > Self.rawDisplayLimit {
            return (head, "Showing the first \(ByteSizeText.format(Int64(Self.rawDisplayLimit))) of the head.")
        }
        let rawBody: [UInt8]
        if let framed = capture.rawBody {
            rawBody = (try? store.bytes(of: framed)) ?? []
        } else {
            rawBody = body
        }
        if rawBody.isEmpty { return (head, nil) }
        if !BodyPresentation.isText(rawBody) {
            return (
                head + "[\(ByteSizeText.format(Int64(rawBody.count))) of binary body: see the hex dump above]",
                "The body is binary."
            )
        }
        let room = Self.rawDisplayLimit - capture.rawHead.count
        let shown = BodyPresentation.utf8Prefix(rawBody, limit: max(0, room))
        let text = head + String(decoding: shown, as: UTF8.self)
        if shown.count < rawBody.count {
            return (text, "Showing the first \(ByteSizeText.format(Int64(Self.rawDisplayLimit))) of the message.")
        }
        return (text, nil)
    }

    // MARK: forms

    func replayForm(_ request: Request, id: String) async throws -> Response {
        guard let captureID = Int64(id) else {
            return errorPage(.notFound, heading: "No such capture", message: "no capture with id \(id)")
        }
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024)
        let fields = FormFields(String(buffer: body))
        let replayRequest = ReplayRequest(
            to: fields["to"] ?? "", resign: fields["resign"] == "on",
            resignUnverified: fields["resign_unverified"] == "on")
        switch await replay(captureID, replayRequest) {
        case .success:
            var response = Response(status: .seeOther)
            response.headers[.location] = "/captures/\(captureID)#deliveries"
            return response
        case .failure(let refusal):
            return errorPage(
                refusal.status, heading: "Replay failed", message: refusal.message, back: "/captures/\(captureID)")
        }
    }

    func deleteForm(id: String) throws -> Response {
        answeringPage {
            let captureID = try captureID(id)
            guard try store.delete(id: captureID) else {
                throw HookstashError.notFound("no capture with id \(captureID)")
            }
            var response = Response(status: .seeOther)
            response.headers[.location] = "/"
            return response
        }
    }
}
