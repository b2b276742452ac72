/*
 * opengradient: HPKE base mode (RFC 9180) for the one suite Oblivious HTTP
 * uses here: DHKEM(X25519, HKDF-SHA256) 0x0020, HKDF-SHA256 0x0001,
 * ChaCha20-Poly1305 0x0003. Built on OpenSSL's X25519, HMAC-SHA256 and
 * ChaCha20-Poly1305 primitives. Contexts hold secrets: wipe them with
 * og_hpke_ctx_wipe when done.
 */
#ifndef OPENGRADIENT_OG_HPKE_H
#define OPENGRADIENT_OG_HPKE_H

#include "og_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OG_HPKE_KEM_X25519_SHA256 0x0020
#define OG_HPKE_KDF_HKDF_SHA256 0x0001
#define OG_HPKE_AEAD_CHACHA20POLY1305 0x0003
#define OG_HPKE_NENC 32  /* encapsulated key */
#define OG_HPKE_NPK 32   /* public key */
#define OG_HPKE_NSK 32   /* private key */
#define OG_HPKE_NK 32    /* AEAD key */
#define OG_HPKE_NN 12    /* AEAD nonce */
#define OG_HPKE_NT 16    /* AEAD tag */
#define OG_HPKE_NH 32    /* KDF output */
#define OG_HPKE_MAX_INFO 1024
#define OG_HPKE_MAX_EXPORT (255 * 32)

/* An HPKE context (sender or recipient). Holds secrets. */
typedef struct og_hpke_ctx {
  unsigned char key[OG_HPKE_NK];
  unsigned char base_nonce[OG_HPKE_NN];
  unsigned char exporter_secret[OG_HPKE_NH];
  uint64_t seq;
} og_hpke_ctx;

/* DeriveKeyPair(ikm): writes sk and pk. */
OG_API og_result og_hpke_derive_keypair(unsigned char sk[OG_HPKE_NSK],
                                        unsigned char pk[OG_HPKE_NPK],
                                        const unsigned char *ikm,
                                        size_t ikm_len, og_err *err);

/* SetupBaseS: writes ctx and enc for the recipient key pkR. ikmE is the
 * ephemeral key material (NULL: 32 fresh random bytes; a fixed value only
 * for known-answer tests). info_len <= OG_HPKE_MAX_INFO. */
OG_API og_result og_hpke_setup_base_s(og_hpke_ctx *ctx,
                                      unsigned char enc[OG_HPKE_NENC],
                                      const unsigned char pkR[OG_HPKE_NPK],
                                      const unsigned char *info,
                                      size_t info_len,
                                      const unsigned char *ikmE,
                                      size_t ikmE_len, og_err *err);

/* SetupBaseR: writes ctx from enc and the recipient's private key skR. */
OG_API og_result og_hpke_setup_base_r(og_hpke_ctx *ctx,
                                      const unsigned char enc[OG_HPKE_NENC],
                                      const unsigned char skR[OG_HPKE_NSK],
                                      const unsigned char *info,
                                      size_t info_len, og_err *err);

/* Seal pt into ct (pt_len + OG_HPKE_NT bytes, caller's buffer) and step
 * the sequence number. ct may not overlap pt. */
OG_API og_result og_hpke_seal(og_hpke_ctx *ctx, unsigned char *ct,
                              const unsigned char *aad, size_t aad_len,
                              const unsigned char *pt, size_t pt_len,
                              og_err *err);

/* Open ct (ct_len >= OG_HPKE_NT) into pt (ct_len - OG_HPKE_NT bytes,
 * caller's buffer); OG_E_VERIFY when the tag does not check. */
OG_API og_result og_hpke_open(og_hpke_ctx *ctx, unsigned char *pt,
                              const unsigned char *aad, size_t aad_len,
                              const unsigned char *ct, size_t ct_len,
                              og_err *err);

/* Export(exporter_context, L) into out (out_len <= OG_HPKE_MAX_EXPORT). */
OG_API og_result og_hpke_export(const og_hpke_ctx *ctx, unsigned char *out,
                                size_t out_len, const unsigned char *exp_ctx,
                                size_t exp_ctx_len, og_err *err);

/* Wipe a context. */
OG_API void og_hpke_ctx_wipe(og_hpke_ctx *ctx);

/* The primitives, for Oblivious HTTP's response keys. */
/* HKDF-Extract (RFC 5869) with SHA-256; salt may be empty. */
OG_API og_result og_hkdf_sha256_extract(unsigned char prk[32],
                                        const unsigned char *salt,
                                        size_t salt_len,
                                        const unsigned char *ikm,
                                        size_t ikm_len, og_err *err);
/* HKDF-Expand with SHA-256; out_len <= 255 * 32. */
OG_API og_result og_hkdf_sha256_expand(unsigned char *out, size_t out_len,
                                       const unsigned char prk[32],
                                       const unsigned char *info,
                                       size_t info_len, og_err *err);
/* ChaCha20-Poly1305 seal: ct receives pt_len + 16 bytes. */
OG_API og_result og_chacha20poly1305_seal(unsigned char *ct,
                                          const unsigned char key[32],
                                          const unsigned char nonce[12],
                                          const unsigned char *aad,
                                          size_t aad_len,
                                          const unsigned char *pt,
                                          size_t pt_len, og_err *err);
/* ChaCha20-Poly1305 open: pt receives ct_len - 16 bytes; OG_E_VERIFY when
 * the tag does not check (pt is then zeroed). */
OG_API og_result og_chacha20poly1305_open(unsigned char *pt,
                                          const unsigned char key[32],
                                          const unsigned char nonce[12],
                                          const unsigned char *aad,
                                          size_t aad_len,
                                          const unsigned char *ct,
                                          size_t ct_len, og_err *err);

#ifdef __cplusplus
}
#endif

#endif
