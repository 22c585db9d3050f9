import HookstashCore
import Testing

/// `[[endpoint.rule]]` as the configuration reads it (errors with their line), and rule templates rendered within
/// their bounds, with header values cleaned by bytes.
@Suite struct ResponseRuleTests {
    static func error(_ text: String) -> ConfigurationError? {
        do {
            _ = try ConfigurationFile.parse(text)
            return nil
        } catch {
            return error
        }
    }

    static func request(
        method: String = "POST", target: String = "/hook", headers: [(String, String)] = [], body: String? = nil,
        signature: SignatureStatus? = nil
    ) -> RuleRequest {
        RuleRequest(
            method: method, target: RequestTarget(target), headers: HeaderList(headers),
            body: body.map { Array($0.utf8) }, signature: signature)
    }

    @Test func theIssuesExampleParsesIntoARuleOfItsEndpoint() throws {
        let file = try ConfigurationFile.parse(
            """
            [[endpoint]]
            path = "/webhooks/stripe"
            scheme = "stripe"

            [[endpoint.rule]]
            name = "flaky invoice handler"
            method = "POST"
            path = "/webhooks/stripe/invoices*"
            headers = ["Stripe-Signature: *"]
            query = ["mode=test"]
            json = ["/type = invoice.*"]
            signature = "valid"
            fail_times = 2
            fail_key = "{{json./id}}"
            status = 500
            headers_out = ["Content-Type: application/json", "X-Capture: {{id}}"]
            body = '{"error":"try again","event":"{{json./id}}"}'
            delay_ms = 250
            action = "answer"

            [[endpoint]]
            path = "/other"

            [[endpoint.rule]]
            name = "drop"
            action = "reset"
            """)
        let stripe = try #require(file.endpoint(forPath: "/webhooks/stripe"))
        let rule = try #require(stripe.rules.first)
        #expect(stripe.rules.count == 1)
        #expect(rule.name == "flaky invoice handler")
        #expect(rule.criteria.criteria.count == 6)
        #expect(rule.failTimes == 2)
        #expect(rule.failKey?.parts == [.field(.json(try JSONPointer(parsing: "/id")))])
        #expect(rule.status == 500)
        #expect(rule.headers.map(\.name) == ["Content-Type", "X-Capture"])
        #expect(rule.delay == .milliseconds(250))
        #expect(rule.action == .answer)
        #expect(file.endpoint(forPath: "/other")?.rules.map(\.action) == [.reset])
    }

    @Test(
        arguments: [
            ("[[endpoint.rule]]\nname = \"x\"\n", 1, "must follow the [[endpoint]]"),
            (
                "[[endpoint]]\npath = \"/a\"\n[[endpoint.rule]]\nname = \"x\"\nstatuss = 500\n", 5,
                "unknown key 'statuss'"
            ),
            ("[[endpoint]]\npath = \"/a\"\n[[endpoint.rule]]\nstatus = 500\n", 3, "has no name"),
            ("[[endpoint]]\npath = \"/a\"\n[[endpoint.rule]]\nname = \"x\"\nstatus = 700\n", 5, "status must be"),
            ("[[endpoint]]\npath = \"/a\"\n[[endpoint.rule]]\nname = \"x\"\njson = [\"type = a\"]\n", 5, "json:"),
            ("[[endpoint]]\npath = \"/a\"\n[[endpoint.rule]]\nname = \"x\"\nheaders = [\"NoColon\"]\n", 5, "headers:"),
            ("[[endpoint]]\npath = \"/a\"\n[[endpoint.rule]]\nname = \"x\"\nsignature = \"ok\"\n", 5, "signature:"),
            (
                "[[endpoint]]\npath = \"/a\"\n[[endpoint.rule]]\nname = \"x\"\nbody = \"{{json.id}}\"\n", 5,
                "JSON pointer"
            ),
            (
                "[[endpoint]]\npath = \"/a\"\n[[endpoint.rule]]\nname = \"x\"\nbody = \"{{nope}}\"\n", 5,
                "not a template field"
            ),
            ("[[endpoint]]\npath = \"/a\"\n[[endpoint.rule]]\nname = \"x\"\nbody = \"{{id\"\n", 5, "not closed"),
            (
                "[[endpoint]]\npath = \"/a\"\n[[endpoint.rule]]\nname = \"x\"\nfail_key = \"{{path}}\"\n", 5,
                "needs fail_times"
            ),
            (
                "[[endpoint]]\npath = \"/a\"\n[[endpoint.rule]]\nname = \"x\"\nfail_times = 1\nfail_key = \"{{id}}\"\n",
                6, "{{id}}"
            ),
            ("[[endpoint]]\npath = \"/a\"\n[[endpoint.rule]]\nname = \"x\"\naction = \"drop\"\n", 5, "unknown action"),
            (
                "[[endpoint]]\npath = \"/a\"\n[[endpoint.rule]]\nname = \"x\"\nheaders_out = [\"Content-Length: 1\"]\n",
                5, "computed"
            ),
            (
                "[[endpoint]]\npath = \"/a\"\n[[endpoint.rule]]\nname = \"x\"\n[[endpoint.rule]]\nname = \"x\"\n", 5,
                "already has a rule"
            ),
            ("[[endpoint]]\npath = \"/a\"\n[endpoint.rule]\nname = \"x\"\n", 3, "[[endpoint.rule]]"),
        ])
    func ruleErrorsNameTheirLine(text: String, line: Int, message: String) throws {
        let error = try #require(Self.error(text))
        #expect(error.line == line)
        #expect(error.description.contains(message), "\(error)")
    }

