import Foundation
import HookstashCore
import Testing

/// The one presentation layer: every code has a sentence, settings are named as the caller's wording says, and
/// JSON carries each code beside its sentence.
@Suite struct WordingTests {
    @Test func everyCodeIsSnakeCaseAndUnique() {
        let codes = SignatureFinding.Code.allCases.map(\.rawValue) + CaptureProblem.Code.allCases.map(\.rawValue)
        #expect(Set(SignatureFinding.Code.allCases.map(\.rawValue)).count == SignatureFinding.Code.allCases.count)
        #expect(Set(CaptureProblem.Code.allCases.map(\.rawValue)).count == CaptureProblem.Code.allCases.count)
        for code in codes {
            #expect(
                code.utf8.allSatisfy { (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5f },
                "\(code)")
        }
    }

    @Test func everyCodeHasASentenceWithoutFlagNames() {
        for code in SignatureFinding.Code.allCases where code != .recordedText {
            let sentence = Wording.standard.sentence(SignatureFinding(code))
            #expect(!sentence.isEmpty, "\(code)")
            #expect(!sentence.contains("--"), "\(code): \(sentence)")
        }
        for code in CaptureProblem.Code.allCases where code != .recordedText {
            let sentence = Wording.standard.sentence(CaptureProblem(code, limit: 10, announced: 20, milliseconds: 1500))
            #expect(!sentence.isEmpty, "\(code)")
            #expect(!sentence.contains("--"), "\(code): \(sentence)")
        }
    }

    @Test func everyMatchMissAndMatchSyntaxErrorHasASentence() throws {
        let criteria: [CriterionMiss.Code: CaptureCriterion] = [
            .methodDiffers: .method("POST"), .pathDiffers: .path(GlobPattern("/a/*")),
            .headerMissing: .header(name: "X-A", value: GlobPattern("b*")),
            .headerDiffers: .header(name: "X-A", value: GlobPattern("b*")),
            .queryMissing: .query(name: "mode", value: GlobPattern("test")),
            .queryDiffers: .query(name: "mode", value: GlobPattern("test")),
            .jsonNotJSON: .json(pointer: try JSONPointer(parsing: "/type"), value: GlobPattern("invoice.*")),
            .jsonPointerMissing: .json(pointer: try JSONPointer(parsing: "/type"), value: GlobPattern("invoice.*")),
            .jsonDiffers: .json(pointer: try JSONPointer(parsing: "/type"), value: GlobPattern("invoice.*")),
            .bodyUnavailable: .json(pointer: try JSONPointer(parsing: "/type"), value: GlobPattern("invoice.*")),
            .signatureDiffers: .signature(.valid),
        ]
        for code in CriterionMiss.Code.allCases {
            let criterion = try #require(criteria[code], "\(code)")
            let sentence = Wording.standard.sentence(CriterionMiss(code: code, criterion: criterion, actual: "x"))
            #expect(!sentence.isEmpty && !sentence.contains("--") && !sentence.hasPrefix(code.rawValue), "\(code)")
        }
        let miss = CriterionMiss(
            code: .jsonDiffers, criterion: try #require(criteria[.jsonDiffers]), actual: "invoice.created")
        #expect(Wording.standard.sentence(miss) == "/type is 'invoice.created', wanted invoice.*")
        for code in CriterionSyntaxError.Code.allCases {
            let sentence = Wording.standard.sentence(CriterionSyntaxError(code, text: "x"))
            #expect(sentence.hasPrefix("'x' ") && !sentence.contains("--"), "\(code)")
        }
        let codes = CriterionMiss.Code.allCases.map(\.rawValue) + CriterionSyntaxError.Code.allCases.map(\.rawValue)
        for code in codes {
            #expect(code.utf8.allSatisfy { (0x61...0x7a).contains($0) || $0 == 0x5f }, "\(code)")
        }
    }

    @Test func settingsAreNamedByTheCallersWording() {
        let flags = Wording { setting in
            switch setting {
            case .publicURL: "--public-url"
            case .scheme(let name): "--scheme \(name)"
            case .maxBodySize: "--max-body-size"
            case .replayHeaders: "--header"
            case .resignScheme: "--scheme"
            case .signingSecret: "--secret"
            }
        }
        let problem = CaptureProblem(.bodyTooLarge, limit: 1000, announced: 5000)
        #expect(
            Wording.standard.sentence(problem)
                == "the body (5000 bytes announced) exceeds the body size limit (1000 bytes)")
        #expect(flags.sentence(problem) == "the body (5000 bytes announced) exceeds --max-body-size (1000 bytes)")
        var algorithm = SignatureFinding(.algorithmMismatch)
        algorithm.provider = "Front"
        algorithm.algorithm = .sha256
        algorithm.expectedAlgorithm = .sha1
        algorithm.suggestedScheme = "front-app"
        #expect(flags.sentence(algorithm).hasSuffix("(Front application webhooks use SHA-256: try --scheme front-app)"))
        #expect(Wording.standard.sentence(algorithm).hasSuffix(#"try scheme = "front-app")"#))
    }

