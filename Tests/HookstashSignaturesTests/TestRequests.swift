import Foundation
import HookstashCore
import HookstashSignatures

/// Requests built the way a sender would deliver them, for the tests.
enum TestRequests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func example(_ relativePath: String) throws -> [UInt8] {
        Array(try Data(contentsOf: packageRoot.appendingPathComponent(relativePath)))
    }

    /// A request to `url` carrying `headers` (Host is added from the URL).
    static func request(
        method: String = "POST", url: String = "http://127.0.0.1:8080/webhook", headers: HeaderList,
        body: [UInt8], receivedAt: Timestamp = .now()
    ) -> SignatureRequest {
        let afterScheme = url[url.range(of: "://")!.upperBound...]
        let slash = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        var all = HeaderList([("Host", String(afterScheme[..<slash]))])
        for field in headers { all.append(name: field.name, value: field.value) }
        let target = afterScheme[slash...].isEmpty ? "/" : String(afterScheme[slash...])
        return SignatureRequest(method: method, target: target, headers: all, body: body, receivedAt: receivedAt)
    }

    /// A request signed by `SignatureSigner` as the scheme's sender would sign it.
    static func signed(
        _ scheme: SignatureScheme, secret: String, body: [UInt8], method: String = "POST",
        url: String = "http://127.0.0.1:8080/webhook", contentType: String? = nil, at time: Timestamp = .now()
    ) throws -> SignatureRequest {
        let delivery = SignatureSigner.deliveryURL(
            scheme: scheme, url: url, body: body, method: method, contentType: contentType)
        var headers = try SignatureSigner.headers(
            scheme: scheme, secret: secret, body: body, timestamp: time, method: method, url: delivery,
            contentType: contentType)
        if let contentType { headers.append(name: "Content-Type", value: contentType) }
        return request(method: method, url: delivery, headers: headers, body: body, receivedAt: time)
    }

    static func verify(
        _ request: SignatureRequest, _ scheme: SignatureScheme, secrets: [String], publicURL: String? = nil,
        otherSecrets: [SignaturePolicy.OtherSecret] = []
    ) -> SignatureVerdict {
        SignatureVerifier.verify(
            request,
            policy: SignaturePolicy(
                scheme: .scheme(scheme), secrets: secrets, publicURL: publicURL, otherSecrets: otherSecrets))
    }
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}

extension Wording {
    /// Settings named by flags, as the command line names them.
    static let flags = Wording { setting in
        switch setting {
        case .publicURL: "--public-url (public_url in the config)"
        case .scheme(let name): "--scheme \(name)"
        case .maxBodySize: "--max-body-size"
        case .replayHeaders: "--header"
        case .resignScheme: "--scheme"
        case .signingSecret: "--secret"
        }
    }
}

extension SignatureVerdict {
    /// Whether some diagnosis finding has `code` and its sentence (with settings named by flags) contains every one
    /// of `words`.
    func diagnoses(_ code: SignatureFinding.Code, _ words: String...) -> Bool {
        diagnosis.contains { finding in
            let sentence = Wording.flags.sentence(finding)
            return finding.code == code && words.allSatisfy { sentence.contains($0) }
        }
    }

    /// Whether any diagnosis sentence contains `text`.
    func mentions(_ text: String) -> Bool {
        diagnosis.contains { Wording.flags.sentence($0).contains(text) }
    }

    /// The warnings' sentences.
    var warningSentences: [String] { warnings.map(Wording.standard.sentence) }
}
