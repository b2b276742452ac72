/* Chat and completion request bodies (see og_llm.h).
 *
 * The body is written key by key rather than with one json_dumps of the
 * object, so that temperature goes out in its shortest round-trip form
 * ("0.7", not jansson's "0.69999999999999996"); the jansson object holds
 * the same double, so both describe the same request. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm_internal.h"
#include "opengradient/og_canon.h"

void og_llm_params_init(og_llm_params *p)
{
  memset(p, 0, sizeof(*p));
  p->max_tokens = 100;
  p->temperature = 0.0;
}

og_result og_llm_model_name(const char **name, const char *model,
                            og_err *err)
{
  const char *slash;
  if(!model || !*model)
    return og_fail(err, OG_E_USAGE,
                   "model: required, as PROVIDER/MODEL "
                   "(e.g. openai/gpt-5)");
  slash = strchr(model, '/');
  if(!slash)
    return og_fail(err, OG_E_USAGE,
                   "model: '%.200s' needs a provider prefix: "
                   "PROVIDER/MODEL (e.g. openai/%.200s)", model, model);
  if(slash == model || !slash[1])
    return og_fail(err, OG_E_USAGE,
                   "model: '%.200s': both PROVIDER and MODEL must be "
                   "non-empty (e.g. openai/gpt-5)", model);
  *name = slash + 1;
  return OG_OK;
}

og_result og_llm_parse_user_json(json_t **out, const char *what,
                                 const char *text, size_t len, og_err *err)
{
  og_err e;
  og_result r;
  og_err_clear(&e);
  /* the one JSON reader with the request caps; name the option in errors */
  r = og_json_parse(out, text, len, OG_LLM_MAX_REQUEST, &e);
  if(r)
    return og_fail(err, r == OG_E_PARSE || r == OG_E_TOO_LARGE ? OG_E_USAGE
                                                               : r,
                   "%s: %s", what, e.msg);
  return OG_OK;
}

/* json_dump_callback sink into an og_buf, keeping the buffer's verdict. */
struct sink {
  og_buf *b;
  og_result r;
};

static int buf_sink(const char *p, size_t n, void *data)
{
  struct sink *k = data;
  k->r = og_buf_add(k->b, p, n);
  return k->r ? -1 : 0;
}

static og_result put_raw(og_buf *b, const char *s)
{
  return og_buf_addstr(b, s);
}

static og_result put_json(og_buf *b, const json_t *v)
{
  struct sink k;
  k.b = b;
  k.r = OG_OK;
  if(json_dump_callback(v, buf_sink, &k, JSON_COMPACT | JSON_ENCODE_ANY))
    return k.r ? k.r : OG_E_NOMEM;
  return OG_OK;
}

/* Shared checks and the pieces both request kinds send. */
static og_result check_common(const og_llm_params *p, const char **name,
                              og_err *err)
{
  size_t i;
  og_result r = og_llm_model_name(name, p->model, err);
  if(r)
    return r;
  if(p->max_tokens < 0)
    return og_fail(err, OG_E_USAGE, "max_tokens: must be 0 or more "
                   "(got %lld)", (long long)p->max_tokens);
  if(!isfinite(p->temperature) || p->temperature < 0.0 ||
     p->temperature > 2.0)
    return og_fail(err, OG_E_USAGE,
                   "temperature: must be between 0 and 2 (got %g)",
                   p->temperature);
  if(p->n_stop > OG_LLM_MAX_STOP)
    return og_fail(err, OG_E_USAGE, "stop: %zu stop sequences; the server "
                   "accepts at most %d", p->n_stop,
                   OG_LLM_MAX_STOP);
  if(p->n_stop && !p->stop)
    return og_fail(err, OG_E_USAGE, "stop sequences missing");
  for(i = 0; i < p->n_stop; i++)
    if(!p->stop[i])
      return og_fail(err, OG_E_USAGE, "stop sequence %zu is missing", i);
  return OG_OK;
}

