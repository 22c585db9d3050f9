import HookstashCore
import HookstashSignatures
import HookstashStore
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Turns each request into a `Capture`, commits it, and only then answers — in request order, so pipelined
/// requests get their answers in the order they were sent.
///
/// It receives `CaptureRequestPart`s from `CaptureRequestDecoder` and keeps the connection's life in a
/// `CaptureConnectionStateMachine`. Refused requests are recorded as malformed with every byte that arrived and
/// answered with their problem's status (400, 431, 501, 505); too-large bodies 413; requests cut off by a timeout
/// 408. It also holds reads back (the `read` that passes through it) while the state machine says so.
final class CaptureHandler: ChannelDuplexHandler {
    typealias InboundIn = CaptureRequestPart
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct InFlight {
        let head: HTTPRequestParser.Head
        let receivedAt: Timestamp
        let body: BodySink
        /// The chunked body in its original framing (it differs from the decoded body), spilled when large.
        let rawBody: BodySink?
        let hasher: DigestHasher

        func discard() {
            body.discard()
            rawBody?.discard()
        }
    }

    /// The fixed answer when a capture cannot be stored; the detail (paths, SQLite errors) goes to the log only.
    static let storeFailureMessage = "hookstash could not store this request; it was not captured"

    private let writer: CaptureWriter
    private let store: CaptureStore
    private let configuration: CaptureListenerConfiguration
    private let logger: Logger
    private var remoteAddress = "unknown"
    private var current: InFlight?
    private var connection = CaptureConnectionStateMachine()
    /// Completes when the last answer queued so far has been written.
    private var responseChain: EventLoopFuture<Void>?
    /// The connection's last request has been recorded as refused or cut off; nothing more is recorded.
    private var finalRecordDone = false
    /// A rule closed, reset or hung the connection instead of answering: no later answer is written.
    private var answerWithheld = false

    init(writer: CaptureWriter, store: CaptureStore, configuration: CaptureListenerConfiguration, logger: Logger) {
        self.writer = writer
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        remoteAddress = Self.describe(context.channel.remoteAddress)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head, let receivedAt):
            guard !finalRecordDone, connection.headReceived() else { return }
            if let length = head.announcedLength, length > configuration.maxBodySize {
                refuseTooLarge(context: context, head: head, receivedAt: receivedAt, announced: length)
                return
            }
            if head.expectsContinue, head.version == "HTTP/1.1" {
                connection.interimAnswerQueued()
                enqueueAnswer(context: context, after: nil) { _, _ in Array("HTTP/1.1 100 Continue\r\n\r\n".utf8) }
            }
            current = InFlight(
                head: head, receivedAt: receivedAt,
                body: BodySink(store: store, spillThreshold: configuration.spillThreshold),
                rawBody: head.framing == .chunked
                    ? BodySink(store: store, spillThreshold: configuration.spillThreshold, suffix: "raw") : nil,
                hasher: DigestHasher(.sha256))

        case .content(let buffer):
            guard let inFlight = current else { return }
            if inFlight.body.size + Int64(buffer.readableBytes) > configuration.maxBodySize {
                current = nil
                inFlight.discard()
                refuseTooLarge(
                    context: context, head: inFlight.head, receivedAt: inFlight.receivedAt,
                    announced: inFlight.head.announcedLength)
                return
            }
            buffer.withUnsafeReadableBytes { bytes in
                inFlight.hasher.update(bytes)
                inFlight.body.append(bytes)
                inFlight.rawBody?.append(bytes)
            }

        case .framing(let buffer):
            guard let inFlight = current else { return }
            buffer.withUnsafeReadableBytes { inFlight.rawBody?.append($0) }

        case .end:
            guard let inFlight = current else { return }
            current = nil
            complete(context: context, inFlight)

        case .invalid(let problem, let bytes, let receivedAt):
            recordPartial(
                context: context, problem: problem.captureProblem, status: problem.status, bytes: bytes,
                receivedAt: receivedAt)

        case .incomplete(let cutOff, let bytes, let receivedAt):
            recordPartial(
                context: context, problem: cutOff.captureProblem, status: cutOff.status, bytes: bytes,
                receivedAt: receivedAt)

