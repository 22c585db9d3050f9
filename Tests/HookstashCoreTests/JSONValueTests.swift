import HookstashCore
import Testing

@Suite("JSON values")
struct JSONValueTests {
    static func parses(_ text: String) -> Bool { JSONValue.parse(Array(text.utf8)) != nil }

    @Test(arguments: ["0", "-0", "1.5", "-12.25e+3", "1E9", "123456789012345678901234567890", "[1,2.0,-3e-2]"])
    func numbersAsRFC8259WritesThem(_ text: String) {
        #expect(Self.parses(text))
    }

    @Test(arguments: ["01", "1.", "-", "+1", ".5", "1e", "1e+", "0x10", "--1", "1.2.3", "Infinity", "NaN"])
    func malformedNumbersAreNotJSON(_ text: String) {
        #expect(!Self.parses(text))
        #expect(!Self.parses("[\(text)]"))
    }

    @Test func numbersKeepTheirTextAndLongOnesParse() throws {
        let long = String(repeating: "9", count: 300)
        guard case .array(let items) = try #require(JSONValue.parse(Array("[1.0, \(long)]".utf8))),
            case .literal(let first) = items[0], case .literal(let second) = items[1]
        else {
            Issue.record("expected an array of two literals")
            return
        }
        #expect(first == "1.0")
        #expect(second == long)
    }
}
