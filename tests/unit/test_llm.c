/* The LLM wire protocol: request building, answer and error parsing, the
 * stream assembler's rules, and the signed examples of
 * tests/vectors/tee_signature.json. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opengradient/og_client.h"
#include "opengradient/og_llm.h"

/* ---- requests ---- */

static void test_model_name(void **state)
{
  const char *name = NULL;
  og_err err;
  (void)state;
  assert_int_equal(og_llm_model_name(&name, "openai/gpt-5", &err), OG_OK);
  assert_string_equal(name, "gpt-5");
  assert_int_equal(og_llm_model_name(&name, "a/b/c", &err), OG_OK);
  assert_string_equal(name, "b/c");
  assert_int_equal(og_llm_model_name(&name, "gpt-5", &err), OG_E_USAGE);
  assert_non_null(strstr(err.msg, "PROVIDER/MODEL"));
  assert_non_null(strstr(err.msg, "'gpt-5'"));
  assert_int_equal(og_llm_model_name(&name, "/gpt-5", &err), OG_E_USAGE);
  assert_non_null(strstr(err.msg, "non-empty"));
  assert_int_equal(og_llm_model_name(&name, "openai/", &err), OG_E_USAGE);
  assert_int_equal(og_llm_model_name(&name, "", &err), OG_E_USAGE);
  assert_int_equal(og_llm_model_name(&name, NULL, &err), OG_E_USAGE);
  assert_int_equal(og_llm_model_name(&name, "/", &err), OG_E_USAGE);
}

/* Rebuild a vector's request_body from its fields through the builder and
 * require the very same bytes and object. */
static void check_request_vector(const json_t *ex)
{
  const char *want = tu_str(ex, "request_body");
  const char *ep = tu_str(ex, "endpoint");
  json_t *req, *got_json = NULL;
  og_llm_params p;
  og_buf body;
  og_err err;
  char model[64];
  const char *stops[4];
  size_t i;
  json_t *v;
  og_result rc;

  assert_int_equal(og_llm_parse_user_json(&req, "vector", want,
                                          strlen(want), &err), OG_OK);
  og_llm_params_init(&p);
  snprintf(model, sizeof(model), "openai/%s", tu_str(req, "model"));
  p.model = model;
  p.max_tokens = json_integer_value(json_object_get(req, "max_tokens"));
  p.temperature = json_number_value(json_object_get(req, "temperature"));
  json_array_foreach(json_object_get(req, "stop"), i, v)
    stops[p.n_stop++] = json_string_value(v);
  p.stop = stops;
  og_buf_init(&body, 1 << 20);
  if(!strcmp(ep, "/v1/completions")) {
    p.prompt = tu_str(req, "prompt");
    rc = og_llm_build_completion(&body, &got_json, &p, &err);
  }
  else {
    p.messages = json_object_get(req, "messages");
    p.tools = json_object_get(req, "tools");
    p.tool_choice = NULL; /* the default must give "auto" */
    p.stream = json_is_true(json_object_get(req, "stream"));
    rc = og_llm_build_chat(&body, &got_json, &p, &err);
  }
  if(rc)
    fail_msg("%s: %s", tu_str(ex, "name"), err.msg);
  assert_string_equal(og_buf_str(&body), want);
  assert_true(json_equal(got_json, req));
  og_buf_free(&body);
  json_decref(got_json);
  json_decref(req);
}

static void test_request_vectors(void **state)
{
  json_t *v = tu_load_vectors("tee_signature.json"), *ex;
  size_t i;
  (void)state;
  assert_int_equal(json_array_size(json_object_get(v, "examples")), 4);
  json_array_foreach(json_object_get(v, "examples"), i, ex)
    check_request_vector(ex);
  json_decref(v);
}

static json_t *jl(const char *s)
{
  json_t *j = json_loads(s, 0, NULL);
  assert_non_null(j);
  return j;
}

/* Build a chat body; returns the result, body text in out. */
static og_result chat(og_llm_params *p, char *out, size_t n, og_err *err)
{
  og_buf b;
  json_t *j = NULL;
  og_result rc;
  og_buf_init(&b, 1 << 20);
  rc = og_llm_build_chat(&b, &j, p, err);
  snprintf(out, n, "%s", og_buf_str(&b));
  if(!rc) {
    /* the object and the text describe the same request */
    json_t *back = json_loads(og_buf_str(&b), 0, NULL);
    assert_true(json_equal(back, j));
    json_decref(back);
  }
  else
    assert_null(j);
  og_buf_free(&b);
  json_decref(j);
  return rc;
}

