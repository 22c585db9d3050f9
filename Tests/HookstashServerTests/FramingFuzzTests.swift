import Foundation
import HookstashTestSupport
import Testing

@testable import HookstashServer

/// Mutation fuzzing of the capture parser: whatever arrives, no byte is lost or duplicated, the split does not depend
/// on how the stream is cut into reads, and llhttp (the oracle) finds the same requests. `HOOKSTASH_FUZZ_ITERATIONS` sets the count (`make fuzz` runs
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

    // The two loops below are CPU-bound for seconds: they run on a thread of their own (`offThePool`), so that the
    // cooperative pool (2 threads on 2 cores) stays free for the suites that run beside them.
    @Test func framingConservesBytesAndIgnoresReadBoundaries() async throws {
        for issue in try await offThePool(Self.splitIssues) { Issue.record(Comment(rawValue: issue)) }
    }

    /// The failures of the read-boundary check, as sentences (recorded by the test, on its own task).
    static func splitIssues() -> [String] {
        var generator = SystemRandomNumberGenerator()
        var seed = UInt64.random(in: 0...UInt64.max, using: &generator)
        var random = SplitMix64(seed: seed)
        let limits = HTTPRequestParser.Limits(maxHeadSize: 512)
        for _ in 0..<Self.iterations {
            seed = random.next()
            var rng = SplitMix64(seed: seed)
            let stream = Mutator.mutate(Self.corpus, using: &rng)
            let whole = ParserHarness.parse(stream, limits: limits)
            let cuts = (0..<Int.random(in: 1...8, using: &rng)).map { _ in Int.random(in: 0...stream.count, using: &rng)
            }
            .sorted()
            let pieces = ParserHarness.parse(stream, cuts: cuts, limits: limits)
            if whole.raw != pieces.raw || whole.requests != pieces.requests || whole.problem != pieces.problem
                || whole.all != pieces.all
            {
                return ["seed \(seed): split depends on read boundaries for \(stream)"]
            }
            if whole.all != stream {
                return ["seed \(seed): framing lost or duplicated bytes of \(stream)"]
            }
        }
        return []
    }

    /// Mutated corpus streams (`HOOKSTASH_FUZZ_ITERATIONS`, 20,000 by default; `make fuzz` runs 1,000,000).
    @Test func mutatedInputsAgreeWithLlhttp() async throws {
        let (issues, failures) = try await offThePool(Self.differentialIssues)
        for issue in issues { Issue.record(Comment(rawValue: issue)) }
        #expect(failures == 0)
    }

    /// The first five disagreements, as sentences, and how many there were.
    static func differentialIssues() -> (issues: [String], failures: Int) {
        var seeds = SystemRandomNumberGenerator()
        var random = SplitMix64(seed: UInt64.random(in: 0...UInt64.max, using: &seeds))
        let corpus = DifferentialParserTests.corpus.map { Array($0.stream.utf8) }
        var strictnessSeen: [String: Int] = [:]
        var issues: [String] = []
        var failures = 0
        for _ in 0..<Self.iterations {
            let seed = random.next()
            var rng = SplitMix64(seed: seed)
            let stream = Mutator.mutate(corpus, using: &rng)
            let framer = ParserHarness.parse(stream)
            var strictness: String?
            let oracle = ParserHarness.oracle(stream)
            if let difference = ParserHarness.disagreement(
                stream, framer: framer, oracle: oracle, allowedStrictness: &strictness)
            {
                failures += 1
                if failures <= 5 {
                    issues.append(
                        "seed \(seed): \(difference)\ninput: \(String(decoding: stream, as: UTF8.self).debugDescription)"
                    )
                }
            }
            if let strictness { strictnessSeen[strictness, default: 0] += 1 }
        }
        print("differential: deliberate strictness used \(strictnessSeen.sorted { $0.key < $1.key })")
        return (issues, failures)
    }

    @Test func mutatedRequestsAgainstTheLiveListenerNeverBringItDown() async throws {
        try await withCaptureServer(configuring: { config in
            config.headerTimeout = .milliseconds(500)
            config.bodyTimeout = .milliseconds(500)
        }) { server in
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
