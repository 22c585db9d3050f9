import HookstashCore
import Testing

@Suite("JSON edits by pointer")
struct JSONEditTests {
    static func set(_ pointer: String, _ value: String, in body: String) throws -> (String, String?) {
        let result = try JSONEdit.setting(
            try JSONPointer(parsing: pointer), to: JSONEdit.valueText(value), in: Array(body.utf8))
        return (String(decoding: result.body, as: UTF8.self), result.was)
    }

    @Test func replacingAValueKeepsEveryOtherByte() throws {
        let body = "{\n  \"type\" : \"invoice.paid\",\n  \"data\": {\"amount\": 1.50, \"tags\": [ \"a\" ,\"b\" ]}\n}\n"
        let (amount, was) = try Self.set("/data/amount", "4200", in: body)
        #expect(amount == body.replacingOccurrences(of: "1.50", with: "4200"))
        #expect(was == "1.50")
        let (tag, _) = try Self.set("/data/tags/1", "c", in: body)
        #expect(tag == body.replacingOccurrences(of: "\"b\"", with: "\"c\""))
        let (object, _) = try Self.set("/type", #"{"nested":true}"#, in: body)
        #expect(object.contains(#""type" : {"nested":true},"#))
    }

    @Test func addingAMemberOrAnArrayElement() throws {
        #expect(try Self.set("/b", "2", in: #"{"a":1}"#).0 == #"{"a":1,"b":2}"#)
        #expect(try Self.set("/b", "2", in: "{ }").0 == #"{"b":2 }"#)
        #expect(try Self.set("/a/-", "3", in: #"{"a":[1,2]}"#).0 == #"{"a":[1,2,3]}"#)
        #expect(try Self.set("/a/2", "3", in: #"{"a":[1,2]}"#).0 == #"{"a":[1,2,3]}"#)
        #expect(try Self.set("/a/0", "x", in: #"{"a":[]}"#).0 == #"{"a":["x"]}"#)
        #expect(try Self.set("/a~1b", "1", in: "{}").0 == #"{"a/b":1}"#)
        #expect(try Self.set("/q\"uote", "1", in: "{}").0 == #"{"q\"uote":1}"#)
    }

    @Test func aRepeatedMemberIsSetWhereReceiversReadIt() throws {
        // Most JSON parsers keep the last of repeated names; the edit changes that one.
        #expect(try Self.set("/a", "9", in: #"{"a":1,"a":2}"#).0 == #"{"a":1,"a":9}"#)
    }

    @Test func namesAreComparedAsBytes() throws {
        // "é" precomposed is not the member "e" + U+0301: a new member is added.
        let (body, was) = try Self.set("/caf\u{E9}", "1", in: "{\"cafe\u{301}\":0}")
        #expect(was == nil)
        #expect(body == "{\"cafe\u{301}\":0,\"caf\u{E9}\":1}")
    }

    @Test func valuesAreJSONOrElseStrings() {
        #expect(JSONEdit.valueText("42") == Array("42".utf8))
        #expect(JSONEdit.valueText("true") == Array("true".utf8))
        #expect(JSONEdit.valueText(#"{"a":1}"#) == Array(#"{"a":1}"#.utf8))
        #expect(JSONEdit.valueText("invoice.paid") == Array(#""invoice.paid""#.utf8))
        #expect(JSONEdit.valueText("say \"hi\"\n") == Array(#""say \"hi\"\n""#.utf8))
    }

    @Test func whatCannotBeSetSaysWhy() throws {
        #expect(throws: JSONEdit.Failure(code: .bodyNotJSON, pointer: "/a")) {
            try Self.set("/a", "1", in: "not json")
        }
        #expect(throws: JSONEdit.Failure(code: .parentMissing, pointer: "/x/y")) {
            try Self.set("/x/y", "1", in: #"{"a":1}"#)
        }
        #expect(throws: JSONEdit.Failure(code: .parentMissing, pointer: "/a/b")) {
            try Self.set("/a/b", "1", in: #"{"a":"text"}"#)
        }
        #expect(throws: JSONEdit.Failure(code: .indexOutOfRange, pointer: "/a/5")) {
            try Self.set("/a/5", "1", in: #"{"a":[1]}"#)
        }
    }
}
