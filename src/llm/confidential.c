/*
 * Confidential mode of og_client: the request is sealed to the TEE's
 * registry OHTTP key and sent through an untrusted relay; the answer is
 * opened here and then parsed and verified like any other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "confidential.h"
#include "opengradient/og_registry_client.h"

og_result og_conf_filter(og_tee_list *list, og_err *err)
{
  size_t i, n = 0, had = list->count;
  for(i = 0; i < list->count; i++) {
    og_ohttp_config cfg;
    if(og_ohttp_config_from_tee(&cfg, &list->items[i], NULL) == OG_OK) {
      if(n != i)
        list->items[n] = list->items[i];
      n++;
    }
  }
  list->count = n;
  if(!n)
    return og_fail(err, OG_E_NO_TEE,
                   "none of the %zu active TEE(s) has a usable OHTTP key "
                   "(X25519, HKDF-SHA256, ChaCha20-Poly1305) for "
                   "confidential chat", had);
  return OG_OK;
}

og_result og_conf_check_url(const char *url, og_err *err)
{
  size_t n = strlen(url);
  if(strncasecmp(url, "https://", 8) || n <= 8)
    return og_fail(err, OG_E_USAGE, "relay URL '%.200s' is not an https:// "
                   "URL", url);
  if(n > OG_CONF_MAX_URL)
    return og_fail(err, OG_E_USAGE, "relay URL is too long");
  return OG_OK;
}

og_result og_conf_prepare(og_conf_call *cc, og_http_req *req,
                          const char *relay_url, const char *auth_hdr,
                          const char *tee_id, const og_buf *body, int stream,
                          og_llm_stream *sse, og_err *err)
{
  size_t n = strlen(relay_url), pl = strlen(OG_CONF_PATH), h = 0;
  og_result r = og_conf_check_url(relay_url, err);
  if(r)
    return r;
  og_conf_call_free(cc);
  while(n > 8 && relay_url[n - 1] == '/')
    n--;
  if(n >= pl && !memcmp(relay_url + n - pl, OG_CONF_PATH, pl))
    snprintf(cc->url, sizeof cc->url, "%.*s", (int)n, relay_url);
  else
    snprintf(cc->url, sizeof cc->url, "%.*s%s", (int)n, relay_url,
             OG_CONF_PATH);
  snprintf(cc->tee_hdr, sizeof cc->tee_hdr, "X-TEE-ID: %s", tee_id);
  og_buf_init(&cc->wire, body->len + 256);
  r = og_ohttp_encapsulate(&cc->req, &cc->wire, &cc->cfg, body->data,
                           body->len, stream, NULL, err);
  if(r)
    return r;
  cc->stream = stream;
  cc->sse = sse;
  if(stream) {
    og_ohttp_chunked_init(&cc->rd, &cc->req);
    cc->reading = 1;
  }
  cc->headers[h++] = "Content-Type: message/ohttp-req";
  cc->headers[h++] = stream ? "Accept: message/ohttp-chunked-res"
                            : "Accept: message/ohttp-res";
  cc->headers[h++] = cc->tee_hdr;
  if(stream)
    cc->headers[h++] = "X-OHTTP-Stream: true";
  if(auth_hdr)
    cc->headers[h++] = auth_hdr;
  cc->headers[h] = NULL;
  req->method = "POST";
  req->url = cc->url;
  req->headers = cc->headers;
  req->body = cc->wire.data;
  req->body_len = cc->wire.len;
  return OG_OK;
}

static og_result to_sse(void *ctx, const unsigned char *pt, size_t n,
                        int final, og_err *err)
{
  og_conf_call *cc = ctx;
  (void)final;
  return n ? og_llm_stream_feed(cc->sse, pt, n, err) : OG_OK;
}

og_result og_conf_feed(og_conf_call *cc, const unsigned char *data,
                       size_t len, og_err *err)
{
  return og_ohttp_chunked_feed(&cc->rd, data, len, to_sse, cc, err);
}

og_result og_conf_relay_error(long status, const og_buf *body, og_err *err)
{
  og_err inner;
  og_err_clear(&inner);
  og_llm_error_message(status, og_buf_str(body), body->len, &inner);
  if(status == 401 || status == 402 || status == 403)
    return og_fail(err, OG_E_PAYMENT, "the relay refused the request: %s",
                   inner.msg);
  return og_fail(err, OG_E_SERVER, "the relay failed: %s", inner.msg);
}

og_result og_conf_finish(og_conf_call *cc, og_buf *body, og_err *err)
{
  og_buf plain;
  json_t *j, *st, *b;
  og_result r;
  if(cc->stream)
    return og_ohttp_chunked_finish(&cc->rd, to_sse, cc, err);
  og_buf_init(&plain, OG_LLM_MAX_RESPONSE);
  r = og_ohttp_open_response(&plain, &cc->req, body->data, body->len, err);
  if(r) {
    og_buf_wipe_free(&plain);
    return r;
  }
  og_buf_reset(body);
  j = json_loadb((const char *)plain.data, plain.len, 0, NULL);
  st = json_is_object(j) ? json_object_get(j, "status") : NULL;
  b = json_is_object(j) ? json_object_get(j, "body") : NULL;
  if(json_is_integer(st) && json_is_object(b)) {
    json_int_t status = json_integer_value(st);
    char *s = json_dumps(b, JSON_COMPACT);
    if(!s)
      r = og_fail(err, OG_E_NOMEM, "out of memory");
    else if(status >= 400 || status < 100) {
      og_llm_error_message(status >= 100 ? (long)status : 500, s, strlen(s),
                           err);
      r = OG_E_SERVER;
    }
    else
      r = og_buf_addstr(body, s);
    free(s);
  }
  else
    r = og_buf_add(body, plain.data, plain.len);
  if(r && r != OG_E_SERVER && r != OG_E_NOMEM)
    r = og_fail(err, r, "decrypted answer does not fit");
  json_decref(j);
  og_buf_wipe_free(&plain);
  return r;
}

void og_conf_call_free(og_conf_call *cc)
{
  og_ohttp_config cfg;
  if(!cc)
    return;
  cfg = cc->cfg; /* the TEE's public key survives a re-prepare */
  if(cc->reading)
    og_ohttp_chunked_free(&cc->rd);
  og_buf_free(&cc->wire);
  og_ohttp_req_wipe(&cc->req);
  memset(cc, 0, sizeof *cc);
  cc->cfg = cfg;
}
