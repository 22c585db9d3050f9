/// Splits a connection's byte stream into requests by HTTP/1.x framing, without judging validity.
///
/// It is the byte tee's own framing: pipelined requests arriving in one read are split, and a body is followed
/// in its original framing (Content-Length, or chunk sizes, extensions and trailers), so each request's exact
/// bytes can be kept. Where the framing cannot be followed (a chunk size that is not hex), everything after
/// is handed on as body: the HTTP decoder behind the tee will reject it and the request is recorded as malformed.
struct RequestFramer {
    enum Output {
        /// The head of the next request is complete.
        case head(RawHead)
        /// Body bytes in their original framing, as a range of the buffer passed to `consume`.
        case body(Range<Int>)
        /// The request (head and body) is complete.
        case end
        /// The head grew beyond `maxHeadSize` without ending; nothing more is framed on this connection.
        case headTooLarge
    }

    private enum State {
        case head
        case fixedBody(remaining: Int64)
        case chunkSizeLine(length: Int)
        case chunkData(remaining: Int64)
        /// The CRLF after a chunk's data: how many of its bytes are still to come.
        case chunkDataEnd(remaining: Int)
        /// Trailer lines after the last chunk; `lineLength` bytes (not counting CR) of the current line so far.
        case trailers(lineLength: Int)
        /// Framing lost; every further byte is body of the current request.
        case opaque
        case stopped
    }

    private var state = State.head
    /// Bytes of the head that is being received.
    private(set) var headBuffer: [UInt8] = []
    /// The text of the chunk-size line being received (for parsing the size).
    private var sizeLine: [UInt8] = []
    let maxHeadSize: Int
    static let maxLineSize = 8 * 1024

    init(maxHeadSize: Int) {
        self.maxHeadSize = maxHeadSize
    }

    /// True between the first byte of a request and the end of its head.
    var isReceivingHead: Bool {
        if case .head = state { return !headBuffer.isEmpty }
        return false
    }

    /// True while a request's body is being received.
    var isReceivingBody: Bool {
        switch state {
        case .head, .stopped: false
        default: true
        }
    }

    mutating func consume(_ bytes: UnsafeRawBufferPointer, _ emit: (Output) -> Void) {
        var index = 0
        let count = bytes.count
        while index < count {
            switch state {
            case .stopped:
                return

            case .head:
                // Look for the blank line that ends the head: CRLF CRLF (or bare LF LF, which the decoder rejects).
                let start = index
                var found: Int?
                while index < count {
                    let byte = bytes[index]
                    index += 1
                    guard byte == UInt8(ascii: "\n") else { continue }
                    if endsHead(bytes, start: start, newlineAt: index - 1) {
                        found = index
                        break
                    }
                }
                headBuffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
                if found == nil {
                    if headBuffer.count > maxHeadSize {
                        state = .stopped
                        emit(.headTooLarge)
                    }
                    return
                }
                if headBuffer.count > maxHeadSize {
                    state = .stopped
                    emit(.headTooLarge)
                    return
                }
                let head = RawHead(bytes: headBuffer)
                headBuffer = []
                emit(.head(head))
                if head.chunked {
                    state = .chunkSizeLine(length: 0)
                } else if let length = head.contentLength, length > 0 {
                    state = .fixedBody(remaining: length)
                } else {
                    emit(.end)
                }

            case .fixedBody(let remaining):
                let take = Int(min(Int64(count - index), remaining))
                emit(.body(index..<index + take))
                index += take
                if remaining == Int64(take) {
                    state = .head
                    emit(.end)
                } else {
                    state = .fixedBody(remaining: remaining - Int64(take))
                }

            case .chunkSizeLine(let length):
                let start = index
                var lineDone = false
                while index < count {
                    let byte = bytes[index]
                    index += 1
                    if byte == UInt8(ascii: "\n") {
                        lineDone = true
                        break
                    }
                    sizeLine.append(byte)
                }
                emit(.body(start..<index))
                let newLength = length + (index - start)
                if !lineDone {
                    state = newLength > Self.maxLineSize ? .opaque : .chunkSizeLine(length: newLength)
                    continue
                }
                let size = Self.chunkSize(sizeLine)
                sizeLine = []
                switch size {
                case .none: state = .opaque
                case .some(0): state = .trailers(lineLength: 0)
                case .some(let size): state = .chunkData(remaining: size)
                }

            case .chunkData(let remaining):
                let take = Int(min(Int64(count - index), remaining))
                emit(.body(index..<index + take))
                index += take
                state =
                    remaining == Int64(take)
                    ? .chunkDataEnd(remaining: 2) : .chunkData(remaining: remaining - Int64(take))

            case .chunkDataEnd(let remaining):
                // CRLF, or a bare LF (which the decoder judges).
                let byte = bytes[index]
                emit(.body(index..<index + 1))
                index += 1
                if byte == UInt8(ascii: "\n") {
                    state = .chunkSizeLine(length: 0)
                } else if remaining == 2 && byte == UInt8(ascii: "\r") {
                    state = .chunkDataEnd(remaining: 1)
                } else {
                    state = .opaque
                }

            case .trailers(let lineLength):
                let start = index
                var length = lineLength
                var finished = false
                while index < count {
                    let byte = bytes[index]
                    index += 1
                    if byte == UInt8(ascii: "\n") {
                        // An empty line ends the trailer section (CRs are not counted in a line's length).
                        if length == 0 {
                            finished = true
                            break
                        }
                        length = 0
                    } else if byte != UInt8(ascii: "\r") {
                        length += 1
                    }
                }
                emit(.body(start..<index))
                if finished {
                    state = .head
                    emit(.end)
                } else {
                    state = length > Self.maxLineSize ? .opaque : .trailers(lineLength: length)
                }

            case .opaque:
                emit(.body(index..<count))
                index = count
            }
        }
    }

    /// Whether the LF at `newlineAt` ends the head: the line it ends is empty (after the request line).
    private func endsHead(_ bytes: UnsafeRawBufferPointer, start: Int, newlineAt: Int) -> Bool {
        // The bytes of the head so far are headBuffer + bytes[start...newlineAt].
        func byte(back offset: Int) -> UInt8? {
            let position = newlineAt - offset
            if position >= start { return bytes[position] }
            let bufferIndex = headBuffer.count - (start - position)
            return bufferIndex >= 0 ? headBuffer[bufferIndex] : nil
        }
        // Ignore empty lines before the request line.
        var sawContent = false
        if !headBuffer.isEmpty {
            sawContent = headBuffer.contains { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }
        }
        if !sawContent {
            for position in start..<newlineAt
            where bytes[position] != UInt8(ascii: "\r") && bytes[position] != UInt8(ascii: "\n") {
                sawContent = true
                break
            }
        }
        guard sawContent else { return false }
        if byte(back: 1) == UInt8(ascii: "\n") { return true }
        return byte(back: 1) == UInt8(ascii: "\r") && byte(back: 2) == UInt8(ascii: "\n")
    }

    /// The size of a chunk-size line (`1a;ext=1\r`); nil when it is not hex.
    static func chunkSize(_ line: [UInt8]) -> Int64? {
        var value: Int64 = 0
        var digits = 0
        for byte in line {
            let nibble: Int64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = Int64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = Int64(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = Int64(byte - UInt8(ascii: "A") + 10)
            default:
                guard digits > 0 else { return nil }
                return value
            }
            digits += 1
            guard digits <= 15 else { return nil }
            value = value * 16 + nibble
        }
        return digits > 0 ? value : nil
    }
}
