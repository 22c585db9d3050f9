import HookstashCore
import HookstashStore
import Testing

@testable import HookstashDelivery

@Suite("Retry policy and the forward entry state machine")
struct RetryPolicyTests {
    static let start = Timestamp(microsecondsSinceEpoch: 1_800_000_000_000_000)

    static func entry() -> ForwardQueueEntry {
        ForwardQueueEntry(
            id: 1, captureID: 7, to: "http://localhost:3000", state: .pending, attempts: 0, enqueuedAt: start,
            nextAttemptAt: start, lastError: nil)
    }

    static func outcome(status: Int? = nil, error: DeliveryError? = nil) -> DeliveryOutcome {
        DeliveryOutcome(
            requestHead: [],
            response: status.map {
                .init(
                    status: $0, statusLine: "HTTP/1.1 \($0)", headers: HeaderList(), body: [], bodySize: 0,
                    truncated: false)
            }, timings: .init(), newConnection: true, error: error, startedAt: start)
    }

    @Test("delays double from the initial delay up to the maximum")
    func backoff() {
        let policy = RetryPolicy(initialDelay: 1, multiplier: 2, maxDelay: 30, maxAttempts: 10, jitter: 0)
        #expect((1...7).map { policy.baseDelay(afterAttempt: $0) } == [1, 2, 4, 8, 16, 30, 30])
    }

    @Test("jitter only shortens a delay, by at most the jitter fraction")
    func jitter() {
        let policy = RetryPolicy(initialDelay: 10, jitter: 0.2)
        #expect(policy.delay(afterAttempt: 1, random: 0) == 10)
        #expect(policy.delay(afterAttempt: 1, random: 0.5) == 9)
        #expect(policy.delay(afterAttempt: 1, random: 0.999_999) > 8)
    }

    @Test("refused, timeouts, 5xx, 408 and 429 are retried at the backoff time")
    func retries() {
        let policy = RetryPolicy(initialDelay: 2, multiplier: 3, maxDelay: 100, maxAttempts: 10, jitter: 0.5)
        var retry = ForwardRetry(entry: Self.entry(), policy: policy)
        let now = Self.start.adding(seconds: 1)
        #expect(retry.record(Self.outcome(error: .refused("connection refused by x")), at: now, random: 0) == .pending)
        #expect(retry.entry.nextAttemptAt == now.adding(seconds: 2))
        #expect(retry.entry.lastError == "connection refused by x")
        #expect(!retry.isDue(at: now.adding(seconds: 1.9)))
        #expect(retry.isDue(at: now.adding(seconds: 2)))
        #expect(retry.record(Self.outcome(status: 503), at: now, random: 0.5) == .pending)
        #expect(retry.entry.nextAttemptAt == now.adding(seconds: 6 * 0.75))
        #expect(retry.entry.lastError == "the target answered 503")
        #expect(retry.record(Self.outcome(error: .timedOut("slow")), at: now, random: 0) == .pending)
        #expect(retry.record(Self.outcome(status: 429), at: now, random: 0) == .pending)
        #expect(retry.record(Self.outcome(status: 408), at: now, random: 0) == .pending)
        #expect(retry.entry.attempts == 5)
        #expect(retry.record(Self.outcome(status: 204), at: now, random: 0) == .delivered)
        #expect(retry.entry.lastError == nil)
        #expect(retry.entry.attempts == 6)
    }

    @Test("a 4xx is final (rejected); a TLS failure is abandoned; a 3xx counts as delivered")
    func finalOutcomes() {
        var rejected = ForwardRetry(entry: Self.entry(), policy: RetryPolicy())
        #expect(rejected.record(Self.outcome(status: 401), at: Self.start, random: 0) == .rejected)
        var tls = ForwardRetry(entry: Self.entry(), policy: RetryPolicy())
        #expect(tls.record(Self.outcome(error: .tls("bad certificate")), at: Self.start, random: 0) == .abandoned)
        var redirected = ForwardRetry(entry: Self.entry(), policy: RetryPolicy())
        #expect(redirected.record(Self.outcome(status: 302), at: Self.start, random: 0) == .delivered)
    }

    @Test("after the last allowed attempt the entry is abandoned with the reason")
    func givesUp() {
        var retry = ForwardRetry(entry: Self.entry(), policy: RetryPolicy(maxAttempts: 3))
        for _ in 0..<2 {
            #expect(retry.record(Self.outcome(status: 500), at: Self.start, random: 0) == .pending)
        }
        #expect(retry.record(Self.outcome(status: 500), at: Self.start, random: 0) == .abandoned)
        #expect(retry.entry.lastError == "gave up after 3 attempts; last: the target answered 500")
    }
}
