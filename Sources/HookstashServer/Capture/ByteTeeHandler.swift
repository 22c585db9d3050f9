import HookstashCore
import HookstashStore
import NIOCore

/// One request as the byte tee framed it: its exact head, and its body's original framing when that must be kept.
final class TeeRequest {
    let head: RawHead
    let firstByteAt: Timestamp
    /// Taken by the capture handler (the HTTP decoder accepted the head).
    var taken = false
    /// A chunked body in its original framing (it differs from the decoded body), spilled to a file when large.
    var rawBody: BodySink?
    /// Body bytes of a request the decoder did not accept, kept to record it as malformed with every byte that
    /// arrived. Bounded: the connection is closed right after such a request.
    var unacceptedBody: [UInt8]?

    init(head: RawHead, firstByteAt: Timestamp) {
        self.head = head
        self.firstByteAt = firstByteAt
    }
}

/// Events the tee sends down the pipeline to the capture handler.
enum TeeEvent {
    /// The head grew beyond the limit without ending.
    case headTooLarge
    /// A request stopped arriving: its head or body did not complete within the timeout.
    case requestTimedOut(String)
    /// The connection has been idle between requests for the keep-alive timeout.
    case idle
}

/// The byte tee at the front of the capture pipeline: frames the raw stream into requests (pipelining and chunked
/// bodies included), keeps each request's exact bytes, and hands the same bytes on to NIOHTTP1's decoder.
///
/// It also enforces the header and body timeouts with one watchdog timer per connection.
final class ByteTeeHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    struct Timeouts {
        var header: TimeAmount
        var body: TimeAmount
        var idle: TimeAmount
    }

    private var framer: RequestFramer
    private let makeSink: () -> BodySink
    private let timeouts: Timeouts
    /// Framed requests the capture handler has not taken yet, oldest first.
    private var unconsumed: [TeeRequest] = []
    /// The request whose body is being received.
    private var current: TeeRequest?
    private var headStartedAt: (Timestamp, NIODeadline)?
    private var lastReadAt = NIODeadline.now()
    private var lastActivityAt = NIODeadline.now()
    private var watchdog: Scheduled<Void>?
    /// Set once the connection is being closed: bytes are still kept, no longer decoded.
    var stopForwarding = false

    init(maxHeadSize: Int, timeouts: Timeouts, makeSink: @escaping () -> BodySink) {
        self.framer = RequestFramer(maxHeadSize: maxHeadSize)
        self.timeouts = timeouts
        self.makeSink = makeSink
    }

    private enum Step {
        case head(RawHead)
        case body(Range<Int>)
        case end
        case headTooLarge
    }

    func channelActive(context: ChannelHandlerContext) {
        scheduleWatchdog(context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        watchdog?.cancel()
        watchdog = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let readTime = Timestamp.now()
        let readDeadline = NIODeadline.now()
        lastReadAt = readDeadline
        lastActivityAt = readDeadline
        if !framer.isReceivingHead { headStartedAt = nil }

        var steps: [Step] = []
        buffer.withUnsafeReadableBytes { bytes in
            framer.consume(bytes) { output in
                switch output {
                case .head(let head): steps.append(.head(head))
                case .body(let range): steps.append(.body(range))
                case .end: steps.append(.end)
                case .headTooLarge: steps.append(.headTooLarge)
                }
            }
        }
        for step in steps {
            switch step {
            case .head(let head):
                let request = TeeRequest(head: head, firstByteAt: headStartedAt?.0 ?? readTime)
                headStartedAt = nil
                unconsumed.append(request)
                current = request
                // The decoder parses the head synchronously: if it accepts it, the capture handler takes the
                // request before `forward` returns.
                forward(context: context, ByteBuffer(bytes: head.decoderBytes))
                if !request.taken {
                    request.unacceptedBody = []
                } else if head.chunked {
                    request.rawBody = makeSink()
                }
            case .body(let range):
                guard !range.isEmpty else { continue }
                let slice = buffer.getSlice(at: buffer.readerIndex + range.lowerBound, length: range.count)!
                if let current {
                    if let sink = current.rawBody {
                        slice.withUnsafeReadableBytes { sink.append($0) }
                    } else if current.unacceptedBody != nil {
                        current.unacceptedBody! += slice.readableBytesView
                    }
                }
                forward(context: context, slice)
            case .end:
                current = nil
            case .headTooLarge:
                context.fireUserInboundEventTriggered(TeeEvent.headTooLarge)
            }
        }
        if framer.isReceivingHead, headStartedAt == nil {
            headStartedAt = (readTime, readDeadline)
        }
    }

    private func forward(context: ChannelHandlerContext, _ bytes: ByteBuffer) {
        guard !stopForwarding else { return }
        context.fireChannelRead(wrapInboundOut(bytes))
    }

    /// Hands the oldest framed request to the capture handler, which has just received its head from the decoder.
    func takeRequest() -> TeeRequest? {
        guard !unconsumed.isEmpty else { return nil }
        let request = unconsumed.removeFirst()
        request.taken = true
        return request
    }

    /// Every byte received and not yet given to a capture: framed requests the decoder never accepted, and the
    /// head being received. Used to record a malformed or cut-off request with whatever arrived.
    func takeUnconsumedBytes() -> (bytes: [UInt8], firstByteAt: Timestamp?) {
        var bytes: [UInt8] = []
        var firstByteAt: Timestamp?
        for request in unconsumed {
            firstByteAt = firstByteAt ?? request.firstByteAt
            bytes += request.head.bytes
            bytes += request.unacceptedBody ?? []
        }
        unconsumed.removeAll()
        current = nil
        bytes += framer.headBuffer
        if !framer.headBuffer.isEmpty { firstByteAt = firstByteAt ?? headStartedAt?.0 }
        return (bytes, firstByteAt)
    }

    /// True while part of a request has arrived and it is not complete.
    var hasPartialRequest: Bool {
        framer.isReceivingHead || framer.isReceivingBody || !unconsumed.isEmpty
    }

    /// Called by the capture handler when it writes a response: the connection is not idle.
    func noteActivity() {
        lastActivityAt = .now()
    }

    private func scheduleWatchdog(context: ChannelHandlerContext) {
        let shortest = min(timeouts.header, timeouts.body, timeouts.idle)
        let tick = max(min(TimeAmount.nanoseconds(shortest.nanoseconds / 4), .seconds(1)), .milliseconds(20))
        watchdog = context.eventLoop.assumeIsolated().scheduleTask(in: tick) { [self] in
            self.checkTimeouts(context: context)
            if context.channel.isActive { self.scheduleWatchdog(context: context) }
        }
    }

    private func checkTimeouts(context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        if framer.isReceivingHead, let started = headStartedAt?.1, now - started > timeouts.header {
            context.fireUserInboundEventTriggered(
                TeeEvent.requestTimedOut("the request head did not complete within \(Self.describe(timeouts.header))"))
        } else if framer.isReceivingBody, now - lastReadAt > timeouts.body {
            context.fireUserInboundEventTriggered(
                TeeEvent.requestTimedOut("no body bytes arrived for \(Self.describe(timeouts.body))"))
        } else if !hasPartialRequest, now - lastActivityAt > timeouts.idle {
            context.fireUserInboundEventTriggered(TeeEvent.idle)
        }
    }

    static func describe(_ amount: TimeAmount) -> String {
        let milliseconds = amount.nanoseconds / 1_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }
}
