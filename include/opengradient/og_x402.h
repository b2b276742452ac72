/*
 * x402 payments, offline part: decode a 402 (PAYMENT-REQUIRED header, x402
 * v2, or a v1 JSON body), choose a requirement under a local policy, and
 * build the PAYMENT-SIGNATURE header (PaymentPayload v2) signed with the
 * wallet key. No network and no chain reads: the chain id comes from the
 * CAIP-2 network name.
 *
 * Schemes signed: "upto" (Permit2 witness transfer through the upto proxy,
 * what the OpenGradient gateway asks for), "exact" with Permit2, and
 * "exact" with EIP-3009.
 */
#ifndef OPENGRADIENT_OG_X402_H
#define OPENGRADIENT_OG_X402_H

#include "og_buf.h"
#include "og_common.h"
#include "og_eip712.h"
#include "og_secp.h"
#include "og_u256.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Caps on what a server may send. */
#define OG_X402_MAX_HEADER (64 * 1024)  /* PAYMENT-REQUIRED value (base64) */
#define OG_X402_MAX_BODY (64 * 1024)    /* a 402 JSON body */
#define OG_X402_MAX_ACCEPTS 16          /* requirements in one 402 */
#define OG_X402_MAX_ERROR 512           /* kept bytes of the server's error */
#define OG_X402_MAX_URL 2048            /* resource.url */
/* Cap on the PAYMENT-SIGNATURE value we build. */
#define OG_X402_MAX_PAYMENT (96 * 1024)

/* The default --max-payment: 0.1 OPG in base units. */
#define OG_X402_DEFAULT_MAX "100000000000000000"
/* The default payment networks: Base mainnet and Base Sepolia. */
#define OG_X402_DEFAULT_NETWORKS "eip155:8453,eip155:84532"
/* The default allowed (network, asset) pairs: OPG on Base. */
#define OG_X402_OPG_BASE "0xFbC2051AE2265686a469421b2C5A2D5462FbF5eB"
#define OG_X402_DEFAULT_ASSETS "eip155:8453:" OG_X402_OPG_BASE

typedef enum og_x402_kind {
  OG_X402_UNSUPPORTED = 0,
  OG_X402_UPTO,          /* scheme "upto" (Permit2, upto proxy) */
  OG_X402_EXACT_PERMIT2, /* scheme "exact", extra.assetTransferMethod
                            "permit2" */
  OG_X402_EXACT_EIP3009  /* scheme "exact", no assetTransferMethod (or
                            "eip3009") */
} og_x402_kind;

/* One decoded PaymentRequirements. Text fields are NUL-terminated and
 * empty when absent. */
typedef struct og_x402_requirement {
  char scheme[32];
  char network[64];      /* CAIP-2; v1 names "base", "base-sepolia" are
                            mapped to eip155:8453 / eip155:84532 */
  og_x402_kind kind;
  uint64_t chain_id;     /* N of "eip155:N"; 0 for other networks */
  og_address asset;      /* parsed for eip155 networks only */
  og_u256 amount;        /* v2 "amount" / v1 "maxAmountRequired" */
  og_address pay_to;     /* parsed for eip155 networks only */
  uint64_t max_timeout_seconds;
  int has_facilitator;
  og_address facilitator;       /* extra.facilitatorAddress */
  char name[128];               /* extra.name (EIP-3009 domain) */
  char version[32];             /* extra.version */
  char asset_transfer_method[32];
  /* The requirement as compact JSON: what goes back in "accepted". For v2
   * it is the server's object re-serialised with its key order kept; for a
   * v1 body it is the v2 form of the requirement. Owned by the list. */
  const char *accepted_json;
} og_x402_requirement;

/* A decoded 402 (opaque). */
typedef struct og_x402_required og_x402_required;

/* Decode a PAYMENT-REQUIRED header value: standard base64 (surrounding
 * whitespace ignored) of JSON with x402Version 2. Strict: every
 * requirement needs scheme, network, amount, asset, payTo (strings) and
 * maxTimeoutSeconds (integer); eip155 addresses must parse (EIP-55 when
 * mixed case); amount is a canonical decimal uint256. OG_E_PARSE /
 * OG_E_TOO_LARGE otherwise, with a detail. On success *out is set; caller
 * frees with og_x402_required_free. */
