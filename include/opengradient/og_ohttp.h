/*
 * opengradient: Oblivious HTTP (RFC 9458) as the gateway's recipient
 * expects it, for the one suite DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 /
 * ChaCha20-Poly1305:
 *   request  = key_id(1) ‖ kem(2) ‖ kdf(2) ‖ aead(2) ‖ enc(32) ‖ sealed
 *              (HPKE info "message/bhttp request" ‖ 0 ‖ the 7-byte header;
 *              the plaintext is the JSON request body itself)
 *   response = response_nonce(32) ‖ sealed              (single-shot)
 *   chunked  = response_nonce(32) ‖ (varint(len) ‖ sealed)* ‖ varint(0) ‖
 *              final_sealed (draft-ietf-ohai-chunked-ohttp-08; QUIC
 *              varints; chunk nonce = nonce XOR counter; final aad "final")
 * Every length from outside is checked against the caps below.
 */
#ifndef OPENGRADIENT_OG_OHTTP_H
#define OPENGRADIENT_OG_OHTTP_H

#include "og_buf.h"
#include "og_common.h"
#include "og_hpke.h"
#include "og_registry.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OG_OHTTP_HEADER_LEN 7
#define OG_OHTTP_NONCE_LEN 32
#define OG_OHTTP_MAX_REQUEST (4u * 1024 * 1024)  /* plaintext request */
#define OG_OHTTP_MAX_RESPONSE (16u * 1024 * 1024) /* single-shot body */
#define OG_OHTTP_MAX_CHUNK (1u * 1024 * 1024)     /* one sealed chunk */

/* Sender state kept between the request and its response. Holds secrets:
 * wipe with og_ohttp_client_wipe. */
typedef struct og_ohttp_client {
  og_hpke_ctx hpke;
  unsigned char enc[OG_HPKE_NENC];
} og_ohttp_client;

/* OG_OK when tee's registry entry carries a usable OHTTP key: the suite is
 * 0x0020/0x0001/0x0003, the key 32 bytes, and a non-empty keyConfig
 * (RFC 9458 section 3) names the same key id, KEM, key and suite.
 * OG_E_NO_TEE with a detail otherwise. */
OG_API og_result og_ohttp_tee_usable(const og_tee *tee, og_err *err);

/* Seal pt (the JSON request body, pt_len <= OG_OHTTP_MAX_REQUEST) to the
 * key pk with key_id; appends the request to wire and fills st. ikmE: NULL
 * for a fresh ephemeral key (fixed only in known-answer tests). */
OG_API og_result og_ohttp_encapsulate(og_ohttp_client *st, og_buf *wire,
                                      uint8_t key_id,
                                      const unsigned char pk[OG_HPKE_NPK],
                                      const unsigned char *pt, size_t pt_len,
                                      const unsigned char *ikmE,
                                      size_t ikmE_len, og_err *err);

/* Open a single-shot response body; appends the plaintext to out.
 * OG_E_PARSE when too short, OG_E_VERIFY when it does not decrypt. */
OG_API og_result og_ohttp_open_response(const og_ohttp_client *st,
                                        og_buf *out,
                                        const unsigned char *body,
                                        size_t len, og_err *err);

/* Called with each decrypted chunk as soon as it is complete; is_final for
 * the last one. A non-zero return stops the reader (OG_E_CANCELLED). */
typedef int (*og_ohttp_chunk_cb)(void *user, const unsigned char *pt,
                                 size_t len, int is_final);

/* Incremental chunked-response reader. */
typedef struct og_ohttp_chunked {
  unsigned char key[32];
  unsigned char nonce[12];
  unsigned char enc[OG_HPKE_NENC];
  unsigned char secret[32];
  uint64_t counter;
  int state;        /* internal */
  og_result failed; /* first error, sticky */
  og_buf pending;   /* bytes not yet consumed */
  unsigned char *plain; /* scratch for one chunk's plaintext */
  size_t plain_cap;
  void *aead;       /* private: the keyed cipher context, reused */
  og_ohttp_chunk_cb cb;
  void *user;
  size_t chunks;    /* chunks delivered, the final one included */
} og_ohttp_chunked;

/* Start a reader for the answer to st's request. */
OG_API og_result og_ohttp_chunked_init(og_ohttp_chunked *r,
                                       const og_ohttp_client *st,
                                       og_ohttp_chunk_cb cb, void *user,
                                       og_err *err);
/* Feed bytes as they arrive (any split). */
OG_API og_result og_ohttp_chunked_feed(og_ohttp_chunked *r,
                                       const unsigned char *data, size_t len,
                                       og_err *err);
/* End of stream: decrypts the final chunk; OG_E_PARSE ("truncated") when
 * the final marker never came. */
OG_API og_result og_ohttp_chunked_finish(og_ohttp_chunked *r, og_err *err);
/* Free and wipe the reader. */
OG_API void og_ohttp_chunked_free(og_ohttp_chunked *r);

/* Wipe sender state. */
OG_API void og_ohttp_client_wipe(og_ohttp_client *st);

/* QUIC variable-length integer (RFC 9000 16): reads one from p[0..len);
 * returns its size (1, 2, 4, 8), 0 when more bytes are needed. */
OG_API size_t og_quic_varint_read(uint64_t *v, const unsigned char *p,
                                  size_t len);
/* Writes v (< 2^62) into out (8 bytes room); returns the size used. */
OG_API size_t og_quic_varint_write(unsigned char out[8], uint64_t v);

#ifdef __cplusplus
}
#endif

#endif
