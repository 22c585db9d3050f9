import Foundation
import HookstashTestSupport
import Testing

/// Inputs that used to trap the process (overflow, stack, libcrypto failures) or cost memory far beyond their size:
/// each is refused or handled with a clear message, and the process goes on.
@Suite struct BoundsEndToEndTests {
    @Test func hugeDurationsAreRefusedWithAClearError() async throws {
        let directory = try TemporaryDirectory()
        let database = try await DeliveryGuardEndToEndTests.store(in: directory)
        let list = try await HookstashProcess.run(["list", "--since", "99999999999999w", "--db", database])
        #expect(list.status == 2)
        #expect(
            list.stderr.contains(
                "'99999999999999w' is invalid for '--since <duration>': longer than hookstash handles"),
            "\(list.stderr)")
        let replay = try await HookstashProcess.run(
            ["replay", "--since", "99999999999999999999d", "--to", "http://127.0.0.1:9/", "--db", database])
        #expect(replay.status == 2)
        let serve = try await HookstashProcess.run([
            "serve", "--db", database, "--listen", "127.0.0.1:0", "--inspect", "off", "--retain-for",
            "99999999999999999d",
        ])
        #expect(serve.status == 2)
        #expect(
            serve.stderr.contains("'99999999999999999d' is invalid for '--retain-for <duration>': longer"),
            "\(serve.stderr)")
    }

    /// An OpenSSL configuration that allows only FIPS algorithms, without the FIPS provider: every HMAC fails in
    /// libcrypto, as on a locked-down host.
    static func restrictedOpenSSL(in directory: TemporaryDirectory) async throws -> [String: String] {
        let path = directory.file("openssl.cnf")
        try """
        openssl_conf = openssl_init
        [openssl_init]
        alg_section = algorithm_sect
        [algorithm_sect]
        default_properties = fips=yes

        """.write(toFile: path, atomically: true, encoding: .utf8)
        return ["OPENSSL_CONF": path]
    }

    @Test func aLibcryptoFailureIsAnErrorNotACrash() async throws {
        let directory = try TemporaryDirectory()
        let environment = try await Self.restrictedOpenSSL(in: directory)
        let body = directory.file("event.json")
        try Data("{}".utf8).write(to: URL(fileURLWithPath: body))
        let sign = try await HookstashProcess.run(
            ["sign", "--body", body, "--scheme", "github", "--secret", "s"], environment: environment)
        #expect(sign.status == 1, "\(sign.stderr)")
        #expect(sign.stderr.contains("libcrypto could not compute HMAC-SHA-256"), "\(sign.stderr)")
    }

    /// The capture path digests every body and checks signatures: with libcrypto unable to compute an HMAC, the
    /// capture is still stored and answered, its verdict `unchecked` with the reason.
    @Test func serveStoresCapturesWhenLibcryptoCannotComputeAnHMAC() async throws {
        let directory = try TemporaryDirectory()
        let environment = try await Self.restrictedOpenSSL(in: directory)
        let database = directory.file("h.sqlite")
        let launcher = [
            "/usr/bin/env", "OPENSSL_CONF=\(environment["OPENSSL_CONF"]!)", HookstashProcess.executable.path,
        ]
        let serve = try await ServeProcess(
            database: database, arguments: ["--inspect", "off", "--scheme", "github", "--secret", "s"],
            launcher: launcher)
        let connection = try RawConnection(port: serve.port)
        try connection.send(
            "POST /hook HTTP/1.1\r\nX-Hub-Signature-256: sha256=00\r\nContent-Length: 2\r\n\r\n{}")
        #expect(try await connection.response().status == 200)
        #expect(try await serve.stop() == 0)
        let show = try await HookstashProcess.run(["show", "1", "--json", "--db", database])
        let capture = try #require(try JSONSerialization.jsonObject(with: show.stdout) as? [String: Any])
        #expect(capture["body_sha256"] as? String == "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
        let signature = try #require(capture["signature"] as? [String: Any])
        #expect(signature["status"] as? String == "unchecked")
        #expect((signature["warnings"] as? [String])?.first?.contains("libcrypto could not compute") == true)
    }

    /// A small, deeply nested JSON body re-serialized with indentation is many times its size: the mismatch
    /// diagnosis builds each variant only within its budget, so verifying it needs little more memory than a small
    /// body (run under `ulimit -v`, where building every variant in full would fail).
    @Test func theDiagnosisOfADeeplyNestedBodyStaysWithinItsMemory() async throws {
        let directory = try TemporaryDirectory()
        let depth = 63
        let items = (256 * 1024 - 2 * depth - 10) / 2
        let body =
            String(repeating: "[", count: depth) + Array(repeating: "0", count: items).joined(separator: ",")
            + String(repeating: "]", count: depth)
        let file = directory.file("deep.json")
        try body.write(toFile: file, atomically: true, encoding: .utf8)
        let script = "ulimit -v 180000 && exec \"$@\""
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c", script, "sh", HookstashProcess.executable.path, "verify", "--body", file, "--header",
            "X-Hub-Signature-256: sha256=" + String(repeating: "0", count: 64), "--scheme", "github", "--secret", "s",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: try await output.fileHandleForReading.dataToEnd(), as: UTF8.self)
        try await process.exitStatus()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 1)
        #expect(text.hasPrefix("signature: invalid"), "\(text)")
        #expect(text.contains("diagnosis:"), "\(text)")
    }
}
