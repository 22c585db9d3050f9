import HookstashRelay
import Testing

@Suite struct ServerSentEventParserTests {
    @Test func eventsSplitAcrossPiecesOfAnySizeComeOutWhole() {
        let stream =
            Array(
                "retry: 1000\n: hookstash events after 3\n\nevent: capture\nid: 4\ndata: {\"id\":4}\n\n"
                    .utf8) + Array("event: capture\r\nid: 5\r\ndata: a\r\ndata: b\r\n\r\n: keepalive\n\n".utf8)
        for size in [1, 2, 7, stream.count] {
            var parser = ServerSentEventParser()
            var events: [ServerSentEventParser.Event] = []
            var index = 0
            while index < stream.count {
                events += parser.feed(stream[index..<min(stream.count, index + size)])
                index += size
            }
            #expect(events.map(\.id) == ["4", "5"], "piece size \(size)")
            #expect(events.map(\.name) == ["capture", "capture"])
            #expect(events.map(\.data) == ["{\"id\":4}", "a\nb"])
        }
    }

    @Test func anEventWithoutItsBlankLineIsNotReportedYet() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Array("event: capture\nid: 9\ndata: {}\n".utf8)).isEmpty)
        #expect(parser.feed(Array("\n".utf8)).map(\.id) == ["9"])
    }
}
