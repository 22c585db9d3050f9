import HookstashCore
import NIOCore
import NIOEmbedded
import Testing

@testable import HookstashServer

/// The connection's life on its own, and the decoder in front of it through NIO's `EmbeddedChannel`.
@Suite struct CaptureConnectionStateMachineTests {
    @Test func keepAliveRequestsAreAnsweredInTurnAndTheConnectionStaysOpen() {
        var machine = CaptureConnectionStateMachine()
        let taken = machine.headReceived()
        #expect(taken)
        #expect(machine.isReceivingBody)
        machine.requestCompleted(keepAlive: true)
        #expect(machine.state == .open(receivingBody: false))
        let write = machine.writingAnswer()
        #expect(write == .write)
        #expect(machine.queuedAnswers == 0)
        let read = machine.readRequested()
        #expect(read == .read)
    }

    @Test func connectionCloseRequestClosesAfterItsAnswerAndTakesNoFurtherRequest() {
        var machine = CaptureConnectionStateMachine()
        let taken = machine.headReceived()
        #expect(taken)
        machine.requestCompleted(keepAlive: false)
        let taken2 = machine.headReceived()
        #expect(!taken2, "a pipelined request after Connection: close is not taken")
        let read = machine.readRequested()
        #expect(read == .hold)
        let write = machine.writingAnswer()
        #expect(write == .writeAndClose)
        #expect(machine.state == .closed)
    }

    @Test func readingStopsWhileAnswersPileUpAndResumesWhenOneIsWritten() {
        var machine = CaptureConnectionStateMachine()
        for _ in 0..<CaptureConnectionStateMachine.maxQueuedAnswers {
            let taken = machine.headReceived()
            #expect(taken)
            machine.requestCompleted(keepAlive: true)
        }
        let read = machine.readRequested()
        #expect(read == .hold)
        let write = machine.writingAnswer()
        #expect(write == .writeAndRead)
        let read2 = machine.readRequested()
        #expect(read2 == .read)
    }

    @Test func readingStopsWhileTheChannelIsNotWritable() {
        var machine = CaptureConnectionStateMachine()
        let read = machine.writabilityChanged(writable: false)
        #expect(read == .hold)
        let read2 = machine.readRequested()
        #expect(read2 == .hold)
        let read3 = machine.writabilityChanged(writable: true)
        #expect(read3 == .read)
        let read4 = machine.readRequested()
        #expect(read4 == .read)
    }

    @Test func refusedRequestClosesAfterTheAnswersBeforeIt() {
        var machine = CaptureConnectionStateMachine()
        let taken = machine.headReceived()
        #expect(taken)
        machine.requestCompleted(keepAlive: true)
        machine.requestRefused()
        let read = machine.readRequested()
        #expect(read == .hold)
        let write = machine.writingAnswer()
        #expect(write == .write)
        let write2 = machine.writingAnswer()
        #expect(write2 == .writeAndClose)
    }

    @Test func interimContinueDoesNotCloseABodyBeingReceived() {
        var machine = CaptureConnectionStateMachine()
        let taken = machine.headReceived()
        #expect(taken)
        machine.interimAnswerQueued()
        let close = machine.quiesce()
        #expect(close == .none)
        let write = machine.writingAnswer()
        #expect(write == .write)
        machine.requestCompleted(keepAlive: true)
        let write2 = machine.writingAnswer()
        #expect(write2 == .writeAndClose, "shutdown closes after the request being received")
    }

    @Test func quiesceClosesAnIdleConnectionAtOnce() {
        var machine = CaptureConnectionStateMachine()
        let close = machine.quiesce()
        #expect(close == .close)
        #expect(machine.state == .closed)
    }

    @Test func idleTimeoutClosesOnlyAConnectionWithNothingPending() {
        var machine = CaptureConnectionStateMachine()
        let taken = machine.headReceived()
        #expect(taken)
        let close = machine.idleTimedOut()
        #expect(close == .none)
        machine.requestCompleted(keepAlive: true)
        let close2 = machine.idleTimedOut()
        #expect(close2 == .none)
        _ = machine.writingAnswer()
        let close3 = machine.idleTimedOut()
        #expect(close3 == .close)
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
