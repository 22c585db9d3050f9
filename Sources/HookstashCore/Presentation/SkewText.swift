/// A time difference in words: `12 seconds`, `41 minutes`, `3 hours`, `5 days`, `about 7 years`.
public enum SkewText {
    public static func words(_ seconds: Double) -> String {
        let value = abs(seconds)
        func plural(_ count: Int, _ unit: String) -> String { "\(count) \(unit)\(count == 1 ? "" : "s")" }
        if value < 120 { return plural(Int(value.rounded()), "second") }
        if value < 120 * 60 { return plural(Int((value / 60).rounded()), "minute") }
        if value < 48 * 3600 { return plural(Int((value / 3600).rounded()), "hour") }
        if value < 730 * 86_400 { return plural(Int((value / 86_400).rounded()), "day") }
        return "about " + plural(Int((value / (365.25 * 86_400)).rounded()), "year")
    }
}
