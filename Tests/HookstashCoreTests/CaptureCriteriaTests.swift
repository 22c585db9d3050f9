import HookstashCore
import Testing

/// The match API rules and `hookstash expect` share: globs over bytes in linear time, JSON pointers into a bounded
/// reader, match keys parsed from text, and one typed miss per failed key.
@Suite struct GlobPatternTests {
    @Test(arguments: [
        ("", "", true), ("", "a", false), ("*", "", true), ("*", "anything", true), ("?", "", false),
        ("?", "a", true), ("?", "ab", false), ("a*b", "ab", true), ("a*b", "axxb", true), ("a*b", "axxbc", false),
        ("a*b*c", "abbbc", true), ("*.json", "x.json", true), ("*.json", "x.jsonx", false),
        ("/webhooks/*", "/webhooks/", true), ("/webhooks/*", "/webhook", false), ("a**b", "ab", true),
        (#"\*"#, "*", true), (#"\*"#, "a", false), (#"\?"#, "?", true), (#"\?"#, "a", false),
        (#"a\\b"#, #"a\b"#, true), (#"a\b"#, #"a\b"#, true), (#"a\"#, #"a\"#, true),
        ("invoice.*", "invoice.paid", true),
        ("invoice.*", "Invoice.paid", false), ("*a*a*a*a*b", "aaaab", true), ("*a*a*a*a*b", "aaab", false),
    ])
    func matches(pattern: String, text: String, expected: Bool) {
        #expect(GlobPattern(pattern).matches(text) == expected, "\(pattern) against \(text)")
    }

    @Test func questionMarkIsOneByteNotOneCharacter() {
        #expect(!GlobPattern("?").matches("é"))
        #expect(GlobPattern("??").matches("é"))
        #expect(GlobPattern("caf?").matches([0x63, 0x61, 0x66, 0xFF]))
    }

    @Test func caseInsensitiveFoldsASCIIOnly() {
        #expect(GlobPattern("INVOICE.*", caseInsensitive: true).matches("invoice.paid"))
        #expect(!GlobPattern("INVOICE.*").matches("invoice.paid"))
        #expect(!GlobPattern("É", caseInsensitive: true).matches("é"))
        // 0x5B ('[') and 0x7B ('{') differ by 0x20 but are not letters.
        #expect(!GlobPattern("[", caseInsensitive: true).matches("{"))
    }

    @Test func literalEscapesWhatItHolds() {
        let glob = GlobPattern.literal(#"a*b?c\"#)
        #expect(glob.matches(#"a*b?c\"#))
        #expect(!glob.matches(#"axxb?c\"#))
        #expect(glob.isLiteral)
        #expect(!GlobPattern("a*").isLiteral)
        #expect(GlobPattern("a*").description == "a*")
    }

    @Test func aPathologicalPatternStaysLinear() {
        let text = [UInt8](repeating: UInt8(ascii: "a"), count: 100_000)
        var steps = 0
        #expect(!GlobPattern("*a*a*a*a*b").matches(text, steps: &steps))
        // One saved star: each text byte is compared a bounded number of times, not once per star combination.
        #expect(steps <= 3 * text.count, "\(steps) steps")
        var literalSteps = 0
        #expect(!GlobPattern("*aaaaaaaaab").matches(text, steps: &literalSteps))
        #expect(literalSteps <= 12 * text.count, "\(literalSteps) steps")
        var matchSteps = 0
        #expect(GlobPattern("*a*a*a*a*").matches(text, steps: &matchSteps))
        #expect(matchSteps <= 2 * text.count)
    }
}

@Suite struct JSONPointerTests {
    let document = Array(
        #"""
        { "type" : "invoice.created", "data": {"object": {"id": "in_1", "amount": 1.0, "big": 123456789012345678901234567890,
          "exp": 1e3, "paid": true, "note": null, "tags": ["a", "b" , {"k" : [1, 2]}], "nested": { "x" : [ ] }}},
          "a/b": "slash", "m~n": "tilde", "": "empty key", "esc": "line\nquote\" \u00e9 \ud83d\ude00 \ud800",
          "dup": 1, "dup": 2 }
        """#.utf8)

    func lookup(_ pointer: String) throws -> JSONLookup {
        JSONValueReader.value(at: try JSONPointer(parsing: pointer), in: document)
    }

    func text(_ pointer: String) throws -> String? {
        guard case .found(let bytes) = try lookup(pointer) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func valuesAreTheirTextAsWritten() throws {
        #expect(try text("/type") == "invoice.created")
        #expect(try text("/data/object/id") == "in_1")
        #expect(try text("/data/object/amount") == "1.0")
        #expect(try text("/data/object/big") == "123456789012345678901234567890")
        #expect(try text("/data/object/exp") == "1e3")
        #expect(try text("/data/object/paid") == "true")
        #expect(try text("/data/object/note") == "null")
        #expect(try text("/data/object/tags") == #"["a","b",{"k":[1,2]}]"#)
        #expect(try text("/data/object/nested") == #"{"x":[]}"#)
        #expect(try text("/esc") == "line\nquote\" é 😀 \u{FFFD}")
        #expect(try text("/dup") == "2")
    }

    @Test func escapesAndArrayIndexes() throws {
        #expect(try text("/a~1b") == "slash")
        #expect(try text("/m~0n") == "tilde")
        #expect(try text("/") == "empty key")
        #expect(try text("/data/object/tags/0") == "a")
        #expect(try text("/data/object/tags/2/k/1") == "2")
        #expect(try lookup("/data/object/tags/3") == .missing)
        #expect(try lookup("/data/object/tags/-") == .missing)
        #expect(try lookup("/data/object/tags/01") == .missing)
        #expect(try lookup("/data/object/tags/99999999999999999999999") == .missing)
        #expect(try lookup("/type/0") == .missing)
        #expect(try lookup("/nothing") == .missing)
        #expect(try lookup("/data/object/nested/x/0") == .missing)
        #expect(try text("")?.hasPrefix(#"{"type":"invoice.created""#) == true)
    }

    @Test func pointerSyntaxErrors() {
        #expect(throws: CriterionSyntaxError(.jsonPointerNotAbsolute, text: "type")) {
            try JSONPointer(parsing: "type")
        }
        #expect(throws: CriterionSyntaxError(.jsonPointerBadEscape, text: "/a~2")) { try JSONPointer(parsing: "/a~2") }
        #expect(throws: CriterionSyntaxError(.jsonPointerBadEscape, text: "/a~")) { try JSONPointer(parsing: "/a~") }
        #expect(throws: Never.self) { try JSONPointer(parsing: "") }
    }

    @Test(arguments: [
        "", "{", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "tru", "\"a", "\"\u{01}\"", #""\x""#, #""\u12""#,
        "{} {}", "[1 2]", "{1:2}", "nul",
    ])
    func notJSON(body: String) throws {
        #expect(JSONValueReader.value(at: try JSONPointer(parsing: ""), in: Array(body.utf8)) == .notJSON)
    }

    @Test func aBodyBeyondTheBoundIsNotParsed() throws {
        let large = Array(("{\"a\":\"" + String(repeating: "x", count: JSONValueReader.maximumSize) + "\"}").utf8)
        #expect(JSONValueReader.value(at: try JSONPointer(parsing: "/a"), in: large) == .notJSON)
        let criteria = CaptureCriteria([.json(pointer: try JSONPointer(parsing: "/a"), value: GlobPattern("*"))])
        let subject = MatchSubject(
            method: "POST", target: RequestTarget("/"), headers: HeaderList(), body: large, signature: nil)
        #expect(criteria.evaluate(subject).misses.map(\.code) == [.bodyUnavailable])
    }

    @Test func depthIsBounded() throws {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        let fits = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(!JSONValueReader.isJSON(Array(deep.utf8)))
        #expect(JSONValueReader.isJSON(Array(fits.utf8)))
        // A hostile nesting far past the bound is refused without recursion.
        let hostile = Array(String(repeating: "[", count: 1_000_000).utf8)
        #expect(!JSONValueReader.isJSON(hostile))
    }
}

@Suite struct CriterionParsingTests {
    @Test func headerQueryAndJSONTextsParse() throws {
        #expect(
            try CaptureCriterion.header(parsing: "Stripe-Signature:  t=* ")
                == .header(name: "Stripe-Signature", value: GlobPattern("t=*")))
        #expect(try CaptureCriterion.header(parsing: "X-Empty:") == .header(name: "X-Empty", value: GlobPattern("")))
        #expect(try CaptureCriterion.query(parsing: "mode=test") == .query(name: "mode", value: GlobPattern("test")))
        #expect(try CaptureCriterion.query(parsing: "a=b=c") == .query(name: "a", value: GlobPattern("b=c")))
        #expect(
            try CaptureCriterion.json(parsing: "/type = invoice.*")
                == .json(pointer: try JSONPointer(parsing: "/type"), value: GlobPattern("invoice.*")))
        #expect(
            try CaptureCriterion.json(parsing: "/a=b = x")
                == .json(pointer: try JSONPointer(parsing: "/a=b"), value: GlobPattern("x")))
        #expect(
            try CaptureCriterion.json(parsing: "/id=evt_*")
                == .json(pointer: try JSONPointer(parsing: "/id"), value: GlobPattern("evt_*")))
        #expect(try CaptureCriterion.signature(parsing: "valid") == .signature(.valid))
        #expect(try CaptureCriterion.method(parsing: "POST") == .method("POST"))
        #expect(try CaptureCriterion.json(parsing: "/type = invoice.*").text == "/type = invoice.*")
    }

    @Test(arguments: [
        ("header", "Stripe-Signature", CriterionSyntaxError.Code.headerMissingColon),
        ("header", ": value", .headerNameInvalid), ("header", "Bad Name: x", .headerNameInvalid),
        ("query", "mode", .queryMissingEquals), ("query", "=x", .queryNameEmpty),
        ("json", "/type", .jsonMissingEquals), ("json", "type = x", .jsonPointerNotAbsolute),
        ("json", "/a~x = 1", .jsonPointerBadEscape), ("method", "", .methodInvalid),
        ("method", "PO ST", .methodInvalid), ("signature", "good", .signatureUnknown),
    ])
    func syntaxErrors(kind: String, text: String, code: CriterionSyntaxError.Code) {
        #expect(throws: CriterionSyntaxError(code, text: text)) {
            switch kind {
            case "header": _ = try CaptureCriterion.header(parsing: text)
            case "query": _ = try CaptureCriterion.query(parsing: text)
            case "json": _ = try CaptureCriterion.json(parsing: text)
            case "method": _ = try CaptureCriterion.method(parsing: text)
            default: _ = try CaptureCriterion.signature(parsing: text)
            }
        }
    }

    @Test func queryParametersArePercentDecoded() {
        let query = QueryParameters("a=1&b=x%20y+z&c&a=2&%6Ee=%ZZ&&d=%E2%82%AC")
        #expect(query.values("a") == [Array("1".utf8), Array("2".utf8)])
        #expect(query.values("b") == [Array("x y z".utf8)])
        #expect(query.values("c") == [[]])
        #expect(query.values("ne") == [Array("%ZZ".utf8)])
        #expect(query.values("d") == [Array("€".utf8)])
        #expect(query.values("z").isEmpty)
        #expect(QueryParameters(nil).parameters.isEmpty)
    }
}

@Suite struct CaptureCriteriaTests {
    func subject(
        method: String = "POST", target: String = "/webhooks/stripe?mode=test&n=%41",
        headers: [(String, String)] = [("Stripe-Signature", "t=1,v1=ab"), ("X-Tag", "one"), ("x-tag", "two")],
        body: String? = #"{"type":"invoice.created","id":"evt_1"}"#, signature: SignatureVerdict.Status? = .valid
    ) -> MatchSubject {
        MatchSubject(
            method: method, target: RequestTarget(target), headers: HeaderList(headers),
            body: body.map { Array($0.utf8) },
            signature: signature)
    }

    func criteria(_ texts: [(String, String)]) throws -> CaptureCriteria {
        CaptureCriteria(
            try texts.map { kind, text in
                switch kind {
                case "method": try CaptureCriterion.method(parsing: text)
                case "path": .path(GlobPattern(text))
                case "header": try CaptureCriterion.header(parsing: text)
                case "query": try CaptureCriterion.query(parsing: text)
                case "json": try CaptureCriterion.json(parsing: text)
                default: try CaptureCriterion.signature(parsing: text)
                }
            })
    }

    @Test func everyKeyMatchingMatches() throws {
        let all = try criteria([
            ("method", "POST"), ("path", "/webhooks/*"), ("header", "stripe-signature: t=*"), ("header", "X-Tag: two"),
            ("query", "mode=test"), ("query", "n=A"), ("json", "/type = invoice.*"), ("signature", "valid"),
        ])
        #expect(all.evaluate(subject()).matched)
        #expect(CaptureCriteria().evaluate(subject(body: nil, signature: nil)).matched)
        #expect(all.needsBody)
        #expect(!(try criteria([("method", "POST")])).needsBody)
    }

    @Test func eachMissHasItsCode() throws {
        let cases: [((String, String), MatchSubject, CriterionMiss.Code, String?)] = [
            (("method", "POST"), subject(method: "post"), .methodDiffers, "post"),
            (("path", "/webhooks/github"), subject(), .pathDiffers, "/webhooks/stripe"),
            (("header", "X-Missing: *"), subject(), .headerMissing, nil),
            (("header", "X-Tag: three"), subject(), .headerDiffers, "one"),
            (("query", "other=*"), subject(), .queryMissing, nil),
            (("query", "mode=live"), subject(), .queryDiffers, "test"),
            (("json", "/type = x"), subject(body: "not json"), .jsonNotJSON, nil),
            (("json", "/data/id = x"), subject(), .jsonPointerMissing, nil),
            (("json", "/type = invoice.paid"), subject(), .jsonDiffers, "invoice.created"),
            (("json", "/type = x"), subject(body: nil), .bodyUnavailable, nil),
            (("signature", "valid"), subject(signature: .invalid), .signatureDiffers, "invalid"),
            (("signature", "missing"), subject(signature: nil), .signatureDiffers, "unchecked"),
        ]
        var seen = Set<CriterionMiss.Code>()
        for (key, subject, code, actual) in cases {
            let outcome = try criteria([key]).evaluate(subject)
            #expect(outcome.misses.map(\.code) == [code], "\(key)")
            #expect(outcome.misses.first?.actual == actual, "\(key)")
            #expect(!outcome.matched)
            seen.insert(code)
        }
        #expect(seen == Set(CriterionMiss.Code.allCases))
    }

    @Test func everyFailedKeyIsListedInOrder() throws {
        let outcome = try criteria([("method", "GET"), ("path", "/webhooks/*"), ("json", "/id = evt_2")]).evaluate(
            subject())
        #expect(outcome.misses.map(\.code) == [.methodDiffers, .jsonDiffers])
    }

    @Test func uncheckedMatchesACaptureNoSchemeLookedAt() throws {
        #expect(try criteria([("signature", "unchecked")]).evaluate(subject(signature: nil)).matched)
        #expect(try criteria([("signature", "unchecked")]).evaluate(subject(signature: .unchecked)).matched)
        #expect(!(try criteria([("signature", "unchecked")]).evaluate(subject(signature: .missing)).matched))
    }

    @Test func actualIsBoundedAtAUTF8Boundary() throws {
        let long = String(repeating: "é", count: 150)  // 300 bytes
        let outcome = try criteria([("header", "X-Long: short")]).evaluate(subject(headers: [("X-Long", long)]))
        let miss = try #require(outcome.misses.first)
        #expect(miss.actual == String(repeating: "é", count: 100))
        #expect(miss.actualWasCut)
        #expect(Wording.standard.sentence(miss).hasSuffix("…', wanted short"))
    }

    @Test func aStoredCaptureIsASubject() throws {
        let capture = Capture(
            receivedAt: Timestamp(microsecondsSinceEpoch: 0), remoteAddress: "127.0.0.1:1", method: "POST",
            target: RequestTarget("/a?x=1"), httpVersion: "HTTP/1.1", headers: HeaderList([("A", "b")]),
            body: .inline(Array(#"{"k":"v"}"#.utf8)), bodySHA256: "", rawHead: [], responseStatus: 200,
            signature: SignatureVerdict(scheme: "github", status: .missing))
        let criteria = CaptureCriteria([
            .json(pointer: try JSONPointer(parsing: "/k"), value: GlobPattern("v")), .signature(.missing),
            .query(name: "x", value: GlobPattern("1")),
        ])
        #expect(criteria.evaluate(MatchSubject(capture: capture, body: nil)).matched)
    }
}
