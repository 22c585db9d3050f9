import HookstashCore
import HookstashStore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Turns each request into a `Capture`, commits it, and only then answers — in request order, so pipelined
/// requests get their answers in the order they were sent.
///
/// The parsed view comes from the byte tee's head (exact target, header case, order and duplicates); NIOHTTP1's
/// decoder judges validity and removes chunk framing. Requests it rejects are recorded as malformed and
/// answered 400; too-large bodies 413; too-large heads 431; requests cut off by a timeout 408.
final class CaptureHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    private struct InFlight {
        let request: TeeRequest
        let body: BodySink
        let hasher: DigestHasher
    }

    private let tee: ByteTeeHandler
    private let writer: CaptureWriter
    private let store: CaptureStore
    private let configuration: CaptureListenerConfiguration
    private let logger: Logger
    private var remoteAddress = "unknown"
    private var current: InFlight?
    /// Completes when the last answer queued so far has been written.
    private var responseChain: EventLoopFuture<Void>?
    private var pendingResponses = 0
    /// No further request on this connection is processed; it closes after its last answer.
    private var closing = false
    /// The connection's last partial request has been recorded (malformed, timed out, cut off).
    private var finalRecordDone = false

    init(
        tee: ByteTeeHandler, writer: CaptureWriter, store: CaptureStore, configuration: CaptureListenerConfiguration,
        logger: Logger
    ) {
        self.tee = tee
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
        guard !closing || current != nil else { return }
        switch unwrapInboundIn(data) {
        case .head:
            guard !closing, let request = tee.takeRequest() else { return }
            let head = request.head
            if let length = head.contentLength, length > configuration.maxBodySize {
                refuseTooLarge(context: context, request: request, announced: length)
                return
            }
            if head.expectsContinue, head.version == "HTTP/1.1" {
                enqueueAnswer(context: context, after: nil, close: false) { _, _ in
                    Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
                }
            }
            current = InFlight(
                request: request,
                body: BodySink(store: store, spillThreshold: configuration.spillThreshold),
                hasher: DigestHasher(.sha256))

        case .body(let buffer):
            guard let inFlight = current else { return }
            if inFlight.body.size + Int64(buffer.readableBytes) > configuration.maxBodySize {
                current = nil
                inFlight.body.discard()
                inFlight.request.rawBody?.discard()
                refuseTooLarge(
                    context: context, request: inFlight.request, announced: inFlight.request.head.contentLength)
                return
            }
            buffer.withUnsafeReadableBytes { bytes in
                inFlight.hasher.update(bytes)
                inFlight.body.append(bytes)
            }

        case .end:
            guard let inFlight = current else { return }
            current = nil
            complete(context: context, inFlight)
        }
    }

    private func complete(context: ChannelHandlerContext, _ inFlight: InFlight) {
        let head = inFlight.request.head
        let body: BodyBytes
        let rawBody: BodyBytes?
        do {
            body = try inFlight.body.finish()
            rawBody = try inFlight.request.rawBody?.finish()
        } catch {
            inFlight.body.discard()
            inFlight.request.rawBody?.discard()
            logger.error("capture not stored", metadata: ["error": "\(error)"])
            answerWithoutRecord(context: context, .error(503, "hookstash could not store this request: \(error)"))
            return
        }
        let target = RequestTarget(head.target)
        let response =
            head.headers.first("X-Front-Challenge").map(CaptureResponse.frontChallenge)
            ?? configuration.respond(target, head.headers)
        let capture = Capture(
            receivedAt: inFlight.request.firstByteAt, remoteAddress: remoteAddress, method: head.method,
            target: target, httpVersion: head.version, headers: head.headers, body: body,
            bodySHA256: inFlight.hasher.finish().hexString, rawHead: head.bytes, rawBody: rawBody,
            responseStatus: response.status)
        let keepAlive = head.keepAlive && !closing
        record(
            context: context, capture, answer: response, close: !keepAlive,
            http10KeepAlive: keepAlive && head.version == "HTTP/1.0")
    }

    private func refuseTooLarge(context: ChannelHandlerContext, request: TeeRequest, announced: Int64?) {
        let limit = configuration.maxBodySize
        let problem =
            announced.map { "the body (\($0) bytes announced) exceeds --max-body-size (\(limit) bytes)" }
            ?? "the body exceeds --max-body-size (\(limit) bytes)"
        let capture = Capture(
            receivedAt: request.firstByteAt, remoteAddress: remoteAddress, method: request.head.method,
            target: RequestTarget(request.head.target), httpVersion: request.head.version,
            headers: request.head.headers, body: .empty, bodySHA256: Self.emptySHA256, rawHead: request.head.bytes,
            problem: problem, announcedBodySize: announced, responseStatus: 413)
        record(
            context: context, capture, answer: .error(413, problem), close: true, http10KeepAlive: false, refusal: true)
    }

    /// Records what arrived of a request that could not complete and answers with `status` (nil: no answer,
    /// the peer is gone). Used for malformed input, too-large heads, timeouts and cut-off connections.
    private func recordPartial(context: ChannelHandlerContext, problem: String, status: Int?) {
        guard !finalRecordDone else { return }
        finalRecordDone = true
        closing = true
        tee.stopForwarding = true
        var rawHead: [UInt8]
        var rawBody: BodyBytes?
        var body = BodyBytes.empty
        var sha = Self.emptySHA256
        var firstByteAt: Timestamp?
        if let inFlight = current {
            current = nil
            rawHead = inFlight.request.head.bytes
            firstByteAt = inFlight.request.firstByteAt
            body = (try? inFlight.body.finish()) ?? .empty
            sha = inFlight.hasher.finish().hexString
            rawBody = try? inFlight.request.rawBody?.finish()
            if rawBody == nil, inFlight.request.head.chunked {
                rawBody = .empty
            }
            // Bytes after the request (more pipelined requests) are appended to what was received.
            let rest = tee.takeUnconsumedBytes().bytes
            if !rest.isEmpty {
                if case .inline(let bytes)? = rawBody { rawBody = .inline(bytes + rest) }
            }
        } else {
            let unconsumed = tee.takeUnconsumedBytes()
            rawHead = unconsumed.bytes
            firstByteAt = unconsumed.firstByteAt
        }
        guard !rawHead.isEmpty || body.size > 0 else {
            if status != nil { context.close(promise: nil) }
            return
        }
        let parsed = RawHead(bytes: rawHead)
        let capture = Capture(
            receivedAt: firstByteAt ?? .now(), remoteAddress: remoteAddress, method: parsed.method,
            target: RequestTarget(parsed.target), httpVersion: parsed.version, headers: parsed.headers, body: body,
            bodySHA256: sha, rawHead: rawHead, rawBody: rawBody, malformed: true, problem: problem,
            responseStatus: status ?? 0)
        if let status {
            record(
                context: context, capture, answer: .error(status, problem), close: true, http10KeepAlive: false,
                refusal: true)
        } else {
            writer.submit(capture) { [logger] result in
                if case .failure(let error) = result {
                    logger.error("partial request not stored", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// Commits `capture`, then answers: with `answer` when it is stored, with 503 when it is not (a refusal keeps
    /// its 4xx either way).
    private func record(
        context: ChannelHandlerContext, _ capture: Capture, answer: CaptureResponse, close: Bool,
        http10KeepAlive: Bool, refusal: Bool = false
    ) {
        if close {
            closing = true
            tee.stopForwarding = true
        }
        let committed = context.eventLoop.makePromise(of: Int64.self)
        // With --forward-sync, the answer is the forward target's, once it has answered (or the configured one).
        let relayed = NIOLockedValueBox<CaptureResponse?>(nil)
        if let relay = configuration.relay, !refusal {
            writer.submit(capture) { result in
                guard case .success(let id) = result else { return committed.completeWith(result) }
                var withID = capture
                withID.id = id
                let stored = withID
                committed.completeWithTask {
                    let answer = await relay(stored)
                    relayed.withLockedValue { $0 = answer }
                    return id
                }
            }
        } else {
            writer.submit(capture) { committed.completeWith($0) }
        }
        let logger = self.logger
        enqueueAnswer(
            context: context, after: committed.futureResult, close: close,
            delayMilliseconds: refusal ? 0 : answer.delayMilliseconds
        ) { result, closing in
            switch result {
            case .success, .none:
                let answer = relayed.withLockedValue { $0 } ?? answer
                return answer.serialized(closing: closing, keepAliveHTTP10: http10KeepAlive && !closing)
            case .failure(let error):
                logger.error("capture not stored", metadata: ["error": "\(error)"])
                let failure =
                    refusal ? answer : .error(503, "hookstash could not store this request: \(error)")
                return failure.serialized(closing: closing, keepAliveHTTP10: http10KeepAlive && !closing)
            }
        }
    }

    private func answerWithoutRecord(context: ChannelHandlerContext, _ answer: CaptureResponse) {
        closing = true
        tee.stopForwarding = true
        enqueueAnswer(context: context, after: nil, close: true) { _, _ in
            answer.serialized(closing: true, keepAliveHTTP10: false)
        }
    }

    /// Queues an answer behind the ones before it. `bytes` is called once `committed` (if any) has completed.
    private func enqueueAnswer(
        context: ChannelHandlerContext, after committed: EventLoopFuture<Int64>?, close: Bool,
        delayMilliseconds: Int = 0,
        bytes: @escaping (_ result: Result<Int64, any Error>?, _ closing: Bool) -> [UInt8]
    ) {
        pendingResponses += 1
        let done = context.eventLoop.makePromise(of: Void.self)
        let previous = responseChain
        responseChain = done.futureResult
        let send: (Result<Int64, any Error>?) -> Void = { [self] result in
            // A connection that started closing since (shutdown) closes after its last queued answer.
            let closeNow = close || (closing && pendingResponses == 1 && current == nil)
            var buffer = context.channel.allocator.buffer(capacity: 256)
            buffer.writeBytes(bytes(result, closeNow))
            tee.noteActivity()
            let written = context.writeAndFlush(wrapOutboundOut(buffer))
            pendingResponses -= 1
            if closeNow {
                written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            }
            done.succeed()
        }
        let whenReady: () -> Void = {
            guard let committed else {
                send(nil)
                return
            }
            committed.assumeIsolated().whenComplete { result in
                if case .success = result, delayMilliseconds > 0 {
                    context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(delayMilliseconds))) {
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

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case TeeEvent.headTooLarge:
            recordPartial(
                context: context, problem: "the request head exceeds \(configuration.maxHeadSize) bytes", status: 431)
        case TeeEvent.requestTimedOut(let reason):
            recordPartial(context: context, problem: reason, status: 408)
        case TeeEvent.idle:
            if pendingResponses == 0, current == nil { context.close(promise: nil) }
        case is ChannelShouldQuiesceEvent:
            closing = true
            tee.stopForwarding = true
            if pendingResponses == 0, current == nil, !tee.hasPartialRequest {
                context.close(promise: nil)
            } else if let chain = responseChain, current == nil {
                chain.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            }
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError {
            // Record after the tee has finished handing on this read, so every byte that arrived is kept.
            closing = true
            tee.stopForwarding = true
            context.eventLoop.assumeIsolated().execute { [self] in
                recordPartial(context: context, problem: "not valid HTTP/1.x: \(Self.describe(error))", status: 400)
            }
            return
        }
        // I/O errors (reset by peer, …): the connection is gone; what arrived is recorded on channelInactive.
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !finalRecordDone, current != nil || tee.hasPartialRequest {
            recordPartial(
                context: context, problem: "the connection closed before the request was complete", status: nil)
        }
        current?.body.discard()
        current = nil
        context.fireChannelInactive()
    }

    static let emptySHA256 = DigestHasher.digest(.sha256, []).hexString

    static func describe(_ address: SocketAddress?) -> String {
        guard let address, let ip = address.ipAddress, let port = address.port else { return "unknown" }
        if case .v6 = address { return "[\(ip)]:\(port)" }
        return "\(ip):\(port)"
    }

    static func describe(_ error: any Error) -> String {
        guard let parserError = error as? HTTPParserError else { return "\(error)" }
        switch parserError {
        case .invalidHeaderToken:
            return "a header line is not `name: value` (space before the colon, obs-fold, or a bad character)"
        case .invalidConstant: return "a bare LF or other byte where CRLF was expected"
        case .invalidMethod: return "the method is not a token"
        case .invalidURL: return "the request-target is not valid"
        case .invalidVersion: return "the HTTP version is not valid"
        case .invalidChunkSize: return "a chunk size is not hexadecimal"
        case .invalidContentLength: return "Content-Length is not a number, or differs between repeats"
        case .unexpectedContentLength: return "both Content-Length and Transfer-Encoding were sent"
        case .headerOverflow: return "the header block is too large"
        default: return "\(parserError)"
        }
    }
}
