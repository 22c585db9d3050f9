import Foundation
import HookstashCore
import HookstashTestSupport
import Testing

@testable import HookstashDelivery

#if canImport(Glibc)
    import Glibc
#endif

@Suite("The guard's decisions: link-local and metadata ranges and names, in every form an address takes")
struct TargetGuardDecisionTests {
    let standard = TargetGuard()

    @Test(
        "refused by default",
        arguments: [
            "169.254.169.254", "169.254.170.2", "fe80::1", "[fe80::1%25eth0]", "FE80::abcd", "::ffff:169.254.169.254",
            "[::ffff:a9fe:a9fe]", "::169.254.169.254", "64:ff9b::169.254.169.254", "2002:a9fe:a9fe::1",
            "fd00:ec2::254", "100.100.100.200", "168.63.129.16", "metadata.google.internal",
            "METADATA.Google.Internal.",
            "metadata", "instance-data",
        ])
    func refused(host: String) {
        #expect(standard.check(host: host.replacingOccurrences(of: "%25", with: "%")) != nil, "\(host)")
    }

    @Test(
        "delivered to",
        arguments: [
            "127.0.0.1", "::1", "localhost", "10.0.0.1", "192.168.1.10", "169.253.255.255", "169.255.0.1",
            "fec0::1", "example.com", "metadata.example.com", "100.100.100.201",
        ])
    func allowed(host: String) {
        #expect(standard.check(host: host) == nil, "\(host)")
    }

    @Test func aRefusalSaysWhatAndWhy() throws {
        let refusal = try #require(standard.check(host: "::ffff:169.254.169.254"))
        #expect(refusal.reason == .linkLocal)
        #expect(refusal.rule == "169.254.0.0/16")
        #expect(refusal.code == "target_not_allowed")
        let name = try #require(standard.check(host: "metadata.google.internal"))
        #expect(name.reason == .cloudMetadata)
        #expect(name.address == nil)
    }

    @Test func allowancesLiftTheGuardForARangeOrAHost() throws {
        let allowances = try ["169.254.169.254/32", "fd00:ec2::254", "metadata.google.internal."].map {
            try #require(TargetGuard.Allowance(parsing: $0))
        }
        let relaxed = TargetGuard(allowing: allowances)
        #expect(relaxed.check(host: "169.254.169.254") == nil)
        #expect(relaxed.check(host: "::ffff:169.254.169.254") == nil)
        #expect(relaxed.check(host: "169.254.169.253") != nil)
        #expect(relaxed.check(host: "fd00:ec2::254") == nil)
        #expect(relaxed.check(host: "Metadata.Google.Internal") == nil)
        // A host allowed by name is allowed whatever it resolves to.
        #expect(relaxed.check(address: IPAddress("169.254.169.254")!, host: "metadata.google.internal") == nil)
        #expect(relaxed.check(address: IPAddress("169.254.1.1")!, host: "other.example") != nil)
    }

    @Test(arguments: ["", "10.0.0.0/33", "fe80::/129", "a b", "http://x", "x/y", "1.2.3.4/-1"])
    func unusableAllowancesAreRefused(text: String) {
        #expect(TargetGuard.Allowance(parsing: text) == nil, "\(text)")
    }

    @Test func networksCompareOnTheirPrefix() throws {
        let network = try #require(IPNetwork("169.254.1.2/16"))
        #expect(network.description == "169.254.0.0/16")
        #expect(network.contains(IPAddress("169.254.255.255")!))
        #expect(!network.contains(IPAddress("169.255.0.0")!))
        #expect(!network.contains(IPAddress("::ffff:169.254.0.1")!), "families are compared apart")
        #expect(try #require(IPNetwork("fe80::/10")).contains(IPAddress("febf::1")!))
        #expect(try !#require(IPNetwork("fe80::/10")).contains(IPAddress("fec0::1")!))
    }
}

/// The guard at work in libcurl, on loopback: a guard that refuses 127.0.0.0/8 stands for the link-local ranges, so
/// that nothing leaves the machine. Names resolve through `DeliveryOptions.resolve` (curl's `--resolve`).
@Suite("The guard in libcurl: checked on the address connected to, and redirects stay on the target's origin")
struct TargetGuardDeliveryTests {
    static let loopbackRefused = TargetGuard(
        rules: [.init(network: IPNetwork("127.0.0.0/8")!, reason: .linkLocal)], names: ["metadata"], allowing: [])

    static func deliver(
        to url: String, options: DeliveryOptions, headers: [(name: String, value: String?)] = []
    ) async throws -> DeliveryOutcome {
        let workers = DeliveryEngine(maxTransfers: 1)
        defer { workers.shutdown() }
        let request = OutgoingRequest.sending(
            Array("{}".utf8), to: try DeliveryTarget(parsing: url), extraHeaders: headers)
        return await workers.deliver(request, options: options)
    }

    @Test func aNameThatResolvesToARefusedAddressIsRefusedAtConnectAndNothingIsSent() async throws {
        let server = try RecordingServer()
        defer { server.stop() }
        // The name itself passes the guard; only the address libcurl connects to shows where it leads (as a name
        // rebound to 169.254.169.254 between a check and the connection would).
        let options = DeliveryOptions(
            connectTimeout: .milliseconds(2000), targetGuard: Self.loopbackRefused,
            resolve: ["rebound.test:\(server.port):127.0.0.1"])
        let outcome = try await Self.deliver(to: "http://rebound.test:\(server.port)/hook", options: options)
        let refusal = try #require(outcome.error?.targetRefusal)
        #expect(refusal.address == "127.0.0.1")
        #expect(refusal.host == "rebound.test")
        #expect(outcome.error?.kind == "target_not_allowed")
        #expect(outcome.response == nil)
        try await Task.sleep(for: .milliseconds(200))
        #expect(await server.requests(atLeast: 1, seconds: 0.3).isEmpty)
    }

