/*
 * og_rpc: Ethereum JSON-RPC 2.0 over the og_http transport.
 *
 * Every failure is OG_E_RPC (CLI exit 2), except a refused URL, which is
 * OG_E_USAGE (exit 1) and is detected before any network access. What went
 * wrong is told apart in og_rpc_last_error(): transport, timeout, HTTP
 * status, size cap, malformed reply, or a JSON-RPC error object (with a
 * contract revert's selector decoded to a name where known).
 *
 * URL policy: https:// always; plain http:// only to a loopback host
 * (127.0.0.0/8, ::1, localhost) unless allow_insecure, because the registry
 * read over this RPC decides which certificates are trusted.
 */
#ifndef OPENGRADIENT_OG_RPC_H
#define OPENGRADIENT_OG_RPC_H

#include <jansson.h>

#include "og_buf.h"
#include "og_common.h"
#include "og_http.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OG_RPC_DEFAULT_MAX_REPLY (16u * 1024 * 1024)
#define OG_RPC_DEFAULT_TIMEOUT_MS 60000L
#define OG_RPC_MAX_ERRDATA 4096

typedef struct og_rpc og_rpc;

/* What kind of failure the last call met. */
typedef enum og_rpc_fail {
  OG_RPC_FAIL_NONE = 0,
  OG_RPC_FAIL_TRANSPORT, /* could not connect, TLS failed, ... */
  OG_RPC_FAIL_TIMEOUT,   /* no connection or no answer in time */
  OG_RPC_FAIL_HTTP,      /* an HTTP status other than 200 */
  OG_RPC_FAIL_TOO_LARGE, /* the reply exceeded the cap */
  OG_RPC_FAIL_MALFORMED, /* not a JSON-RPC 2.0 reply to our request */
  OG_RPC_FAIL_ERROR      /* a JSON-RPC error object */
} og_rpc_fail;

typedef struct og_rpc_error {
  og_rpc_fail kind;
  long http_status;     /* for OG_RPC_FAIL_HTTP */
  int64_t code;         /* error.code for OG_RPC_FAIL_ERROR */
  char message[256];    /* error.message, control characters replaced */
  int has_data;         /* error.data was a hex string that fit */
  unsigned char data[OG_RPC_MAX_ERRDATA]; /* error.data bytes (revert) */
  size_t data_len;
  char revert[192];     /* decoded revert, e.g. "TEENotFound()", or "" */
} og_rpc_error;

typedef struct og_rpc_opts {
  const char *url;
  int allow_insecure;   /* permit http:// to a non-loopback host */
  long timeout_ms;      /* connect, and whole call; 0 = 60 s */
  size_t max_reply;     /* reply body cap; 0 = OG_RPC_DEFAULT_MAX_REPLY */
  og_http *http;        /* transport to share, or NULL for an own one */
  long max_time_ms;     /* > 0: every call must be done within this many
                           ms of og_rpc_new, however slowly the RPC
                           trickles (a command's total deadline) */
  /* Several RPCs (url is then ignored): og_eth_call reads the head of
   * each (all asked at once, as are the calls), takes the lowest among
   * those that answered (heads more than
   * OG_RPC_MAX_HEAD_SPREAD apart fail), calls at that block on each and
   * needs `quorum` byte-identical answers (a revert counts as an answer);
   * otherwise OG_E_RPC naming the RPCs that disagreed or failed as
   * scheme://host:port. quorum 0 = all of them. Other calls go to the
   * first. With one URL this is the single-RPC path. */
  const char *const *urls;
  size_t n_urls;
  size_t quorum;
} og_rpc_opts;

#define OG_RPC_MAX_URLS 16
#define OG_RPC_MAX_HEAD_SPREAD 64

/* The URL policy alone (no network): OG_OK or OG_E_USAGE. */
OG_API og_result og_rpc_check_url(const char *url, int allow_insecure, og_err *err);

/* Create a client; checks the URL policy. Caller frees with og_rpc_free. */
OG_API og_result og_rpc_new(og_rpc **out, const og_rpc_opts *opts, og_err *err)
  OG_WARN_UNUSED;
OG_API void og_rpc_free(og_rpc *r);

