import NIOConcurrencyHelpers
import NIOCore

/// The open connections of a listener, so that shutdown can ask each one to finish its work and close.
final class ConnectionRegistry: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var allClosed: EventLoopPromise<Void>?
    }

    private let state = NIOLockedValueBox(State())

    func register(_ channel: any Channel) {
        state.withLockedValue { $0.channels[ObjectIdentifier(channel)] = channel }
        channel.closeFuture.whenComplete { [self] _ in
            let finished: EventLoopPromise<Void>? = state.withLockedValue { state in
                state.channels.removeValue(forKey: ObjectIdentifier(channel))
                guard state.channels.isEmpty, let promise = state.allClosed else { return nil }
                state.allClosed = nil
                return promise
            }
            finished?.succeed()
        }
    }

    /// Sends `ChannelShouldQuiesceEvent` to every open connection; `promise` succeeds when all have closed.
    func quiesce(promise: EventLoopPromise<Void>) {
        let channels: [any Channel] = state.withLockedValue { state in
            if state.channels.isEmpty { return [] }
            state.allClosed = promise
            return Array(state.channels.values)
        }
        if channels.isEmpty {
            promise.succeed()
            return
        }
        for channel in channels {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }

    /// Closes every open connection at once (after the grace period).
    func closeAll() {
        let channels = state.withLockedValue { Array($0.channels.values) }
        for channel in channels { channel.close(promise: nil) }
    }
}
