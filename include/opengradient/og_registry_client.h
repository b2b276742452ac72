/*
 * Reading the TEERegistry over JSON-RPC, checking entries and choosing a
 * TEE. The entry types and the ABI decoders are in og_registry.h.
 *
 * Error rules: an RPC that fails or answers badly is OG_E_RPC (exit 2),
 * never "no TEEs"; no usable TEE, an unknown id or an inactive one is
 * OG_E_NO_TEE (exit 3) with the reason.
 */
#ifndef OPENGRADIENT_OG_REGISTRY_CLIENT_H
#define OPENGRADIENT_OG_REGISTRY_CLIENT_H

#include "og_common.h"
#include "og_registry.h"
#include "og_rpc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OG_SEL_GET_ACTIVE_TEES 0x4b6014dau
#define OG_SEL_GET_TEE 0x418b207du
#define OG_SEL_IS_TEE_ACTIVE 0xa3bf31f1u
#define OG_SEL_TEE_NOT_FOUND 0xf6523b65u

/* getActiveTEEs(tee_type) return data, raw (for callers that decode or
 * benchmark themselves). Appended to out, which the caller initialises
 * (OG_REGISTRY_MAX_REPLY is the usual cap). */
OG_API og_result og_registry_fetch_active(og_rpc *r, og_buf *out,
                                   const og_address *registry,
                                   uint8_t tee_type,
                                   og_err *err) OG_WARN_UNUSED;

/* getActiveTEEs(tee_type), decoded. An empty list is OG_OK with count 0.
 * Caller frees with og_tee_list_free (also after a failure). */
OG_API og_result og_registry_get_active(og_rpc *r, og_tee_list *list,
                                 const og_address *registry, uint8_t tee_type,
                                 og_err *err) OG_WARN_UNUSED;

/* getTEE(id), decoded into a list of one. An unknown id (revert
 * TEENotFound) is OG_E_NO_TEE. Caller frees with og_tee_list_free. */
OG_API og_result og_registry_get_tee(og_rpc *r, og_tee_list *list,
                              const og_address *registry, const og_bytes32 *id,
                              og_err *err) OG_WARN_UNUSED;

/* isTEEActive(id): *active 0 or 1 (0 also for unknown ids). */
OG_API og_result og_registry_is_active(og_rpc *r, int *active,
                                const og_address *registry,
                                const og_bytes32 *id,
                                og_err *err) OG_WARN_UNUSED;

/* The usability of one entry. */
typedef struct og_tee_check {
  int usable;               /* https endpoint with a host and a DER X.509
                               certificate (the CLI contract's meaning) */
  int key_ok;               /* the signing key is a DER SPKI (checked
                               again when an answer is verified) */
  char reason[160];         /* why not usable, "" when usable */
  int cert_expired;         /* warnings only: the registry's heartbeat */
  int cert_not_yet_valid;   /* says whether the TEE is alive */
  int has_cert_sha256;      /* a non-empty certificate was present */
  unsigned char cert_sha256[32]; /* SHA-256 of the registry's bytes */
  char cert_sha256_hex[65]; /* lowercase hex of it */
} og_tee_check;

/* Check one entry (no network). */
OG_API void og_tee_check_entry(og_tee_check *out, const og_tee *tee);

/* Parse a TEE id: 64 hex digits, optional 0x, any case. OG_E_USAGE when
 * malformed. */
OG_API og_result og_tee_id_parse(og_bytes32 *out, const char *text, og_err *err);

typedef struct og_tee_select_opts {
  const og_bytes32 *tee_id;     /* exactly this TEE, or NULL: random among
                                   the usable active ones */
  uint8_t tee_type;
  const og_bytes32 *pcr_allow;  /* allowed pcrHash values, or NULL = any */
  size_t pcr_allow_len;
  /* Told about each entry left out, e.g. for -v. May be NULL. */
  void (*on_skip)(void *user, const og_tee *tee, const char *reason);
  void *user;
} og_tee_select_opts;

/* Choose from a list of active TEEs (no network): the named one (must be
 * in the list, of the type, usable, PCR allowed) or a random usable one
 * (getrandom). *chosen points into list. OG_E_NO_TEE with the reason when
 * there is none. */
OG_API og_result og_tee_select(const og_tee **chosen, const og_tee_list *list,
                        const og_tee_select_opts *opts,
                        og_err *err) OG_WARN_UNUSED;

/* Read the registry and choose. With tee_id: getTEE + isTEEActive, so the
 * reason says whether the id is unknown, inactive, of another type or not
 * usable. Without: getActiveTEEs + og_tee_select. *chosen points into
 * list; caller frees list with og_tee_list_free (also after a failure). */
OG_API og_result og_registry_select(og_rpc *r, og_tee_list *list,
                             const og_tee **chosen, const og_address *registry,
                             const og_tee_select_opts *opts,
                             og_err *err) OG_WARN_UNUSED;

#ifdef __cplusplus
}
#endif

#endif
