/* serve: an OpenAI request body into checked og_llm_params, and the API
 * key check. Everything here reads bytes a client sent. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "opengradient/og_models.h"
#include "serve/serve.h"

void og_serve_req_free(og_serve_req *r)
{
  if(!r)
    return;
  json_decref(r->root);
  free(r->tool_choice);
  memset(r, 0, sizeof(*r));
}

/* "gpt-5" -> "openai/gpt-5" through the model table; "a/b" is kept. */
static og_result map_model(og_serve_req *r, const char *m, size_t n,
                           og_err *err)
{
  const og_model_info *t;
  if(n == 0 || n > OG_SERVE_MAX_MODEL || memchr(m, 0, n))
    return og_fail(err, OG_E_USAGE, "model: must be a non-empty string of "
                   "at most %d bytes", OG_SERVE_MAX_MODEL);
  if(memchr(m, '/', n)) {
    memcpy(r->model, m, n);
    r->model[n] = 0;
    return OG_OK;
  }
  t = og_model_find(m); /* m is NUL-terminated at n (checked above) */
  if(t && strlen(t->id) <= OG_SERVE_MAX_MODEL) {
    strcpy(r->model, t->id);
    return OG_OK;
  }
  return og_fail(err, OG_E_USAGE, "model: '%.*s' is not a known model; "
                 "give it as provider/model", (int)(n > 64 ? 64 : n), m);
}

static og_result get_stop(og_serve_req *r, const json_t *v, og_err *err)
{
  size_t i;
  const json_t *e;
  if(!v || json_is_null(v))
    return OG_OK;
  if(json_is_string(v)) {
    r->stop[0] = json_string_value(v);
    r->params.n_stop = 1;
  }
  else if(json_is_array(v)) {
    if(json_array_size(v) > OG_LLM_MAX_STOP)
      return og_fail(err, OG_E_USAGE, "stop: at most %d sequences",
                     OG_LLM_MAX_STOP);
    json_array_foreach(v, i, e) {
      if(!json_is_string(e))
        return og_fail(err, OG_E_USAGE, "stop: must be strings");
      r->stop[i] = json_string_value(e);
    }
    r->params.n_stop = json_array_size(v);
  }
  else
    return og_fail(err, OG_E_USAGE, "stop: must be a string or an array "
                   "of strings");
  r->params.stop = r->stop;
  return OG_OK;
}

