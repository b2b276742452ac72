/*
 * og_llm: the LLM wire protocol of the TEE gateway, without networking.
 *
 *  - request building: chat and completion bodies (JSON text in an og_buf,
 *    plus the jansson object of the same request);
 *  - answer parsing: non-streamed chat and completion answers, and HTTP
 *    error bodies of every shape, into og_llm_result or one clear message;
 *  - the chat stream assembler: fed with bytes (through og_sse) or with
 *    event data, it reports every chunk to a callback and builds the final
 *    og_llm_result.
 *
 * Outside bytes are parsed with jansson behind a size cap. Strings in
 * results are UTF-8 as the server sent them (JSON escapes decoded); text
 * and arguments also carry a length because a server may send \u0000.
 */
#ifndef OPENGRADIENT_OG_LLM_H
#define OPENGRADIENT_OG_LLM_H

#include <jansson.h>

#include "og_buf.h"
#include "og_common.h"
#include "og_sse.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Caps on what the parsers accept from a server. */
#define OG_LLM_MAX_RESPONSE ((size_t)16 << 20) /* a non-streamed body */
#define OG_LLM_MAX_TEXT ((size_t)16 << 20)     /* assembled text/args */
#define OG_LLM_MAX_TOOL_CALLS 256              /* per answer */
/* all tool-call bytes (arguments, ids, names) of one streamed answer */
#define OG_LLM_MAX_TOOL_TOTAL ((size_t)16 << 20)
/* Caps on what the request builder accepts. */
#define OG_LLM_MAX_REQUEST ((size_t)32 << 20)
#define OG_LLM_MAX_STOP 4 /* the gateway's schema allows at most 4 */

/* ---------------------------------------------------------------- */
/* Requests                                                          */
/* ---------------------------------------------------------------- */

typedef struct og_llm_params {
  /* "provider/model" (both parts non-empty); only the part after the first
   * '/' is sent. Required. */
  const char *model;
  /* chat: a JSON array of message objects, each with a string "role".
   * Not empty. Copied (deep) into the request. */
  const json_t *messages;
  /* completion: the prompt. */
  const char *prompt;
  /* chat, optional: a JSON array of tool objects. NULL or [] = no tools. */
  const json_t *tools;
  /* chat, optional: only with tools; NULL means "auto". A value that
   * starts with '{' is parsed and sent as a JSON object, any other value
   * as a string ("auto", "none", "required"). */
  const char *tool_choice;
  /* Always sent. >= 0. */
  int64_t max_tokens;
  /* Always sent. 0..2, finite. */
  double temperature;
  /* Stop sequences, at most OG_LLM_MAX_STOP; sent only when n_stop > 0. */
  const char *const *stop;
  size_t n_stop;
  /* chat: ask for an SSE stream ("stream": true is then sent). */
  int stream;
  /* chat and completion: ask the gateway to search the web
   * ("web_search": true is then sent; newer gateways hash it). */
  int web_search;
} og_llm_params;

/* The CLI's defaults: max_tokens 100, temperature 0.0, nothing else. */
OG_API void og_llm_params_init(og_llm_params *p);

/* Build a chat request body into body (appended as compact JSON text; body
 * should be empty) and, if json_out is not NULL, the same request as a
 * jansson object (caller frees with json_decref). Key order on the wire:
 * model, messages, max_tokens, temperature, stop, tools, tool_choice,
 * web_search, stream. Bad parameters give OG_E_USAGE with a message naming the
 * parameter. On failure nothing is returned in *json_out. */
OG_API og_result og_llm_build_chat(og_buf *body, json_t **json_out,
                            const og_llm_params *p, og_err *err);

/* The same for POST /v1/completions: model, prompt, max_tokens,
 * temperature (both always explicit: absent means 16 and 1.0 at the
 * gateway), stop, web_search. messages, tools, tool_choice and stream
 * must be unset. */
OG_API og_result og_llm_build_completion(og_buf *body, json_t **json_out,
                                  const og_llm_params *p, og_err *err);

/* Check a "provider/model" id and return a pointer to the part after the
 * first '/' inside model (not a copy). OG_E_USAGE with a clear message
 * when there is no '/' or either side is empty. */
OG_API og_result og_llm_model_name(const char **name, const char *model,
                            og_err *err);

/* Parse JSON given by the user (--messages, --tools, ...) into *out
 * (caller frees with json_decref). what names the option in messages.
 * Bad JSON, trailing garbage and integers outside int64 give OG_E_USAGE;
 * more than OG_LLM_MAX_REQUEST bytes gives OG_E_TOO_LARGE. */
OG_API og_result og_llm_parse_user_json(json_t **out, const char *what,
                                 const char *text, size_t len, og_err *err);

/* ---------------------------------------------------------------- */
/* Results                                                           */
/* ---------------------------------------------------------------- */

typedef struct og_llm_tool_call {
  char *id;        /* NULL when the server never sent one */
  char *type;      /* NULL when the server never sent one */
  char *name;      /* NULL when the server never sent one */
  char *arguments; /* "" when none; NUL-terminated */
  size_t arguments_len;
} og_llm_tool_call;

