import Foundation
import HookstashTestSupport
import Testing

/// `Examples/ci/run.sh`, the CI recipe of docs/cli.md, run as a CI job would with the built binary: exit 0 when the
/// signed webhook arrives, 1 with the near miss when the sender does not sign.
@Suite struct CIRecipeTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/ci/run.sh").path

    func run(environment: [String: String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [Self.script]
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["HOOKSTASH": HookstashProcess.executable.path].merging(environment) { $1 }
        ) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let errors = PendingRead(err.fileHandleForReading)
        let stdout = try await out.fileHandleForReading.dataToEnd()
        let stderr = try await offThePool { errors.wait() }
        let status = try await process.exitStatus()
        return (status, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    @Test func theSignedWebhookArrives() async throws {
        let result = try await run(environment: [:])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("/webhooks/stripe"))
        #expect(result.stdout.contains("valid"))
    }

    @Test func anUnsignedSenderFailsTheJobWithTheNearMiss() async throws {
        let directory = try TemporaryDirectory()
        let sender = directory.file("send-unsigned.sh")
        try Data(
            """
            #!/bin/sh
            set -eu
            curl --silent --show-error --fail --output /dev/null -H 'Content-Type: application/json' \\
                --data-binary '{"id":"evt_ci_2","type":"invoice.paid"}' "$1"

            """.utf8
        ).write(to: URL(fileURLWithPath: sender))
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: sender)
        let result = try await run(environment: ["SENDER": sender])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no match within 10s: 1 capture arrived, 0 matched"), "\(result.stderr)")
        #expect(result.stderr.contains("  capture 1: signature is missing, wanted valid"), "\(result.stderr)")
    }
}
