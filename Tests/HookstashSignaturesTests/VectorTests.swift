import Foundation
import HookstashCore
import HookstashSignatures
import Testing

@Suite struct VectorTests {
    @Test func everyBuiltInSchemeHasAVector() {
        let covered = Set(
            SignatureVector.all.map(\.hookstashScheme) + CatalogueVector.all.map(\.hookstashScheme)
                + PublicKeyTests.schemes + [MailgunTests.scheme])
        let missing = SignatureScheme.allCases.filter { !covered.contains($0) }
        #expect(missing.isEmpty, "schemes without a vector: \(missing)")
    }

    /// Shopify publishes no fixed vector: the fixture's is recomputed here by an independent signer (Python's
    /// `hmac`), so a vector and a verifier that agree on a wrong algorithm cannot both pass.
    @Test func unpublishedShopifyVectorMatchesAnIndependentSigner() throws {
        let vector = try #require(SignatureVector.all.first { $0.hookstashScheme == .shopify })
        #expect(vector.published == false)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            "import sys, hmac, hashlib, base64; "
                + "print(base64.b64encode(hmac.new(sys.argv[1].encode(), sys.argv[2].encode(), hashlib.sha256)"
                + ".digest()).decode())",
            vector.secret, vector.payload,
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(printed.trimmingCharacters(in: .whitespacesAndNewlines) == vector.expected)
        #expect(vector.headers["X-Shopify-Hmac-Sha256"] == vector.expected)
    }

    @Test(arguments: SignatureVector.all)
    func vectorVerifiesValid(_ vector: SignatureVector) {
        let (request, publicURL) = vector.request()
        let policy = SignaturePolicy(
            scheme: .scheme(vector.hookstashScheme), secrets: [vector.secret], publicURL: publicURL)
        let verdict = SignatureVerifier.verify(request, policy: policy)
        #expect(verdict.status == .valid, "\(verdict.diagnosis)")
        #expect(verdict.scheme == vector.hookstashScheme.rawValue)
        #expect(verdict.matchedSecret == 1)
        #expect(verdict.diagnosis.isEmpty)
        // `expected` is written as the header writes it; Stripe and Paddle carry it among other fields.
        #expect(verdict.expected.map { vector.expected.hasSuffix($0) || $0.hasSuffix(vector.expected) } == true)
    }

    @Test(arguments: SignatureVector.all)
    func autoDetectsTheScheme(_ vector: SignatureVector) {
        let (request, publicURL) = vector.request()
        let verdict = SignatureVerifier.verify(
            request, policy: SignaturePolicy(scheme: .auto, secrets: [vector.secret], publicURL: publicURL))
        #expect(verdict.scheme == vector.hookstashScheme.rawValue)
        #expect(verdict.status == .valid)
    }

    @Test(arguments: SignatureVector.all)
    func vectorAlteredByOneByteIsInvalid(_ vector: SignatureVector) {
        var body = Array(vector.payload.utf8)
        body[body.count / 2] ^= 0x01
        let (request, publicURL) = vector.request(body: body)
        let verdict = SignatureVerifier.verify(
            request,
            policy: SignaturePolicy(
                scheme: .scheme(vector.hookstashScheme), secrets: [vector.secret], publicURL: publicURL))
        #expect(verdict.status == .invalid)
        #expect(verdict.matchedSecret == nil)
        #expect(!verdict.diagnosis.isEmpty)
    }

    @Test(arguments: SignatureVector.all)
    func vectorWithSignatureAlteredByOneByteIsInvalid(_ vector: SignatureVector) throws {
        let (request, publicURL) = vector.request()
        var headers = request.headers
        let header = try #require(vector.hookstashScheme.headerNames.last { request.headers.contains($0) })
        var value = Array(try #require(headers.first(header)).utf8)
        // Change the last digit of the signature that matches (Stripe and Paddle headers carry other values too).
        let text = String(decoding: value, as: UTF8.self)
        let signature = try #require(text.range(of: vector.expected))
        var index = text.utf8.distance(from: text.utf8.startIndex, to: signature.upperBound) - 1
        while value[index] == UInt8(ascii: "=") { index -= 1 }
        value[index] = value[index] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        headers.replace(header, with: String(decoding: value, as: UTF8.self))
        var altered = request
        altered.headers = headers
        let verdict = SignatureVerifier.verify(
            altered,
            policy: SignaturePolicy(
                scheme: .scheme(vector.hookstashScheme), secrets: [vector.secret], publicURL: publicURL))
        #expect(verdict.status == .invalid)
    }
}
