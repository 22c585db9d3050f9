#ifndef HOOKSTASH_CLIBCRYPTO_SHIM_H
#define HOOKSTASH_CLIBCRYPTO_SHIM_H

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
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

/// Incremental digest context (for bodies that arrive in parts).
static inline EVP_MD_CTX *hookstash_digest_new(hookstash_digest digest) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx != NULL && EVP_DigestInit_ex(ctx, hookstash_evp_md(digest), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static inline int hookstash_digest_update(EVP_MD_CTX *ctx, const void *data, size_t len) {
    return EVP_DigestUpdate(ctx, data, len);
}

/// Writes the digest to `out` (at least EVP_MAX_MD_SIZE bytes); returns its length, 0 on failure.
static inline unsigned int hookstash_digest_final(EVP_MD_CTX *ctx, unsigned char *out) {
    unsigned int out_len = 0;
    if (EVP_DigestFinal_ex(ctx, out, &out_len) != 1) {
        return 0;
    }
    return out_len;
}

static inline void hookstash_digest_free(EVP_MD_CTX *ctx) { EVP_MD_CTX_free(ctx); }

/// Constant-time comparison of two equal-length buffers; 0 when equal.
static inline int hookstash_memcmp(const void *a, const void *b, size_t len) { return CRYPTO_memcmp(a, b, len); }

#endif
