import ArgumentParser
import HookstashCore

/// Why a flag's value is not a size or a duration: argument-parser prints it after naming the flag and value.
struct ArgumentProblem: Error, CustomStringConvertible {
    var description: String
}

/// A size flag: `25MiB`, `512k`, `2GiB`, `10MB`, `1048576`. Parsed once, by argument-parser (`transform:`), whose
/// error names the flag.
extension ByteSize: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(parsing: argument)
    }

    public var defaultValueDescription: String { description }

    /// For `@Option(transform:)`: says why a value is not a size.
    static func argument(_ text: String) throws -> ByteSize {
        guard let size = ByteSize(parsing: text) else {
            throw ArgumentProblem(description: "not a size such as 25MiB, 512KiB, 2GiB or 1048576")
        }
        return size
    }
}

/// A duration flag's value. `bareNumberUnit`: what a number without a unit counts, for flags that always took a
/// plain number (`--forward-timeout 2500` is milliseconds); nil requires a unit (`30s`, `5m`, `7d`, `1h30m`).
protocol DurationArgument: ExpressibleByArgument, Sendable {
    static var bareNumberUnit: Duration? { get }
    var duration: Duration { get }
    init(_ duration: Duration)
}

extension DurationArgument {
    init?(argument: String) {
        guard let duration = try? DurationText.duration(argument, bareNumberUnit: Self.bareNumberUnit) else {
            return nil
        }
        self.init(duration)
    }

    var defaultValueDescription: String { DurationText.format(duration) }

    /// For `@Option(transform:)`: says why a value is not a duration.
    static func argument(_ text: String) throws -> Self {
        do {
            return Self(try DurationText.duration(text, bareNumberUnit: Self.bareNumberUnit))
        } catch .notADuration {
            let bare =
                bareNumberUnit == .milliseconds(1) ? ", or milliseconds" : bareNumberUnit == nil ? "" : ", or seconds"
            throw ArgumentProblem(description: "not a duration such as 500ms, 30s, 5m, 12h or 7d\(bare)")
        } catch .tooLong(let maximum) {
            throw ArgumentProblem(
                description: "longer than hookstash handles: at most \(Int(maximum / 31_557_600)) years")
        }
    }
}

/// A duration with its unit: `500ms`, `30s`, `5m`, `12h`, `7d`, `1h30m`.
struct DurationValue: DurationArgument {
    static var bareNumberUnit: Duration? { nil }
    var duration: Duration
    init(_ duration: Duration) { self.duration = duration }
}

/// A duration where a bare number is milliseconds (`2500`), as the flag always took; `2500ms`, `3s` also read.
struct MillisecondsValue: DurationArgument {
    static var bareNumberUnit: Duration? { .milliseconds(1) }
    var duration: Duration
    init(_ duration: Duration) { self.duration = duration }

    /// Whole milliseconds, for the delivery options that still count them (rounded down).
    var milliseconds: Int {
        let (seconds, attoseconds) = duration.components
        return Int(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}

/// A duration where a bare number is seconds (`0.5`, `10`), as the flag always took; `500ms`, `2m` also read.
struct SecondsValue: DurationArgument {
    static var bareNumberUnit: Duration? { .seconds(1) }
    var duration: Duration
    init(_ duration: Duration) { self.duration = duration }
}
