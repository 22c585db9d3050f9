import HookstashCore
import NIOCore
import NIOEmbedded
import Testing

@testable import HookstashServer

/// The connection's life on its own, and the decoder in front of it through NIO's `EmbeddedChannel`.
@Suite struct CaptureConnectionStateMachineTests {
    @Test func keepAliveRequestsAreAnsweredInTurnAndTheConnectionStaysOpen() {
        var machine = CaptureConnectionStateMachine()
        let result1 = machine.headReceived()
        #expect(result1)
        #expect(machine.isReceivingBody)
        machine.requestCompleted(keepAlive: true)
        #expect(machine.state == .open(receivingBody: false))
        let result2 = machine.writingAnswer()
        #expect(result2 == .write)
        #expect(machine.queuedAnswers == 0)
        let result3 = machine.readRequested()
        #expect(result3 == .read)
    }

    @Test func connectionCloseRequestClosesAfterItsAnswerAndTakesNoFurtherRequest() {
        var machine = CaptureConnectionStateMachine()
        let result4 = machine.headReceived()
        #expect(result4)
        machine.requestCompleted(keepAlive: false)
        let result5 = machine.headReceived()
        #expect(!result5, "a pipelined request after Connection: close is not taken")
        let result6 = machine.readRequested()
        #expect(result6 == .hold)
        let result7 = machine.writingAnswer()
        #expect(result7 == .writeAndClose)
        #expect(machine.state == .closed)
    }

    @Test func readingStopsWhileAnswersPileUpAndResumesWhenOneIsWritten() {
        var machine = CaptureConnectionStateMachine()
        for _ in 0..<CaptureConnectionStateMachine.maxQueuedAnswers {
            let result8 = machine.headReceived()
            #expect(result8)
            machine.requestCompleted(keepAlive: true)
        }
        let result9 = machine.readRequested()
        #expect(result9 == .hold)
        let result10 = machine.writingAnswer()
        #expect(result10 == .writeAndRead)
        let result11 = machine.readRequested()
        #expect(result11 == .read)
    }

    @Test func readingStopsWhileTheChannelIsNotWritable() {
        var machine = CaptureConnectionStateMachine()
        let result12 = machine.writabilityChanged(writable: false)
        #expect(result12 == .hold)
        let result13 = machine.readRequested()
        #expect(result13 == .hold)
        let result14 = machine.writabilityChanged(writable: true)
        #expect(result14 == .read)
        let result15 = machine.readRequested()
        #expect(result15 == .read)
    }

    @Test func refusedRequestClosesAfterTheAnswersBeforeIt() {
        var machine = CaptureConnectionStateMachine()
        let result16 = machine.headReceived()
        #expect(result16)
        machine.requestCompleted(keepAlive: true)
        machine.requestRefused()
        let result17 = machine.readRequested()
        #expect(result17 == .hold)
        let result18 = machine.writingAnswer()
        #expect(result18 == .write)
        let result19 = machine.writingAnswer()
        #expect(result19 == .writeAndClose)
    }

    @Test func interimContinueDoesNotCloseABodyBeingReceived() {
        var machine = CaptureConnectionStateMachine()
        let result20 = machine.headReceived()
        #expect(result20)
        machine.interimAnswerQueued()
        let result21 = machine.quiesce()
        #expect(result21 == .none)
        let result22 = machine.writingAnswer()
        #expect(result22 == .write)
        machine.requestCompleted(keepAlive: true)
        let result23 = machine.writingAnswer()
        #expect(result23 == .writeAndClose, "shutdown closes after the request being received")
    }

    @Test func quiesceClosesAnIdleConnectionAtOnce() {
        var machine = CaptureConnectionStateMachine()
        let result24 = machine.quiesce()
        #expect(result24 == .close)
        #expect(machine.state == .closed)
    }

    @Test func idleTimeoutClosesOnlyAConnectionWithNothingPending() {
        var machine = CaptureConnectionStateMachine()
        let result25 = machine.headReceived()
        #expect(result25)
        let result26 = machine.idleTimedOut()
        #expect(result26 == .none)
        machine.requestCompleted(keepAlive: true)
        let result27 = machine.idleTimedOut()
        #expect(result27 == .none)
        _ = machine.writingAnswer()
        let result28 = machine.idleTimedOut()
        #expect(result28 == .close)
    }

    // MARK: The decoder through EmbeddedChannel

    private static func decode(_ reads: [String]) throws -> [CaptureRequestPart] {
        let channel = EmbeddedChannel()
        let timeouts = CaptureRequestDecoder.Timeouts(
            header: .seconds(10), body: .seconds(10), idle: .seconds(10), minimumBodyRate: 0)
        try channel.pipeline.syncOperations.addHandler(
            CaptureRequestDecoder(limits: .init(maxHeadSize: 4096), timeouts: timeouts))
        for read in reads {
            try channel.writeInbound(ByteBuffer(string: read))
        }
        var parts: [CaptureRequestPart] = []
        while let part = try channel.readInbound(as: CaptureRequestPart.self) { parts.append(part) }
        _ = try? channel.finish()
        // Closing the channel mid-request reports what arrived.
        while let part = try? channel.readInbound(as: CaptureRequestPart.self) { parts.append(part) }
        return parts
    }

    @Test func decoderSendsOneTypedMessageSequencePerRequest() throws {
        let parts = try Self.decode([
            "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n",
            "0\r\n\r\nGET /b HTTP/1.1\r\n\r\n",
        ])
        var summary: [String] = []
        for part in parts {
            switch part {
            case .head(let head, _): summary.append("head \(head.method) \(head.target)")
            case .content(let buffer): summary.append("content \(String(buffer: buffer))")
            case .framing(let buffer): summary.append("framing \(String(buffer: buffer).debugDescription)")
            case .end: summary.append("end")
            default: summary.append("other")
            }
        }
        #expect(
            summary == [
                "head POST /a", "framing \"2\\r\\n\"", "content ab", "framing \"\\r\\n\"", "framing \"0\\r\\n\\r\\n\"",
                "end", "head GET /b", "end",
            ])
    }

    @Test func decoderSendsTheRefusedRequestWithEveryByteOfItsRead() throws {
        let request = "GET / HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\nbinary after the upgrade"
        let parts = try Self.decode([request, "a later read is not kept"])
        #expect(parts.count == 1)
        guard case .invalid(let problem, let bytes, _) = parts.first else {
            Issue.record("expected .invalid, got \(parts)")
            return
        }
        #expect(problem == .upgradeNotSupported)
        #expect(problem.status == 501)
        #expect(bytes == Array(request.utf8))
    }

    @Test func decoderReportsARequestCutOffByTheClose() throws {
        let parts = try Self.decode(["POST /cut HTTP/1.1\r\nX: partial"])
        guard case .incomplete(let cutOff, let bytes, let receivedAt) = parts.last else {
            Issue.record("expected .incomplete, got \(parts)")
            return
        }
        #expect(cutOff == .closed)
        #expect(bytes == Array("POST /cut HTTP/1.1\r\nX: partial".utf8))
        #expect(receivedAt != nil)
    }
}
