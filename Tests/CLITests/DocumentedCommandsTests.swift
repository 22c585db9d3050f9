import Foundation
import Testing

/// Runs every command of the README's tour and of `Examples/` as written, against a real `hookstash serve`, so that
/// none of them can drift from what the binary does. The rules (docs/development.md, "Documented commands"):
///
/// - ```` ```console ```` blocks are run in order, one Markdown file at a time, in a fresh temporary directory holding
///   a copy of `Examples/`, with the built `hookstash` first on `PATH` and `HOOKSTASH_DB` set to a fresh store;
/// - `$ ` starts a command, a line ending in `\` continues it; the lines after it are its output, each of which must
///   appear, in order, in what it printed (runs of digits and of spaces compared loosely; a line ending in `…`
///   matches a line it begins);
/// - a command exits 0, or the status its `# exits N` comment names;
/// - a command ending in `&` is a service started in the background on free ports; the documented ports (8080
///   capture, 4040 inspector, 3000 the example receiver) are replaced by the real ones in later commands and in the
///   copy of `Examples/`.
@Suite struct DocumentedCommandsTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The README and every Markdown file under `Examples/`, relative to the repository.
    static var documents: [String] {
        var found = ["README.md"]
        let examples = repository.appendingPathComponent("Examples")
        let walker = FileManager.default.enumerator(atPath: examples.path)
        while let path = walker?.nextObject() as? String {
            if path.hasSuffix(".md") { found.append("Examples/" + path) }
        }
        return found.sorted()
    }

    @Test func theReadmeTourAndTheExamplesAreFound() throws {
        let documents = Self.documents
        #expect(documents.contains("README.md"))
        #expect(documents.contains("Examples/README.md"))
        #expect(documents.contains("Examples/front/README.md"))
        let tour = try DocumentedSteps.parse(try Self.text("README.md"))
        // The tour: serve, capture, list, show, sign, save, send, verify, replay, list, the inspector's API.
        #expect(tour.count >= 11)
        #expect(tour.contains { $0.background && $0.command.hasPrefix("hookstash serve") })
        #expect(tour.contains { $0.command.hasPrefix("hookstash verify") && $0.expectedStatus == 1 })
        #expect(tour.contains { $0.command.hasPrefix("hookstash replay") })
        #expect(tour.contains { $0.command.contains(":4040/") })
        let examples = try DocumentedSteps.parse(try Self.text("Examples/README.md"))
        #expect(examples.contains { $0.background && $0.command.contains("--config Examples/hookstash.toml") })
        #expect(examples.contains { $0.background && $0.command.contains("Examples/receiver/front_receiver.py") })
    }

    @Test(arguments: documents)
    func documentedCommandsRunAsWritten(_ document: String) throws {
        let steps = try DocumentedSteps.parse(try Self.text(document))
        try #require(!steps.isEmpty, "\(document) has no console block")
        let session = try DocumentSession(repository: Self.repository)
        defer { session.stop() }
        for step in steps {
            let result = try session.run(step)
            let printed = "\(step.command)\nprinted:\n\(result.output)"
            #expect(result.status == step.expectedStatus, "\(document): exit status of \(printed)")
            if let missing = OutputMatch.firstMissing(documented: step.output, printed: result.output) {
                Issue.record("\(document): '\(missing)' is not in what this printed: \(printed)")
            }
        }
    }

    // The rules themselves, so that a drifted document cannot pass.

    @Test func commandsOutputStatusesAndServicesAreParsed() throws {
        let text = """
            Some prose.

            ```console
            $ hookstash sign --scheme front \\
                --secret s --body -
            X-Front-Signature: abc
            $ hookstash verify 2 --scheme front   # exits 1: not valid
            signature: invalid
            $ hookstash serve --quiet &
            ```

            ```sh
            hookstash not-run
            ```
            """
        let steps = try DocumentedSteps.parse(text)
        #expect(steps.count == 3)
        #expect(steps[0].command == "hookstash sign --scheme front --secret s --body -")
        #expect(steps[0].output == ["X-Front-Signature: abc"])
        #expect(steps[0].expectedStatus == 0)
        #expect(steps[1].expectedStatus == 1)
        #expect(steps[1].output == ["signature: invalid"])
        #expect(steps[2].background)
        #expect(steps[2].command == "hookstash serve --quiet")
    }

    @Test func outputIsComparedLooselyOnlyInDigitsAndSpaces() {
        let printed = "ID  TIME\n12   2026-12-01 02:31:50.682  POST  /a  18 B  missing  -\nsignature: valid (front)\n"
        #expect(
            OutputMatch.firstMissing(documented: ["1 2026-11-29 10:00:00.123 POST /a 7 B missing -"], printed: printed)
                == nil)
        #expect(OutputMatch.firstMissing(documented: ["signature: valid (front)"], printed: printed) == nil)
        #expect(OutputMatch.firstMissing(documented: ["signature: val…"], printed: printed) == nil)
        #expect(OutputMatch.firstMissing(documented: ["signature: invalid (front)"], printed: printed) != nil)
        #expect(
            OutputMatch.firstMissing(documented: ["1 2026-11-29 10:00:00.123 POST /b 7 B missing -"], printed: printed)
                != nil)
        // In order: a line documented after another must be printed after it.
        #expect(
            OutputMatch.firstMissing(documented: ["signature: valid (front)", "ID TIME"], printed: printed) == "ID TIME"
        )
    }

    static func text(_ document: String) throws -> String {
        try String(contentsOf: repository.appendingPathComponent(document), encoding: .utf8)
    }
}

