import HookstashCore

extension SignatureVerifier {
    /// A scheme signed with a private key: valid when a received signature verifies with a configured public key.
    /// When none does, a bounded diagnosis: unusable keys, the signature written in another encoding, the body with
    /// other line endings or re-serialized.
    static func verifyPublicKey(
        _ algorithm: PublicKeyAlgorithm, _ reading: SignatureReading, _ definition: SchemeDefinition,
        _ parts: SignedParts, _ policy: SignaturePolicy, _ unchecked: SignatureVerdict
    ) -> SignatureVerdict {
        var verdict = unchecked
        verdict.status = .invalid
        let signatures = reading.signatures.prefix(4).compactMap { definition.encoding.decode($0) }
        func verifies(_ key: String, _ message: [UInt8], _ candidates: [[UInt8]]) -> Bool {
            candidates.contains { algorithm.verify(publicKey: key, signature: $0, message: message) == true }
        }
        let message = definition.message(parts)
        for (index, key) in policy.secrets.enumerated() where verifies(key, message, signatures) {
            verdict.status = .valid
            verdict.matchedSecret = index + 1
            return verdict
        }

        func finding(_ code: SignatureFinding.Code, secret: Int?) -> SignatureFinding {
            var finding = SignatureFinding(code)
            finding.provider = definition.provider
            finding.detail = algorithm.name
            finding.secret = secret
            return finding
        }
        var findings: [SignatureFinding] = []
        let numbered = policy.secrets.prefix(2).enumerated().map { ($1, policy.secrets.count > 1 ? $0 + 1 : nil) }
        for (index, key) in policy.secrets.enumerated() where !algorithm.isUsablePublicKey(key) {
            findings.append(finding(.publicKeyUnusable, secret: index + 1))
        }
        let usable = numbered.filter { algorithm.isUsablePublicKey($0.0) }
        // The signature written in another encoding.
        for encoding in SignatureEncoding.allCases where encoding != definition.encoding {
            let decoded = reading.signatures.prefix(4).compactMap { encoding.decode($0) }
            if let (_, number) = usable.first(where: { verifies($0.0, message, decoded) }) {
                var found = finding(.signatureWrittenDifferently, secret: number)
                found.written = SignatureFinding.Written(encoding: encoding.name, prefix: "")
                found.expectedWritten = definition.written
                findings.append(found)
                break
            }
        }
        // The body as the sender may have signed it before it changed on the way.
        for (code, body) in bodyVariants(parts.body) {
            var varied = parts
            varied.body = body
            let variedMessage = definition.message(varied)
            if let (_, number) = usable.first(where: { verifies($0.0, variedMessage, signatures) }) {
                findings.append(finding(code, secret: number))
            }
        }
        if findings.isEmpty {
            var notVerified = finding(.signatureNotVerified, secret: policy.secrets.count > 1 ? 1 : nil)
            notVerified.header = reading.header
            findings.append(notVerified)
        }
        verdict.diagnosis = findings
        return verdict
    }

    /// Line-ending variants and JSON re-serializations of `body`, each at most a few times its size.
    private static func bodyVariants(_ body: [UInt8]) -> [(SignatureFinding.Code, [UInt8])] {
        var variants: [(SignatureFinding.Code, [UInt8])] = []
        if body.last == 0x0a {
            let crlf = body.count >= 2 && body[body.count - 2] == 0x0d
            variants.append(
                (crlf ? .bodyTrailingCRLFAdded : .bodyTrailingNewlineAdded, Array(body.dropLast(crlf ? 2 : 1))))
        }
        variants.append((.bodyTrailingNewlineMissing, body + [0x0a]))
        let limit = max(SignatureDiagnosis.reserializationFloor, body.count * SignatureDiagnosis.reserializationGrowth)
        if let node = JSONReserialization.parse(body) {
            var seen = Set([body] + variants.map(\.1))
            for style in JSONReserialization.styles {
                guard let serialized = JSONReserialization.serialize(node, style, limit: limit),
                    seen.insert(serialized).inserted
                else { continue }
                variants.append((style.code, serialized))
            }
        }
        return variants
    }
}