    @Test func resignProblemsNameTheSettingThatSuppliesWhatIsMissing() {
        let flags = Wording { setting in
            switch setting {
            case .resignScheme: "--scheme"
            case .signingSecret: "--secret"
            default: "other"
            }
        }
        let noScheme = ResignProblem(.schemeUnknown, captureID: 7)
        #expect(
            flags.sentence(noScheme)
                == "capture 7 carries no signature header hookstash recognises; name the scheme with --scheme")
        #expect(!Wording.standard.sentence(noScheme).contains("--"))
        #expect(
            Wording.standard.sentence(noScheme).hasSuffix(
                #"name the scheme with scheme = "…" on the endpoint in the config"#))
        let noSecret = ResignProblem(.secretMissing, captureID: 7, path: "/webhooks")
        #expect(flags.sentence(noSecret) == "no signing secret is configured for /webhooks; give --secret to re-sign")
        #expect(!Wording.standard.sentence(noSecret).contains("--"))
        #expect(Set(ResignProblem.Code.allCases.map(\.rawValue)).count == ResignProblem.Code.allCases.count)
    }

    @Test func verdictJSONCarriesEachCodeBesideItsSentenceAndReadsBack() throws {
        var finding = SignatureFinding(.bodyTrailingNewlineAdded)
        finding.provider = "GitHub"
        finding.written = SignatureFinding.Written(encoding: "base64", prefix: "sha256=")
        finding.expectedWritten = SignatureFinding.Written(encoding: "hex", prefix: "sha256=")
        var warning = SignatureFinding(.timestampOutsideTolerance)
        warning.skewSeconds = -3 * 3600
        let verdict = SignatureVerdict(
            scheme: "github", status: .invalid, header: "X-Hub-Signature-256", diagnosis: [finding],
            warnings: [warning])
        let data = try JSONEncoder().encode(verdict)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let sentence = Wording.standard.sentence(finding)
        #expect(sentence.hasSuffix("(and the value is written as base64 where GitHub writes hex)"))
        #expect(object["diagnosis"] as? [String] == [sentence])
        let stated = try #require((object["diagnosis_findings"] as? [[String: Any]])?.first)
        #expect(stated["code"] as? String == "body_trailing_newline_added")
        #expect(stated["message"] as? String == sentence)
        #expect((stated["written"] as? [String: String])?["encoding"] == "base64")
        let warned = try #require((object["warning_findings"] as? [[String: Any]])?.first)
        #expect(warned["code"] as? String == "timestamp_outside_tolerance")
        #expect(warned["skew_seconds"] as? Double == -10800)
        #expect(try JSONDecoder().decode(SignatureVerdict.self, from: data) == verdict)
    }

    @Test func aVerdictStoredAsSentencesReadsBackAsRecordedText() throws {
        let json = #"{"scheme":"front","status":"invalid","diagnosis":["an old sentence"],"warnings":[]}"#
        let verdict = try JSONDecoder().decode(SignatureVerdict.self, from: Data(json.utf8))
        #expect(verdict.diagnosis == [.recorded("an old sentence")])
        #expect(verdict.diagnosis.map(\.code) == [.recordedText])
        #expect(Wording.standard.sentence(verdict.diagnosis[0]) == "an old sentence")
    }

    @Test func problemJSONTextDecodesToTheSameProblem() throws {
        for problem in [
            CaptureProblem(.bodyTooLarge, limit: 1000, announced: 5000),
            CaptureProblem(.headTimedOut, milliseconds: 300),
            CaptureProblem(.connectionClosed), .recorded("an \"old\"\nsentence"),
        ] {
            #expect(try JSONDecoder().decode(CaptureProblem.self, from: Data(problem.jsonText.utf8)) == problem)
        }
    }
}