static og_result parse_fields(og_serve_req *r, int completion, og_err *err)
{
  const json_t *root = r->root, *v;
  og_result res;
  og_buf body;
  json_t *built = NULL;

  og_llm_params_init(&r->params);
  r->params.max_tokens = OG_SERVE_DEFAULT_MAX_TOKENS;
  r->params.temperature = 1.0; /* OpenAI's default */
  if(!json_is_object(root))
    return og_fail(err, OG_E_USAGE, "the request body must be a JSON "
                   "object");
  v = json_object_get(root, "model");
  if(!json_is_string(v))
    return og_fail(err, OG_E_USAGE, "model: missing or not a string");
  res = map_model(r, json_string_value(v), json_string_length(v), err);
  if(res)
    return res;
  r->params.model = r->model;

  v = json_object_get(root, "stream");
  if(v && !json_is_null(v)) {
    if(!json_is_boolean(v))
      return og_fail(err, OG_E_USAGE, "stream: must be true or false");
    r->stream = json_is_true(v);
  }
  v = json_object_get(root, "max_completion_tokens");
  if(!v || json_is_null(v))
    v = json_object_get(root, "max_tokens");
  if(v && !json_is_null(v)) {
    if(!json_is_integer(v) || json_integer_value(v) < 0)
      return og_fail(err, OG_E_USAGE, "max_tokens: must be a whole number "
                     ">= 0");
    r->params.max_tokens = json_integer_value(v);
  }
  v = json_object_get(root, "temperature");
  if(v && !json_is_null(v)) {
    double t;
    if(!json_is_number(v))
      return og_fail(err, OG_E_USAGE, "temperature: must be a number");
    t = json_number_value(v);
    if(!isfinite(t) || t < 0 || t > 2)
      return og_fail(err, OG_E_USAGE, "temperature: must be from 0 to 2");
    r->params.temperature = t;
  }
  res = get_stop(r, json_object_get(root, "stop"), err);
  if(res)
    return res;
  v = json_object_get(root, "web_search"); /* newer gateways */
  if(v && !json_is_null(v)) {
    if(!json_is_boolean(v))
      return og_fail(err, OG_E_USAGE, "web_search: must be true or false");
    r->params.web_search = json_is_true(v);
  }
  v = json_object_get(root, "n");
  if(v && !json_is_null(v) &&
     (!json_is_integer(v) || json_integer_value(v) != 1))
    return og_fail(err, OG_E_USAGE, "n: only 1 is supported");

  if(completion) {
    v = json_object_get(root, "prompt");
    if(json_is_array(v) && json_array_size(v) == 1 &&
       json_is_string(json_array_get(v, 0)))
      v = json_array_get(v, 0);
    if(!json_is_string(v))
      return og_fail(err, OG_E_USAGE, "prompt: missing or not a string");
    if(memchr(json_string_value(v), 0, json_string_length(v)))
      return og_fail(err, OG_E_USAGE, "prompt: contains a NUL character");
    r->params.prompt = json_string_value(v);
    if(json_object_get(root, "tools") || json_object_get(root, "messages"))
      return og_fail(err, OG_E_USAGE, "tools and messages belong to "
                     "/v1/chat/completions");
  }
  else {
    v = json_object_get(root, "messages");
    if(!json_is_array(v) || json_array_size(v) == 0)
      return og_fail(err, OG_E_USAGE, "messages: missing or not a "
                     "non-empty array");
    r->params.messages = v;
    v = json_object_get(root, "tools");
    if(v && !json_is_null(v)) {
      if(!json_is_array(v))
        return og_fail(err, OG_E_USAGE, "tools: must be an array");
      r->params.tools = v;
    }
    v = json_object_get(root, "tool_choice");
    if(v && !json_is_null(v)) {
      if(json_is_string(v)) {
        const char *s = json_string_value(v);
        if(s[0] == '{' || memchr(s, 0, json_string_length(v)))
          return og_fail(err, OG_E_USAGE, "tool_choice: not a valid "
                         "choice");
        r->params.tool_choice = s;
      }
      else if(json_is_object(v)) {
        r->tool_choice = json_dumps(v, JSON_COMPACT);
        if(!r->tool_choice)
          return og_fail(err, OG_E_NOMEM, "out of memory");
        r->params.tool_choice = r->tool_choice;
      }
      else
        return og_fail(err, OG_E_USAGE, "tool_choice: must be a string or "
                       "an object");
    }
    r->params.stream = r->stream;
  }
  r->completion = completion;

  /* build the body once: every value the builder refuses is the
   * client's mistake (400), found before any network */
  og_buf_init(&body, OG_LLM_MAX_REQUEST);
  res = completion ? og_llm_build_completion(&body, &built, &r->params, err)
                   : og_llm_build_chat(&body, &built, &r->params, err);
  og_buf_free(&body);
  json_decref(built);
  if(res == OG_E_NOMEM)
    return res;
  return res ? OG_E_USAGE : OG_OK;
}

og_result og_serve_parse_request(og_serve_req *out, int completion,
                                 const char *body, size_t len, og_err *err)
{
  og_result r;
  memset(out, 0, sizeof(*out));
  if(len > OG_SERVE_MAX_BODY)
    return og_fail(err, OG_E_TOO_LARGE, "the request body is over %zu "
                   "bytes", OG_SERVE_MAX_BODY);
  if(len == 0)
    return og_fail(err, OG_E_USAGE, "the request body is empty");
  r = og_llm_parse_user_json(&out->root, "request body", body, len, err);
  if(r) {
    out->root = NULL;
    if(r == OG_E_NOMEM)
      return r;
    if(!err || !err->msg[0])
      return og_fail(err, OG_E_USAGE, "the request body is not JSON");
    return OG_E_USAGE; /* err already names the problem */
  }
  r = parse_fields(out, completion, err);
  if(r)
    og_serve_req_free(out);
  return r;
}

int og_serve_auth_ok(const char *header, const unsigned char *key,
                     size_t keylen)
{
  unsigned char a[SHA256_DIGEST_LENGTH], b[SHA256_DIGEST_LENGTH];
  const char *tok;
  size_t n;
  int ok;
  if(!header || !key || keylen == 0 || strncasecmp(header, "Bearer ", 7))
    return 0;
  tok = header + 7;
  while(*tok == ' ')
    tok++;
  n = strlen(tok);
  while(n && (tok[n - 1] == ' ' || tok[n - 1] == '\t'))
    n--;
  /* equal-length digests: the time does not depend on where they differ
   * or on the key's length */
  SHA256((const unsigned char *)tok, n, a);
  SHA256(key, keylen, b);
  ok = CRYPTO_memcmp(a, b, sizeof(a)) == 0 && n == keylen;
  OPENSSL_cleanse(a, sizeof(a));
  OPENSSL_cleanse(b, sizeof(b));
  return ok;
}
