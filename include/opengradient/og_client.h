/*
 * og_client: verifiable LLM inference on OpenGradient TEE gateways.
 *
 * A client finds a TEE in the on-chain registry (or is given a server URL),
 * talks to it only over TLS pinned to the exact registered certificate,
 * pays with x402 when asked (never above the cap, at most once per
 * request), and checks the enclave's RSA-PSS signature on every answer.
 *
 * Requests run on one libcurl multi transport. The blocking calls
 * (og_chat, og_completion) drive it themselves; og_call_start starts a
 * request and returns at once, so that many requests proceed in one thread:
 * drive them with og_client_wait, or from your own event loop with
 * og_http_fdset / og_http_timeout / og_http_step on og_client_http()
 * (select(), below FD_SETSIZE), or, for thousands of requests, put
 * og_client_http() in socket mode (og_http_set_socket_fns, before the
 * first og_call_start) and call og_http_socket_action from your loop
 * (examples/epoll.c, examples/libuv.c).
 * A client is not thread-safe: use it from one thread.
 */
#ifndef OPENGRADIENT_OG_CLIENT_H
#define OPENGRADIENT_OG_CLIENT_H

#include <jansson.h>

#include "og_common.h"
#include "og_http.h"
#include "og_llm.h"
#include "og_x402.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OG_DEFAULT_RPC_URL "https://ogevmdevnet.opengradient.ai"
#define OG_DEFAULT_REGISTRY "0x703cB174AEadB35D611858369B4b1111dC9Abda6"
#define OG_DEFAULT_REFRESH_SECONDS 300
#define OG_CLIENT_MAX_PCR 32

typedef enum og_settlement {
  OG_SETTLEMENT_BATCH = 0,   /* "batch-hashed", sent as "batch" */
  OG_SETTLEMENT_PRIVATE,     /* sent as "private" */
  OG_SETTLEMENT_INDIVIDUAL   /* "individual-full", sent as "individual" */
} og_settlement;

/* Parse the CLI's names (private, batch-hashed, individual-full). */
OG_API og_result og_settlement_parse(og_settlement *out, const char *name,
                              og_err *err);

/* Diagnostics (the CLI's -v). Never given a secret. */
typedef void (*og_log_fn)(void *user, const char *line);

typedef struct og_client_config {
  /* Registry mode (the default): where the TEERegistry is. */
  const char *rpc_url;          /* NULL = OG_DEFAULT_RPC_URL */
  const char *const *rpc_urls;  /* several RPCs read with a quorum (see
                                   og_rpc_opts); NULL = rpc_url alone */
  size_t n_rpc_urls;
  size_t rpc_quorum;            /* 0 = all of them */
  const char *registry;         /* NULL = OG_DEFAULT_REGISTRY */
  uint8_t tee_type;             /* 0 = LLM proxy */
  const char *tee_id;           /* exactly this TEE (no failover), or NULL */
  const og_bytes32 *pcr_allow;  /* only TEEs with one of these pcrHash */
  size_t pcr_allow_len;
  int allow_insecure_rpc;       /* plain http:// to a non-loopback RPC */
  long refresh_seconds;         /* registry re-read interval; 0 = default,
                                   < 0 = never */

  /* Direct mode: skip the registry. The server is verified with the system
   * CAs, or pinned to exactly tls_cert_der when given. */
  const char *llm_server_url;
  const unsigned char *tls_cert_der;
  size_t tls_cert_der_len;

  /* Verification. On by default in registry mode (the registry's key);
   * in direct mode only with signing_key_der (DER SPKI). */
  int no_verify;
  const unsigned char *signing_key_der;
  size_t signing_key_der_len;
  long max_age_seconds;         /* > 0: refuse older signed answers */

  /* Payments. private_key_hex is copied into a wiped key and may be freed
   * by the caller after og_client_new; NULL = no payments. */
  const char *private_key_hex;
  const char *max_payment;      /* decimal base units; NULL = 1e17 */
  const char *networks;         /* CAIP-2 list; NULL = the default */
  const char *payment_assets;   /* NETWORK:ADDRESS list: the only tokens a
                                   payment is signed in; NULL =
                                   OG_X402_DEFAULT_ASSETS (OPG on Base) */
  int strict_payee;

  long timeout_ms;              /* connect and each wait for data; 0 = 60 s */
  long max_time_ms;             /* > 0: all of the client's network work
                                   (registry reads, requests) must end
                                   within this many ms of og_client_new,
                                   however slowly a server trickles: a
                                   command's total deadline */
  /* Confidential mode (chat only; RFC 9458 Oblivious HTTP): each request
   * is sealed to the chosen TEE's registry OHTTP key and POSTed to
   * relay_url (https; "/api/v1/chat/ohttp" is appended unless it ends so),
   * an untrusted relay that sees only ciphertext and pays. Only TEEs with
   * a usable OHTTP key are chosen. tls_cert_der, when given, pins the
   * relay; else the system CAs. relay_token is sent as a bearer token.
   * No x402 payment is made by this side. Registry mode only. */
  const char *relay_url;
  const char *relay_token;

  og_log_fn log;
  void *log_user;
  /* Called after a payment demand was checked against the policy and
   * just before it is signed, with the requirement that will be signed
   * (its amount is what the authorisation allows) and the done-user of
   * the call that pays. Return OG_OK to sign, or fail (filling err) to
   * refuse: the call then ends with that result and nothing is signed.
   * Not called when an existing X-Upto-Session pays. May be NULL. */
  og_result (*pay_check)(void *pay_user, void *call_user,
                         const og_x402_requirement *req, og_err *err);
  void *pay_user;

  /* Nitro attestation (og_attest.h): with attest set, each TEE is attested
   * before its first request and is sent nothing unless the document
   * passes; a pass is kept per (TEE id, certificate) until the document's
   * leaf certificate expires. A failure counts as no trusted connection
   * (another TEE unless tee_id; else OG_E_TLS). */
  int attest;
  const char *nitro_root_pem;   /* trust anchor PEM; NULL = AWS root G1 */
} og_client_config;

