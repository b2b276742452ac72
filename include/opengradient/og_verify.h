/*
 * Verification of the enclave's signature on an answer (signatures
 * reference §2, §5) and on a heartbeat (§7).
 *
 *   request_hash = keccak256(canonical request bytes)
 *   output_hash  = keccak256(output string)
 *   msg_hash     = keccak256(request_hash ‖ output_hash ‖ uint256_be(ts))
 *   tee_signature = base64(RSA-PSS-SHA256(msg_hash), MGF1-SHA256, salt 32)
 *   tee_id       = keccak256(registry SPKI DER)
 */
#ifndef OPENGRADIENT_OG_VERIFY_H
#define OPENGRADIENT_OG_VERIFY_H

#include "og_canon.h"
#include "og_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OG_RSA_SIG_LEN 256
#define OG_RSA_SPKI_MAX 4096

/* Verify an RSA-PSS signature (RSA-2048 key given as DER
 * SubjectPublicKeyInfo; SHA-256, MGF1-SHA-256, salt length exactly 32) over
 * the 32-byte msg_hash as the message (PSS hashes it once more).
 * OG_OK when valid; OG_E_VERIFY "signature does not verify" when not, or
 * with a detail when the key is not a usable RSA-2048 key. */
OG_API og_result og_rsa_pss_verify(const unsigned char *spki, size_t spki_len,
                            const og_bytes32 *msg_hash,
                            const unsigned char sig[OG_RSA_SIG_LEN],
                            og_err *err) OG_WARN_UNUSED;

/* The same, with the signature as strict standard base64 that must decode
 * to exactly 256 bytes (OG_E_VERIFY otherwise). */
OG_API og_result og_rsa_pss_verify_b64(const unsigned char *spki, size_t spki_len,
                                const og_bytes32 *msg_hash,
                                const char *sig_b64, og_err *err)
  OG_WARN_UNUSED;

/* msg_hash = keccak256(request_hash ‖ output_hash ‖ uint256_be(ts)). */
OG_API void og_tee_msg_hash(og_bytes32 *out, const og_bytes32 *request_hash,
                     const og_bytes32 *output_hash, uint64_t timestamp);

/* Heartbeat message: keccak256(tee_id ‖ uint256_be(timestamp)). */
OG_API void og_heartbeat_msg_hash(og_bytes32 *out, const og_bytes32 *tee_id,
                           uint64_t timestamp);

/* tee_id = keccak256(SPKI DER). */
OG_API void og_tee_id(og_bytes32 *out, const unsigned char *spki, size_t spki_len);

/* The signature fields of an answer, as plain C strings (NULL = absent).
 * In a stream they are on the final chunk. */
typedef struct og_answer_sig {
  const char *tee_signature;    /* standard base64, 256 bytes decoded */
  const char *tee_timestamp;    /* unix seconds, decimal digits */
  const char *tee_request_hash; /* 64 hex, optional 0x */
  const char *tee_output_hash;  /* 64 hex, optional 0x */
  const char *tee_id;           /* 0x + 64 hex (case-insensitive) */
} og_answer_sig;

/* What an answer says. When ntool_calls > 0 the tool calls are hashed and
 * the text is not (signatures reference §4). */
typedef struct og_answer {
  const char *text; /* chat content, concatenated stream deltas, or
                       completion text; may be NULL when text_len is 0 */
  size_t text_len;
  const og_tool_call *tool_calls; /* non-stream as returned, or a stream's
                                     reassembled calls in index order */
  size_t ntool_calls;
  og_answer_sig sig;
} og_answer;

/* Which check failed first, in the order they are made. */
typedef enum og_verify_check {
  OG_CHECK_NONE = 0,     /* all passed */
  OG_CHECK_FIELDS,       /* missing or malformed signature fields */
  OG_CHECK_TEE_ID,       /* tee_id != keccak256(registry key) */
  OG_CHECK_REQUEST_HASH, /* our canonical request hash differs (both rules) */
  OG_CHECK_OUTPUT_HASH,  /* our output hash differs */
  OG_CHECK_SIGNATURE     /* RSA-PSS over the recomputed hashes fails */
} og_verify_check;

/* Short name of a check: "fields", "tee_id", "request_hash",
 * "output_hash", "signature", or "none". */
OG_API const char *og_verify_check_name(og_verify_check c);

typedef struct og_verify_report {
  int fields_ok;          /* all five present and well-formed */
  int tee_id_ok;
  int request_hash_ok;    /* matched under at least one rule set */
  int output_hash_ok;
  int signature_ok;       /* over the recomputed hashes */
  og_verify_check first_failure;
  og_canon_rules rules;   /* the rule set that matched (when it did) */
  int rules_tried[OG_RULES_COUNT]; /* 1 when that rule set applied */
  og_bytes32 request_hash; /* recomputed: the matching one, else newer's
                              (else 2026-04's) */
  og_bytes32 output_hash;  /* recomputed */
  og_bytes32 msg_hash;     /* from the recomputed hashes */
  og_bytes32 expected_tee_id; /* keccak256(SPKI) */
  uint64_t timestamp;
} og_verify_report;

/* Check one answer against the registry key (SPKI DER), the request JSON
 * exactly as sent, and the endpoint kind. Fills *report (may be NULL) with
 * every check's result, then returns OG_OK when all pass, or OG_E_VERIFY
 * with a detail naming the first failure ("answer carries no signature",
 * "tee_id does not match the registry key", "request hash does not match
 * (2026-04: ...; newer: ...)", "output hash does not match", "signature
 * does not verify"). A request that cannot be parsed fails with
 * og_json_parse's code (OG_E_USAGE for integers beyond 64 bits). */
OG_API og_result og_verify_answer(og_verify_report *report,
                           const unsigned char *spki, size_t spki_len,
                           const char *request_json, size_t request_len,
                           og_endpoint kind, const og_answer *answer,
                           og_err *err) OG_WARN_UNUSED;

/* The same with the request already parsed. */
OG_API og_result og_verify_answer_json(og_verify_report *report,
                                const unsigned char *spki, size_t spki_len,
                                const json_t *request, og_endpoint kind,
                                const og_answer *answer, og_err *err)
  OG_WARN_UNUSED;

/* Verify a heartbeat signature (base64) for tee_id and timestamp. */
OG_API og_result og_verify_heartbeat(const unsigned char *spki, size_t spki_len,
                              const og_bytes32 *tee_id, uint64_t timestamp,
                              const char *sig_b64, og_err *err)
  OG_WARN_UNUSED;

#ifdef __cplusplus
}
#endif

#endif