static void test_build_chat(void **state)
{
  json_t *msgs = jl("[{\"role\":\"user\",\"content\":\"Hi\"}]");
  json_t *tools = jl("[{\"type\":\"function\",\"function\":"
                     "{\"name\":\"f\"}}]");
  json_t *empty = jl("[]");
  og_llm_params p;
  og_err err;
  char out[1024];
  const char *stops[5] = {"a", "b", "c", "d", "e"};
  (void)state;

  og_llm_params_init(&p);
  p.model = "anthropic/claude-haiku-4-5";
  p.messages = msgs;
  assert_int_equal(chat(&p, out, sizeof(out), &err), OG_OK);
  assert_string_equal(out, "{\"model\":\"claude-haiku-4-5\",\"messages\":"
                      "[{\"role\":\"user\",\"content\":\"Hi\"}],"
                      "\"max_tokens\":100,\"temperature\":0.0}");

  /* tools: tool_choice defaults to auto; stream last */
  p.tools = tools;
  p.stream = 1;
  p.temperature = 0.7;
  p.max_tokens = 0;
  p.stop = stops;
  p.n_stop = 2;
  assert_int_equal(chat(&p, out, sizeof(out), &err), OG_OK);
  assert_string_equal(out, "{\"model\":\"claude-haiku-4-5\",\"messages\":"
                      "[{\"role\":\"user\",\"content\":\"Hi\"}],"
                      "\"max_tokens\":0,\"temperature\":0.7,"
                      "\"stop\":[\"a\",\"b\"],\"tools\":[{\"type\":"
                      "\"function\",\"function\":{\"name\":\"f\"}}],"
                      "\"tool_choice\":\"auto\",\"stream\":true}");
  p.tool_choice = "none";
  assert_int_equal(chat(&p, out, sizeof(out), &err), OG_OK);
  assert_non_null(strstr(out, "\"tool_choice\":\"none\""));
  p.tool_choice = "{\"type\":\"function\",\"function\":{\"name\":\"f\"}}";
  assert_int_equal(chat(&p, out, sizeof(out), &err), OG_OK);
  assert_non_null(strstr(out, "\"tool_choice\":{\"type\":\"function\","
                              "\"function\":{\"name\":\"f\"}}"));
  p.tool_choice = "{bad";
  assert_int_equal(chat(&p, out, sizeof(out), &err), OG_E_USAGE);
  assert_non_null(strstr(err.msg, "tool_choice: "));
  p.tool_choice = "";
  assert_int_equal(chat(&p, out, sizeof(out), &err), OG_E_USAGE);

  /* an empty tools array is no tools; tool_choice then needs tools */
  p.tools = empty;
  p.tool_choice = NULL;
  assert_int_equal(chat(&p, out, sizeof(out), &err), OG_OK);
  assert_null(strstr(out, "tools"));
  assert_null(strstr(out, "tool_choice"));
  p.tool_choice = "auto";
  assert_int_equal(chat(&p, out, sizeof(out), &err), OG_E_USAGE);
  assert_non_null(strstr(err.msg, "needs tools"));
  p.tool_choice = NULL;
  p.tools = msgs; /* tools need a "function" object with a name */
  assert_int_equal(chat(&p, out, sizeof(out), &err), OG_E_USAGE);
  assert_string_equal(err.msg, "tools[0] needs a \"function\" object");
  p.tools = jl("[{\"type\":\"function\",\"function\":{}}]");
  assert_int_equal(chat(&p, out, sizeof(out), &err), OG_E_USAGE);
  assert_string_equal(err.msg, "tools[0].function needs a non-empty string "
                      "\"name\"");
  json_decref((json_t *)p.tools);
  p.tools = jl("[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]");
  assert_int_equal(chat(&p, out, sizeof(out), &err), OG_OK);
  json_decref((json_t *)p.tools);
  p.tools = jl("{\"type\":\"function\"}");
  assert_int_equal(chat(&p, out, sizeof(out), &err), OG_E_USAGE);
  json_decref((json_t *)p.tools);
  p.tools = NULL;
  p.stream = 0;

  /* numbers and limits */
  p.n_stop = 5;
  assert_int_equal(chat(&p, out, sizeof(out), &err), OG_E_USAGE);
  assert_non_null(strstr(err.msg, "at most 4"));
  p.n_stop = 4;
  assert_int_equal(chat(&p, out, sizeof(out), &err), OG_OK);
  p.n_stop = 0;
  p.temperature = 2.5;
  assert_int_equal(chat(&p, out, sizeof(out), &err), OG_E_USAGE);
  assert_non_null(strstr(err.msg, "temperature: "));
  p.temperature = -0.1;
  assert_int_equal(chat(&p, out, sizeof(out), &err), OG_E_USAGE);
  p.temperature = 2.0;
  assert_int_equal(chat(&p, out, sizeof(out), &err), OG_OK);
  assert_non_null(strstr(out, "\"temperature\":2.0"));
  p.temperature = 0.1 + 0.2; /* shortest round-trip form */
  assert_int_equal(chat(&p, out, sizeof(out), &err), OG_OK);
  assert_non_null(strstr(out, "\"temperature\":0.30000000000000004"));
  p.temperature = 1.0;
  p.max_tokens = -1;
  assert_int_equal(chat(&p, out, sizeof(out), &err), OG_E_USAGE);
  assert_non_null(strstr(err.msg, "max_tokens: "));
  p.max_tokens = INT64_MAX;
  assert_int_equal(chat(&p, out, sizeof(out), &err), OG_OK);
  assert_non_null(strstr(out, "\"max_tokens\":9223372036854775807"));
  p.max_tokens = 5;

  /* model */
  p.model = "gpt-5";
  assert_int_equal(chat(&p, out, sizeof(out), &err), OG_E_USAGE);
  assert_non_null(strstr(err.msg, "provider"));
  p.model = "openai/gpt-5";
  p.prompt = "x";
  assert_int_equal(chat(&p, out, sizeof(out), &err), OG_E_USAGE);
  p.prompt = NULL;

  json_decref(msgs);
  json_decref(tools);
  json_decref(empty);
}

static void test_build_chat_messages(void **state)
{
  static const struct {
    const char *msgs;
    const char *msg;
  } bad[] = {
    {"{\"role\":\"user\"}", "JSON array"},
    {"[]", "must not be empty"},
    {"[\"hi\"]", "messages[0] must be a JSON object"},
    {"[{\"role\":\"user\",\"content\":\"a\"},{\"content\":\"x\"}]",
     "messages[1] needs"},
    {"[{\"role\":\"user\"}]", "messages[0] (user): \"content\" must be a "
     "string or a list of parts (it is missing)"},
    {"[{\"role\":\"system\",\"content\":7}]", "messages[0] (system): "
     "\"content\" must be a string or a list of parts"},
    {"[{\"role\":\"tool\",\"content\":[]}]", "messages[0] (tool): "
     "\"content\" must be a string"},
    {"[{\"role\":\"assistant\",\"content\":{}}]", "messages[0] "
     "(assistant): \"content\" must be a string, a list or null"},
    {"[{\"role\":\"wizard\",\"content\":\"x\"}]", "messages[0]: unknown "
     "role 'wizard'"},
    {"[{\"role\":5,\"content\":\"x\"}]", "messages[0] needs"},
    {"[{\"role\":null}]", "messages[0] needs"},
  };
  og_llm_params p;
  og_err err;
  char out[512];
  size_t i;
  (void)state;
  og_llm_params_init(&p);
  p.model = "openai/gpt-5";
  assert_int_equal(chat(&p, out, sizeof(out), &err), OG_E_USAGE);
  assert_non_null(strstr(err.msg, "messages"));
  for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    json_t *m = jl(bad[i].msgs);
    p.messages = m;
    assert_int_equal(chat(&p, out, sizeof(out), &err), OG_E_USAGE);
    if(!strstr(err.msg, bad[i].msg))
      fail_msg("%s: %s", bad[i].msgs, err.msg);
    json_decref(m);
  }
  /* the known roles with the content each needs */
  {
    json_t *m = jl("[{\"role\":\"tool\",\"content\":\"1\",\"tool_call_id\":"
                   "\"c\"},{\"role\":\"assistant\",\"content\":null}]");
    p.messages = m;
    assert_int_equal(chat(&p, out, sizeof(out), &err), OG_OK);
    json_decref(m);
  }
}

