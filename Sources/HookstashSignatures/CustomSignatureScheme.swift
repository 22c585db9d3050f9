import HookstashCore

/// A scheme defined in the configuration (`[[scheme]]`), ready to verify with.
public struct CustomSignatureScheme: Sendable, Hashable, CustomStringConvertible {
    let definition: SchemeDefinition

    public var name: String { definition.name }
    public var description: String { definition.name }

    /// Whether the signature covers the request URL, so verifying needs the public URL the sender used.
    public var signsURL: Bool { definition.signsURL }

    /// The header fields a sender of this scheme adds.
    public var headerNames: [String] { definition.headerNames }

    public init(_ configuration: SchemeConfiguration) {
        let timestamp: TimestampSource? =
            configuration.timestampHeader.map { .header($0) } ?? configuration.timestampKey.map { .field($0) }
        let format: SignatureFormat =
            configuration.signatureKey.map { .keyValue(separator: configuration.separator, key: $0) }
            ?? .plain(prefix: configuration.prefix)
        let key: KeyFormat
        switch configuration.secretEncoding {
        case .text: key = configuration.secretPrefix.map { .textWithPrefix($0) } ?? .text
        case .base64: key = .base64AfterPrefix(configuration.secretPrefix ?? "")
        }
        let encoding: SignatureEncoding
        switch configuration.encoding {
        case .hex: encoding = .hex
        case .base64: encoding = .base64
        case .base64url: encoding = .base64url
        }
        let signed = configuration.signed.map { part -> SignedPart in
            switch part {
            case .literal(let text): .literal(text)
            case .placeholder(.body): .body
            case .placeholder(.timestamp): .timestamp
            case .placeholder(.id): .id
            case .placeholder(.method): .method
            case .placeholder(.url): .url
            }
        }
        definition = SchemeDefinition(
            name: configuration.name, provider: configuration.provider, algorithm: configuration.algorithm,
            encoding: encoding, format: format,
            headers: [
                SchemeHeaders(signature: configuration.header, timestamp: timestamp, id: configuration.idHeader)
            ],
            signed: signed, timestampUnit: configuration.timestampInMilliseconds ? .milliseconds : .seconds,
            tolerance: configuration.toleranceSeconds.map {
                SignatureFinding.Tolerance(
                    seconds: Double($0), enforcedBy: "the [[scheme]] '\(configuration.name)'", plural: false)
            },
            key: key)
    }
}