OG_API og_result og_x402_decode_header(og_x402_required **out, const char *value,
                                size_t len, og_err *err);

/* Decode a 402 JSON body: x402Version 1 (accepts with maxAmountRequired,
 * per-requirement resource) or 2 (same shape as the header). A body
 * without "accepts" (the gateway's "{}") is OG_E_PARSE. Caller frees
 * with og_x402_required_free. */
OG_API og_result og_x402_decode_body(og_x402_required **out, const char *body,
                              size_t len, og_err *err);

OG_API void og_x402_required_free(og_x402_required *r);

OG_API int og_x402_required_version(const og_x402_required *r);
OG_API size_t og_x402_required_count(const og_x402_required *r);
/* The i-th requirement (i < count), valid until the list is freed. */
OG_API const og_x402_requirement *og_x402_required_at(const og_x402_required *r,
                                               size_t i);
/* The server's "error" text, control characters replaced by '?', at most
 * OG_X402_MAX_ERROR bytes; "" when absent. */
OG_API const char *og_x402_required_error(const og_x402_required *r);
/* resource.url, "" when absent. */
OG_API const char *og_x402_required_resource_url(const og_x402_required *r);

/* Local rules for choosing what to sign. */
#define OG_X402_MAX_NETWORKS 8
#define OG_X402_MAX_ASSETS 16
/* One token the client may pay with, on one network. */
typedef struct og_x402_asset {
  char network[64];          /* CAIP-2, "eip155:N" */
  og_address asset;
} og_x402_asset;

typedef struct og_x402_policy {
  og_u256 max_amount;        /* never sign more; equal is allowed */
  char networks[OG_X402_MAX_NETWORKS][64];
  size_t n_networks;
  int has_payee;             /* payee: the TEE's registry payment address */
  og_address payee;
  int strict_payee;          /* refuse a payTo other than payee */
  /* The only (network, asset) pairs a payment may be signed for, in every
   * scheme. Empty: nothing can be paid. */
  og_x402_asset assets[OG_X402_MAX_ASSETS];
  size_t n_assets;
} og_x402_policy;

/* Defaults: max OG_X402_DEFAULT_MAX, networks OG_X402_DEFAULT_NETWORKS,
 * assets OG_X402_DEFAULT_ASSETS, no payee. */
OG_API void og_x402_policy_init(og_x402_policy *p);

/* Replace the allowed assets with a comma-separated list of
 * NETWORK:ADDRESS pairs ("eip155:8453:0xFbC2...,eip155:84532:0x...").
 * Spaces around items are ignored. OG_E_USAGE for an empty item, a
 * network that is not eip155:<chain id>, a bad address (EIP-55 checked
 * when mixed case) or more than OG_X402_MAX_ASSETS pairs; the policy is
 * unchanged then. */
OG_API og_result og_x402_policy_set_assets(og_x402_policy *p, const char *list,
                                    og_err *err);

/* A comma-separated list of CAIP-2 names ("eip155:8453,eip155:84532").
 * Spaces around names are ignored; empty names are refused. OG_E_USAGE. */
OG_API og_result og_x402_policy_set_networks(og_x402_policy *p, const char *list,
                                      og_err *err);

/* The maximum as decimal base units. OG_E_USAGE when not a uint256. */
OG_API og_result og_x402_policy_set_max(og_x402_policy *p, const char *decimal,
                                 og_err *err);

/* Warning flags set by og_x402_select. */
#define OG_X402_WARN_PAYEE 1u /* payTo is not the registry payment address */

/* Choose the first requirement that we can sign, on an allowed network,
 * in an allowed asset of that network, with amount <= max, a facilitator
 * (upto), sane timeout (1..3600 s), a non-zero payTo, and payee as the
 * policy says. This is the one place where the asset is checked, for
 * every scheme. *index receives its position and *warnings (may be NULL)
 * the OG_X402_WARN_* flags. When none fits: OG_E_PAYMENT with each
 * requirement's reason in err; a refusal over the allowed assets contains
 * the words OG_X402_ASSET_REFUSAL (front ends add their hint on that). */
