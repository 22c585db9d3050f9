import ArgumentParser
import Foundation

/// `--secret` (repeatable) and `--secret-env NAME`, shared by `verify` and `sign`.
struct SecretOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Signing secret; repeat for a rotation.", valueName: "secret"))
    var secret: [String] = []

    @Option(
        name: .customLong("secret-env"),
        help: ArgumentHelp("Read a signing secret from this environment variable; repeatable.", valueName: "name"))
    var secretEnv: [String] = []

    /// The secrets in order: literal ones, then those from the environment.
    func resolved() throws -> [String] {
        var secrets = secret
        for name in secretEnv {
            guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
                throw ValidationError("--secret-env \(name): the variable is not set or empty.")
            }
            secrets.append(value)
        }
        return secrets
    }
}

/// Reads a whole file, `-` meaning standard input.
func readInput(_ path: String) throws -> [UInt8] {
    if path == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CommandFailure("cannot read \(path).")
    }
    return Array(data)
}

/// A failure already explained in one sentence: printed to stderr, exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body`; any error becomes one line on stderr and exit status 1 (ArgumentParser's own errors pass through).
func reportingFailures(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ValidationError {
        throw error
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("hookstash: \(error)\n".utf8))
        throw ExitCode.failure
    }
}
