import Foundation
import HookstashCore
import Testing

/// The configuration file (TOML) as `HookstashCore` reads it: values, errors with their line, endpoint matching.
@Suite struct ConfigurationFileTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func error(_ text: String, environment: [String: String] = [:]) -> ConfigurationError? {
        do {
            _ = try ConfigurationFile.parse(text) { environment[$0] }
            return nil
        } catch {
            return error
        }
    }

    @Test func examplesFileLoadsWithAFrontEndpoint() throws {
        let path = Self.packageRoot.appendingPathComponent("Examples/hookstash.toml").path
        let file = try ConfigurationFile.parse(try String(contentsOfFile: path, encoding: .utf8))
        #expect(file.endpoints.count == 3)
        let front = try #require(file.endpoint(forPath: "/webhooks/front"))
        #expect(front.scheme == "front")
        #expect(front.secrets == ["front_example_secret"])
        #expect(front.response.status == 200)
        #expect(front.response.headers.first("Content-Type") == "application/json")
        #expect(front.response.body == Array(#"{"ok":true}"#.utf8))
        #expect(front.rules.map(\.name) == ["simulated failure"])
        #expect(front.rules.first?.failTimes == 2)

        let app = try #require(file.endpoint(forPath: "/webhooks/front/app/sync?x=1"))
        #expect(app.name == "front-app")
        #expect(app.secrets.count == 2)
        #expect(app.forward == "http://127.0.0.1:3000/front")

        let twilio = try #require(file.endpoint(forPath: "/twilio"))
        #expect(twilio.secrets == ["twilio_example_auth_token"])
        #expect(twilio.publicURL == "https://example.ngrok.app")
        #expect(String(decoding: twilio.response.body, as: UTF8.self).hasPrefix("<?xml version=\"1.0\""))
        #expect(!"\(twilio)".contains("twilio_example_auth_token"))
        #expect(!String(reflecting: twilio).contains("twilio_example_auth_token"))
    }

    @Test func longestPrefixAtASegmentBoundaryWins() throws {
        let file = try ConfigurationFile.parse(
            """
            [[endpoint]]
            path = "/"
            [[endpoint]]
            path = "/hooks"
            [[endpoint]]
            path = "/hooks/front"
            """)
        #expect(file.endpoint(forPath: "/hooks/front/x")?.pathPrefix == "/hooks/front")
        #expect(file.endpoint(forPath: "/hooks/frontier")?.pathPrefix == "/hooks")
        #expect(file.endpoint(forPath: "/hooks?x=1")?.pathPrefix == "/hooks")
        #expect(file.endpoint(forPath: "/other")?.pathPrefix == "/")
        #expect(try ConfigurationFile.parse("").endpoint(forPath: "/x") == nil)
    }

    @Test func tomlValuesAndComments() throws {
        let file = try ConfigurationFile.parse(
            #"""
            # comment line
            [[endpoint]]   # trailing comment
            "path" = "/a\tb\u00e9\"q\\"   # basic string with escapes
            secrets = [
                'C:\raw\path',   # literal string
                "two",           # trailing comma allowed
            ]
            secret_env = ["A", "B"]
            [endpoint.response]
            status = 2_02
            body = """
            line one
            line \
                two"""
            delay_ms = 0
            """#, environment: { ["A": "from-a", "B": "from-b"][$0] })
        let endpoint = try #require(file.endpoints.first)
        #expect(endpoint.pathPrefix == "/a\tbé\"q\\")
        #expect(endpoint.secrets == [#"C:\raw\path"#, "two", "from-a", "from-b"])
        #expect(endpoint.response.status == 202)
        #expect(endpoint.response.body == Array("line one\nline two".utf8))
    }

    @Test func unknownKeyNamesItsLine() throws {
        let error = try #require(
            Self.error(
                """
                [[endpoint]]
                path = "/front"
                secert = "typo"
                """))
        #expect(error.isUnknownKey)
        #expect(error.line == 3)
        #expect(error.description.hasPrefix("line 3: unknown key 'secert' in [[endpoint]]"))
    }

    @Test func unknownKeyInResponseAndUnknownTable() throws {
        let response = try #require(
            Self.error("[[endpoint]]\npath = \"/a\"\n[endpoint.response]\nstatus = 200\ncolour = 1\n"))
        #expect(response.line == 5)
        #expect(response.isUnknownKey)
        #expect(response.message.contains("'colour' in [endpoint.response]"))

        let table = try #require(Self.error("\n[server]\nlisten = \"x\"\n"))
        #expect(table.line == 2)
        #expect(
            table.message == "unknown table [server]; expected [[endpoint]], [endpoint.response] or [[endpoint.rule]]")

        let topLevel = try #require(Self.error("scheme = \"front\"\n"))
        #expect(topLevel.line == 1)
        #expect(topLevel.isUnknownKey)
    }

    @Test(arguments: [
        ("[[endpoint]]\npath = \"/a\"\nscheme = \"frnot\"\n", 3, "unknown scheme 'frnot'"),
        ("[[endpoint]]\npath = \"a\"\n", 2, "path must start with '/'"),
        ("[[endpoint]]\nscheme = \"front\"\n", 1, "this [[endpoint]] has no path"),
        ("[[endpoint]]\npath = \"/a\"\n[endpoint.response]\nstatus = 42\n", 4, "status must be an HTTP status"),
        (
            "[[endpoint]]\npath = \"/a\"\n[endpoint.response]\nstatus = \"200\"\n", 4,
            "status must be an integer, got a string"
        ),
        ("[[endpoint]]\npath = \"/a\"\nsecrets = \"one\"\n", 3, "secrets must be an array of strings, got a string"),
        ("[[endpoint]]\npath = \"/a\"\nsecrets = [1]\n", 3, "it holds an integer"),
        (
            "[[endpoint]]\npath = \"/a\"\nforward = \"localhost:3000\"\n", 3,
            "forward must be an http:// or https:// URL"
        ),
        (
            "[[endpoint]]\npath = \"/a\"\nsecret_env = \"UNSET_VAR\"\n", 3,
            "secret_env names UNSET_VAR, which is not set"
        ),
        ("[[endpoint]]\npath = \"/a\"\n[endpoint.response]\nheaders = [\"NoColon\"]\n", 4, "'Name: value'"),
        ("[[endpoint]]\npath = \"/a\"\n[[endpoint]]\npath = \"/a\"\n", 3, "already used by endpoint #1"),
        ("[[endpoint]]\npath = \"/a\"\npath = \"/b\"\n", 3, "the key 'path' is set twice"),
        ("[[endpoint]]\npath = \"/a\n", 2, "not closed"),
        ("[[endpoint]]\npath = /a\n", 2, "strings need quotes"),
        ("[[endpoint]]\npath = \"/a\" extra\n", 2, "expected the end of the line"),
        ("[[endpoint]\npath = \"/a\"\n", 1, "expected ']]'"),
        ("[[endpoint]]\npath = \"/a\"\n[endpoint.response]\ndelay_ms = 1.5\n", 4, "float"),
        ("[[endpoint]]\npath = \"/a\"\nname = { a = 1 }\n", 3, "inline tables are not supported"),
        ("[[endpoint]]\npath = \"\\q\"\n", 2, "not an escape"),
        ("[endpoint.response]\nstatus = 200\n", 1, "must follow the [[endpoint]]"),
        ("[[endpoint]]\npath = \"/a\"\nsecrets = [\"a\",\n\"b\"\n", 3, "not closed with ']'"),
    ])
    func badValuesNameTheirLine(_ text: String, _ line: Int, _ words: String) throws {
        let error = try #require(Self.error(text))
        #expect(error.line == line, "\(error)")
        #expect(error.description.contains(words), "\(error)")
        #expect(error.description.hasPrefix("line \(line): "))
    }
}