static void test_build_completion(void **state)
{
  og_llm_params p;
  og_buf b;
  json_t *j;
  og_err err;
  json_t *msgs = jl("[{\"role\":\"user\"}]");
  const char *stops[] = {"\n", "END"};
  (void)state;
  og_buf_init(&b, 1 << 16);
  og_llm_params_init(&p);
  p.model = "openai/gpt-5";
  p.prompt = "Say \"hi\"";
  p.stop = stops;
  p.n_stop = 2;
  assert_int_equal(og_llm_build_completion(&b, &j, &p, &err), OG_OK);
  assert_string_equal(og_buf_str(&b), "{\"model\":\"gpt-5\",\"prompt\":"
                      "\"Say \\\"hi\\\"\",\"max_tokens\":100,"
                      "\"temperature\":0.0,\"stop\":[\"\\n\",\"END\"]}");
  assert_true(json_is_real(json_object_get(j, "temperature")));
  assert_int_equal(json_integer_value(json_object_get(j, "max_tokens")),
                   100);
  json_decref(j);
  og_buf_reset(&b);
  /* a NULL json_out is fine */
  assert_int_equal(og_llm_build_completion(&b, NULL, &p, &err), OG_OK);
  og_buf_reset(&b);
  p.prompt = NULL;
  assert_int_equal(og_llm_build_completion(&b, &j, &p, &err), OG_E_USAGE);
  assert_non_null(strstr(err.msg, "prompt: "));
  assert_null(j);
  p.prompt = "";
  assert_int_equal(og_llm_build_completion(&b, &j, &p, &err), OG_E_USAGE);
  assert_string_equal(err.msg, "prompt: must not be empty");
  p.prompt = "\xff\xfe";
  assert_int_equal(og_llm_build_completion(&b, &j, &p, &err), OG_E_USAGE);
  assert_non_null(strstr(err.msg, "UTF-8"));
  p.prompt = "x";
  p.messages = msgs;
  assert_int_equal(og_llm_build_completion(&b, &j, &p, &err), OG_E_USAGE);
  p.messages = NULL;
  p.stream = 1;
  assert_int_equal(og_llm_build_completion(&b, &j, &p, &err), OG_E_USAGE);
  p.stream = 0;
  p.model = "gpt-5";
  assert_int_equal(og_llm_build_completion(&b, &j, &p, &err), OG_E_USAGE);
  /* a body cap that is too small */
  p.model = "openai/gpt-5";
  og_buf_free(&b);
  og_buf_init(&b, 20);
  assert_int_equal(og_llm_build_completion(&b, &j, &p, &err),
                   OG_E_TOO_LARGE);
  assert_null(j);
  og_buf_free(&b);
  json_decref(msgs);
}

static void test_user_json(void **state)
{
  json_t *j;
  og_err err;
  const char *big = "[{\"role\":\"user\",\"n\":99999999999999999999}]";
  const char *max = "[9223372036854775807,-9223372036854775808]";
  (void)state;
  assert_int_equal(og_llm_parse_user_json(&j, "--messages", big,
                                          strlen(big), &err), OG_E_USAGE);
  assert_null(j);
  assert_non_null(strstr(err.msg, "--messages"));
  assert_non_null(strstr(err.msg, "64-bit"));
  assert_int_equal(og_llm_parse_user_json(&j, "--tools", max, strlen(max),
                                          &err), OG_OK);
  json_decref(j);
  assert_int_equal(og_llm_parse_user_json(&j, "--tools", "[1,", 3, &err),
                   OG_E_USAGE);
  assert_non_null(strstr(err.msg, "invalid JSON"));
  assert_int_equal(og_llm_parse_user_json(&j, "--tools", "[] x", 4, &err),
                   OG_E_USAGE);
}

/* ---- answers ---- */

static void test_answer_vectors(void **state)
{
  json_t *v = tu_load_vectors("tee_signature.json"), *ex;
  size_t i;
  (void)state;
  json_array_foreach(json_object_get(v, "examples"), i, ex) {
    const char *name = tu_str(ex, "name");
    og_llm_result r;
    og_err err;
    og_result rc;
    const json_t *rb = json_object_get(ex, "response_body");
    char *text = NULL;
    if(rb) {
      text = json_dumps(rb, 0);
      if(!strcmp(tu_str(ex, "endpoint"), "/v1/completions"))
        rc = og_llm_parse_completion(&r, 200, text, strlen(text), &err);
      else
        rc = og_llm_parse_chat(&r, 200, text, strlen(text), &err);
    }
    else {
      const char *sse = tu_str(ex, "sse_body");
      og_llm_stream *s = og_llm_stream_new(NULL, NULL);
      assert_int_equal(og_llm_stream_feed(s, sse, strlen(sse), &err),
                       OG_OK);
      rc = og_llm_stream_finish(s, &r, &err);
      og_llm_stream_free(s);
    }
    if(rc)
      fail_msg("%s: %s", name, err.msg);
    assert_string_equal(r.model, "gpt-5");
    assert_string_equal(r.tee_signature, tu_str(ex, "tee_signature"));
    assert_string_equal(r.tee_request_hash, tu_str(ex, "tee_request_hash"));
    assert_string_equal(r.tee_output_hash, tu_str(ex, "tee_output_hash"));
    assert_string_equal(r.tee_id, tu_str(ex, "tee_id"));
    assert_true(r.has_tee_timestamp);
    assert_int_equal(r.tee_timestamp,
                     json_integer_value(json_object_get(ex,
                                                        "tee_timestamp")));
    assert_true(r.usage.present);
    assert_non_null(r.json);
    if(r.n_tool_calls) {
      /* the signed output string: json.dumps(tool_calls, sort_keys=True) */
      json_t *a = og_llm_result_tool_calls_json(&r);
      char *d = json_dumps(a, JSON_SORT_KEYS | JSON_ENSURE_ASCII);
      assert_string_equal(d, tu_str(ex, "output_string"));
      assert_string_equal(r.finish_reason, "tool_calls");
      assert_string_equal(r.text, "");
      free(d);
      json_decref(a);
    }
    else {
      assert_string_equal(r.text, tu_str(ex, "output_string"));
      assert_string_equal(r.finish_reason, "stop");
    }
    og_llm_result_free(&r);
    og_llm_result_free(&r); /* twice is harmless */
    free(text);
    /* the streamed variant of the tool-call answer */
    if(json_object_get(ex, "stream_variant")) {
      const char *sse = tu_str(json_object_get(ex, "stream_variant"),
                               "sse_body");
      og_llm_stream *s = og_llm_stream_new(NULL, NULL);
      json_t *a;
      char *d;
      assert_int_equal(og_llm_stream_feed(s, sse, strlen(sse), &err),
                       OG_OK);
      assert_int_equal(og_llm_stream_finish(s, &r, &err), OG_OK);
      a = og_llm_result_tool_calls_json(&r);
      d = json_dumps(a, JSON_SORT_KEYS | JSON_ENSURE_ASCII);
      assert_string_equal(d, tu_str(ex, "output_string"));
      assert_string_equal(r.tee_output_hash, tu_str(ex, "tee_output_hash"));
      free(d);
      json_decref(a);
      og_llm_result_free(&r);
      og_llm_stream_free(s);
    }
  }
  /* the mid-stream error example */
  {
    const char *sse = tu_str(json_object_get(v, "mid_stream_error_sse"),
                             "sse_body");
    og_llm_stream *s = og_llm_stream_new(NULL, NULL);
    og_llm_result r;
    og_err err;
    assert_int_equal(og_llm_stream_feed(s, sse, strlen(sse), &err),
                     OG_E_SERVER);
    assert_non_null(strstr(err.msg, "Stream processing failed"));
    assert_int_equal(og_llm_stream_finish(s, &r, &err), OG_E_SERVER);
    assert_non_null(strstr(err.msg, "Stream processing failed"));
    og_llm_stream_free(s);
  }
  json_decref(v);
}

