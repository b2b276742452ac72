/* Confidential mode of og_client (Oblivious HTTP through a relay): the
 * pieces client.c calls, kept apart from it. */
#ifndef OG_LLM_CONFIDENTIAL_H
#define OG_LLM_CONFIDENTIAL_H

#include "opengradient/og_http.h"
#include "opengradient/og_llm.h"
#include "opengradient/og_ohttp.h"
#include "opengradient/og_sse.h"

#define OG_CONF_PATH "/api/v1/chat/ohttp"
#define OG_CONF_MAX_URL 2048

/* One call's confidential state. */
typedef struct og_conf_call {
  og_ohttp_config cfg;     /* the TEE's key, from the registry */
  og_ohttp_req req;        /* secrets for opening the answer */
  og_ohttp_chunked rd;     /* stream reader */
  int stream, reading;
  og_llm_stream *sse;      /* borrowed: where decrypted bytes go */
  og_buf wire;             /* the sealed request */
  char url[OG_CONF_MAX_URL + sizeof OG_CONF_PATH];
  char tee_hdr[96];
  const char *headers[8];
} og_conf_call;

/* Keep only the OHTTP-capable entries of list (in place). OG_E_NO_TEE
 * when none is left. */
og_result og_conf_filter(og_tee_list *list, og_err *err);

/* Check a relay URL (https, length). */
og_result og_conf_check_url(const char *url, og_err *err);

/* Seal body (the JSON request) for the TEE and fill req's url, headers
 * and body. auth_hdr is "Authorization: Bearer ..." or NULL; tee_id the
 * "0x..." id; sse (streams) receives the decrypted bytes. */
og_result og_conf_prepare(og_conf_call *cc, og_http_req *req,
                          const char *relay_url, const char *auth_hdr,
                          const char *tee_id, const og_buf *body, int stream,
                          og_llm_stream *sse, og_err *err);

/* Streamed bytes from a 2xx relay answer. */
og_result og_conf_feed(og_conf_call *cc, const unsigned char *data,
                       size_t len, og_err *err);

/* A relay status other than 2xx: OG_E_PAYMENT for 401/402/403 (the relay
 * refused), else OG_E_SERVER; the message names the relay's words. */
og_result og_conf_relay_error(long status, const og_buf *body, og_err *err);

/* The 2xx answer is complete. A stream: the final chunk is checked
 * (truncation is OG_E_PARSE). Single-shot: body is decrypted and replaced
 * by the inner answer ({status, body} envelopes unwrapped; an inner
 * status >= 400 is OG_E_SERVER). */
og_result og_conf_finish(og_conf_call *cc, og_buf *body, og_err *err);

/* Wipe and free (safe on a zeroed one). */
void og_conf_call_free(og_conf_call *cc);

#endif