    @Test func anAllowedRangeOrHostIsDeliveredTo() async throws {
        let server = try RecordingServer()
        defer { server.stop() }
        for allowance in [TargetGuard.Allowance.network(IPNetwork("127.0.0.1/32")!), .host("rebound.test")] {
            var allowing = Self.loopbackRefused
            allowing.allowances = [allowance]
            let options = DeliveryOptions(
                targetGuard: allowing, resolve: ["rebound.test:\(server.port):127.0.0.1"])
            let outcome = try await Self.deliver(to: "http://rebound.test:\(server.port)/hook", options: options)
            #expect(outcome.error == nil, "\(allowance): \(outcome.error?.message ?? "")")
            #expect(outcome.response?.status == 200)
        }
        #expect(await server.requests(atLeast: 2).count == 2)
    }

    @Test func aMetadataNameIsRefusedBeforeAnythingIsResolved() async throws {
        let server = try RecordingServer()
        defer { server.stop() }
        let options = DeliveryOptions(
            targetGuard: TargetGuard(), resolve: ["metadata:\(server.port):127.0.0.1"])
        let outcome = try await Self.deliver(to: "http://metadata:\(server.port)/computeMetadata/v1/", options: options)
        #expect(outcome.error?.targetRefusal?.rule == "metadata")
        #expect(await server.requests(atLeast: 1, seconds: 0.3).isEmpty)

        var allowed = options
        allowed.targetGuard = TargetGuard(allowing: [.host("metadata")])
        let delivered = try await Self.deliver(
            to: "http://metadata:\(server.port)/computeMetadata/v1/", options: allowed)
        #expect(delivered.response?.status == 200)
    }

    /// `--follow-redirects` follows on the target's own scheme, host and port only: a redirect elsewhere would carry
    /// the captured (or re-signed) signature headers to a host nobody named.
    @Test func aRedirectToAnotherHostIsNotFollowedAndTheSignatureGoesNowhereElse() async throws {
        let elsewhere = try RecordingServer()
        defer { elsewhere.stop() }
        let target = try RecordingServer { _ in
            .bytes(
                RecordingServer.response(
                    307, reason: "Temporary Redirect", headers: [("Location", "\(elsewhere.url)/stolen")]))
        }
        defer { target.stop() }
        var options = DeliveryOptions(followRedirects: true)
        options.targetGuard = TargetGuard()
        let outcome = try await Self.deliver(
            to: "\(target.url)/hook", options: options, headers: [("X-Hub-Signature-256", "sha256=abc")])
        #expect(outcome.error?.kind == "redirect")
        #expect(outcome.response?.status == 307, "the redirect is the answer recorded")
        #expect(await target.requests(atLeast: 1).count == 1)
        #expect(await elsewhere.requests(atLeast: 1, seconds: 0.5).isEmpty)
    }

    @Test func aRedirectToAnotherProtocolIsNotFollowed() async throws {
        // A listener standing for an FTP server on the same host: libcurl would connect to it and speak FTP.
        let ftp = try PendingConnections()
        defer { ftp.close() }
        let ftpPort = ftp.port
        let target = try RecordingServer { _ in
            .bytes(
                RecordingServer.response(
                    302, reason: "Found", headers: [("Location", "ftp://127.0.0.1:\(ftpPort)/x")]))
        }
        defer { target.stop() }
        var options = DeliveryOptions(
            connectTimeout: .milliseconds(1000), totalTimeout: .milliseconds(2000), followRedirects: true)
        options.targetGuard = TargetGuard()
        let outcome = try await Self.deliver(to: "\(target.url)/hook", options: options)
        #expect(outcome.error != nil)
        #expect(outcome.response?.status == 302)
        #expect(!ftp.wasConnected())
    }

    @Test func aRedirectOnTheSameOriginIsStillFollowed() async throws {
        let target = try RecordingServer { request in
            request.requestLine.hasPrefix("POST /first")
                ? .bytes(
                    RecordingServer.response(307, reason: "Temporary Redirect", headers: [("Location", "/second")]))
                : .bytes(RecordingServer.response(200, body: "second"))
        }
        defer { target.stop() }
        let outcome = try await Self.deliver(to: "\(target.url)/first", options: DeliveryOptions(followRedirects: true))
        #expect(outcome.error == nil)
        #expect(outcome.response?.status == 200)
        #expect(
            await target.requests(atLeast: 2).map(\.requestLine) == ["POST /first HTTP/1.1", "POST /second HTTP/1.1"])
    }
}

/// A socket listening on 127.0.0.1 that never accepts: whether a client connected shows in its backlog.
final class PendingConnections {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(descriptor, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// True when a connection is waiting to be accepted.
    func wasConnected() -> Bool {
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        let connection = accept(descriptor, nil, nil)
        guard connection >= 0 else { return false }
        Glibc.close(connection)
        return true
    }

    func close() {
        Glibc.close(descriptor)
    }
}
