#ifndef HOOKSTASH_CLIBCRYPTO_SHIM_H
#define HOOKSTASH_CLIBCRYPTO_SHIM_H

// The low-level SHA functions are deprecated in OpenSSL 3 in favour of EVP, but they cannot fail: no allocation
// and no provider lookup (which a FIPS-only configuration can make fail for every algorithm).
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stddef.h>

/// Digest algorithms hookstash uses, as a plain enum so Swift never touches EVP_MD pointers.
typedef enum {
    HOOKSTASH_DIGEST_SHA1 = 1,
    HOOKSTASH_DIGEST_SHA256 = 2,
    HOOKSTASH_DIGEST_SHA512 = 3,
} hookstash_digest;

static inline const EVP_MD *hookstash_evp_md(hookstash_digest digest) {
    switch (digest) {
    case HOOKSTASH_DIGEST_SHA1: return EVP_sha1();
    case HOOKSTASH_DIGEST_SHA256: return EVP_sha256();
    case HOOKSTASH_DIGEST_SHA512: return EVP_sha512();
    }
    return NULL;
}

/// One-shot HMAC. Returns the MAC length written to `out` (at most EVP_MAX_MD_SIZE), 0 on failure.
static inline unsigned int hookstash_hmac(hookstash_digest digest, const void *key, size_t key_len,
                                          const unsigned char *data, size_t data_len, unsigned char *out) {
    unsigned int out_len = 0;
    /* HMAC() needs a non-NULL key pointer even for an empty key. */
    static const unsigned char empty = 0;
    if (HMAC(hookstash_evp_md(digest), key_len ? key : &empty, (int)key_len, data_len ? data : &empty, data_len,
             out, &out_len) == NULL) {
        return 0;
    }
    return out_len;
}

/// Incremental digest state, for bodies that arrive in parts: a plain struct, so that a digest never fails.
typedef union {
    SHA_CTX sha1;
    SHA256_CTX sha256;
    SHA512_CTX sha512;
} hookstash_digest_context;

static inline void hookstash_digest_init(hookstash_digest digest, hookstash_digest_context *ctx) {
    switch (digest) {
    case HOOKSTASH_DIGEST_SHA1: SHA1_Init(&ctx->sha1); break;
    case HOOKSTASH_DIGEST_SHA256: SHA256_Init(&ctx->sha256); break;
    case HOOKSTASH_DIGEST_SHA512: SHA512_Init(&ctx->sha512); break;
    }
}

static inline void hookstash_digest_update(hookstash_digest digest, hookstash_digest_context *ctx, const void *data,
                                           size_t len) {
    switch (digest) {
    case HOOKSTASH_DIGEST_SHA1: SHA1_Update(&ctx->sha1, data, len); break;
    case HOOKSTASH_DIGEST_SHA256: SHA256_Update(&ctx->sha256, data, len); break;
    case HOOKSTASH_DIGEST_SHA512: SHA512_Update(&ctx->sha512, data, len); break;
    }
}

/// Writes the digest to `out` (at least EVP_MAX_MD_SIZE bytes); returns its length.
static inline unsigned int hookstash_digest_final(hookstash_digest digest, hookstash_digest_context *ctx,
                                                  unsigned char *out) {
    switch (digest) {
    case HOOKSTASH_DIGEST_SHA1: SHA1_Final(out, &ctx->sha1); return SHA_DIGEST_LENGTH;
    case HOOKSTASH_DIGEST_SHA256: SHA256_Final(out, &ctx->sha256); return SHA256_DIGEST_LENGTH;
    case HOOKSTASH_DIGEST_SHA512: SHA512_Final(out, &ctx->sha512); return SHA512_DIGEST_LENGTH;
    }
    return 0;
}

/// The reason for the last libcrypto failure on this thread, written to `out`; clears the thread's error queue.
static inline void hookstash_crypto_last_error(char *out, size_t len) {
    unsigned long code = ERR_get_error();
    if (code == 0) {
        if (len > 0) out[0] = 0;
    } else {
        ERR_error_string_n(code, out, len);
    }
    ERR_clear_error();
}