typedef struct og_llm_usage {
  int present; /* 0 when absent or "usage": null */
  int64_t prompt_tokens;
  int64_t completion_tokens;
  int64_t total_tokens;
} og_llm_usage;

/* The "opengradient" cost block of newer gateways (not signed). Each
 * string is checked before it is kept: cost_opg is 1..78 decimal digits
 * (OPG base units, 18 decimals); the USD figures are plain decimals
 * (digits with at most one '.'). present is 0 when the block is absent
 * or any field fails these checks. */
typedef struct og_llm_cost {
  int present;
  char cost_opg[80];
  char cost_usd[64];
  char opg_price_usd[64];
} og_llm_cost;

/* One answer. Every pointer is owned by the result; release everything
 * with og_llm_result_free (safe on a zeroed or already freed result). */
typedef struct og_llm_result {
  char *model;         /* as the server echoed it; NULL if absent */
  char *finish_reason; /* NULL if absent/null */
  char *role;          /* chat: "assistant" unless the server said else */
  char *text;          /* completion text or assistant content; never NULL
                          after a successful parse ("" when none); list
                          content is flattened (text parts joined by one
                          space, trimmed, as the Python SDK does) */
  size_t text_len;
  og_llm_tool_call *tool_calls; /* in index order */
  size_t n_tool_calls;
  og_llm_usage usage;
  char *tee_signature;    /* base64, as sent; NULL if absent */
  int has_tee_timestamp;  /* 1 when tee_timestamp was sent */
  int64_t tee_timestamp;  /* unix seconds (a numeric string is accepted) */
  char *tee_request_hash; /* hex as sent (no 0x); NULL if absent */
  char *tee_output_hash;  /* hex as sent (no 0x); NULL if absent */
  char *tee_id;           /* "0x..." as sent; NULL if absent */
  /* The parsed response body (non-streamed) or the final chunk (stream);
   * NULL if none. Owned (one reference). */
  json_t *json;
  /* Newer gateways; none of these is signed. Owned references, NULL when
   * absent (or of the wrong JSON type). */
  og_llm_cost cost;     /* parsed "opengradient" block */
  json_t *cost_json;    /* the "opengradient" object verbatim */
  json_t *citations;    /* "citations": array as sent ({title,url,...}) */
  json_t *images;       /* generated images: array as sent (data: URIs or
                           raw base64 strings); message.images when not
                           streamed, the final chunk's "images" when
                           streamed */
} og_llm_result;

/* Write cost_opg (OPG base units, decimal digits) as OPG with exactly 18
 * decimals, e.g. "1500000000000000" -> "0.001500000000000000", with
 * integer arithmetic only. out must hold 100 bytes. OG_E_PARSE when
 * cost_opg is not 1..78 decimal digits. */
OG_API og_result og_llm_cost_opg_text(char *out, size_t outlen,
                                      const char *cost_opg, og_err *err);

OG_API void og_llm_result_free(og_llm_result *r);

/* The assistant message as a new JSON object {"role","content"
 * [,"tool_calls":[{"id","type","function":{"name","arguments"}}]]}
 * (tool_calls left out when there are none; a missing id/type/name is
 * null). Caller frees with json_decref. NULL on allocation failure. */
OG_API json_t *og_llm_result_message_json(const og_llm_result *r);

/* The tool calls alone, as the array inside og_llm_result_message_json
 * (empty array when none). Caller frees with json_decref. */
OG_API json_t *og_llm_result_tool_calls_json(const og_llm_result *r);

/* usage as a new JSON object {"prompt_tokens","completion_tokens",
 * "total_tokens"}, or json null when absent. Caller frees with
 * json_decref. */
OG_API json_t *og_llm_result_usage_json(const og_llm_result *r);

/* Parse a non-streamed chat answer. A status outside 200..299, or a body
 * with an "error" member, gives OG_E_SERVER with the server's message (see
 * og_llm_error_message); a body with no choices gives OG_E_SERVER; a body
 * that is not JSON or has wrong types gives OG_E_PARSE; over
 * OG_LLM_MAX_RESPONSE gives OG_E_TOO_LARGE. On success fills *out (caller
 * frees with og_llm_result_free); on failure *out is left zeroed. */
OG_API og_result og_llm_parse_chat(og_llm_result *out, long http_status,
                            const char *body, size_t len, og_err *err);

/* Parse a completion answer: the text is choices[0].text, or the legacy
 * top-level "completion" string when that is missing. Errors as for
 * og_llm_parse_chat. */
OG_API og_result og_llm_parse_completion(og_llm_result *out, long http_status,
                                  const char *body, size_t len,
                                  og_err *err);

/* Turn an HTTP error answer into one line in err and return OG_E_SERVER:
 * "server answered HTTP <status>: <message>", where the message comes from
 * {"error":"..."[,"message"|"exception_type"]}, {"error":{"message":...}},
 * problem+json {"title","detail"}, {"message":...}, a plain-text body (its
 * first line), or "(empty body)". Control characters are replaced and the
 * message is cut to fit; it never includes more than a bounded prefix of
 * the body. */
