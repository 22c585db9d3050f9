import CLibCrypto

/// Hash algorithms hookstash uses, backed by libcrypto.
public enum DigestAlgorithm: String, Sendable, Hashable, CaseIterable, Codable {
    case sha1 = "SHA-1"
    case sha256 = "SHA-256"
    case sha512 = "SHA-512"

    var native: hookstash_digest {
        switch self {
        case .sha1: HOOKSTASH_DIGEST_SHA1
        case .sha256: HOOKSTASH_DIGEST_SHA256
        case .sha512: HOOKSTASH_DIGEST_SHA512
        }
    }
}

/// libcrypto could not compute a MAC: the algorithm is not available (a FIPS-only configuration, an
/// `OPENSSL_CONF` that restricts algorithms) or memory ran out.
public struct CryptoError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `HMAC-SHA-256`.
    public var operation: String
    /// libcrypto's own reason, when it gave one.
    public var reason: String

    public init(operation: String, reason: String) {
        self.operation = operation
        self.reason = reason
    }

    public var description: String {
        "libcrypto could not compute \(operation)" + (reason.isEmpty ? "" : ": \(reason)")
    }
}

public enum HMAC {
    /// HMAC of `message` under `key`. Throws when libcrypto cannot compute it.
    public static func code(_ algorithm: DigestAlgorithm, key: [UInt8], message: [UInt8]) throws(CryptoError)
        -> [UInt8]
    {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        let length = key.withUnsafeBytes { keyBytes in
            message.withUnsafeBufferPointer { messageBytes in
                out.withUnsafeMutableBufferPointer { outBytes in
                    hookstash_hmac(
                        algorithm.native, keyBytes.baseAddress, keyBytes.count, messageBytes.baseAddress,
                        messageBytes.count, outBytes.baseAddress)
                }
            }
        }
        guard length > 0 else {
            var reason = [CChar](repeating: 0, count: 256)
            hookstash_crypto_last_error(&reason, reason.count)
            throw CryptoError(
                operation: "HMAC-\(algorithm.rawValue)",
                reason: String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return Array(out.prefix(Int(length)))
    }
}

/// Compares two byte strings in time that depends only on their lengths.
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    if a.isEmpty { return true }
    return a.withUnsafeBytes { x in b.withUnsafeBytes { y in hookstash_memcmp(x.baseAddress, y.baseAddress, a.count) } }
        == 0
}

/// An incremental digest, for bodies that arrive in parts. Not thread-safe: owned by one request.
///
/// Uses libcrypto's low-level SHA functions, which work on a plain struct: nothing to allocate and no provider to
/// look up, so a digest cannot fail (it is computed for every capture, on the capture path).
public final class DigestHasher {
    private let algorithm: DigestAlgorithm
    private let context: UnsafeMutablePointer<hookstash_digest_context>

    public init(_ algorithm: DigestAlgorithm) {
        self.algorithm = algorithm
        context = .allocate(capacity: 1)
        hookstash_digest_init(algorithm.native, context)
    }

    deinit {
        context.deallocate()
    }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        hookstash_digest_update(algorithm.native, context, bytes.baseAddress, bytes.count)
    }

    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest of everything passed to `update`. Call once.
    public func finish() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        let length = out.withUnsafeMutableBufferPointer {
            hookstash_digest_final(algorithm.native, context, $0.baseAddress)
        }
        return Array(out.prefix(Int(length)))
    }

    public static func digest(_ algorithm: DigestAlgorithm, _ bytes: [UInt8]) -> [UInt8] {
        let hasher = DigestHasher(algorithm)
        hasher.update(bytes)
        return hasher.finish()
    }
}

extension Sequence where Element == UInt8 {
    /// Lowercase hexadecimal.
    public var hexString: String {
        let bytes = Array(self)
        return String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            for (index, byte) in bytes.enumerated() {
                out[2 * index] = Self.hexDigit(byte >> 4)
                out[2 * index + 1] = Self.hexDigit(byte & 0x0f)
            }
            return bytes.count * 2
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}

extension Array where Element == UInt8 {
    /// Decodes hexadecimal (either case); nil when the text is not hex.
    public init?(hexString: String) {
        let chars = Array(hexString.utf8)
        guard chars.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            case 65...70: c - 55
            default: nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 2)
        var index = 0
        while index < chars.count {
            guard let high = nibble(chars[index]), let low = nibble(chars[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        self = out
    }
}
