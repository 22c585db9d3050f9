import CLibCrypto
import HookstashCore

/// A public-key signature algorithm a scheme verifies with (libcrypto's EVP), in place of an HMAC.
enum PublicKeyAlgorithm: Sendable, Hashable {
    /// Discord: the key is 32 bytes, written in hex.
    case ed25519
    /// SendGrid: ECDSA over P-256 with SHA-256, the signature DER; the key a DER SubjectPublicKeyInfo, written in
    /// base64 or PEM.
    case ecdsaP256SHA256

    var native: hookstash_signature {
        switch self {
        case .ed25519: HOOKSTASH_SIGNATURE_ED25519
        case .ecdsaP256SHA256: HOOKSTASH_SIGNATURE_ECDSA_P256_SHA256
        }
    }

    /// `Ed25519`, `ECDSA P-256/SHA-256`: for sentences.
    var name: String {
        switch self {
        case .ed25519: "Ed25519"
        case .ecdsaP256SHA256: "ECDSA P-256/SHA-256"
        }
    }

    /// The key bytes a configured key text stands for: hex for Ed25519; base64 DER or PEM for ECDSA. nil when the
    /// text is none of these.
    func keyBytes(_ text: String) -> [UInt8]? {
        let trimmed = text.trimmingWhitespaceAndNewlines()
        switch self {
        case .ed25519:
            return [UInt8](hexString: trimmed)
        case .ecdsaP256SHA256:
            if trimmed.hasPrefix("-----BEGIN") {
                let body = trimmed.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("-----") }.joined()
                return Base64.decode(body)
            }
            return Base64.decode(trimmed)
        }
    }

    /// Whether `text` is a public key of this algorithm.
    func isUsablePublicKey(_ text: String) -> Bool {
        guard let key = keyBytes(text) else { return false }
        return key.withUnsafeBufferPointer { hookstash_public_key_usable(native, $0.baseAddress, $0.count) } == 1
    }

    /// Whether `signature` verifies over `message` with the public key `text`; nil when the key is unusable.
    func verify(publicKey text: String, signature: [UInt8], message: [UInt8]) -> Bool? {
        guard let key = keyBytes(text) else { return nil }
        let result = key.withUnsafeBufferPointer { keyBytes in
            signature.withUnsafeBufferPointer { signatureBytes in
                message.withUnsafeBufferPointer { messageBytes in
                    hookstash_signature_verify(
                        native, keyBytes.baseAddress, keyBytes.count, signatureBytes.baseAddress, signatureBytes.count,
                        messageBytes.baseAddress, messageBytes.count)
                }
            }
        }
        return result < 0 ? nil : result == 1
    }

    /// The signature of `message` with the private key `text` (Ed25519: the 32-byte seed in hex; ECDSA: DER in
    /// base64 or PEM); nil when the key is unusable.
    func sign(privateKey text: String, message: [UInt8]) -> [UInt8]? {
        guard let key = keyBytes(text) else { return nil }
        var out = [UInt8](repeating: 0, count: 256)
        let length = key.withUnsafeBufferPointer { keyBytes in
            message.withUnsafeBufferPointer { messageBytes in
                out.withUnsafeMutableBufferPointer { outBytes in
                    hookstash_signature_sign(
                        native, keyBytes.baseAddress, keyBytes.count, messageBytes.baseAddress, messageBytes.count,
                        outBytes.baseAddress)
                }
            }
        }
        return length > 0 ? Array(out.prefix(length)) : nil
    }
}