/// One documented command, its output and how it must end.
struct DocumentedStep: Sendable {
    var command: String
    var output: [String] = []
    var expectedStatus: Int32 = 0
    /// Started in the background (`&`), left running until the document ends.
    var background: Bool = false
}

enum DocumentedSteps {
    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    /// The steps of every ```` ```console ```` block, in order.
    static func parse(_ markdown: String) throws -> [DocumentedStep] {
        var steps: [DocumentedStep] = []
        var inConsole = false
        var inOtherFence = false
        var continuing = false
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                if inConsole || inOtherFence {
                    if continuing { throw ParseError(description: "a console block ends inside a command: \(line)") }
                    inConsole = false
                    inOtherFence = false
                } else if trimmed == "```console" {
                    inConsole = true
                } else {
                    inOtherFence = true
                }
                continue
            }
            guard inConsole else { continue }
            if continuing {
                steps[steps.count - 1].command += " " + trimmed
            } else if line.hasPrefix("$ ") {
                steps.append(DocumentedStep(command: String(line.dropFirst(2))))
            } else {
                guard !steps.isEmpty else { throw ParseError(description: "output before any command: \(line)") }
                if !trimmed.isEmpty { steps[steps.count - 1].output.append(line) }
                continue
            }
            continuing = steps[steps.count - 1].command.hasSuffix("\\")
            if continuing {
                steps[steps.count - 1].command.removeLast()
                steps[steps.count - 1].command = steps[steps.count - 1].command
                    .trimmingCharacters(in: .whitespaces)
            } else {
                finish(&steps[steps.count - 1])
            }
        }
        if inConsole { throw ParseError(description: "a console block is not closed") }
        return steps
    }

    private static func finish(_ step: inout DocumentedStep) {
        if let range = step.command.range(of: #"#\s*exits\s+(\d+)"#, options: .regularExpression) {
            step.expectedStatus = Int32(step.command[range].split(separator: " ").last.flatMap { Int32($0) } ?? 0)
        }
        var command = step.command.trimmingCharacters(in: .whitespaces)
        if command.hasSuffix("&") && !command.hasSuffix("&&") {
            command.removeLast()
            step.background = true
        }
        step.command = command.trimmingCharacters(in: .whitespaces)
    }
}

enum OutputMatch {
    /// The first documented line that is not printed, in order, or nil when all are. Digit runs and space runs
    /// compare loosely (times, ids, ports, durations, column widths); a documented line ending in `…` matches a
    /// printed line it begins.
    static func firstMissing(documented: [String], printed: String) -> String? {
        let lines = printed.split(separator: "\n", omittingEmptySubsequences: true).map { normalize(String($0)) }
        var next = lines.startIndex
        for line in documented {
            var wanted = normalize(line)
            let prefix = wanted.hasSuffix("…")
            if prefix { wanted = String(wanted.dropLast()).trimmingCharacters(in: .whitespaces) }
            guard let found = lines[next...].firstIndex(where: { prefix ? $0.hasPrefix(wanted) : $0 == wanted }) else {
                return line
            }
            next = found + 1
        }
        return nil
    }