#define OG_X402_ASSET_REFUSAL "allowed asset"
OG_API og_result og_x402_select(size_t *index, unsigned *warnings,
                         const og_x402_required *r, const og_x402_policy *p,
                         og_err *err) OG_WARN_UNUSED;

/* Source of random bytes (the Permit2 / EIP-3009 nonce). Returns OG_OK or
 * an error. */
typedef og_result (*og_x402_random_fn)(void *ctx, unsigned char *out,
                                       size_t n);

typedef struct og_x402_sign_opts {
  uint64_t now;              /* unix seconds; 0 = the system clock */
  og_x402_random_fn random;  /* NULL = getrandom(2) */
  void *random_ctx;
  int valid_after_zero;      /* Permit2: witness.validAfter 0 (the
                                @x402/evm convention) instead of now-600 */
} og_x402_sign_opts;

/* What was signed, for the caller's records and --verbose. Holds no
 * secret. */
typedef struct og_x402_payment_info {
  og_x402_kind kind;
  char scheme[32];
  char network[64];
  uint64_t chain_id;
  og_address from;
  og_address asset;
  og_address pay_to;
  og_address spender;        /* Permit2: the proxy; zero for EIP-3009 */
  int has_facilitator;
  og_address facilitator;
  og_u256 amount;
  og_u256 nonce;             /* EIP-3009: the bytes32 nonce */
  uint64_t valid_after;
  uint64_t deadline;         /* Permit2 deadline / EIP-3009 validBefore */
  og_bytes32 digest;
  og_signature signature;
} og_x402_payment_info;

/* Build and sign the PaymentPayload v2 for requirement index of r:
 * {"x402Version":2,"payload":{...},"accepted":<requirement>,
 *  "resource":<copied when the 402 had one>}.
 * Permit2 (upto, exact): deadline = now + maxTimeoutSeconds, validAfter =
 * now - 600 (see opts), nonce = 32 random bytes as a decimal uint256.
 * EIP-3009: validAfter 0, validBefore = now + maxTimeoutSeconds, nonce =
 * 32 random bytes as 0x hex.
 * header receives the PAYMENT-SIGNATURE value (base64), json (may be NULL)
 * the JSON text, info (may be NULL) the summary. Both buffers are reset
 * first; caller frees them with og_buf_free. The requirement is not
 * re-checked against a policy: call og_x402_select first. */
OG_API og_result og_x402_build_payment(og_buf *header, og_buf *json,
                                og_x402_payment_info *info,
                                const og_x402_required *r, size_t index,
                                const og_privkey *key,
                                const og_x402_sign_opts *opts, og_err *err)
  OG_WARN_UNUSED;

/* A one-line human summary of info (amount, asset, payTo, network,
 * deadline, ...) appended to out; never any key. */
OG_API og_result og_x402_describe(og_buf *out, const og_x402_payment_info *info);

/* How to read a 402. */
typedef enum og_x402_status {
  OG_X402_STATUS_REQUIRED, /* a plain demand for payment ("Payment
                              required", or no reason given) */
  OG_X402_STATUS_SESSION,  /* {"error":"Session expired or exhausted"}:
                              the session is spent; pay once more */
  OG_X402_STATUS_REJECTED  /* the payment was refused; reason says why */
} og_x402_status;

/* Classify a 402 from its PAYMENT-REQUIRED header value (may be NULL) and
 * body (may be NULL). reason (reason_size bytes, NUL-terminated, may be
 * truncated) receives the server's reason, sanitised. Never fails on
 * malformed input: what cannot be read is REJECTED with a reason saying
 * so. */
OG_API void og_x402_classify_402(og_x402_status *status, char *reason,
                          size_t reason_size, const char *header,
                          size_t header_len, const char *body,
                          size_t body_len);

OG_API const char *og_x402_kind_name(og_x402_kind kind);

#ifdef __cplusplus
}
#endif

#endif