/* The RPC as scheme://host:port (no path, query or user part: they may
 * hold API keys) into out (n bytes, NUL-terminated, may be truncated). */
OG_API void og_rpc_origin(const og_rpc *r, char *out, size_t n);

/* Details of the last call's failure (kind NONE after a success). */
OG_API const og_rpc_error *og_rpc_last_error(const og_rpc *r);

/* Call method with params (a JSON array, or NULL for []; borrowed). On
 * success *result is the reply's `result` (may be JSON null); caller frees
 * with json_decref. */
OG_API og_result og_rpc_call(og_rpc *r, json_t **result, const char *method,
                      json_t *params, og_err *err) OG_WARN_UNUSED;

/* Parse a JSON-RPC 2.0 reply body to a request with the given id: the
 * network-free part of og_rpc_call. rerr (may be NULL) receives the
 * failure kind and error object. On success caller frees *result with
 * json_decref. */
OG_API og_result og_rpc_parse_reply(json_t **result, og_rpc_error *rerr,
                             const unsigned char *body, size_t len,
                             json_int_t id, og_err *err) OG_WARN_UNUSED;

/* Describe revert data: a known error's name and arguments
 * ("TEENotFound()", "Error(\"text\")", "Panic(0x11)"), else
 * "unknown error 0x<selector>", or "empty revert data". Always writes a
 * NUL-terminated line. */
OG_API void og_rpc_describe_revert(char *out, size_t outsz,
                            const unsigned char *data, size_t len);

/* ---- Ethereum methods (thin wrappers over og_rpc_call) ---- */

/* eth_call at "latest": result bytes appended to out (initialise out with
 * its cap; OG_E_RPC when the reply exceeds it). A revert is OG_E_RPC with
 * og_rpc_last_error()->kind == OG_RPC_FAIL_ERROR and the revert data. */
OG_API og_result og_eth_call(og_rpc *r, og_buf *out, const og_address *to,
                      const unsigned char *data, size_t len,
                      og_err *err) OG_WARN_UNUSED;

OG_API og_result og_eth_chain_id(og_rpc *r, uint64_t *out, og_err *err)
  OG_WARN_UNUSED;
OG_API og_result og_eth_block_number(og_rpc *r, uint64_t *out, og_err *err)
  OG_WARN_UNUSED;
OG_API og_result og_eth_gas_price(og_rpc *r, uint64_t *out, og_err *err)
  OG_WARN_UNUSED;
OG_API og_result og_eth_max_priority_fee(og_rpc *r, uint64_t *out, og_err *err)
  OG_WARN_UNUSED;
/* baseFeePerGas of the latest block; OG_E_RPC when the chain has none. */
OG_API og_result og_eth_base_fee(og_rpc *r, uint64_t *out, og_err *err)
  OG_WARN_UNUSED;

/* block: "latest", "pending", ... (NULL = "pending"). */
OG_API og_result og_eth_get_transaction_count(og_rpc *r, uint64_t *out,
                                       const og_address *addr,
                                       const char *block,
                                       og_err *err) OG_WARN_UNUSED;

OG_API og_result og_eth_send_raw_transaction(og_rpc *r, og_bytes32 *tx_hash,
                                      const unsigned char *raw, size_t len,
                                      og_err *err) OG_WARN_UNUSED;

typedef struct og_eth_receipt {
  int found;                 /* 0: not mined yet (the other fields 0) */
  int status;                /* 1 success, 0 reverted */
  uint64_t block_number;
  uint64_t gas_used;
  uint64_t effective_gas_price; /* 0 when the node does not say */
  int has_contract_address;
  og_address contract_address;
} og_eth_receipt;

OG_API og_result og_eth_get_transaction_receipt(og_rpc *r, og_eth_receipt *out,
                                         const og_bytes32 *tx_hash,
                                         og_err *err)
  OG_WARN_UNUSED;

/* eth_estimateGas for a call; from may be NULL, value_quantity ("0x..")
 * may be NULL. */
OG_API og_result og_eth_estimate_gas(og_rpc *r, uint64_t *out, const og_address *from,
                              const og_address *to, const unsigned char *data,
                              size_t len, const char *value_quantity,
                              og_err *err) OG_WARN_UNUSED;

#ifdef __cplusplus
}
#endif

#endif