static og_result pchat(og_llm_result *r, long st, const char *body,
                       og_err *err)
{
  return og_llm_parse_chat(r, st, body, body ? strlen(body) : 0, err);
}

static og_result pcomp(og_llm_result *r, long st, const char *body,
                       og_err *err)
{
  return og_llm_parse_completion(r, st, body, strlen(body), err);
}

static void test_chat_answers(void **state)
{
  og_llm_result r;
  og_err err;
  json_t *m;
  char *d;
  (void)state;
  /* plain text, usage absent, no tee fields */
  assert_int_equal(pchat(&r, 200, "{\"choices\":[{\"message\":{\"role\":"
                         "\"assistant\",\"content\":\"Hi \\u00e9\"},"
                         "\"finish_reason\":\"stop\"}],\"model\":\"m\"}",
                         &err), OG_OK);
  assert_string_equal(r.text, "Hi \xc3\xa9");
  assert_int_equal(r.text_len, 5);
  assert_string_equal(r.role, "assistant");
  assert_string_equal(r.finish_reason, "stop");
  assert_false(r.usage.present);
  assert_null(r.tee_signature);
  assert_false(r.has_tee_timestamp);
  m = og_llm_result_message_json(&r);
  d = json_dumps(m, JSON_COMPACT);
  assert_string_equal(d, "{\"role\":\"assistant\",\"content\":"
                      "\"Hi \xc3\xa9\"}");
  free(d);
  json_decref(m);
  m = og_llm_result_usage_json(&r);
  assert_true(json_is_null(m));
  json_decref(m);
  og_llm_result_free(&r);

  /* usage null, content null, tool calls, numeric-string timestamp */
  assert_int_equal(pchat(&r, 201, "{\"choices\":[{\"message\":{\"content\":"
                         "null,\"tool_calls\":[{\"id\":\"c1\",\"type\":"
                         "\"function\",\"function\":{\"name\":\"f\","
                         "\"arguments\":\"{}\"}},{\"function\":{\"name\":"
                         "\"g\"}}]},\"finish_reason\":\"tool_calls\"}],"
                         "\"usage\":null,\"tee_timestamp\":\"1900000000\"}",
                         &err), OG_OK);
  assert_string_equal(r.text, "");
  assert_string_equal(r.role, "assistant");
  assert_false(r.usage.present);
  assert_true(r.has_tee_timestamp);
  assert_int_equal(r.tee_timestamp, 1900000000);
  assert_int_equal(r.n_tool_calls, 2);
  assert_string_equal(r.tool_calls[0].id, "c1");
  assert_string_equal(r.tool_calls[0].type, "function");
  assert_string_equal(r.tool_calls[0].name, "f");
  assert_string_equal(r.tool_calls[0].arguments, "{}");
  assert_null(r.tool_calls[1].id);
  assert_null(r.tool_calls[1].type);
  assert_string_equal(r.tool_calls[1].name, "g");
  assert_string_equal(r.tool_calls[1].arguments, "");
  m = og_llm_result_message_json(&r);
  d = json_dumps(m, JSON_COMPACT);
  assert_string_equal(d, "{\"role\":\"assistant\",\"content\":\"\","
                      "\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
                      "\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}},"
                      "{\"id\":null,\"type\":null,\"function\":{\"name\":"
                      "\"g\",\"arguments\":\"\"}}]}");
  free(d);
  json_decref(m);
  og_llm_result_free(&r);

  /* list content is flattened: text parts joined by a space, trimmed */
  assert_int_equal(pchat(&r, 200, "{\"choices\":[{\"message\":{\"content\":"
                         "[{\"type\":\"text\",\"text\":\" Hello\"},{\"type\":"
                         "\"thought\",\"signature\":\"x\"},{\"type\":\"text\","
                         "\"text\":\"world \"}]}}]}", &err), OG_OK);
  assert_string_equal(r.text, "Hello world");
  assert_null(r.finish_reason);
  og_llm_result_free(&r);

  /* usage present */
  assert_int_equal(pchat(&r, 200, "{\"choices\":[{\"message\":{}}],\"usage\":"
                         "{\"prompt_tokens\":1,\"completion_tokens\":2,"
                         "\"total_tokens\":3}}", &err), OG_OK);
  assert_true(r.usage.present);
  assert_int_equal(r.usage.total_tokens, 3);
  m = og_llm_result_usage_json(&r);
  d = json_dumps(m, JSON_COMPACT);
  assert_string_equal(d, "{\"prompt_tokens\":1,\"completion_tokens\":2,"
                      "\"total_tokens\":3}");
  free(d);
  json_decref(m);
  og_llm_result_free(&r);

  /* NUL inside content keeps its length */
  assert_int_equal(pchat(&r, 200, "{\"choices\":[{\"message\":{\"content\":"
                         "\"a\\u0000b\"}}]}", &err), OG_OK);
  assert_int_equal(r.text_len, 3);
  assert_memory_equal(r.text, "a\0b", 3);
  og_llm_result_free(&r);
}

