import Logging
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// On the listening channel: when a connection cannot be accepted for lack of resources (too many open files,
/// …), stops accepting for `pause` and says why, at most once per `logInterval`. Connections wait in the backlog
/// meanwhile and are accepted once descriptors free up.
///
/// NIO's `AcceptBackoffHandler` is not enough here: after a failed accept the listening socket stays registered
/// as readable and the event loop retries accept at once, spinning a core; turning `autoRead` off unregisters it.
final class AcceptBackoff: ChannelInboundHandler {
    typealias InboundIn = any Channel

    private let logger: Logger
    private let pause: TimeAmount
    private let logInterval: TimeAmount
    private var paused = false
    private var lastLogged: NIODeadline?
    private var unreported = 0

    init(logger: Logger, pause: TimeAmount = .seconds(1), logInterval: TimeAmount = .seconds(10)) {
        self.logger = logger
        self.pause = pause
        self.logInterval = logInterval
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let ioError = error as? IOError, Self.resourceErrors.contains(ioError.errnoCode) else {
            context.fireErrorCaught(error)
            return
        }
        report(error)
        guard !paused, let options = context.channel.syncOptions else { return }
        paused = true
        try? options.setOption(.autoRead, value: false)
        context.eventLoop.assumeIsolated().scheduleTask(in: pause) { [self] in
            paused = false
            try? context.channel.syncOptions?.setOption(.autoRead, value: true)
        }
    }

    private func report(_ error: any Error) {
        let now = NIODeadline.now()
        if let lastLogged, now - lastLogged < logInterval {
            unreported += 1
            return
        }
        var metadata: Logger.Metadata = ["error": "\(error)"]
        if unreported > 0 { metadata["hookstash.accept.failures_since_last"] = "\(unreported)" }
        logger.warning(
            "cannot accept connections; they wait until descriptors free up (raise `ulimit -n` if this repeats)",
            metadata: metadata)
        lastLogged = now
        unreported = 0
    }

    /// Out of descriptors or memory: worth waiting for, not a reason to stop listening.
    static let resourceErrors: Set<Int32> = [EMFILE, ENFILE, ENOBUFS, ENOMEM]
}