OG_API og_result og_llm_error_message(long http_status, const char *body, size_t len,
                               og_err *err);

/* ---------------------------------------------------------------- */
/* Chat stream                                                       */
/* ---------------------------------------------------------------- */

/* One chunk as received, valid only during the callback. */
typedef struct og_llm_chunk {
  const json_t *json;        /* the whole chunk object; NULL for a plain
                                content chunk when the stream does not
                                keep JSON (og_llm_stream_set_chunk_json) */
  const char *model;         /* NULL if absent */
  const char *role;          /* NULL if absent */
  const char *content;       /* the delta's text, NULL if none */
  size_t content_len;
  const json_t *tool_calls;  /* the delta's tool_calls array, or NULL */
  const char *finish_reason; /* NULL while not finished */
  const og_llm_usage *usage; /* NULL when the chunk has no usage */
  int is_final;              /* 1 for exactly one chunk: the first with a
                                finish_reason */
  /* A web-search status frame of newer gateways ("web_search": {"status",
   * "query"}): progress, never text. NULL when absent or not strings. */
  const char *web_search_status;
  const char *web_search_query;
  /* When is_final: the result assembled so far, which is then complete
   * unless a usage-only chunk still follows (og_llm_stream_finish gives
   * the last word). NULL otherwise. */
  const og_llm_result *result;
  size_t model_len;          /* bytes of model (it may hold a NUL) */
  size_t role_len;           /* bytes of role */
} og_llm_chunk;

/* Return 0 to go on; nonzero cancels: the feed returns OG_E_CANCELLED. */
typedef int (*og_llm_chunk_cb)(void *user, const og_llm_chunk *chunk);

typedef struct og_llm_stream og_llm_stream;

/* A new assembler; cb may be NULL. Caller frees with og_llm_stream_free.
 * Returns NULL on allocation failure. */
OG_API og_llm_stream *og_llm_stream_new(og_llm_chunk_cb cb, void *user);

OG_API void og_llm_stream_free(og_llm_stream *s);

/* Whether every chunk comes with its JSON object (og_llm_chunk.json).
 * On (the default when there is a callback), each event is parsed with
 * jansson. Off (the default without a callback), a content chunk of the
 * gateway's exact shape, {"choices": [{"delta": {"content": ..., "role":
 * ...}, "index": 0, "finish_reason": null}], "model": ...}, is decoded by
 * a dedicated scanner, several times faster, and its json is NULL; every
 * other chunk (tool calls, the final chunk, errors, any other shape) still
 * goes through jansson and has its json. All other fields of the chunks,
 * the errors and the assembled result are the same either way. */
OG_API void og_llm_stream_set_chunk_json(og_llm_stream *s, int on);

/* Limits of the embedded SSE parser (0 keeps the default of 1 MiB). */
OG_API void og_llm_stream_set_limits(og_llm_stream *s, size_t max_line,
                              size_t max_event);

/* Feed raw response-body bytes (split anywhere). Calls the callback for
 * each chunk. Errors: OG_E_SERVER for an in-stream {"error": ...} frame
 * (with its message), OG_E_PARSE for an event that is not a JSON object or
 * has wrong types, OG_E_TOO_LARGE, OG_E_CANCELLED, OG_E_NOMEM. An error is
 * sticky. Bytes after "[DONE]" are ignored. */
OG_API og_result og_llm_stream_feed(og_llm_stream *s, const void *bytes,
                             size_t len, og_err *err);

/* Feed the data of one SSE event (for callers running their own SSE
 * parser). An empty or all-blank data is ignored; "[DONE]" ends the
 * stream. Same errors as og_llm_stream_feed. */
OG_API og_result og_llm_stream_event(og_llm_stream *s, const char *data,
                              size_t len, og_err *err);

/* Deliver a non-streamed chat result as one final chunk (the
 * --stream-tools-fallback path): the callback sees one chunk with
 * is_final set, built as {"choices":[{"delta":{role, content,
 * tool_calls (with index)},"index":0,"finish_reason":...}], "model",
 * tee_*, "usage"}; og_llm_stream_finish then gives the same answer. */
OG_API og_result og_llm_stream_deliver(og_llm_stream *s, const og_llm_result *r,
                                og_err *err);

/* The body ended. Returns the assembled result in *out (caller frees with
 * og_llm_result_free), or the stream's sticky error, or OG_E_SERVER
 * "stream ended before its final chunk" when no chunk carried a
 * finish_reason (with or without [DONE]). On failure *out is zeroed. */
OG_API og_result og_llm_stream_finish(og_llm_stream *s, og_llm_result *out,
                               og_err *err);

/* 1 once "[DONE]" was seen. */
OG_API int og_llm_stream_done(const og_llm_stream *s);

/* Number of chunks reported so far. */
OG_API size_t og_llm_stream_chunks(const og_llm_stream *s);

#ifdef __cplusplus
}
#endif

#endif