        case .idle:
            if connection.idleTimedOut() == .close { context.close(promise: nil) }
        }
    }

    private func complete(context: ChannelHandlerContext, _ inFlight: InFlight) {
        let head = inFlight.head
        let body: BodyBytes
        let rawBody: BodyBytes?
        do {
            body = try inFlight.body.finish()
            rawBody = try inFlight.rawBody?.finish()
        } catch {
            inFlight.discard()
            logger.error("capture not stored", metadata: ["error": "\(error)"])
            connection.requestRefused()
            enqueueAnswer(context: context, after: nil) { _, closing in
                CaptureResponse.error(503, Self.storeFailureMessage).serialized(
                    closing: closing, keepAliveHTTP10: false)
            }
            return
        }
        let target = RequestTarget(head.target)
        let handshake = configuration.handshake(
            SignatureRequest(
                method: head.method, target: head.target, headers: head.headers, body: body.inlineBytes ?? [],
                receivedAt: inFlight.receivedAt))
        let response = handshake ?? configuration.respond(target, head.headers)
        var capture = Capture(
            receivedAt: inFlight.receivedAt, remoteAddress: remoteAddress, method: head.method,
            target: target, httpVersion: head.version, headers: head.headers, body: body,
            bodySHA256: inFlight.hasher.finish().hexString, rawHead: head.bytes, rawBody: rawBody,
            responseStatus: response.status)
        // Rules (chosen with the commit) come after the handshake and before the relay and the configured answer.
        capture.answeredBy = handshake != nil ? .challenge : configuration.relay != nil ? .forward : .configured
        connection.requestCompleted(keepAlive: head.keepAlive)
        record(context: context, capture, answer: response, http10KeepAlive: head.version == "HTTP/1.0")
    }

    private func refuseTooLarge(
        context: ChannelHandlerContext, head: HTTPRequestParser.Head, receivedAt: Timestamp, announced: Int64?
    ) {
        finalRecordDone = true
        let problem = CaptureProblem(.bodyTooLarge, limit: configuration.maxBodySize, announced: announced)
        var capture = Capture(
            receivedAt: receivedAt, remoteAddress: remoteAddress, method: head.method,
            target: RequestTarget(head.target), httpVersion: head.version,
            headers: head.headers, body: .empty, bodySHA256: Self.emptySHA256, rawHead: head.bytes,
            problem: problem, announcedBodySize: announced, responseStatus: 413)
        capture.answeredBy = .refusal
        connection.requestRefused()
        record(context: context, capture, answer: refusal(413, problem), http10KeepAlive: false, refusal: true)
    }

    /// Records what arrived of a request that could not complete and answers with `status` (nil: no answer,
    /// the peer is gone). Used for malformed input, too-large heads, timeouts and cut-off connections. `bytes`
    /// are what arrived and was not part of the request in flight (if any) yet.
    private func recordPartial(
        context: ChannelHandlerContext, problem: CaptureProblem, status: Int?, bytes: [UInt8], receivedAt: Timestamp?
    ) {
        guard !finalRecordDone else { return }
        finalRecordDone = true
        // Past a request that closes the connection, what follows is recorded but not answered.
        let status = connection.isClosing && current == nil ? nil : status
        var rawHead: [UInt8]
        var rawBody: BodyBytes?
        var body = BodyBytes.empty
        var sha = Self.emptySHA256
        var firstByteAt = receivedAt
        let parsed: (method: String, target: String, version: String, headers: HeaderList)
        if let inFlight = current {
            current = nil
            rawHead = inFlight.head.bytes
            firstByteAt = inFlight.receivedAt
            parsed = (inFlight.head.method, inFlight.head.target, inFlight.head.version, inFlight.head.headers)
            if let raw = inFlight.rawBody {
                bytes.withUnsafeBytes { raw.append($0) }
            }
            body = (try? inFlight.body.finish()) ?? .empty
            sha = inFlight.hasher.finish().hexString
            rawBody = try? inFlight.rawBody?.finish()
        } else {
            rawHead = bytes
            let head = RawHead(bytes: bytes)
            parsed = (head.method, head.target, head.version, head.headers)
        }
        guard !rawHead.isEmpty || body.size > 0 else {
            if status != nil { context.close(promise: nil) }
            return
        }
        var capture = Capture(
            receivedAt: firstByteAt ?? .now(), remoteAddress: remoteAddress, method: parsed.method,
            target: RequestTarget(parsed.target), httpVersion: parsed.version, headers: parsed.headers, body: body,
            bodySHA256: sha, rawHead: rawHead, rawBody: rawBody, malformed: true, problem: problem,
            responseStatus: status ?? 0)
        if let status {
            capture.answeredBy = .refusal
            connection.requestRefused()
            record(context: context, capture, answer: refusal(status, problem), http10KeepAlive: false, refusal: true)
        } else {
            writer.submit(capture) { [logger] (result: Result<Int64, any Error>) in
                if case .failure(let error) = result {
                    logger.error("partial request not stored", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// The answer to a refused request: its status, and its problem in a sentence.
    private func refusal(_ status: Int, _ problem: CaptureProblem) -> CaptureResponse {
        .error(status, configuration.wording.sentence(problem))
    }

    /// Commits `capture`, then answers: with `answer` when it is stored, with 503 when it is not (a refusal keeps
    /// its 4xx either way). The state machine has counted the answer already.
    private func record(
        context: ChannelHandlerContext, _ capture: Capture, answer: CaptureResponse, http10KeepAlive: Bool,
        refusal: Bool = false
    ) {
        let committed = context.eventLoop.makePromise(of: Int64.self)
        // With a relay (forward-sync), the answer is the forward target's, once it has answered (or the configured one).
        let relayed = NIOLockedValueBox<CaptureResponse?>(nil)
        // A response rule chosen in the transaction that stored the capture answers instead (not relayed).
        let ruleAnswer = NIOLockedValueBox<RuleAnswer?>(nil)
        let relay = refusal ? nil : configuration.relay
        let store = self.store
        let logger = self.logger
        writer.submit(
            capture,
            stored: { (result: Result<StoredCapture, any Error>) in
                guard case .success(let stored) = result else { return committed.completeWith(result.map(\.id)) }
                ruleAnswer.withLockedValue { $0 = stored.ruleAnswer }
                guard stored.ruleAnswer == nil, let relay else { return committed.succeed(stored.id) }
                var withID = capture
                withID.id = stored.id
                let toRelay = withID
                committed.completeWithTask {
                    let relayedAnswer = await relay(toRelay)
                    relayed.withLockedValue { $0 = relayedAnswer }
                    // The row said `forward` with the configured status; it now says what the sender gets.
                    do {
                        try store.recordAnswer(
                            captureID: stored.id, status: relayedAnswer?.status ?? answer.status,
                            answeredBy: relayedAnswer == nil ? .configured : .forward)
                    } catch {
                        logger.error("the relayed answer was not recorded", metadata: ["error": "\(error)"])
                    }
                    return stored.id
                }
            })
        enqueueAnswer(
            context: context, after: committed.futureResult,
            delay: { result in
                guard !refusal, case .success = result else { return .zero }
                return ruleAnswer.withLockedValue { $0 }?.delay ?? answer.delay
            }
        ) { result, closing in
            switch result {
            case .success(let id):
                if let rule = ruleAnswer.withLockedValue({ $0 }) {
                    guard rule.action == .answer else { return .withhold(rule.action) }
                    return .bytes(
                        rule.response(id: id).serialized(
                            closing: closing, keepAliveHTTP10: http10KeepAlive && !closing))
                }
                let answer = relayed.withLockedValue { $0 } ?? answer
                return .bytes(answer.serialized(closing: closing, keepAliveHTTP10: http10KeepAlive && !closing))
            case .none:
                return .bytes(answer.serialized(closing: closing, keepAliveHTTP10: http10KeepAlive && !closing))
            case .failure(let error):
                logger.error("capture not stored", metadata: ["error": "\(error)"])
                let failure = refusal ? answer : .error(503, Self.storeFailureMessage)
                return .bytes(failure.serialized(closing: closing, keepAliveHTTP10: http10KeepAlive && !closing))
            }
        }
    }

    /// What is done in place of an answer's turn: write bytes, or withhold the answer (a rule's close, reset, hang).
    private enum Reply {
        case bytes([UInt8])
        case withhold(RuleAction)
    }

    /// Queues an answer behind the ones before it. `bytes` is called once `committed` (if any) has completed,
    /// with whether the connection closes after this answer.
    private func enqueueAnswer(
        context: ChannelHandlerContext, after committed: EventLoopFuture<Int64>?,
        delay: @escaping (Result<Int64, any Error>?) -> Duration = { _ in .zero },
        bytes: @escaping (_ result: Result<Int64, any Error>?, _ closing: Bool) -> [UInt8]
    ) {
        enqueueAnswer(context: context, after: committed, delay: delay) { .bytes(bytes($0, $1)) }
    }

    private func enqueueAnswer(
        context: ChannelHandlerContext, after committed: EventLoopFuture<Int64>?,
        delay: @escaping (Result<Int64, any Error>?) -> Duration,
        reply: @escaping (_ result: Result<Int64, any Error>?, _ closing: Bool) -> Reply
    ) {
        let done = context.eventLoop.makePromise(of: Void.self)
        let previous = responseChain
        responseChain = done.futureResult
        let send: (Result<Int64, any Error>?) -> Void = { [self] result in
            defer { done.succeed() }
            // Behind a withheld answer nothing more is written: those requests stay stored, unanswered.
            guard context.channel.isActive, !answerWithheld else { return }
            let action = connection.writingAnswer()
            let bytes: [UInt8]
            switch reply(result, action == .writeAndClose) {
            case .bytes(let reply):
                bytes = reply
            case .withhold(let ruleAction):
                withhold(context: context, ruleAction)
                return
            }
            var buffer = context.channel.allocator.buffer(capacity: 256)
            buffer.writeBytes(bytes)
            let written = context.writeAndFlush(wrapOutboundOut(buffer))
            switch action {
            case .writeAndClose:
                written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            case .writeAndRead:
                context.read()
            case .write:
                break
            }
        }
        let whenReady: () -> Void = {
            guard let committed else {
                send(nil)
                return
            }
            committed.assumeIsolated().whenComplete { result in
                let delay = delay(result)
                if case .success = result, delay > .zero {
                    context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(delay)) {
                        send(result)
                    }
                } else {
                    send(result)
                }
            }
        }
        if let previous {
            previous.assumeIsolated().whenComplete { _ in whenReady() }
        } else {
            whenReady()
        }
    }

    /// A rule's action instead of an answer: nothing more is read or written on this connection.
    private func withhold(context: ChannelHandlerContext, _ action: RuleAction) {
        answerWithheld = true
        connection.closed()
        switch action {
        case .answer, .close:
            context.close(promise: nil)
        case .reset:
            // SO_LINGER on, 0 seconds: close() sends RST instead of FIN.
            guard let socket = context.channel as? any SocketOptionProvider else {
                context.close(promise: nil)
                return
            }
            socket.setSoLinger(NIOLinger(l_onoff: 1, l_linger: 0)).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        case .hang:
            // Held open (and counted against the connection limit) until the sender closes or the idle timeout.
            context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(configuration.idleTimeout)) {
                context.close(promise: nil)
            }
        }
    }

    func read(context: ChannelHandlerContext) {
        if connection.readRequested() == .read { context.read() }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if connection.writabilityChanged(writable: context.channel.isWritable) == .read { context.read() }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            // A connection a rule hangs has nothing left to finish.
            if answerWithheld || connection.quiesce() == .close { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // I/O errors (reset by peer, …): the connection is gone; what arrived is recorded on channelInactive.
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.closed()
        current?.discard()
        current = nil
        context.fireChannelInactive()
    }

    static let emptySHA256 = DigestHasher.digest(.sha256, []).hexString

    static func describe(_ address: SocketAddress?) -> String {
        guard let address, let ip = address.ipAddress, let port = address.port else { return "unknown" }
        if case .v6 = address { return "[\(ip)]:\(port)" }
        return "\(ip):\(port)"
    }
}
