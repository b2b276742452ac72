/*
 * serve: the parts of `opengradient serve` that read a client's bytes,
 * kept apart from the HTTP server so that they are unit-tested and fuzzed
 * on their own (not part of the public API).
 *
 *  - og_serve_parse_request: an OpenAI request body (chat or completion)
 *    into og_llm_params, with every value checked the way the request
 *    builder will send it (the enclave signs what we send, not what the
 *    client sent);
 *  - og_serve_auth_ok: the Authorization header against the API key, in
 *    constant time.
 */
#ifndef OG_SERVE_H
#define OG_SERVE_H

#include <jansson.h>

#include "opengradient/og_common.h"
#include "opengradient/og_llm.h"

#define OG_SERVE_MAX_BODY ((size_t)4 << 20)     /* 4 MiB: 413 above */
#define OG_SERVE_MAX_HEADERS ((size_t)16 << 10) /* 16 KiB of headers */
#define OG_SERVE_MAX_MODEL 200
#define OG_SERVE_DEFAULT_MAX_TOKENS 4096

typedef struct og_serve_req {
  json_t *root;                  /* the parsed body (owned) */
  og_llm_params params;          /* points into root and the fields below */
  const char *stop[OG_LLM_MAX_STOP];
  char *tool_choice;             /* owned: a JSON object's text, or NULL */
  char model[OG_SERVE_MAX_MODEL + 1]; /* provider/model */
  int stream;                    /* the client asked for SSE */
  int completion;
} og_serve_req;

/* Parse and check a request body for POST /v1/chat/completions
 * (completion = 0) or /v1/completions (completion = 1). "model" may be a
 * bare name from the model table ("gpt-5") or "provider/model". On OG_OK
 * *out is filled (free with og_serve_req_free); otherwise OG_E_USAGE
 * (400) or OG_E_TOO_LARGE (413) with one line in err naming the field,
 * and *out is left empty. Never reads more than len bytes. */
og_result og_serve_parse_request(og_serve_req *out, int completion,
                                 const char *body, size_t len, og_err *err);

void og_serve_req_free(og_serve_req *r);

/* 1 when header (the Authorization value, NULL when absent) is "Bearer "
 * (scheme case-insensitive, spaces after it allowed) followed by exactly
 * key; the comparison takes the same time wherever they differ. */
int og_serve_auth_ok(const char *header, const unsigned char *key,
                     size_t keylen);

#endif