static og_result check_messages(const json_t *m, og_err *err)
{
  size_t i;
  json_t *v;
  if(!m)
    return og_fail(err, OG_E_USAGE, "messages: chat needs messages");
  if(!json_is_array(m))
    return og_fail(err, OG_E_USAGE, "messages must be a JSON array of "
                   "message objects");
  if(json_array_size(m) == 0)
    return og_fail(err, OG_E_USAGE, "messages must not be empty");
  json_array_foreach(m, i, v) {
    const char *role;
    json_t *content;
    if(!json_is_object(v))
      return og_fail(err, OG_E_USAGE, "messages[%zu] must be a JSON "
                     "object", i);
    if(!json_is_string(json_object_get(v, "role")))
      return og_fail(err, OG_E_USAGE, "messages[%zu] needs a string "
                     "\"role\"", i);
    /* the roles the gateway knows; any other is refused there after the
     * payment, so refuse it here before any network access */
    role = json_string_value(json_object_get(v, "role"));
    content = json_object_get(v, "content");
    if(!strcmp(role, "assistant")) {
      if(content && !json_is_string(content) && !json_is_null(content) &&
         !json_is_array(content))
        return og_fail(err, OG_E_USAGE, "messages[%zu] (assistant): "
                       "\"content\" must be a string, a list or null", i);
    }
    else if(!strcmp(role, "system") || !strcmp(role, "user") ||
            !strcmp(role, "developer")) {
      if(!json_is_string(content) && !json_is_array(content))
        return og_fail(err, OG_E_USAGE, "messages[%zu] (%s): \"content\" "
                       "must be a string or a list of parts%s", i, role,
                       content ? "" : " (it is missing)");
    }
    else if(!strcmp(role, "tool") || !strcmp(role, "function")) {
      if(!json_is_string(content))
        return og_fail(err, OG_E_USAGE, "messages[%zu] (%s): \"content\" "
                       "must be a string%s", i, role,
                       content ? "" : " (it is missing)");
    }
    else
      return og_fail(err, OG_E_USAGE, "messages[%zu]: unknown role "
                     "'%.64s' (known: system, developer, user, assistant, "
                     "tool, function)", i, role);
  }
  return OG_OK;
}

static og_result check_tools(const json_t *t, og_err *err)
{
  size_t i;
  json_t *v;
  if(!json_is_array(t))
    return og_fail(err, OG_E_USAGE, "tools must be a JSON array");
  json_array_foreach(t, i, v) {
    json_t *f;
    if(!json_is_object(v))
      return og_fail(err, OG_E_USAGE, "tools[%zu] must be a JSON object",
                     i);
    f = json_object_get(v, "function");
    if(!json_is_object(f))
      return og_fail(err, OG_E_USAGE, "tools[%zu] needs a \"function\" "
                     "object", i);
    if(!json_is_string(json_object_get(f, "name")) ||
       !*json_string_value(json_object_get(f, "name")))
      return og_fail(err, OG_E_USAGE, "tools[%zu].function needs a "
                     "non-empty string \"name\"", i);
  }
  return OG_OK;
}

/* Set key to v (stealing v) in obj and write ,"key":v to the body. */
static og_result add_member(og_buf *b, json_t *obj, const char *key,
                            json_t *v, int first)
{
  og_result r;
  if(!v || json_object_set_new(obj, key, v))
    return OG_E_NOMEM;
  r = put_raw(b, first ? "{\"" : ",\"");
  if(!r)
    r = put_raw(b, key);
  if(!r)
    r = put_raw(b, "\":");
  if(!r)
    r = put_json(b, v);
  return r;
}

static og_result add_tail(og_buf *b, json_t *obj, const og_llm_params *p,
                          og_err *err)
{
  char num[40];
  og_result r;
  json_t *stop;
  size_t i;

  r = add_member(b, obj, "max_tokens", json_integer(p->max_tokens), 0);
  if(r)
    return r;
  /* temperature: written by hand in its shortest form */
  if(json_object_set_new(obj, "temperature", json_real(p->temperature)))
    return OG_E_NOMEM;
  og_canon_float(num, p->temperature); /* Python repr: 0.7, 1.0 */
  r = og_buf_printf(b, ",\"temperature\":%s", num);
  if(r)
    return r;
  if(p->n_stop) {
    stop = json_array();
    if(!stop)
      return OG_E_NOMEM;
    for(i = 0; i < p->n_stop; i++) {
      json_t *s = json_string(p->stop[i]);
      if(!s) {
        json_decref(stop);
        return og_fail(err, OG_E_USAGE, "stop sequence %zu is not valid "
                       "UTF-8", i);
      }
      if(json_array_append_new(stop, s)) {
        json_decref(stop);
        return OG_E_NOMEM;
      }
    }
    r = add_member(b, obj, "stop", stop, 0);
    if(r)
      return r;
  }
  return OG_OK;
}

