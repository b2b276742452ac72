/*
 * AWS Nitro attestation documents (newer-gateway reference §2): a
 * COSE_Sign1 (CBOR, ES384) whose payload names the enclave's PCRs and
 * user_data, signed by a leaf certificate that chains through the
 * document's cabundle to the AWS Nitro Enclaves root G1.
 *
 * The library parses with libcbor and verifies with OpenSSL; it binds
 * nothing to a registry or a connection itself: og_attest_check_binding
 * compares user_data with the hashes the caller knows.
 */
#ifndef OPENGRADIENT_OG_ATTEST_H
#define OPENGRADIENT_OG_ATTEST_H

#include <stddef.h>
#include <stdint.h>

#include "opengradient/og_common.h"
#include "opengradient/og_http.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest document accepted (raw CBOR bytes). */
#define OG_ATTEST_MAX_DOC 65536
/* Largest user_data / nonce kept (Nitro allows up to 1024 bytes each). */
#define OG_ATTEST_MAX_FIELD 1024
/* Largest PCR value (SHA-512). */
#define OG_ATTEST_MAX_PCR 64

typedef struct og_attest_doc {
  char module_id[256];           /* NUL-terminated */
  uint64_t timestamp_ms;         /* as in the document */
  unsigned char pcrs[3][OG_ATTEST_MAX_PCR]; /* PCR0, PCR1, PCR2 */
  size_t pcr_len[3];
  og_bytes32 pcr_hash;           /* keccak256(PCR0 || PCR1 || PCR2) */
  unsigned char user_data[OG_ATTEST_MAX_FIELD];
  size_t user_data_len;
  int has_user_data;
  unsigned char nonce[OG_ATTEST_MAX_FIELD];
  size_t nonce_len;
  int has_nonce;
  int64_t leaf_not_before;       /* unix seconds */
  int64_t leaf_not_after;        /* unix seconds */
  int signature_ok;              /* COSE ES384 by the leaf holds */
  int chain_ok;                  /* leaf -> cabundle -> root at the time */
  char signature_error[160];     /* why signature_ok is 0 ("" otherwise) */
  char chain_error[160];         /* why chain_ok is 0 ("" otherwise) */
} og_attest_doc;

/* Turn a saved or fetched document into raw CBOR: standard base64 text
 * (surrounding whitespace ignored) or raw CBOR as is. out must hold
 * OG_ATTEST_MAX_DOC bytes. OG_E_PARSE when it is neither, OG_E_TOO_LARGE
 * over the cap. */
OG_API og_result og_attest_decode_text(unsigned char *out, size_t *outlen,
                                       const unsigned char *in, size_t inlen,
                                       og_err *err);

/* Parse a raw document and verify its signature and its certificate
 * chain at time `at` (unix seconds; 0 = the document's own timestamp).
 * root_pem (NUL-terminated PEM, caller keeps it) is the trust anchor;
 * NULL means the built-in AWS Nitro root G1, whose SHA-256 fingerprint
 * is checked at first use. Returns OG_OK when the document parses, with
 * out->signature_ok / chain_ok telling whether those checks hold;
 * OG_E_PARSE (or OG_E_TOO_LARGE) when it does not parse; OG_E_USAGE for
 * an unusable root_pem; OG_E_INTERNAL if the built-in root is damaged. */
OG_API og_result og_attest_verify(og_attest_doc *out,
                                  const unsigned char *doc, size_t len,
                                  const char *root_pem, int64_t at,
                                  og_err *err);

/* The nitriding user_data binding: 0x12 0x20 || sha256(TLS cert DER) ||
 * 0x12 0x20 || sha256(signing key SPKI DER). Sets *tls_ok / *key_ok to
 * 1 when the matching half equals the given hash (either hash pointer may
 * be NULL: its flag is then left alone). */
OG_API void og_attest_check_binding(const og_attest_doc *doc,
                                    const og_bytes32 *tls_cert_sha256,
                                    const og_bytes32 *signing_key_sha256,
                                    int *tls_ok, int *key_ok);


/* ---- Checking a document against what the caller knows ---- */

/* Check results: 1 holds, 0 fails, -1 not made (nothing to compare). */
typedef struct og_attest_report {
  og_attest_doc doc;            /* valid when parsed */
  int parsed;
  int signature, chain, nonce, pcr_hash, tls_cert, signing_key;
  int ok;                       /* parsed and no made check failed */
  unsigned char our_nonce[20];  /* live: the nonce we sent */
  char error[OG_ERR_SIZE];      /* the first failure, "" when ok */
} og_attest_report;

/* What the document must match; any pointer may be NULL (check not made). */
typedef struct og_attest_expect {
  const unsigned char *nonce;
  size_t nonce_len;
  const og_bytes32 *pcr_hash;           /* the registry's pcrHash */
  const og_bytes32 *tls_cert_sha256;    /* of the certificate we pinned */
  const og_bytes32 *signing_key_sha256; /* of the signing key's SPKI DER */
} og_attest_expect;

/* Fill rep's checks from rep->doc (already verified by og_attest_verify,
 * rep->parsed set) and e; sets ok and the first failure's error line. */
OG_API void og_attest_evaluate(og_attest_report *rep, const og_attest_expect *e);

/* ---- Fetching a live document over a pinned connection ---- */

typedef struct og_attest_op og_attest_op;

typedef struct og_attest_target {
  const char *endpoint;         /* https://host:port[/] */
  const unsigned char *pin_der; /* exact DER leaf: the connection is pinned
                                   to it and tls_cert compares with it;
                                   NULL = system CAs, tls_cert not made */
  size_t pin_der_len;
  const unsigned char *spki;    /* the signing key (SPKI DER), or NULL */
  size_t spki_len;
  const og_bytes32 *pcr_hash;   /* the registry's pcrHash, or NULL */
  const char *root_pem;         /* NULL = the built-in AWS root */
  int64_t at;                   /* chain time; 0 = now */
  long connect_timeout_ms;
  long total_timeout_ms;
} og_attest_target;

/* rc: OG_OK when every made check holds; OG_E_TLS when one fails or the
 * document cannot be fetched (non-200) or parsed; the transport's result
 * (OG_E_CONNECT, OG_E_TLS, OG_E_TIMEOUT) when there was no answer. rep
 * is valid during the callback only. */
typedef void (*og_attest_done_fn)(void *user, og_result rc,
                                  const og_attest_report *rep,
                                  const og_err *err);

/* GET <endpoint>/enclave/attestation?nonce=<fresh 20 random bytes, hex>
 * on h and check the answer. The target is copied. *op (may be NULL) is
 * valid until done has been called or og_attest_cancel. */
OG_API og_result og_attest_start(og_http *h, og_attest_op **op,
                                 const og_attest_target *t,
                                 og_attest_done_fn done, void *user,
                                 og_err *err) OG_WARN_UNUSED;

/* Cancel a fetch not yet done: done is not called. */
OG_API void og_attest_cancel(og_http *h, og_attest_op *op);

#ifdef __cplusplus
}
#endif

#endif
