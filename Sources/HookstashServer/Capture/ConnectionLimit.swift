import Logging
import NIOCore

/// On the listening channel: stops accepting once `limit` connections are open (NIO may accept a few more in the
/// read that reaches it), and accepts again when one closes. Connections beyond the limit wait in the kernel's backlog; nothing is refused. Says why at most once
/// per `logInterval`.
///
/// The limit comes from the process's descriptor budget (`DescriptorBudget`), so that the listener never takes
/// the descriptors the store and the inspector need. (`AcceptBackoff` still handles running out anyway.)
final class ConnectionLimit: ChannelDuplexHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel
    typealias OutboundIn = Never
    typealias OutboundOut = Never

    private let limit: Int
    private let logger: Logger
    private let logInterval: TimeAmount
    private var open = 0
    /// A read was held back at the limit; issued when a connection closes.
    private var heldRead = false
    private var lastLogged: NIODeadline?

    init(limit: Int, logger: Logger, logInterval: TimeAmount = .seconds(10)) {
        self.limit = limit
        self.logger = logger
        self.logInterval = logInterval
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = unwrapInboundIn(data)
        open += 1
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        child.closeFuture.whenComplete { _ in
            bound.eventLoop.execute {
                let (handler, context) = bound.value
                handler.closed(context: context)
            }
        }
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        guard open < limit else {
            heldRead = true
            report()
            return
        }
        context.read()
    }

    private func closed(context: ChannelHandlerContext) {
        open -= 1
        if heldRead, open < limit {
            heldRead = false
            context.read()
        }
    }

    static func message(limit: Int) -> String {
        "cannot accept connections beyond \(limit) open ones (the connection limit; by default all but an eighth of "
            + "the descriptor limit); new ones wait in the backlog until one closes"
    }

    private func report() {
        let now = NIODeadline.now()
        if let lastLogged, now - lastLogged < logInterval { return }
        logger.warning(
            "\(Self.message(limit: limit))", metadata: ["hookstash.connections.limit": "\(limit)"])
        lastLogged = now
    }
}
