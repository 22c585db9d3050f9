import Foundation
import HookstashTestSupport
import Testing

@testable import HookstashServer

/// Mutation fuzzing of the byte tee's framing: whatever arrives, no byte is lost or duplicated, and the split does
/// not depend on how the stream is cut into reads. `HOOKSTASH_FUZZ_ITERATIONS` sets the count (`make fuzz` runs
/// 1,000,000).
@Suite struct FramingFuzzTests {
    static let corpus: [[UInt8]] = [
        "POST /webhooks/front HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Front-Signature: abc=\r\nContent-Length: 17\r\n\r\n{\"type\":\"event\"}",
        "GET /a/../b?x=1 HTTP/1.0\r\n\r\n",
        "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nabcd\r\n0\r\nTrailer: t\r\n\r\n",
        "PURGE http://example.com/x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
        "\r\n\r\nPUT / HTTP/1.1\r\ncontent-length: 0\r\n\r\n",
    ].map { Array($0.utf8) }

    static var iterations: Int {
        ProcessInfo.processInfo.environment["HOOKSTASH_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 20_000
    }

    struct Framed: Equatable {
        var heads: [[UInt8]] = []
        var bodies: [[UInt8]] = []
        var ends = 0
        var tooLarge = false
        var all: [UInt8] = []
    }

    static func frame(_ stream: [UInt8], cuts: [Int]) -> (Framed, leftover: [UInt8]) {
        var framer = RequestFramer(maxHeadSize: 512)
        var result = Framed()
        var start = 0
        for end in cuts + [stream.count] where end > start {
            let read = Array(stream[start..<end])
            start = end
            read.withUnsafeBytes { bytes in
                framer.consume(bytes) { output in
                    switch output {
                    case .head(let head):
                        result.heads.append(head.bytes)
                        result.bodies.append([])
                        result.all += head.bytes
                    case .body(let range):
                        result.bodies[result.bodies.count - 1] += bytes[range]
                        result.all += bytes[range]
                    case .end:
                        result.ends += 1
                    case .headTooLarge:
                        result.tooLarge = true
                    }
                }
            }
        }
        return (result, framer.headBuffer)
    }

    @Test func framingConservesBytesAndIgnoresReadBoundaries() {
        var generator = SystemRandomNumberGenerator()
        var seed = UInt64.random(in: 0...UInt64.max, using: &generator)
        var random = SplitMix64(seed: seed)
        for _ in 0..<Self.iterations {
            seed = random.next()
            var rng = SplitMix64(seed: seed)
            let stream = Mutator.mutate(Self.corpus, using: &rng)
            let whole = Self.frame(stream, cuts: [])
            let cuts = (0..<Int.random(in: 1...8, using: &rng)).map { _ in Int.random(in: 0...stream.count, using: &rng)
            }
            .sorted()
            let pieces = Self.frame(stream, cuts: cuts)
            if whole.0 != pieces.0 || whole.leftover != pieces.leftover {
                Issue.record("seed \(seed): split depends on read boundaries for \(stream)")
                return
            }
            if !whole.0.tooLarge, whole.0.all + whole.leftover != stream {
                Issue.record("seed \(seed): framing lost or duplicated bytes of \(stream)")
                return
            }
        }
    }

    @Test func mutatedRequestsAgainstTheLiveListenerNeverBringItDown() async throws {
        let server = try await TestCaptureServer.start { config in
            config.headerTimeout = 0.5
            config.bodyTimeout = 0.5
        }
        defer { Task { await server.stop() } }
        var rng = SplitMix64(seed: UInt64.random(in: 0...UInt64.max))
        let count = max(200, Self.iterations / 100)
        for _ in 0..<count {
            let stream = Mutator.mutate(Self.corpus, using: &rng)
            let connection = try server.connect()
            try? connection.send(stream)
            connection.finishSending()
            _ = try? connection.readToEnd()
        }
        let response = try server.exchange("GET /still-alive HTTP/1.1\r\n\r\n")[0]
        #expect(response.status == 200)
        #expect(try server.store.integrityCheck() == "ok")
    }
}

/// Byte-level mutations of concatenated corpus requests.
enum Mutator {
    static let interesting: [[UInt8]] = [
        "\r\n", "\n", "\r\n\r\n", ":", " ", "0\r\n\r\n", "ffffffffffffffff", "Transfer-Encoding: chunked\r\n",
        "Content-Length: 99999999999\r\n", ";", "\u{0}",
    ].map { Array($0.utf8) }

    static func mutate(_ corpus: [[UInt8]], using rng: inout SplitMix64) -> [UInt8] {
        var stream: [UInt8] = []
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            stream += corpus[Int.random(in: 0..<corpus.count, using: &rng)]
        }
        for _ in 0..<Int.random(in: 0...6, using: &rng) where !stream.isEmpty {
            let position = Int.random(in: 0..<stream.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: stream[position] = UInt8.random(in: 0...255, using: &rng)
            case 1: stream.remove(at: position)
            case 2:
                stream.insert(contentsOf: interesting[Int.random(in: 0..<interesting.count, using: &rng)], at: position)
            case 3: stream.removeSubrange(position..<min(stream.count, position + Int.random(in: 1...16, using: &rng)))
            default:
                let end = min(stream.count, position + Int.random(in: 1...32, using: &rng))
                stream.insert(contentsOf: stream[position..<end], at: position)
            }
        }
        return stream
    }
}

/// A small seeded generator, so a failing seed can be replayed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
