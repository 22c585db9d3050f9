import NIOCore

/// Bounds a connection's graceful shutdown: once it is asked to quiesce (`ChannelShouldQuiesceEvent`, sent by
/// NIOExtras' `ServerQuiescingHelper` to every open connection), it has `grace` to finish its request, be
/// answered and close; then it is closed. The event continues down the pipeline to the handler that finishes.
final class QuiesceDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let grace: TimeAmount
    private var deadline: Scheduled<Void>?

    init(grace: TimeAmount) {
        self.grace = grace
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, deadline == nil {
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: grace) {
                loopBound.value.close(promise: nil)
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }
}
