/*
 * Oblivious HTTP (RFC 9458) client side, as the TEE gateway's recipient
 * expects it: the request is header(7) || enc(32) || HPKE ciphertext of
 * the JSON body itself (no binary HTTP); the response is single-shot
 * (response_nonce(32) || AEAD) or chunked (draft-ietf-ohai-chunked-ohttp-08:
 * response_nonce(32) || (varint(len) || sealed)* || varint(0) || final,
 * QUIC varints, chunk nonce = base nonce XOR counter, the final chunk's
 * aad "final"; a stream that ends without it is truncated).
 *
 * One suite only: X25519 / HKDF-SHA256 / ChaCha20-Poly1305.
 */
#ifndef OPENGRADIENT_OG_OHTTP_H
#define OPENGRADIENT_OG_OHTTP_H

#include "og_buf.h"
#include "og_common.h"
#include "og_registry.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OG_OHTTP_HEADER_LEN 7
#define OG_OHTTP_NONCE_LEN 32     /* response_nonce = max(Nn, Nk) */
#define OG_OHTTP_MAX_CHUNK (1u << 20) /* largest sealed chunk accepted */
#define OG_OHTTP_MAX_RESPONSE (8u << 20) /* largest single-shot response */

/* The key and suite of a TEE, from its registry OhttpConfig. */
typedef struct og_ohttp_config {
  uint8_t key_id;
  uint16_t kem_id, kdf_id, aead_id;
  unsigned char public_key[32];
} og_ohttp_config;

/* Whether a registry entry is OHTTP-capable: 11-field layout, a 32-byte
 * X25519 key, this suite, and a keyConfig (when present) that agrees with
 * the key fields (RFC 9458 section 3 layout). OG_OK fills cfg; otherwise
 * OG_E_NO_TEE with the reason. */
OG_API og_result og_ohttp_config_from_tee(og_ohttp_config *cfg,
                                          const og_tee *t, og_err *err);

/* The state a request leaves for opening its response. Holds secrets:
 * og_ohttp_req_wipe when done. */
typedef struct og_ohttp_req {
  unsigned char enc[32];
  unsigned char secret[32]; /* exported response secret */
  int chunked;
} og_ohttp_req;

/* Seal body for cfg: wire gets header || enc || ciphertext (appended).
 * chunked selects which response secret is exported ("message/bhttp
 * chunked response" or "message/bhttp response"). ikmE NULL = fresh
 * randomness (a fixed one is for tests). A suite other than the one above
 * is OG_E_USAGE. */
OG_API og_result og_ohttp_encapsulate(og_ohttp_req *req, og_buf *wire,
                                      const og_ohttp_config *cfg,
                                      const unsigned char *body, size_t len,
                                      int chunked, const unsigned char *ikmE,
                                      og_err *err);

/* Open a single-shot response: plain gets the inner bytes (appended).
 * OG_E_PARSE when too short, OG_E_VERIFY when it does not decrypt. */
OG_API og_result og_ohttp_open_response(og_buf *plain, const og_ohttp_req *req,
                                        const unsigned char *resp, size_t len,
                                        og_err *err);

/* Called with each decrypted chunk, in order; final is 1 for the last.
 * A non-OG_OK return stops the reader with that result. */
typedef og_result (*og_ohttp_chunk_fn)(void *ctx, const unsigned char *pt,
                                       size_t n, int final, og_err *err);

/* Incremental reader of a chunked response. */
typedef struct og_ohttp_chunked {
  og_ohttp_req req;
  unsigned char key[32], nonce[12];
  uint64_t counter;
  int have_keys, in_final, done;
  og_result failed;
  og_buf in;   /* bytes not yet consumed */
  og_buf pt;   /* scratch for one chunk's plaintext */
  struct og_aead *aead; /* keyed once the response nonce is in */
} og_ohttp_chunked;

/* Start a reader for req (copied). */
OG_API void og_ohttp_chunked_init(og_ohttp_chunked *c, const og_ohttp_req *req);

/* Feed n received bytes; each complete non-final chunk is decrypted and
 * handed to cb at once. Errors are sticky. */
OG_API og_result og_ohttp_chunked_feed(og_ohttp_chunked *c,
                                       const unsigned char *p, size_t n,
                                       og_ohttp_chunk_fn cb, void *ctx,
                                       og_err *err);

/* The stream ended: decrypt the final chunk (aad "final") and hand it to
 * cb; OG_E_PARSE "truncated" when the final marker never came. */
OG_API og_result og_ohttp_chunked_finish(og_ohttp_chunked *c,
                                         og_ohttp_chunk_fn cb, void *ctx,
                                         og_err *err);

/* Wipe keys and free buffers. */
OG_API void og_ohttp_chunked_free(og_ohttp_chunked *c);

OG_API void og_ohttp_req_wipe(og_ohttp_req *req);

/* Response keys (RFC 9458 4.4): prk = HMAC-SHA256(enc || response_nonce,
 * secret); key = Expand(prk, "key", 32); nonce = Expand(prk, "nonce", 12).
 * Public for the tests' recipient side. */
OG_API og_result og_ohttp_response_keys(unsigned char key[32],
                                        unsigned char nonce[12],
                                        const og_ohttp_req *req,
                                        const unsigned char rnonce[32],
                                        og_err *err);

/* QUIC variable-length integer (RFC 9000 16). og_quic_varint_get returns
 * the bytes used, 0 when more are needed. og_quic_varint_put returns the
 * bytes written (1, 2, 4 or 8) into out[8]. */
OG_API size_t og_quic_varint_get(uint64_t *v, const unsigned char *p, size_t n);
OG_API size_t og_quic_varint_put(unsigned char out[8], uint64_t v);

#ifdef __cplusplus
}
#endif

#endif
