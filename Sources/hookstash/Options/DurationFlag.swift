import ArgumentParser
import HookstashCore

/// Checks a duration flag's value, saying what is wrong with it.
enum DurationFlag {
    static func check(_ flag: String, _ value: String?, examples: String) throws {
        guard let value else { return }
        do {
            _ = try DurationText.seconds(value)
        } catch .notADuration {
            throw ValidationError("\(flag) takes a duration such as \(examples), not '\(value)'")
        } catch .tooLong(let maximum) {
            throw ValidationError(
                "\(flag) \(value) is longer than hookstash handles: at most \(Int(maximum / 31_557_600)) years")
        }
    }
}