static void test_bad_answers(void **state)
{
  static const struct {
    long status;
    const char *body;
    og_result want;
    const char *msg;
  } cases[] = {
    {200, "{\"model\":\"m\"}", OG_E_SERVER, "'choices' missing or empty"},
    {200, "{\"choices\":[]}", OG_E_SERVER, "'choices' missing or empty"},
    {200, "{\"choices\":null}", OG_E_SERVER, "'choices' missing"},
    {200, "{\"choices\":{}}", OG_E_SERVER, "'choices' missing"},
    {200, "{\"choices\":[1]}", OG_E_PARSE, "choices[0]"},
    {200, "{\"choices\":[{}]}", OG_E_PARSE, "message"},
    {200, "{\"choices\":[{\"message\":{\"content\":5}}]}", OG_E_PARSE,
     "content"},
    {200, "{\"choices\":[{\"message\":{\"tool_calls\":{}}}]}", OG_E_PARSE,
     "tool_calls"},
    {200, "{\"choices\":[{\"message\":{\"tool_calls\":[{\"function\":"
          "{\"arguments\":{}}}]}}]}", OG_E_PARSE, "arguments"},
    {200, "{\"choices\":[{\"message\":{}}],\"usage\":5}", OG_E_PARSE,
     "usage"},
    {200, "{\"choices\":[{\"message\":{}}],\"usage\":{\"total_tokens\":"
          "\"3\"}}", OG_E_PARSE, "total_tokens"},
    {200, "{\"choices\":[{\"message\":{}}],\"tee_timestamp\":\"soon\"}",
     OG_E_PARSE, "tee_timestamp"},
    {200, "{\"choices\":[{\"message\":{}}],\"tee_timestamp\":1.5}",
     OG_E_PARSE, "tee_timestamp"},
    {200, "{\"choices\":[{\"message\":{}}],\"tee_id\":7}", OG_E_PARSE,
     "tee_id"},
    {200, "not json", OG_E_PARSE, "not valid JSON"},
    {200, "", OG_E_PARSE, "not valid JSON"},
    {200, "[1]", OG_E_PARSE, "not a JSON object"},
    {200, "{\"error\":\"Request processing failed\"}", OG_E_SERVER,
     "Request processing failed"},
    {200, "{\"error\":\"boom\",\"exception_type\":\"ValueError\"}",
     OG_E_SERVER, "boom (ValueError)"},
  };
  size_t i;
  (void)state;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    og_llm_result r;
    og_err err;
    og_result rc = pchat(&r, cases[i].status, cases[i].body, &err);
    if(rc != cases[i].want || !strstr(err.msg, cases[i].msg))
      fail_msg("case %zu: got %d '%s'", i, rc, err.msg);
    assert_null(r.text);
    assert_null(r.json);
  }
}

static void test_error_bodies(void **state)
{
  static const struct {
    long status;
    const char *body;
    const char *msg;
  } cases[] = {
    {400, "{\"error\":\"Model 'x' is not supported\"}",
     "server answered HTTP 400: Model 'x' is not supported"},
    {503, "{\"error\":\"Pricing unavailable: stale\"}",
     "server answered HTTP 503: Pricing unavailable: stale"},
    {415, "{\"error\":\"Unsupported Media Type\",\"message\":\"Request must "
          "be application/json\"}",
     "HTTP 415: Unsupported Media Type: Request must be application/json"},
    {500, "{\"error\":{\"message\":\"upstream broke\",\"type\":\"server\"}}",
     "HTTP 500: upstream broke (server)"},
    {500, "{\"error\":{\"code\":42}}", "HTTP 500: {\"code\":42}"},
    {401, "{\"detail\":\"No authorization token provided\",\"status\":401,"
          "\"title\":\"Unauthorized\",\"type\":\"about:blank\"}",
     "HTTP 401: Unauthorized: No authorization token provided"},
    {400, "{\"detail\":\"[] is too short - 'messages'\",\"status\":400}",
     "HTTP 400: [] is too short - 'messages'"},
    {500, "{\"title\":\"Internal Server Error\"}",
     "HTTP 500: Internal Server Error"},
    {404, "{\"message\":\"not here\"}", "HTTP 404: not here"},
    {402, "{}", "HTTP 402: {}"},
    {502, "Bad Gateway\nmore lines\n", "HTTP 502: Bad Gateway"},
    {502, "  <html>\r\n<body>x</body>", "HTTP 502: <html>"},
    {500, "", "HTTP 500: (empty body)"},
    {500, " \r\n\t", "HTTP 500: (empty body)"},
    {500, "\"just a string\"", "HTTP 500: just a string"},
    {500, "{\"error\":\"a\\u001b[31mred\"}", "HTTP 500: a\\x1b[31mred"},
    {500, "{\"error\":null,\"message\":\"m\"}", "HTTP 500: m"},
    {429, "{\"broken", "HTTP 429: {\"broken"},
  };
  size_t i;
  (void)state;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    og_llm_result r;
    og_err err;
    og_result rc = pchat(&r, cases[i].status, cases[i].body, &err);
    if(rc != OG_E_SERVER || !strstr(err.msg, cases[i].msg))
      fail_msg("case %zu: got %d '%s'", i, rc, err.msg);
    assert_int_equal(og_llm_error_message(cases[i].status, cases[i].body,
                                          strlen(cases[i].body), &err),
                     OG_E_SERVER);
    assert_non_null(strstr(err.msg, cases[i].msg));
    /* the completion parser reports errors the same way */
    assert_int_equal(pcomp(&r, cases[i].status, cases[i].body, &err),
                     OG_E_SERVER);
    assert_non_null(strstr(err.msg, cases[i].msg));
  }
  /* NULL body, and a huge body is cut, with no control bytes */
  {
    og_err err;
    char *big = malloc(100000);
    size_t k;
    assert_int_equal(og_llm_error_message(500, NULL, 0, &err), OG_E_SERVER);
    assert_non_null(strstr(err.msg, "(empty body)"));
    memset(big, 'x', 99999);
    big[99999] = 0;
    big[10] = '\x07';
    assert_int_equal(og_llm_error_message(500, big, 99999, &err),
                     OG_E_SERVER);
    assert_true(strlen(err.msg) < sizeof(err.msg));
    for(k = 0; err.msg[k]; k++)
      assert_true((unsigned char)err.msg[k] >= 0x20);
    /* a cut inside a UTF-8 sequence leaves no partial sequence */
    for(k = 0; k + 1 < 99999; k += 2) {
      big[k] = '\xc3';
      big[k + 1] = '\xa9';
    }
    assert_int_equal(og_llm_error_message(500, big, 99998, &err),
                     OG_E_SERVER);
    k = strlen(err.msg);
    assert_true((unsigned char)err.msg[k - 1] == 0xa9);
    free(big);
  }
}