typedef struct og_client og_client;

/* Words in the detail of some failures, for front ends that add a hint:
 * a 402 without a wallet key, an answer without a signature. */
#define OG_CLIENT_NO_KEY "no private key is configured"
#define OG_CLIENT_UNSIGNED "carries no enclave signature"

/* Create a client. In registry mode this reads the registry and chooses a
 * TEE (exactly tee_id, else at random among the usable active ones).
 * Errors: OG_E_USAGE (bad config), OG_E_RPC (registry unreadable),
 * OG_E_NO_TEE. Caller frees with og_client_free. */
OG_API og_result og_client_new(og_client **out, const og_client_config *cfg,
                        og_err *err) OG_WARN_UNUSED;

/* Free the client (in-flight calls are cancelled) and wipe its key. */
OG_API void og_client_free(og_client *c);

/* The transport, for a caller's event loop. Owned by the client. */
OG_API og_http *og_client_http(og_client *c);

/* Re-read the registry now: move off a TEE that left the active set and
 * drop the connections made under a retired certificate. */
OG_API og_result og_client_refresh(og_client *c, og_err *err) OG_WARN_UNUSED;

/* The TEE the next request goes to: id ("0x"+64 hex), endpoint, payment
 * address (EIP-55, "" when unknown). Pointers valid until the next
 * refresh. Returns 0, or -1 in direct mode without a known TEE. */
/* How many TEEs the client may use: the usable active ones of the last
 * registry read (after the PCR filter), or 1 in direct mode. */
OG_API size_t og_client_tee_count(const og_client *c);

OG_API int og_client_current_tee(const og_client *c, const char **id,
                          const char **endpoint, const char **payment);

/* One answer and everything known about how it was obtained. */
typedef struct og_inference {
  og_llm_result answer;     /* model, text, tool calls, usage, tee_*;
                               newer gateways: cost, citations, images */
  char tee_id[67];          /* the serving TEE ("" when unknown) */
  char *endpoint;           /* the server that answered */
  char payment_address[43]; /* registry payment address, "" if unknown */
  int verified;             /* 1 verified, 0 not checked (null) */
  json_t *request;          /* the JSON body that was sent */
  int paid;                 /* a PAYMENT-SIGNATURE was sent */
  og_x402_payment_info payment; /* what was signed, when paid */
  int session_reused;       /* paid through an existing X-Upto-Session */
  json_t *settlement;       /* X-TEE-* and X-Settlement-* response headers
                               (individual mode), or NULL */
  unsigned warnings;        /* OG_X402_WARN_* */
  int failovers;            /* TEEs tried and abandoned before this one */
  int confidential;         /* sent sealed through the relay */
} og_inference;

/* Free everything in an inference (safe on a zeroed one). */
OG_API void og_inference_free(og_inference *inf);

typedef struct og_request {
  og_llm_params params;     /* model, messages/prompt, tools, ... */
  og_settlement settlement;
  /* Streaming chat only: every chunk as it arrives; return nonzero to
   * cancel. May be NULL. */
  og_llm_chunk_cb on_chunk;
  void *user;
  /* 1 when on_chunk never reads og_llm_chunk.json: plain content chunks
   * are then decoded without jansson and their json is NULL (see
   * og_llm_stream_set_chunk_json). 0 (the default): every chunk has it. */
  int no_chunk_json;
  /* With params.stream and tools: make one non-streamed request and
   * deliver it as one final chunk (for servers that do not stream tool
   * calls). */
  int stream_tools_fallback;
  /* > 0: this request's own total deadline in ms from og_call_start,
   * used instead of the client's max_time_ms (a long-running server's
   * per-request --max-time). */
  long max_time_ms;
} og_request;

OG_API void og_request_init(og_request *req);

/* Blocking requests. On OG_OK *out holds the answer; the caller frees it
 * with og_inference_free (also on failure, when it may hold the request
 * and the serving TEE). */
OG_API og_result og_chat(og_client *c, og_inference *out, const og_request *req,
                  og_err *err) OG_WARN_UNUSED;
OG_API og_result og_completion(og_client *c, og_inference *out, const og_request *req,
                        og_err *err) OG_WARN_UNUSED;

/* Non-blocking requests. done is called once, from og_client_wait or
 * og_http_step, with the result; out then belongs to the caller (free with
 * og_inference_free). The og_request is copied. */
typedef struct og_call og_call;
typedef void (*og_call_done_fn)(void *user, og_result rc, og_inference *out,
                                const og_err *err);

OG_API og_result og_call_start(og_client *c, og_call **call, const og_request *req,
                        int completion, og_call_done_fn done, void *user,
                        og_err *err) OG_WARN_UNUSED;

/* Cancel a call that has not completed; its done is not called. */
OG_API void og_call_cancel(og_call *call);

/* Back-pressure for a streamed call: stop (pause = 1) or resume (0)
 * reading its answer while the caller cannot pass chunks on. No idle
 * timeout runs while paused. May be called from on_chunk; resuming may
 * deliver chunks at once. OG_E_USAGE when the call has no transfer. */
OG_API og_result og_call_pause(og_call *call, int pause);

/* Drive every call until none is left (or timeout_ms passes, when > 0). */
OG_API og_result og_client_wait(og_client *c, long timeout_ms) OG_WARN_UNUSED;

#ifdef __cplusplus
}
#endif

#endif