static og_result finish_build(og_result r, og_buf *body, json_t *obj,
                              json_t **json_out, og_err *err)
{
  if(!r)
    r = put_raw(body, "}");
  if(r) {
    json_decref(obj);
    og_buf_reset(body);
    if(r == OG_E_NOMEM)
      return og_fail(err, r, "out of memory building the request");
    if(r == OG_E_TOO_LARGE)
      return og_fail(err, r, "request larger than %zu bytes", body->max);
    return r; /* message already set */
  }
  if(json_out)
    *json_out = obj;
  else
    json_decref(obj);
  return OG_OK;
}

og_result og_llm_build_chat(og_buf *body, json_t **json_out,
                            const og_llm_params *p, og_err *err)
{
  const char *name;
  json_t *obj, *choice = NULL;
  int has_tools;
  og_result r;

  if(json_out)
    *json_out = NULL;
  r = check_common(p, &name, err);
  if(r)
    return r;
  if(p->prompt)
    return og_fail(err, OG_E_USAGE, "chat takes messages, not a prompt");
  r = check_messages(p->messages, err);
  if(r)
    return r;
  if(p->tools) {
    r = check_tools(p->tools, err);
    if(r)
      return r;
  }
  has_tools = p->tools && json_array_size(p->tools) > 0;
  if(p->tool_choice && !has_tools)
    return og_fail(err, OG_E_USAGE, "tool_choice: needs tools");
  if(has_tools) {
    const char *tc = p->tool_choice ? p->tool_choice : "auto";
    if(!*tc)
      return og_fail(err, OG_E_USAGE, "tool_choice: must not be empty");
    if(tc[0] == '{') {
      r = og_llm_parse_user_json(&choice, "tool_choice", tc, strlen(tc),
                                 err);
      if(r)
        return r;
    }
    else {
      choice = json_string(tc);
      if(!choice)
        return og_fail(err, OG_E_USAGE, "tool_choice: not valid UTF-8");
    }
  }

  obj = json_object();
  if(!obj) {
    json_decref(choice);
    return og_fail(err, OG_E_NOMEM, "out of memory building the request");
  }
  {
    json_t *m = json_string(name);
    if(!m) {
      json_decref(choice);
      json_decref(obj);
      return og_fail(err, OG_E_USAGE, "model: not valid UTF-8");
    }
    r = add_member(body, obj, "model", m, 1);
  }
  if(!r)
    r = add_member(body, obj, "messages", json_deep_copy(p->messages), 0);
  if(!r)
    r = add_tail(body, obj, p, err);
  if(!r && has_tools)
    r = add_member(body, obj, "tools", json_deep_copy(p->tools), 0);
  if(has_tools) {
    if(!r)
      r = add_member(body, obj, "tool_choice", choice, 0);
    else
      json_decref(choice);
  }
  if(!r && p->web_search)
    r = add_member(body, obj, "web_search", json_true(), 0);
  if(!r && p->stream)
    r = add_member(body, obj, "stream", json_true(), 0);
  return finish_build(r, body, obj, json_out, err);
}

og_result og_llm_build_completion(og_buf *body, json_t **json_out,
                                  const og_llm_params *p, og_err *err)
{
  const char *name;
  json_t *obj, *m, *pr;
  og_result r;

  if(json_out)
    *json_out = NULL;
  r = check_common(p, &name, err);
  if(r)
    return r;
  if(!p->prompt)
    return og_fail(err, OG_E_USAGE, "prompt: completion needs a prompt");
  if(!*p->prompt)
    return og_fail(err, OG_E_USAGE, "prompt: must not be empty");
  if(p->messages || p->tools || p->tool_choice || p->stream)
    return og_fail(err, OG_E_USAGE, "completion takes only a prompt "
                   "(no messages, tools, tool choice or streaming)");
  m = json_string(name);
  if(!m)
    return og_fail(err, OG_E_USAGE, "model: not valid UTF-8");
  pr = json_string(p->prompt);
  if(!pr) {
    json_decref(m);
    return og_fail(err, OG_E_USAGE, "prompt: not valid UTF-8");
  }
  obj = json_object();
  if(!obj) {
    json_decref(m);
    json_decref(pr);
    return og_fail(err, OG_E_NOMEM, "out of memory building the request");
  }
  r = add_member(body, obj, "model", m, 1);
  if(!r)
    r = add_member(body, obj, "prompt", pr, 0);
  else
    json_decref(pr);
  if(!r)
    r = add_tail(body, obj, p, err);
  if(!r && p->web_search)
    r = add_member(body, obj, "web_search", json_true(), 0);
  return finish_build(r, body, obj, json_out, err);
}