static void test_completion_answers(void **state)
{
  og_llm_result r;
  og_err err;
  (void)state;
  assert_int_equal(pcomp(&r, 200, "{\"choices\":[{\"text\":\"four\","
                         "\"index\":0,\"finish_reason\":\"stop\"}],"
                         "\"usage\":null,\"completion\":\"legacy\"}", &err),
                   OG_OK);
  assert_string_equal(r.text, "four"); /* choices[0].text preferred */
  assert_string_equal(r.finish_reason, "stop");
  assert_false(r.usage.present);
  assert_null(r.role);
  og_llm_result_free(&r);
  /* the legacy key alone */
  assert_int_equal(pcomp(&r, 200, "{\"completion\":\"legacy\","
                         "\"tee_timestamp\":7}", &err), OG_OK);
  assert_string_equal(r.text, "legacy");
  assert_int_equal(r.tee_timestamp, 7);
  og_llm_result_free(&r);
  /* choices[0] without text falls back to the legacy key */
  assert_int_equal(pcomp(&r, 200, "{\"choices\":[{\"finish_reason\":"
                         "\"stop\"}],\"completion\":\"old\"}", &err), OG_OK);
  assert_string_equal(r.text, "old");
  og_llm_result_free(&r);
  /* an empty text is an answer */
  assert_int_equal(pcomp(&r, 200, "{\"choices\":[{\"text\":\"\"}]}", &err),
                   OG_OK);
  assert_string_equal(r.text, "");
  og_llm_result_free(&r);
  assert_int_equal(pcomp(&r, 200, "{\"choices\":[]}", &err), OG_E_SERVER);
  assert_non_null(strstr(err.msg, "'choices' missing or empty"));
  assert_int_equal(pcomp(&r, 200, "{}", &err), OG_E_SERVER);
  assert_int_equal(pcomp(&r, 200, "{\"choices\":[{\"text\":3}]}", &err),
                   OG_E_PARSE);
  assert_int_equal(pcomp(&r, 200, "{\"choices\":\"x\"}", &err), OG_E_PARSE);
  assert_int_equal(pcomp(&r, 200, "{\"error\":\"x\"}", &err), OG_E_SERVER);
}

/* ---- stream rules beyond the framing vectors ---- */

typedef struct seen {
  size_t chunks, finals, usage_chunks, tool_chunks;
  int cancel_at;
  char content[256];
  char final_text[256];
} seen;

static int on_chunk(void *user, const og_llm_chunk *c)
{
  seen *s = user;
  s->chunks++;
  if(c->content)
    strncat(s->content, c->content,
            sizeof(s->content) - strlen(s->content) - 1);
  if(c->usage)
    s->usage_chunks++;
  if(c->tool_calls)
    s->tool_chunks++;
  if(c->is_final) {
    s->finals++;
    snprintf(s->final_text, sizeof(s->final_text), "%s", c->result->text);
  }
  return s->cancel_at && (int)s->chunks == s->cancel_at;
}

/* Run an SSE body through a fresh stream; returns finish's verdict. */
static og_result run(const char *sse, seen *s, og_llm_result *r,
                     og_err *err)
{
  og_llm_stream *st = og_llm_stream_new(on_chunk, s);
  og_result rc;
  assert_non_null(st);
  rc = og_llm_stream_feed(st, sse, strlen(sse), err);
  {
    og_result rc2 = og_llm_stream_finish(st, r, err);
    if(rc)
      assert_int_equal(rc, rc2);
    rc = rc2;
  }
  og_llm_stream_free(st);
  return rc;
}

#define CH(delta, fr) \
  "data: {\"choices\":[{\"delta\":" delta ",\"index\":0,\"finish_reason\":" \
  fr "}],\"model\":\"g\"}\n\n"

static void test_stream_tool_deltas(void **state)
{
  seen s;
  og_llm_result r;
  og_err err;
  (void)state;
  memset(&s, 0, sizeof(s));
  /* Gemini/xAI style: fragments by index, out of order, id and name late,
   * type once */
  assert_int_equal(run(
    CH("{\"tool_calls\":[{\"index\":1,\"type\":\"function\",\"function\":"
       "{\"name\":\"g\",\"arguments\":\"{\\\"b\\\"\"}}]}", "null")
    CH("{\"tool_calls\":[{\"index\":0,\"type\":\"function\",\"function\":"
       "{\"arguments\":\"{\\\"a\\\":\"}}]}", "null")
    CH("{\"tool_calls\":[{\"index\":0,\"id\":\"id0\",\"type\":\"other\","
       "\"function\":{\"name\":\"f\",\"arguments\":\" 1}\"}},{\"index\":1,"
       "\"id\":\"\",\"function\":{\"name\":\"\",\"arguments\":\": 2}\"}}]}",
       "null")
    CH("{\"tool_calls\":[{\"index\":1,\"id\":\"id1\"}]}", "null")
    CH("{}", "\"tool_calls\"")
    "data: [DONE]\n\n", &s, &r, &err), OG_OK);
  assert_int_equal(r.n_tool_calls, 2);
  assert_string_equal(r.tool_calls[0].id, "id0");
  assert_string_equal(r.tool_calls[0].type, "function");
  assert_string_equal(r.tool_calls[0].name, "f");
  assert_string_equal(r.tool_calls[0].arguments, "{\"a\": 1}");
  assert_string_equal(r.tool_calls[1].id, "id1");
  assert_string_equal(r.tool_calls[1].name, "g");
  assert_string_equal(r.tool_calls[1].arguments, "{\"b\": 2}");
  assert_string_equal(r.finish_reason, "tool_calls");
  assert_int_equal(s.tool_chunks, 4);
  assert_int_equal(s.finals, 1);
  assert_null(r.tee_id);
  assert_false(r.usage.present);
  og_llm_result_free(&r);

  /* a never-sent id stays NULL (the signature then covers "id": null) */
  memset(&s, 0, sizeof(s));
  assert_int_equal(run(
    CH("{\"tool_calls\":[{\"index\":0,\"function\":{\"name\":\"f\"}}]}",
       "null")
    CH("{}", "\"tool_calls\""), &s, &r, &err), OG_OK);
  assert_null(r.tool_calls[0].id);
  assert_null(r.tool_calls[0].type);
  og_llm_result_free(&r);
}

