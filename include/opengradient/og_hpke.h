/*
 * HPKE (RFC 9180), base mode, for the one suite Oblivious HTTP uses here:
 * DHKEM(X25519, HKDF-SHA256) 0x0020, HKDF-SHA256 0x0001,
 * ChaCha20-Poly1305 0x0003. Built on OpenSSL 3.0's EVP primitives (it has
 * no HPKE API). Also exposes the HKDF-SHA256 and ChaCha20-Poly1305 steps
 * that the OHTTP response encryption (RFC 9458 section 4.4) needs.
 *
 * Secrets (ephemeral keys, shared secret, context keys) are wiped after
 * use; og_hpke_ctx_wipe wipes a context.
 */
#ifndef OPENGRADIENT_OG_HPKE_H
#define OPENGRADIENT_OG_HPKE_H

#include "og_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OG_HPKE_KEM_X25519_SHA256 0x0020
#define OG_HPKE_KDF_SHA256 0x0001
#define OG_HPKE_AEAD_CHACHA20POLY1305 0x0003

#define OG_HPKE_NPK 32   /* public key / enc length */
#define OG_HPKE_NSK 32   /* private key length */
#define OG_HPKE_NK 32    /* AEAD key length */
#define OG_HPKE_NN 12    /* AEAD nonce length */
#define OG_HPKE_NT 16    /* AEAD tag length */
#define OG_HPKE_NH 32    /* KDF output length */

/* An HPKE encryption context (sender or recipient). Holds secrets:
 * wipe with og_hpke_ctx_wipe when done. */
typedef struct og_hpke_ctx {
  unsigned char key[OG_HPKE_NK];
  unsigned char base_nonce[OG_HPKE_NN];
  unsigned char exporter_secret[OG_HPKE_NH];
  uint64_t seq;
} og_hpke_ctx;

/* DeriveKeyPair (RFC 9180 7.1.3) from ikm (any length >= 32 advised). */
OG_API og_result og_hpke_derive_keypair(unsigned char sk[OG_HPKE_NSK],
                                        unsigned char pk[OG_HPKE_NPK],
                                        const unsigned char *ikm,
                                        size_t ikm_len, og_err *err);

/* SetupBaseS: a sender context for pkR and info; writes the encapsulated
 * key to enc. ikmE NULL draws a fresh ephemeral key from getrandom; a
 * given ikmE (32 bytes) is for known-answer tests only. */
OG_API og_result og_hpke_setup_base_s(og_hpke_ctx *ctx,
                                      unsigned char enc[OG_HPKE_NPK],
                                      const unsigned char pkR[OG_HPKE_NPK],
                                      const unsigned char *info,
                                      size_t info_len,
                                      const unsigned char *ikmE,
                                      og_err *err);

/* SetupBaseR: the recipient context for enc, skR and info. */
OG_API og_result og_hpke_setup_base_r(og_hpke_ctx *ctx,
                                      const unsigned char enc[OG_HPKE_NPK],
                                      const unsigned char skR[OG_HPKE_NSK],
                                      const unsigned char *info,
                                      size_t info_len, og_err *err);

/* Seal: ct (pt_len + OG_HPKE_NT bytes, caller's) = AEAD(pt, aad) with the
 * context's next nonce; the sequence number advances. */
OG_API og_result og_hpke_seal(og_hpke_ctx *ctx, unsigned char *ct,
                              const unsigned char *aad, size_t aad_len,
                              const unsigned char *pt, size_t pt_len,
                              og_err *err);

/* Open: pt (ct_len - OG_HPKE_NT bytes, caller's); OG_E_CRYPTO when the
 * tag does not check (nothing usable is left in pt then). */
OG_API og_result og_hpke_open(og_hpke_ctx *ctx, unsigned char *pt,
                              const unsigned char *aad, size_t aad_len,
                              const unsigned char *ct, size_t ct_len,
                              og_err *err);

/* Export (RFC 9180 5.3): L bytes (L <= 255 * 32) of exported secret. */
OG_API og_result og_hpke_export(const og_hpke_ctx *ctx, unsigned char *out,
                                size_t L, const unsigned char *exp_ctx,
                                size_t exp_ctx_len, og_err *err);

OG_API void og_hpke_ctx_wipe(og_hpke_ctx *ctx);

/* HKDF-SHA256 (RFC 5869) steps. salt may be NULL with salt_len 0. */
OG_API og_result og_hkdf_sha256_extract(unsigned char prk[OG_HPKE_NH],
                                        const unsigned char *salt,
                                        size_t salt_len,
                                        const unsigned char *ikm,
                                        size_t ikm_len, og_err *err);
OG_API og_result og_hkdf_sha256_expand(unsigned char *out, size_t L,
                                       const unsigned char prk[OG_HPKE_NH],
                                       const unsigned char *info,
                                       size_t info_len, og_err *err);

/* RFC 9180 ComputeNonce: base XOR seq (big-endian, in the last 8 bytes).
 * Chunked OHTTP numbers its chunks the same way. */
OG_API void og_hpke_nonce(unsigned char nonce[12],
                          const unsigned char base[12], uint64_t seq);

/* ChaCha20-Poly1305 (RFC 8439): ct gets pt_len + 16 bytes (tag last). */
OG_API og_result og_chacha20poly1305_seal(unsigned char *ct,
                                          const unsigned char key[32],
                                          const unsigned char nonce[12],
                                          const unsigned char *aad,
                                          size_t aad_len,
                                          const unsigned char *pt,
                                          size_t pt_len, og_err *err);
/* pt gets ct_len - 16 bytes; OG_E_CRYPTO if ct_len < 16 or the tag is
 * wrong (pt is wiped then). */
OG_API og_result og_chacha20poly1305_open(unsigned char *pt,
                                          const unsigned char key[32],
                                          const unsigned char nonce[12],
                                          const unsigned char *aad,
                                          size_t aad_len,
                                          const unsigned char *ct,
                                          size_t ct_len, og_err *err);

/* The same with the tag apart; pt may equal ct (in place). */
OG_API og_result og_chacha20poly1305_open_detached(
  unsigned char *pt, const unsigned char key[32], const unsigned char nonce[12],
  const unsigned char *aad, size_t aad_len, const unsigned char *ct,
  size_t ct_len, const unsigned char tag[16], og_err *err);

/* A keyed ChaCha20-Poly1305 (RFC 8439) for many messages under one key (a
 * chunked stream): the cipher context is set up once. Caller frees with
 * og_aead_free (the key schedule is wiped). */
typedef struct og_aead og_aead;
OG_API og_result og_aead_new(og_aead **out, const unsigned char key[32],
                             og_err *err);
/* As og_chacha20poly1305_open_detached, with the key of a. */
OG_API og_result og_aead_open(og_aead *a, unsigned char *pt,
                              const unsigned char nonce[12],
                              const unsigned char *aad, size_t aad_len,
                              const unsigned char *ct, size_t ct_len,
                              const unsigned char tag[16], og_err *err);
/* Seal pt (pt_len bytes) into ct (pt_len bytes; may be pt) and tag,
 * with the key of a: a recipient streaming many chunks under one key. */
OG_API og_result og_aead_seal(og_aead *a, unsigned char *ct,
                              unsigned char tag[16],
                              const unsigned char nonce[12],
                              const unsigned char *aad, size_t aad_len,
                              const unsigned char *pt, size_t pt_len,
                              og_err *err);
OG_API void og_aead_free(og_aead *a);

#ifdef __cplusplus
}
#endif

#endif
