import Foundation
import HTTPTypes
import HookstashCore
import HookstashStore
import Hummingbird
import HummingbirdCore
import ServiceLifecycle

extension InspectorEndpoints {
    static let lastEventIDHeader = HTTPField.Name("Last-Event-ID")!

    /// `GET /api/events`: one `capture` event per new capture, oldest first, `id:` = capture id.
    ///
    /// New captures are found by polling the store (`id > last sent`), so captures written by another process
    /// on the same file are seen too. Ids are assigned in commit order by SQLite's single writer, so following
    /// the id never skips a capture; `Last-Event-ID` (or `?last_event_id=`) resumes after a given id.
    func events(_ request: Request) -> Response {
        let resumeText =
            request.headers[Self.lastEventIDHeader] ?? request.uri.queryParameters.get("last_event_id")
        let resumeID = resumeText.flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        let store = self.store
        let interval = max(10, configuration.pollIntervalMilliseconds)
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store",
                HTTPField.Name("X-Accel-Buffering")!: "no",
            ],
            body: ResponseBody { writer in
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.withoutEscapingSlashes]
                var last = resumeID ?? (try? store.latestID()) ?? 0
                try await writer.write(ByteBuffer(string: "retry: 1000\n: hookstash events after \(last)\n\n"))
                var quietMilliseconds = 0
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    var buffer = ByteBuffer()
                    if let batch = try? Self.newCaptures(store, after: last) {
                        for summary in batch.summaries {
                            let data = try encoder.encode(CaptureSummaryDocument(summary))
                            buffer.writeString("event: capture\nid: \(summary.id)\ndata: ")
                            buffer.writeBytes(data)
                            buffer.writeString("\n\n")
                        }
                        last = batch.newest
                    }
                    if buffer.readableBytes > 0 {
                        quietMilliseconds = 0
                        try await writer.write(buffer)
                    } else {
                        quietMilliseconds += interval
                        if quietMilliseconds >= 15_000 {
                            // Keeps proxies from closing the stream and notices a client that went away.
                            quietMilliseconds = 0
                            try await writer.write(ByteBuffer(string: ": keepalive\n\n"))
                        }
                    }
                    try await Task.sleep(for: .milliseconds(interval))
                }
                try await writer.finish(nil)
            })
    }

    /// The captures after `last`, oldest first (at most 200 at a time), and the newest id among them; nil when
    /// there are none.
    static func newCaptures(_ store: CaptureStore, after last: Int64) throws -> (
        summaries: [CaptureSummary], newest: Int64
    )? {
        let ids = try store.ids(CaptureFilter(afterID: last), limit: 200)
        guard let newest = ids.last else { return nil }
        let summaries = try store.summaries(CaptureFilter(beforeID: newest + 1, afterID: last), limit: ids.count)
        return (summaries.reversed(), newest)
    }
}