/// Constant-time comparison of two equal-length buffers; 0 when equal.
static inline int hookstash_memcmp(const void *a, const void *b, size_t len) { return CRYPTO_memcmp(a, b, len); }

/// Public-key signature algorithms hookstash verifies, as a plain enum.
typedef enum {
    HOOKSTASH_SIGNATURE_ED25519 = 1,
    /// ECDSA over P-256 with SHA-256, the signature DER-encoded.
    HOOKSTASH_SIGNATURE_ECDSA_P256_SHA256 = 2,
} hookstash_signature;

/// A public key: Ed25519's 32 raw bytes, or a DER SubjectPublicKeyInfo of a P-256 key. NULL when it is not one.
static inline EVP_PKEY *hookstash_public_key(hookstash_signature algorithm, const unsigned char *key, size_t len) {
    if (algorithm == HOOKSTASH_SIGNATURE_ED25519) {
        if (len != 32) return NULL;
        return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, key, len);
    }
    const unsigned char *cursor = key;
    EVP_PKEY *pkey = d2i_PUBKEY(NULL, &cursor, (long)len);
    if (pkey == NULL) return NULL;
    if (cursor != key + len || EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC || EVP_PKEY_get_bits(pkey) != 256) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    return pkey;
}

/// Whether `key` (see `hookstash_public_key`) is usable: 1 when it is, 0 when not.
static inline int hookstash_public_key_usable(hookstash_signature algorithm, const unsigned char *key, size_t len) {
    EVP_PKEY *pkey = hookstash_public_key(algorithm, key, len);
    if (pkey == NULL) { ERR_clear_error(); return 0; }
    EVP_PKEY_free(pkey);
    return 1;
}

/// Verifies `signature` over `message`: 1 when it verifies, 0 when it does not, -1 when the key is unusable.
static inline int hookstash_signature_verify(hookstash_signature algorithm, const unsigned char *key, size_t key_len,
                                             const unsigned char *signature, size_t signature_len,
                                             const unsigned char *message, size_t message_len) {
    static const unsigned char empty = 0;
    EVP_PKEY *pkey = hookstash_public_key(algorithm, key, key_len);
    if (pkey == NULL) { ERR_clear_error(); return -1; }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int result = 0;
    if (ctx != NULL &&
        EVP_DigestVerifyInit(ctx, NULL, algorithm == HOOKSTASH_SIGNATURE_ED25519 ? NULL : EVP_sha256(), NULL, pkey) == 1) {
        result = EVP_DigestVerify(ctx, signature_len ? signature : &empty, signature_len,
                                  message_len ? message : &empty, message_len) == 1 ? 1 : 0;
    }
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    ERR_clear_error();
    return result;
}

/// Signs `message` with a private key (Ed25519's 32-byte seed, or a DER private key of P-256, PKCS#8 or
/// traditional): the signature's length written to `out` (at least 256 bytes), 0 on failure.
static inline size_t hookstash_signature_sign(hookstash_signature algorithm, const unsigned char *key, size_t key_len,
                                              const unsigned char *message, size_t message_len, unsigned char *out) {
    static const unsigned char empty = 0;
    EVP_PKEY *pkey = NULL;
    if (algorithm == HOOKSTASH_SIGNATURE_ED25519) {
        if (key_len == 32) pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, key, key_len);
    } else {
        const unsigned char *cursor = key;
        pkey = d2i_AutoPrivateKey(NULL, &cursor, (long)key_len);
        if (pkey != NULL && (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC || EVP_PKEY_get_bits(pkey) != 256)) {
            EVP_PKEY_free(pkey);
            pkey = NULL;
        }
    }
    if (pkey == NULL) return 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t out_len = 256;
    if (ctx == NULL ||
        EVP_DigestSignInit(ctx, NULL, algorithm == HOOKSTASH_SIGNATURE_ED25519 ? NULL : EVP_sha256(), NULL, pkey) != 1 ||
        EVP_DigestSign(ctx, out, &out_len, message_len ? message : &empty, message_len) != 1) {
        out_len = 0;
    }
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    return out_len;
}

#endif
