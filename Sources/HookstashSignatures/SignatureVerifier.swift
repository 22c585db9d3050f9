import HookstashCore

/// Checks a request's signature against a policy and, when it does not match, explains why.
///
/// Pure and synchronous: the capture server calls it on its writer thread for every capture. The work is bounded:
/// one HMAC per configured secret (and URL form) for the verdict, a few dozen more for a diagnosis.
public enum SignatureVerifier {
    public static func verify(_ request: SignatureRequest, policy: SignaturePolicy) -> SignatureVerdict {
        let base: SchemeDefinition
        switch policy.scheme {
        case .none:
            return SignatureVerdict(scheme: "none", status: .unchecked)
        case .auto:
            guard let detected = SignatureScheme.detect(in: request.headers) else {
                return SignatureVerdict(scheme: "auto", status: .missing)
            }
            base = detected.definition
        case .scheme(let named):
            base = named.definition
        case .custom(let custom):
            base = custom.definition
        }
        let definition = base.fitted(to: request.headers)
        guard let reading = definition.read(request.headers, body: request.body) else {
            return SignatureVerdict(scheme: definition.name, status: .missing)
        }
        var verdict = SignatureVerdict(
            scheme: definition.name, status: .unchecked, header: reading.header, received: reading.received,
            warnings: reading.warnings + timestampWarnings(reading, definition, receivedAt: request.receivedAt))
        guard !policy.secrets.isEmpty else { return verdict }

        if definition.comparesToken { return compareToken(reading, definition, policy, verdict) }

        let urls = SignedURLSources(request: request, publicURL: policy.publicURL)
        let parts = SignedParts(
            method: request.method, body: request.body, timestamp: reading.timestamp,
            url: definition.signsURL ? urls.canonical.url.text : nil, messageID: reading.messageID,
            contentType: request.headers.first("Content-Type"))
        if let algorithm = definition.publicKey {
            return verifyPublicKey(algorithm, reading, definition, parts, policy, verdict)
        }
        let urlForms: [String?] =
            definition.signsURL ? unique(definition.urlForms(urls.canonical.url).map(\.text)) : [parts.url]

        verdict.status = .invalid
        search: for (index, secret) in policy.secrets.enumerated() {
            guard let key = definition.key(secret: secret) else { continue }
            for url in urlForms {
                var signed = parts
                signed.url = url
                let mac: [UInt8]
                do {
                    mac = try HMAC.code(definition.algorithm, key: key, message: definition.message(signed))
                } catch {
                    // Nothing could be checked: said, not guessed (and not a crash on the capture path).
                    verdict.status = .unchecked
                    var warning = SignatureFinding(.hmacUnavailable)
                    warning.detail = "\(error)"
                    verdict.warnings.append(warning)
                    return verdict
                }
                if verdict.expected == nil { verdict.expected = definition.written(mac) }
                if matches(mac, reading.signatures, definition.encoding) {
                    verdict.status = .valid
                    verdict.matchedSecret = index + 1
                    break search
                }
            }
        }
        if verdict.status == .valid, let problem = definition.uncoveredBody(parts) {
            verdict.status = .invalid
            verdict.diagnosis = [problem]
            return verdict
        }
        if verdict.status == .invalid {
            var diagnosis = SignatureDiagnosis(
                definition: definition, reading: reading, parts: parts, urls: urls, policy: policy)
            verdict.diagnosis = diagnosis.findings()
        }
        return verdict
    }

    /// A scheme that sends the secret itself: valid when the header is a configured secret, compared in constant
    /// time. `expected` stays empty: it would be the secret.
    private static func compareToken(
        _ reading: SignatureReading, _ definition: SchemeDefinition, _ policy: SignaturePolicy,
        _ unchecked: SignatureVerdict
    ) -> SignatureVerdict {
        var verdict = unchecked
        verdict.received = nil  // the secret itself, when it is right
        let received = reading.signatures.first.map { Array($0.utf8) } ?? []
        verdict.status = .invalid
        for (index, secret) in policy.secrets.enumerated() where constantTimeEquals(Array(secret.utf8), received) {
            verdict.status = .valid
            verdict.matchedSecret = index + 1
            return verdict
        }
        var findings: [SignatureFinding] = []
        for (index, secret) in policy.secrets.enumerated() {
            let trimmed = secret.trimmingWhitespaceAndNewlines()
            if trimmed != secret, constantTimeEquals(Array(trimmed.utf8), received) {
                var finding = SignatureFinding(.secretHasSurroundingWhitespace)
                finding.provider = definition.provider
                finding.secret = policy.secrets.count > 1 ? index + 1 : nil
                findings.append(finding)
            }
        }
        for other in policy.otherSecrets where constantTimeEquals(Array(other.secret.utf8), received) {
            var finding = SignatureFinding(.secretOfOtherEndpoint)
            finding.provider = definition.provider
            finding.endpoint = other.label
            findings.append(finding)
        }
        if findings.isEmpty {
            var mismatch = SignatureFinding(.tokenMismatch)
            mismatch.provider = definition.provider
            mismatch.header = reading.header
            mismatch.secret = policy.secrets.count > 1 ? 1 : nil
            findings.append(mismatch)
        }
        verdict.diagnosis = findings
        return verdict
    }

    /// Whether any received signature decodes to `mac`, compared in constant time.
    static func matches(_ mac: [UInt8], _ signatures: [String], _ encoding: SignatureEncoding) -> Bool {
        var found = false
        for signature in signatures {
            if let decoded = encoding.decode(signature), constantTimeEquals(decoded, mac) { found = true }
        }
        return found
    }

    private static func unique(_ items: [String]) -> [String?] {
        var seen: Set<String> = []
        return items.filter { seen.insert($0).inserted }
    }

    static func timestampWarnings(
        _ reading: SignatureReading, _ definition: SchemeDefinition, receivedAt: Timestamp
    ) -> [SignatureFinding] {
        guard let text = reading.timestamp, let header = reading.timestampHeader else { return [] }
        func finding(_ code: SignatureFinding.Code) -> SignatureFinding {
            var finding = SignatureFinding(code)
            finding.header = header
            finding.timestamp = text
            finding.provider = definition.provider
            return finding
        }
        var warnings: [SignatureFinding] = []
        var seconds: Double
        if definition.timestampUnit == .rfc3339 {
            guard let time = Timestamp(rfc3339: text) else { return [finding(.timestampNotANumber)] }
            seconds = time.secondsSinceEpoch
        } else {
            guard let value = Int64(text), value >= 0 else { return [finding(.timestampNotANumber)] }
            seconds = Double(value)
            let looksLikeMilliseconds = value >= 100_000_000_000
            if definition.timestampInMilliseconds {
                if looksLikeMilliseconds {
                    seconds /= 1000
                } else {
                    warnings.append(finding(.timestampInSeconds))
                }
            } else if looksLikeMilliseconds {
                seconds /= 1000
                warnings.append(finding(.timestampInMilliseconds))
            }
        }
        guard let tolerance = definition.tolerance else { return warnings }
        let skew = receivedAt.secondsSinceEpoch - seconds
        if abs(skew) > tolerance.seconds {
            var outside = SignatureFinding(.timestampOutsideTolerance)
            outside.header = header
            outside.timestamp = text
            outside.skewSeconds = skew
            outside.tolerance = tolerance
            warnings.append(outside)
        }
        return warnings
    }
}