static void test_stream_rules(void **state)
{
  seen s;
  og_llm_result r;
  og_err err;
  (void)state;

  /* usage-only chunk with empty choices after the final chunk */
  memset(&s, 0, sizeof(s));
  assert_int_equal(run(
    CH("{\"content\":\"a\"}", "null")
    CH("{}", "\"stop\"")
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1,"
    "\"completion_tokens\":2,\"total_tokens\":3}}\n\n"
    "data: [DONE]\n\n", &s, &r, &err), OG_OK);
  assert_int_equal(s.chunks, 3);
  assert_int_equal(s.finals, 1);
  assert_int_equal(s.usage_chunks, 1);
  assert_true(r.usage.present);
  assert_int_equal(r.usage.completion_tokens, 2);
  assert_string_equal(r.text, "a");
  og_llm_result_free(&r);

  /* usage: null is absent; tee fields merged from the final chunk; a
   * later chunk with a finish_reason is not final again */
  memset(&s, 0, sizeof(s));
  assert_int_equal(run(
    "data: {\"choices\":[{\"delta\":{\"content\":\"x\"},\"finish_reason\":"
    "null}],\"usage\":null}\n\n"
    "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}],"
    "\"tee_id\":\"0xab\",\"tee_timestamp\":\"12\",\"usage\":null}\n\n"
    "data: {\"choices\":[{\"delta\":{\"content\":\"y\"},\"finish_reason\":"
    "\"length\"}]}\n\n", &s, &r, &err), OG_OK);
  assert_int_equal(s.finals, 1);
  assert_int_equal(s.usage_chunks, 0);
  assert_string_equal(r.finish_reason, "stop");
  assert_string_equal(r.tee_id, "0xab");
  assert_int_equal(r.tee_timestamp, 12);
  assert_string_equal(s.final_text, "x");
  assert_string_equal(r.text, "xy"); /* content is never dropped */
  assert_false(r.usage.present);
  og_llm_result_free(&r);

  /* delta missing or empty: the message shape is used */
  memset(&s, 0, sizeof(s));
  assert_int_equal(run(
    "data: {\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":"
    "\"whole\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\","
    "\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
    "\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n", &s, &r, &err),
    OG_OK);
  assert_string_equal(s.content, "whole");
  assert_string_equal(r.text, "whole");
  assert_int_equal(r.n_tool_calls, 1);
  assert_string_equal(r.tool_calls[0].id, "c");
  og_llm_result_free(&r);
  memset(&s, 0, sizeof(s));
  assert_int_equal(run(
    "data: {\"choices\":[{\"message\":{\"content\":[{\"type\":\"text\","
    "\"text\":\"a\"},{\"type\":\"text\",\"text\":\"b\"}]},"
    "\"finish_reason\":\"stop\"}]}\n\n", &s, &r, &err), OG_OK);
  assert_string_equal(r.text, "a b");
  og_llm_result_free(&r);

  /* web_search status frames are not final */
  memset(&s, 0, sizeof(s));
  assert_int_equal(run(
    "data: {\"choices\":[{\"delta\":{},\"index\":0,\"finish_reason\":null}],"
    "\"web_search\":{\"status\":\"searching\",\"query\":\"q\"}}\n\n"
    CH("{\"content\":\"ok\"}", "null")
    CH("{}", "\"stop\"") "data: [DONE]\n\n", &s, &r, &err), OG_OK);
  assert_int_equal(s.chunks, 3);
  assert_int_equal(s.finals, 1);
  og_llm_result_free(&r);

  /* data after [DONE] is ignored, even garbage */
  memset(&s, 0, sizeof(s));
  assert_int_equal(run(
    CH("{\"content\":\"a\"}", "\"stop\"")
    "data: [DONE]\n\n"
    "data: not json\n\n"
    "data: {\"error\":\"late\"}\n\n", &s, &r, &err), OG_OK);
  assert_string_equal(r.text, "a");
  og_llm_result_free(&r);

  /* [DONE] without a final chunk */
  memset(&s, 0, sizeof(s));
  assert_int_equal(run(CH("{\"content\":\"a\"}", "null") "data: [DONE]\n\n",
                       &s, &r, &err), OG_E_SERVER);
  assert_non_null(strstr(err.msg, "stream ended before its final chunk"));
  assert_null(r.text);

  /* an empty body */
  memset(&s, 0, sizeof(s));
  assert_int_equal(run("", &s, &r, &err), OG_E_SERVER);
  assert_non_null(strstr(err.msg, "stream ended before its final chunk"));

  /* the final chunk without its blank line is dropped (SSE rule) */
  memset(&s, 0, sizeof(s));
  assert_int_equal(run("data: {\"choices\":[{\"delta\":{},\"finish_reason\":"
                       "\"stop\"}]}\n", &s, &r, &err), OG_E_SERVER);

  /* invalid JSON, wrong shapes */
  memset(&s, 0, sizeof(s));
  assert_int_equal(run("data: {\"choices\":\n\n", &s, &r, &err), OG_E_PARSE);
  assert_non_null(strstr(err.msg, "not valid JSON"));
  assert_int_equal(run("data: [1]\n\n", &s, &r, &err), OG_E_PARSE);
  assert_int_equal(run("data: {\"choices\":5}\n\n", &s, &r, &err),
                   OG_E_PARSE);
  assert_int_equal(run("data: {\"choices\":[{\"delta\":5}]}\n\n", &s, &r,
                       &err), OG_E_PARSE);
  assert_int_equal(run("data: {\"choices\":[{\"delta\":{\"content\":1}}]}"
                       "\n\n", &s, &r, &err), OG_E_PARSE);
  assert_int_equal(run("data: {\"choices\":[{\"delta\":{\"tool_calls\":"
                       "[{\"index\":\"0\"}]}}]}\n\n", &s, &r, &err),
                   OG_E_PARSE);
  assert_int_equal(run("data: {\"choices\":[{\"finish_reason\":3}]}\n\n", &s,
                       &r, &err), OG_E_PARSE);
  /* in-stream error objects of both shapes */
  assert_int_equal(run("data: {\"error\":{\"message\":\"quota\"}}\n\n", &s,
                       &r, &err), OG_E_SERVER);
  assert_non_null(strstr(err.msg, "quota"));
  assert_int_equal(run("data: {\"error\":\"E\",\"exception_type\":\"X\"}"
                       "\n\n", &s, &r, &err), OG_E_SERVER);
  assert_non_null(strstr(err.msg, "E (X)"));
  /* blank and keep-alive events are ignored */
  memset(&s, 0, sizeof(s));
  assert_int_equal(run("data:\n\ndata:  \n\n: ping\n\n"
                       CH("{}", "\"stop\""), &s, &r, &err), OG_OK);
  assert_int_equal(s.chunks, 1);
  og_llm_result_free(&r);
}

