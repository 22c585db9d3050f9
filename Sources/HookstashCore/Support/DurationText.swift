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
