import HookstashCore
import NIOCore

/// One piece of a request, as the decoder sends it down the capture pipeline. Together the parts of a
/// connection hold every byte that arrived on it (up to the bounds after a request is refused).
enum CaptureRequestPart {
    /// A validated head; `receivedAt` is when its first byte arrived.
    case head(HTTPRequestParser.Head, receivedAt: Timestamp)
    /// Body bytes that are both raw and decoded.
    case content(ByteBuffer)
    /// Chunked framing: raw body bytes that are not content.
    case framing(ByteBuffer)
    case end
    /// The request cannot be followed. `bytes` are what arrived of it and was not sent down before: the partial
    /// head (if the problem is in the head) and whatever followed in the same read, up to `maxTrailingBytes`.
    case invalid(HTTPRequestProblem, bytes: [UInt8], receivedAt: Timestamp)
    /// The request did not complete: `bytes` is its partial head, if it was still in its head.
    case incomplete(RequestCutOff, bytes: [UInt8], receivedAt: Timestamp?)
    /// The connection has been idle between requests for the keep-alive timeout.
    case idle
}

/// Why a request stopped arriving before it was complete.
enum RequestCutOff: Sendable, Hashable {
    case headTimedOut(TimeAmount)
    case bodyStalled(TimeAmount)
    case bodyTooSlow(minimumBytesPerSecond: Int)
    /// The peer closed the connection.
    case closed

    var status: Int? {
        if case .closed = self { return nil }
        return 408
    }
}

extension RequestCutOff {
    /// The cut-off as a capture records it.
    var captureProblem: CaptureProblem {
        switch self {
        case .headTimedOut(let amount): CaptureProblem(.headTimedOut, milliseconds: amount.nanoseconds / 1_000_000)
        case .bodyStalled(let amount): CaptureProblem(.bodyStalled, milliseconds: amount.nanoseconds / 1_000_000)
        case .bodyTooSlow(let rate): CaptureProblem(.bodyTooSlow, limit: Int64(rate))
        case .closed: CaptureProblem(.connectionClosed)
        }
    }
}

/// The front of the capture pipeline: parses the byte stream with `HTTPRequestParser` (the only HTTP parser on
/// the capture path) and sends `CaptureRequestPart`s down; enforces the head, body and idle timeouts and the
/// body's minimum rate with one watchdog timer per connection.
///
/// Outbound writes pass through it: an answer marks the connection as active for the idle timeout.
final class CaptureRequestDecoder: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = CaptureRequestPart
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    struct Timeouts {
        var header: TimeAmount
        var body: TimeAmount
        var idle: TimeAmount
        /// A body must average at least this many bytes a second once it has taken `body`; 0 disables.
        var minimumBodyRate: Int
    }

    /// Bytes after a refused request that are kept with it.
    static let maxTrailingBytes = 64 * 1024

    private var parser: HTTPRequestParser
    private let timeouts: Timeouts
    private var headStartedAt: (Timestamp, NIODeadline)?
    private var bodyStartedAt: NIODeadline?
    private var bodyBytes: Int64 = 0
    private var lastReadAt = NIODeadline.now()
    private var lastActivityAt = NIODeadline.now()
    private var watchdog: Scheduled<Void>?

    init(limits: HTTPRequestParser.Limits, timeouts: Timeouts) {
        self.parser = HTTPRequestParser(limits: limits)
        self.timeouts = timeouts
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
        guard !parser.hasStopped else { return }
        let readTime = Timestamp.now()
        let readDeadline = NIODeadline.now()
        lastReadAt = readDeadline
        lastActivityAt = readDeadline
        if !parser.isReceivingHead { headStartedAt = nil }

        var events: [HTTPRequestParser.Event] = []
        buffer.withUnsafeReadableBytes { bytes in
            parser.consume(bytes) { events.append($0) }
        }
        var refused: (problem: HTTPRequestProblem, bytes: [UInt8])?
        for event in events {
            switch event {
            case .head(let head):
                let receivedAt = headStartedAt?.0 ?? readTime
                headStartedAt = nil
                bodyStartedAt = head.framing == .none || head.framing == .length(0) ? nil : readDeadline
                bodyBytes = 0
                context.fireChannelRead(wrapInboundOut(.head(head, receivedAt: receivedAt)))
            case .content(let range):
                guard !range.isEmpty else { continue }
                bodyBytes += Int64(range.count)
                let slice = buffer.getSlice(at: buffer.readerIndex + range.lowerBound, length: range.count)!
                context.fireChannelRead(wrapInboundOut(.content(slice)))
            case .framing(let range):
                guard !range.isEmpty else { continue }
                bodyBytes += Int64(range.count)
                let slice = buffer.getSlice(at: buffer.readerIndex + range.lowerBound, length: range.count)!
                context.fireChannelRead(wrapInboundOut(.framing(slice)))
            case .end:
                bodyStartedAt = nil
                context.fireChannelRead(wrapInboundOut(.end))
            case .invalid(let problem, let pendingHead):
                refused = (problem, pendingHead)
            case .unparsed(let range):
                let room = Self.maxTrailingBytes - (refused?.bytes.count ?? 0)
                buffer.withUnsafeReadableBytes { bytes in
                    refused?.bytes += bytes[range].prefix(max(0, room))
                }
            }
        }
        if let refused {
            let receivedAt = headStartedAt?.0 ?? readTime
            headStartedAt = nil
            bodyStartedAt = nil
            context.fireChannelRead(
                wrapInboundOut(.invalid(refused.problem, bytes: refused.bytes, receivedAt: receivedAt)))
        }
        if parser.isReceivingHead, headStartedAt == nil {
            headStartedAt = (readTime, readDeadline)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        lastActivityAt = .now()
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if parser.isReceivingHead || parser.isReceivingBody {
            let receivedAt = headStartedAt?.0
            let pending = parser.stop()
            context.fireChannelRead(wrapInboundOut(.incomplete(.closed, bytes: pending, receivedAt: receivedAt)))
        }
        context.fireChannelInactive()
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
        guard !parser.hasStopped else { return }
        let now = NIODeadline.now()
        var cutOff: RequestCutOff?
        if parser.isReceivingHead, let started = headStartedAt?.1, now - started > timeouts.header {
            cutOff = .headTimedOut(timeouts.header)
        } else if parser.isReceivingBody {
            if now - lastReadAt > timeouts.body {
                cutOff = .bodyStalled(timeouts.body)
            } else if timeouts.minimumBodyRate > 0, let started = bodyStartedAt, now - started > timeouts.body {
                let seconds = Double((now - started).nanoseconds) / 1e9
                if Double(bodyBytes) / seconds < Double(timeouts.minimumBodyRate) {
                    cutOff = .bodyTooSlow(minimumBytesPerSecond: timeouts.minimumBodyRate)
                }
            }
        } else if now - lastActivityAt > timeouts.idle {
            context.fireChannelRead(wrapInboundOut(.idle))
            lastActivityAt = now
        }
        if let cutOff {
            let receivedAt = headStartedAt?.0
            let pending = parser.stop()
            context.fireChannelRead(wrapInboundOut(.incomplete(cutOff, bytes: pending, receivedAt: receivedAt)))
        }
    }

}