static void test_stream_limits_and_cancel(void **state)
{
  seen s;
  og_llm_stream *st;
  og_llm_result r;
  og_err err;
  char buf[2200];
  int k;
  (void)state;

  /* cancel from the callback */
  memset(&s, 0, sizeof(s));
  s.cancel_at = 2;
  assert_int_equal(run(CH("{\"content\":\"a\"}", "null")
                       CH("{\"content\":\"b\"}", "null")
                       CH("{\"content\":\"c\"}", "\"stop\""), &s, &r, &err),
                   OG_E_CANCELLED);
  assert_int_equal(s.chunks, 2);

  /* event size limit */
  memset(&s, 0, sizeof(s));
  st = og_llm_stream_new(on_chunk, &s);
  og_llm_stream_set_limits(st, 0, 100);
  assert_int_equal(og_llm_stream_feed(st, CH("{}", "null"),
                                      strlen(CH("{}", "null")), &err),
                   OG_OK);
  snprintf(buf, sizeof(buf), "data: {\"choices\":[{\"delta\":{\"content\":"
           "\"%0120d\"}}]}\n\n", 0);
  assert_int_equal(og_llm_stream_feed(st, buf, strlen(buf), &err),
                   OG_E_TOO_LARGE);
  assert_int_equal(og_llm_stream_feed(st, "\n", 1, &err), OG_E_TOO_LARGE);
  assert_int_equal(og_llm_stream_finish(st, &r, &err), OG_E_TOO_LARGE);
  assert_non_null(strstr(err.msg, "larger than 100"));
  og_llm_stream_free(st);

  /* tool-call count limit */
  memset(&s, 0, sizeof(s));
  st = og_llm_stream_new(NULL, NULL);
  for(k = 0; k <= OG_LLM_MAX_TOOL_CALLS; k++) {
    og_result rc;
    snprintf(buf, sizeof(buf), "data: {\"choices\":[{\"delta\":{"
             "\"tool_calls\":[{\"index\":%d}]}}]}\n\n", k * 1000003);
    rc = og_llm_stream_feed(st, buf, strlen(buf), &err);
    assert_int_equal(rc, k < OG_LLM_MAX_TOOL_CALLS ? OG_OK
                                                   : OG_E_TOO_LARGE);
  }
  og_llm_stream_free(st);
}

static void test_stream_deliver(void **state)
{
  json_t *v = tu_load_vectors("tee_signature.json"), *ex;
  size_t i;
  (void)state;
  json_array_foreach(json_object_get(v, "examples"), i, ex) {
    og_llm_result r, r2;
    og_llm_stream *st;
    seen s;
    og_err err;
    char *text;
    json_t *m1, *m2;
    if(strcmp(tu_str(ex, "endpoint"), "/v1/chat/completions") ||
       !json_object_get(ex, "response_body"))
      continue;
    text = json_dumps(json_object_get(ex, "response_body"), 0);
    assert_int_equal(pchat(&r, 200, text, &err), OG_OK);
    memset(&s, 0, sizeof(s));
    st = og_llm_stream_new(on_chunk, &s);
    assert_int_equal(og_llm_stream_deliver(st, &r, &err), OG_OK);
    assert_int_equal(og_llm_stream_finish(st, &r2, &err), OG_OK);
    assert_int_equal(s.chunks, 1);
    assert_int_equal(s.finals, 1);
    assert_string_equal(s.final_text, r.text);
    assert_string_equal(r2.text, r.text);
    assert_string_equal(r2.finish_reason, r.finish_reason);
    assert_string_equal(r2.model, r.model);
    assert_string_equal(r2.tee_signature, r.tee_signature);
    assert_string_equal(r2.tee_request_hash, r.tee_request_hash);
    assert_string_equal(r2.tee_output_hash, r.tee_output_hash);
    assert_string_equal(r2.tee_id, r.tee_id);
    assert_int_equal(r2.tee_timestamp, r.tee_timestamp);
    assert_int_equal(r2.usage.total_tokens, r.usage.total_tokens);
    m1 = og_llm_result_message_json(&r);
    m2 = og_llm_result_message_json(&r2);
    assert_true(json_equal(m1, m2));
    json_decref(m1);
    json_decref(m2);
    og_llm_result_free(&r);
    og_llm_result_free(&r2);
    og_llm_stream_free(st);
    free(text);
  }
  json_decref(v);
}

/* A request the builder refuses after it began writing the body (a stop
 * sequence that is not UTF-8) fails og_call_start with OG_E_USAGE and,
 * under ASan or valgrind, leaks nothing. Direct mode: no network. */
static void test_call_start_bad_request(void **state)
{
  og_client_config cfg;
  og_client *c = NULL;
  og_request req;
  og_call *call = (og_call *)&cfg;
  const char *stop[1] = {"\xff"};
  og_err err;
  (void)state;
  memset(&cfg, 0, sizeof(cfg));
  cfg.llm_server_url = "https://127.0.0.1:9";
  og_err_clear(&err);
  assert_int_equal(og_client_new(&c, &cfg, &err), OG_OK);
  og_request_init(&req);
  req.params.model = "openai/gpt-5";
  req.params.prompt = "hi";
  req.params.stop = stop;
  req.params.n_stop = 1;
  assert_int_equal(og_call_start(c, &call, &req, 1, NULL, NULL, &err),
                   OG_E_USAGE);
  assert_null(call);
  assert_non_null(strstr(err.msg, "stop sequence 0"));
  og_client_free(c);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_model_name),
    cmocka_unit_test(test_request_vectors),
    cmocka_unit_test(test_build_chat),
    cmocka_unit_test(test_build_chat_messages),
    cmocka_unit_test(test_build_completion),
    cmocka_unit_test(test_user_json),
    cmocka_unit_test(test_answer_vectors),
    cmocka_unit_test(test_chat_answers),
    cmocka_unit_test(test_bad_answers),
    cmocka_unit_test(test_error_bodies),
    cmocka_unit_test(test_completion_answers),
    cmocka_unit_test(test_stream_tool_deltas),
    cmocka_unit_test(test_stream_rules),
    cmocka_unit_test(test_stream_limits_and_cancel),
    cmocka_unit_test(test_stream_deliver),
    cmocka_unit_test(test_call_start_bad_request),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
