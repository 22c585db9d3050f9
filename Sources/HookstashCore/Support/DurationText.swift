/// Durations as users type them: `90s`, `15m`, `2h`, `7d`, `1w`, `500ms`, or combined (`1h30m`).
public enum DurationText {
    /// Why a text is not a usable duration.
    public enum Problem: Error, Sendable, Hashable {
        /// Not a duration at all.
        case notADuration
        /// Longer than `maximumSeconds`: a time that far from now cannot be represented.
        case tooLong(maximumSeconds: Double)
    }

    /// The longest duration accepted: 100 years. Anything longer would overflow the microsecond timestamps it is
    /// added to, and means "forever" anyway.
    public static let maximumSeconds: Double = 100 * 365.25 * 86_400

    /// Seconds, or nil when the text is not a duration or is longer than `maximumSeconds`.
    public static func parse(_ text: String) -> Double? {
        try? seconds(text)
    }

    /// Seconds, or why the text is not a usable duration.
    public static func seconds(_ text: String) throws(Problem) -> Double {
        guard let seconds = unbounded(text) else { throw .notADuration }
        guard seconds.isFinite, seconds <= maximumSeconds else { throw .tooLong(maximumSeconds: maximumSeconds) }
        return seconds
    }

    /// The duration `text` spells, or why it is not a usable one. `bareNumberUnit`: what a number without a unit
    /// counts (`2500` as milliseconds for a setting that always took milliseconds); nil requires a unit.
    public static func duration(_ text: String, bareNumberUnit: Duration? = nil) throws(Problem) -> Duration {
        let trimmed = text.trimmingSpaces()
        if let bareNumberUnit, !trimmed.isEmpty, trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            let count = Double(trimmed)
        {
            let seconds = count * seconds(of: bareNumberUnit)
            guard seconds.isFinite, seconds <= maximumSeconds else {
                throw .tooLong(maximumSeconds: maximumSeconds)
            }
            return .nanoseconds(Int64((seconds * 1e9).rounded()))
        }
        let seconds = try seconds(text)
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }

    /// The shortest spelling of `duration` that `duration(_:)` reads back: `2500ms`, `30s`, `5m`, `2h`, `7d`.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        guard milliseconds % 1000 == 0 else { return "\(milliseconds)ms" }
        for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60)] where seconds != 0 && seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }

    /// `duration` in seconds, as a `Double`.
    public static func seconds(of duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    private static func unbounded(_ text: String) -> Double? {
        let units: [(String, Double)] = [
            ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400), ("w", 604_800),
        ]
        var rest = Substring(text.trimmingSpaces())
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard !digits.isEmpty, let value = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unitText = rest.prefix { $0.isLetter }
            guard let unit = units.first(where: { $0.0 == unitText.lowercased() }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.1
        }
        return total
    }
}

/// A number of bytes, as users type it (`25MiB`, `512k`, `1048576`; see `ByteSizeText`).
public struct ByteSize: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var bytes: Int64

    public init(bytes: Int64) {
        self.bytes = bytes
    }

    /// The size `text` spells, or nil when it is not a size (or overflows 64 bits).
    public init?(parsing text: String) {
        guard let bytes = ByteSizeText.parse(text) else { return nil }
        self.bytes = bytes
    }

    public static func kibibytes(_ count: Int64) -> ByteSize { ByteSize(bytes: count << 10) }
    public static func mebibytes(_ count: Int64) -> ByteSize { ByteSize(bytes: count << 20) }

    public static func < (lhs: ByteSize, rhs: ByteSize) -> Bool { lhs.bytes < rhs.bytes }

    /// The shortest exact spelling `ByteSize(parsing:)` reads back: `25MiB`, `512KiB`, `1000`.
    public var description: String {
        for (unit, shift) in [("GiB", Int64(30)), ("MiB", 20), ("KiB", 10)]
        where bytes != 0 && bytes % (1 << shift) == 0 {
            return "\(bytes >> shift)\(unit)"
        }
        return "\(bytes)"
    }
}

/// Byte sizes as users type them: `1048576`, `512KiB`, `25MiB`, `2GiB`, `10MB` (decimal units are also accepted).
public enum ByteSizeText {
    public static func parse(_ text: String) -> Int64? {
        let trimmed = text.trimmingSpaces()
        let digits = trimmed.prefix { $0.isNumber }
        guard !digits.isEmpty, let value = Int64(digits) else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingSpaces().lowercased()
        let multipliers: [String: Int64] = [
            "": 1, "b": 1, "k": 1024, "kib": 1024, "kb": 1000, "m": 1 << 20, "mib": 1 << 20, "mb": 1_000_000,
            "g": 1 << 30, "gib": 1 << 30, "gb": 1_000_000_000,
        ]
        guard let multiplier = multipliers[unit] else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }

    /// `1.2 KiB`, `25.0 MiB`: for tables.
    public static func format(_ bytes: Int64) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}

extension StringProtocol {
    /// Removes leading and trailing spaces and tabs.
    public func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