    static func normalize(_ line: String) -> String {
        line.replacingOccurrences(of: #"[0-9]+"#, with: "0", options: .regularExpression)
            .replacingOccurrences(of: #"\s+"#, with: " ", options: .regularExpression)
            .trimmingCharacters(in: .whitespaces)
    }
}

/// One document's run: a temporary directory with a copy of `Examples/`, a fresh store, the background services and
/// the ports they really listen on.
final class DocumentSession {
    /// Documented port → the label of the line on which the service prints its real address.
    static let documentedPorts: [(port: String, label: String)] = [
        ("8080", "capture:"), ("4040", "inspector:"), ("3000", "listening on"),
    ]

    let directory: TemporaryDirectory
    let environment: [String: String]
    private var services: [Process] = []
    private var ports: [String: String] = [:]
    private var logs = 0

    init(repository: URL) throws {
        directory = try TemporaryDirectory()
        try FileManager.default.copyItem(
            at: repository.appendingPathComponent("Examples"),
            to: URL(fileURLWithPath: directory.file("Examples")))
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] =
            HookstashProcess.executable.deletingLastPathComponent().path + ":"
            + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["HOOKSTASH_DB"] = directory.file("hookstash.sqlite")
        environment["HOOKSTASH_TOKEN"] = nil
        environment["HOME"] = directory.path
        environment["XDG_DATA_HOME"] = directory.file("data")
        self.environment = environment
    }

    struct Result {
        var status: Int32
        var output: String
    }

    func run(_ step: DocumentedStep) throws -> Result {
        var command = step.command
        for (documented, real) in ports {
            command = command.replacingOccurrences(of: ":" + documented, with: ":" + real)
        }
        return step.background ? try start(command) : try runToEnd(command)
    }

    /// Runs a foreground command with bash, stdin closed, for at most 60 s. Output goes to a file, not a pipe: a
    /// service another test starts meanwhile inherits open descriptors, and a pipe it holds would never end.
    private func runToEnd(_ command: String) throws -> Result {
        let log = nextLog()
        let process = bash("set -o pipefail\n" + command, prefix: ["/usr/bin/timeout", "60"], log: log)
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: try String(contentsOfFile: log, encoding: .utf8))
    }

    /// Starts a service on free ports and waits until it prints where it listens.
    private func start(_ documented: String) throws -> Result {
        var command = documented.replacingOccurrences(
            of: #"(?<![0-9])(8080|4040|3000)(?![0-9])"#, with: "0", options: .regularExpression)
        let isServe = command.contains("hookstash serve")
        if isServe {
            if !command.contains("--listen") { command += " --listen 127.0.0.1:0" }
            if !command.contains("--inspect") { command += " --inspect 127.0.0.1:0" }
        }
        let log = nextLog()
        let process = bash("exec env " + command + " 2>" + log + ".stderr", log: log)
        try process.run()
        services.append(process)
        let last = isServe ? "inspector:" : "listening on"
        var printed = ""
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            printed = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let line = printed.range(of: last), printed[line.upperBound...].contains("\n") { break }
            if !process.isRunning { break }
            usleep(20_000)
        }
        for (port, label) in Self.documentedPorts {
            guard
                let range = printed.range(
                    of: label + #"\s+http://127\.0\.0\.1:[0-9]+/"#, options: .regularExpression),
                let real = printed[range].split(separator: ":").last?.dropLast()
            else { continue }
            ports[port] = String(real)
            try rewriteExamples(port: port, to: String(real))
        }
        guard process.isRunning else {
            process.waitUntilExit()
            let reason = (try? String(contentsOfFile: log + ".stderr", encoding: .utf8)) ?? ""
            return Result(status: process.terminationStatus, output: printed + reason)
        }
        return Result(status: 0, output: printed)
    }

    private func nextLog() -> String {
        logs += 1
        return directory.file("step-\(logs).log")
    }

    /// Points the copy of `Examples/` (a forward target in the configuration, say) at the port really used.
    private func rewriteExamples(port: String, to real: String) throws {
        let root = directory.file("Examples")
        let walker = FileManager.default.enumerator(atPath: root)
        while let path = walker?.nextObject() as? String {
            let file = root + "/" + path
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            let rewritten = text.replacingOccurrences(of: "127.0.0.1:" + port, with: "127.0.0.1:" + real)
                .replacingOccurrences(of: "localhost:" + port, with: "localhost:" + real)
            if rewritten != text { try rewritten.write(toFile: file, atomically: true, encoding: .utf8) }
        }
    }

    /// bash running `script` in the session's directory, stdout and stderr to `log`.
    private func bash(_ script: String, prefix: [String] = [], log: String) -> Process {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        let arguments = prefix + ["/bin/bash", "-c", script]
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: directory.path)
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let output = FileHandle(forWritingAtPath: log)
        process.standardOutput = output
        process.standardError = output
        return process
    }

    /// Stops the services, newest first: SIGTERM, then SIGKILL after 5 s (a child may inherit SIGTERM blocked).
    func stop() {
        for process in services.reversed() where process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning, Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        services = []
    }

    deinit { stop() }
}