    @Test func rulesBelongToTheLastEndpointBeforeThem() throws {
        let file = try ConfigurationFile.parse(
            """
            [[endpoint]]
            path = "/a"
            [[endpoint.rule]]
            name = "a1"
            [endpoint.response]
            status = 201
            [[endpoint.rule]]
            name = "a2"
            [[endpoint]]
            path = "/b"
            [[endpoint.rule]]
            name = "b1"
            """)
        #expect(file.endpoints.map { $0.rules.map(\.name) } == [["a1", "a2"], ["b1"]])
        #expect(file.endpoints[0].response.status == 201)
    }

    @Test func templatesRenderFieldsAndAbsentFieldsRenderEmpty() throws {
        let template = try ResponseTemplate(
            parsing: "{{id}} {{method}} {{path}} {{query.mode}} {{header.x-token}} {{json./data/id}} [{{query.none}}]")
        let request = Self.request(
            target: "/hook/x?mode=a%20b", headers: [("X-Token", "t1")], body: #"{"data":{"id":"evt_1"}}"#)
        #expect(
            String(decoding: template.render(request, id: 42, limit: 1000), as: UTF8.self)
                == "42 POST /hook/x a b t1 evt_1 []")
        // No body loaded, or not JSON: empty.
        let noBody = Self.request()
        #expect(try ResponseTemplate(parsing: "<{{json./id}}>").render(noBody, id: 1, limit: 100) == Array("<>".utf8))
        let notJSON = Self.request(body: "id=1")
        #expect(try ResponseTemplate(parsing: "<{{json./id}}>").render(notJSON, id: 1, limit: 100) == Array("<>".utf8))
    }

    @Test func renderedBodiesAndHeaderValuesAreCutAtTheirBounds() throws {
        let big = String(repeating: "é", count: 40_000)  // 80,000 bytes
        let request = Self.request(headers: [("X-Big", big)], body: #"{"big":"\#(big)"}"#)
        let rule = ResponseRule(
            name: "big", headers: [.init(name: "X-Echo", value: try ResponseTemplate(parsing: "{{header.X-Big}}"))],
            body: try ResponseTemplate(parsing: "{{json./big}}{{json./big}}{{id}}"))
        let response = rule.answer(to: request).response(id: 7)
        #expect(response.body.count == ResponseRule.maximumBodySize)
        let value = try #require(response.headers.first("X-Echo"))
        #expect(value.utf8.count <= ResponseRule.maximumHeaderValueSize)
        #expect(value.utf8.count >= ResponseRule.maximumHeaderValueSize - 3)
        // The cut fell inside a two-byte character: that character is dropped, not sent as U+FFFD.
        #expect(value.unicodeScalars.allSatisfy { $0 == "é" })
    }

    @Test func headerValuesFromRequestDataCannotBreakTheLine() throws {
        let rule = ResponseRule(
            name: "echo",
            headers: [
                .init(name: "X-Json", value: try ResponseTemplate(parsing: "{{json./c}}")),
                .init(name: "X-Query", value: try ResponseTemplate(parsing: "{{query.q}}")),
            ])
        let request = Self.request(
            target: "/hook?q=a%0D%0ASet-Cookie:%20x=1%00%7F", body: #"{"c":"b\r\nSet-Cookie: y=2\u0000\t."}"#)
        let headers = rule.answer(to: request).response(id: 1).headers
        #expect(headers.first("X-Json") == "bSet-Cookie: y=2\t.")
        #expect(headers.first("X-Query") == "aSet-Cookie: x=1")
        for field in headers {
            #expect(!field.value.utf8.contains { $0 < 0x20 && $0 != 0x09 || $0 == 0x7F })
        }
    }

    @Test func candidatesStopAtTheFirstRuleThatAlwaysAnswers() throws {
        let rules = [
            ResponseRule(
                name: "flaky", criteria: CaptureCriteria([try .json(parsing: "/type = invoice.*")]), failTimes: 2,
                failKey: try ResponseTemplate(parsing: "{{json./id}}"), status: 500),
            ResponseRule(name: "signed", criteria: CaptureCriteria([.signature(.valid)]), status: 202),
            ResponseRule(name: "never reached", status: 418),
        ]
        let invoice = Self.request(body: #"{"id":"evt_1","type":"invoice.paid"}"#, signature: .valid)
        let candidates = rules.candidates(for: invoice)
        #expect(candidates.map(\.answer.ruleName) == ["flaky", "signed"])
        #expect(candidates[0].counter?.limit == 2)
        #expect(candidates[1].counter == nil)
        let other = Self.request(body: #"{"id":"evt_2","type":"invoice.paid"}"#, signature: .valid)
        #expect(rules.candidates(for: other)[0].counter?.key != candidates[0].counter?.key)
        #expect(rules.candidates(for: Self.request(signature: .invalid)).map(\.answer.ruleName) == ["never reached"])
        // A key with a NUL (SQLite text would end there) is stored as its digest; so is a long key.
        let withNUL = Self.request(body: #"{"id":"a\u0000b","type":"invoice.x"}"#)
        let withOtherNUL = Self.request(body: #"{"id":"a\u0000c","type":"invoice.x"}"#)
        let nulKey = try #require(rules.candidates(for: withNUL).first?.counter?.key)
        #expect(nulKey.hasPrefix("sha256:"))
        #expect(nulKey != rules.candidates(for: withOtherNUL).first?.counter?.key)
        let long = Self.request(body: #"{"id":"\#(String(repeating: "k", count: 5000))","type":"invoice.x"}"#)
        let key = try #require(rules.candidates(for: long).first?.counter?.key)
        #expect(key.utf8.count <= ResponseRule.maximumKeySize)
        #expect(key.hasPrefix("sha256:"))
    }
}
