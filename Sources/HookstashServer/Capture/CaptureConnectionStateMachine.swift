/// The life of one capture connection, as a value: which requests are taken, when reading is allowed, when the
/// connection closes. `CaptureHandler` feeds it what happens and does what it answers.
///
/// Answers are queued in request order and each is written only after its capture is committed (the handler
/// chains them); the machine counts them. Reading stops while `maxQueuedAnswers` answers wait, while the channel
/// is not writable, and once the connection is closing: a client that sends without reading cannot make the
/// server hold more than a few answers, nor read without bound.
struct CaptureConnectionStateMachine {
    enum State: Equatable {
        /// Waiting for a head, or receiving a body (`receivingBody`).
        case open(receivingBody: Bool)
        /// No further request is taken; the connection closes once the request being received (if any) is
        /// answered and every queued answer is written.
        case closing(receivingBody: Bool)
        case closed
    }

    enum ReadAction: Equatable {
        case read
        case hold
    }

    enum CloseAction: Equatable {
        case close
        case none
    }

    enum WriteAction: Equatable {
        /// Write the answer; then close the connection.
        case writeAndClose
        /// Write the answer; then ask for more bytes (a read held back by a full queue).
        case writeAndRead
        case write
    }

    static let maxQueuedAnswers = 4

    private(set) var state = State.open(receivingBody: false)
    private(set) var queuedAnswers = 0
    private var writable = true
    private var readHeld = false

    var isClosing: Bool {
        if case .open = state { return false }
        return true
    }

    var isReceivingBody: Bool {
        switch state {
        case .open(let receiving), .closing(let receiving): receiving
        case .closed: false
        }
    }

    private var canRead: Bool {
        if case .open = state { return queuedAnswers < Self.maxQueuedAnswers && writable }
        return false
    }

    /// A head arrived: true when the request is taken (false once closing).
    mutating func headReceived() -> Bool {
        guard case .open = state else { return false }
        state = .open(receivingBody: true)
        return true
    }

    /// The request being received is complete; its answer is queued. `keepAlive`: the connection may go on.
    mutating func requestCompleted(keepAlive: Bool) {
        queuedAnswers += 1
        switch state {
        case .open: state = keepAlive ? .open(receivingBody: false) : .closing(receivingBody: false)
        case .closing: state = .closing(receivingBody: false)
        case .closed: break
        }
    }

    /// The request is refused (too large, malformed, timed out): its answer is queued, then the connection closes.
    mutating func requestRefused() {
        queuedAnswers += 1
        if state != .closed { state = .closing(receivingBody: false) }
    }

    /// An interim answer (100 Continue) is queued.
    mutating func interimAnswerQueued() {
        queuedAnswers += 1
    }

    /// The oldest queued answer is about to be written.
    mutating func writingAnswer() -> WriteAction {
        queuedAnswers -= 1
        if case .closing(receivingBody: false) = state, queuedAnswers == 0 {
            state = .closed
            return .writeAndClose
        }
        if readHeld, canRead {
            readHeld = false
            return .writeAndRead
        }
        return .write
    }

    /// The channel asks for more bytes.
    mutating func readRequested() -> ReadAction {
        guard canRead else {
            readHeld = true
            return .hold
        }
        return .read
    }

    mutating func writabilityChanged(writable: Bool) -> ReadAction {
        self.writable = writable
        if readHeld, canRead {
            readHeld = false
            return .read
        }
        return .hold
    }

    /// The connection has been idle for the keep-alive timeout.
    mutating func idleTimedOut() -> CloseAction {
        guard case .open(receivingBody: false) = state, queuedAnswers == 0 else { return .none }
        state = .closed
        return .close
    }

    /// Graceful shutdown: finish the request being received and the queued answers, then close.
    mutating func quiesce() -> CloseAction {
        switch state {
        case .open(let receiving), .closing(let receiving):
            if !receiving, queuedAnswers == 0 {
                state = .closed
                return .close
            }
            state = .closing(receivingBody: receiving)
            return .none
        case .closed:
            return .none
        }
    }

    /// The connection is gone.
    mutating func closed() {
        state = .closed
    }
}
