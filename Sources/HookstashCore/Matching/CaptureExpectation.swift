/// What `hookstash expect` waits for, and what it has seen so far: the captures that matched, how many arrived,
/// and the nearest misses (the captures that failed the fewest criteria) to explain a timeout.
public struct CaptureExpectation: Sendable {
    /// A capture that did not match, with every criterion it failed.
    public struct NearMiss: Sendable, Hashable {
        public var captureID: Int64
        public var misses: [CriterionMiss]

        public init(captureID: Int64, misses: [CriterionMiss]) {
            self.captureID = captureID
            self.misses = misses
        }
    }

    /// How many near misses are kept.
    public static let nearMissLimit = 5

    public let criteria: CaptureCriteria
    /// How many matching captures are wanted (at least 1).
    public let count: Int
    /// Captures looked at.
    public private(set) var arrived = 0
    /// Ids of the captures that matched, in the order seen (at most `count`).
    public private(set) var matched: [Int64] = []
    /// At most `nearMissLimit`, fewest failed criteria first, then earliest.
    public private(set) var nearestMisses: [NearMiss] = []

    public init(criteria: CaptureCriteria, count: Int = 1) {
        self.criteria = criteria
        self.count = max(1, count)
    }

    public var isSatisfied: Bool { matched.count >= count }

    /// Evaluates one capture; returns whether it matched (and is counted). Captures after the count is reached are
    /// still counted as arrived but not kept.
    @discardableResult
    public mutating func observe(captureID: Int64, _ subject: MatchSubject) -> Bool {
        arrived += 1
        let outcome = criteria.evaluate(subject)
        if outcome.matched {
            guard !isSatisfied else { return false }
            matched.append(captureID)
            return true
        }
        let miss = NearMiss(captureID: captureID, misses: outcome.misses)
        let position =
            nearestMisses.firstIndex { $0.misses.count > miss.misses.count } ?? nearestMisses.endIndex
        guard position < Self.nearMissLimit else { return false }
        nearestMisses.insert(miss, at: position)
        if nearestMisses.count > Self.nearMissLimit { nearestMisses.removeLast() }
        return false
    }
}
