import Foundation
import HookstashCore
import Testing

@Suite struct ConfigurationLimitsTests {
    /// Parsing (and freeing) nested arrays recurses: a few hundred kilobytes of `[` would exhaust the stack.
    @Test func deeplyNestedArraysAreRefusedWithALine() throws {
        let depth = 200_000
        let text =
            "[[endpoint]]\npath = \"/a\"\nsecrets = " + String(repeating: "[", count: depth)
            + String(repeating: "]", count: depth) + "\n"
        do {
            _ = try ConfigurationFile.parse(text) { _ in nil }
            Issue.record("a configuration nested \(depth) deep was accepted")
        } catch {
            #expect("\(error)".contains("nested more than 32 deep"), "\(error)")
            #expect("\(error)".contains("line 3"), "\(error)")
        }
    }

    @Test func nestingWithinTheLimitIsParsed() throws {
        let text =
            "[[endpoint]]\npath = \"/a\"\nsecrets = " + String(repeating: "[", count: 32)
            + String(repeating: "]", count: 32) + "\n"
        // Parsed: what is wrong is the value's type for `secrets` (an array of strings), not its syntax.
        let error = #expect(throws: ConfigurationError.self) { _ = try ConfigurationFile.parse(text) { _ in nil } }
        #expect(error?.isSyntax == false, "\(String(describing: error))")
    }
}
