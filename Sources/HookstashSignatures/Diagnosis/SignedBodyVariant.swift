import HookstashCore

/// The body a sender signed, as a diagnosis finding says it differs from the body received: the received body
/// with a trailing line ending added or removed, re-serialized in a JSON style, or the text `undefined`. Comparing
/// the two shows the bytes the mismatch is about.
public enum SignedBodyVariant {
    /// The signed body `code` describes, or nil when the finding is not about the body's bytes (a secret, a
    /// timestamp, the URL) or does not apply to `received`.
    public static func body(for code: SignatureFinding.Code, received: [UInt8]) -> [UInt8]? {
        switch code {
        case .bodyTrailingCRLFAdded:
            return received.count >= 2 && received.suffix(2).elementsEqual([0x0d, 0x0a]) ? received.dropLast(2) : nil
        case .bodyTrailingNewlineAdded:
            return received.last == 0x0a ? received.dropLast() : nil
        case .bodyTrailingNewlineMissing:
            return received + [0x0a]
        case .bodyTrailingCRLFMissing:
            return received + [0x0d, 0x0a]
        case .undefinedSignedInsteadOfBody:
            return Array("undefined".utf8)
        case .bodyReserializedCompact, .bodyReserializedPretty2, .bodyReserializedPretty4, .bodyReserializedPython,
            .bodyReserializedSortedKeys, .bodyReserializedEscapedNonASCII, .bodyReserializedEscapedSlashes:
            guard let style = JSONReserialization.styles.first(where: { $0.code == code }),
                let node = JSONReserialization.parse(received)
            else { return nil }
            return JSONReserialization.serialize(
                node, style, limit: max(64 * 1024, received.count * 8))
        default:
            return nil
        }
    }
}
