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
    /// The stream looks for captures after the last one sent (`id > last`) whenever the store's bell says a
    /// commit added some, at most once per `minimumLookInterval`, and at least every `pollInterval`
    /// for captures that another process wrote to the same file. Ids are assigned in commit order by SQLite's
    /// single writer, so following the id never skips a capture; `Last-Event-ID` (or `?last_event_id=`) resumes
    /// after a given id.
    func events(_ request: Request) -> Response {
        let resumeText =
            request.headers[Self.lastEventIDHeader] ?? request.uri.queryParameters.get("last_event_id")
        let resumeID = resumeText.flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        let store = self.store
        // Keep-alive comments go out every 15 s, so the stream looks at least that often.
        let fallbackSeconds = min(15, max(0.01, DurationText.seconds(of: configuration.pollInterval)))
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
                let clock = ContinuousClock()
                var lastWrite = clock.now
                try await withGracefulShutdownHandler {
                    while !Task.isCancelled && !Task.isShuttingDownGracefully {
                        let seen = store.newCaptures.generation
                        let looked = clock.now
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
                            try await writer.write(buffer)
                            lastWrite = clock.now
                        } else if clock.now - lastWrite >= .seconds(15) {
                            // Keeps proxies from closing the stream and notices a client that went away.
                            try await writer.write(ByteBuffer(string: ": keepalive\n\n"))
                            lastWrite = clock.now
                        }
                        await store.newCaptures.wait(after: seen, seconds: fallbackSeconds)
                        // However often commits ring, one look per interval: under load each look sends a batch.
                        try? await Task.sleep(until: looked + Self.minimumLookInterval, clock: clock)
                    }
                } onGracefulShutdown: {
                    store.newCaptures.ring()
                }
                try await writer.finish(nil)
            })
    }

    /// The shortest time between two looks at the store by one event stream.
    static let minimumLookInterval = Duration.milliseconds(20)

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
