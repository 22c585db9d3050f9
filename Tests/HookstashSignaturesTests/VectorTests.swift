import HookstashCore
import HookstashSignatures
import Testing

@Suite struct VectorTests {
    @Test func everyProviderHasAVector() {
        let schemes = Set(SignatureVector.all.map(\.hookstashScheme))
        #expect(SignatureVector.all.count >= 9)
        #expect(schemes.count >= 9)
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
