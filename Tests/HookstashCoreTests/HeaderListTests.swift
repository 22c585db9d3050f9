import Foundation
import HookstashCore
import Testing

@Suite struct HeaderListTests {
    @Test func lookupsIgnoreCaseAndKeepOrderAndDuplicates() {
        let headers = HeaderList([("X-Dup", "1"), ("content-type", "text/plain"), ("x-dup", "2")])
        #expect(headers.first("X-DUP") == "1")
        #expect(headers.values("x-Dup") == ["1", "2"])
        #expect(headers.first("Content-Type") == "text/plain")
        #expect(headers.map(\.name) == ["X-Dup", "content-type", "x-dup"])
    }

    @Test func replaceKeepsPositionAndCaseAndDropsDuplicates() {
        var headers = HeaderList([("A", "1"), ("host", "old"), ("B", "2"), ("Host", "older")])
        headers.replace("Host", with: "new")
        #expect(headers.fields.map { "\($0.name): \($0.value)" } == ["A: 1", "host: new", "B: 2"])
    }

    @Test func encodesAsNameValuePairs() throws {
        let headers = HeaderList([("A", "1"), ("a", "2")])
        let json = String(decoding: try JSONEncoder().encode(headers), as: UTF8.self)
        #expect(json == #"[["A","1"],["a","2"]]"#)
    }
}

@Suite struct HeaderJSONTextTests {
    @Test func handWrittenJSONMatchesTheCodableForm() throws {
        let headers = HeaderList([
            ("Plain", "v"), ("Quote\"", "back\\slash"), ("Ctl", "a\u{1}\tb\r\n"), ("Uni", "ünï 🎉"),
        ])
        let decoded = try JSONDecoder().decode(HeaderList.self, from: Data(headers.jsonText.utf8))
        #expect(decoded == headers)
        #expect(HeaderList().jsonText == "[]")
    }
}

@Suite struct VerdictJSONTextTests {
    @Test func handWrittenJSONDecodesToTheSameVerdict() throws {
        let verdicts = [
            SignatureVerdict(scheme: "front", status: .missing),
            SignatureVerdict(
                scheme: "stripe", status: .invalid, header: "Stripe-Signature", received: "t=1,v1=\"x\"",
                expected: "v1=ab", matchedSecret: 2,
                diagnosis: [.recorded("matches if a trailing newline\nis removed")],
                warnings: [.recorded("timestamp is 41 minutes old")]),
        ]
        for verdict in verdicts {
            let decoded = try JSONDecoder().decode(SignatureVerdict.self, from: Data(verdict.jsonText.utf8))
            #expect(decoded == verdict)
        }
    }
}
