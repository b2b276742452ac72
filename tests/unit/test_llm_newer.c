/* Known answers for what newer gateways add: the cost block (exact
 * 18-decimal OPG text), citations and images on answers and final frames,
 * web-search status frames kept out of the text, error bodies with
 * exception_type, and "web_search" in request bodies. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "opengradient/og_canon.h"
#include "opengradient/og_llm.h"

static void test_cost_text(void **state)
{
  static const struct {
    const char *in, *out;
  } ok[] = {
    {"0", "0.000000000000000000"},
    {"7", "0.000000000000000007"},
    {"000001", "0.000000000000000001"},
    {"54000000000007", "0.000054000000000007"},
    {"1000000000000000000", "1.000000000000000000"},
    {"999999999999999999", "0.999999999999999999"},
    {"1234567890123456789012", "1234.567890123456789012"},
    {"0001234567890123456789012", "1234.567890123456789012"},
  };
  static const char *bad[] = {"", "-1", "1e5", "1.0", " 1", "0x10", "１"};
  char out[100], big[80], want[100];
  size_t i;
  og_err e;
  (void)state;
  for(i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
    assert_int_equal(og_llm_cost_opg_text(out, sizeof(out), ok[i].in, &e),
                     OG_OK);
    assert_string_equal(out, ok[i].out);
  }
  for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_int_equal(og_llm_cost_opg_text(out, sizeof(out), bad[i], &e),
                     OG_E_PARSE);
  assert_int_equal(og_llm_cost_opg_text(out, sizeof(out), NULL, &e),
                   OG_E_PARSE);
  /* 78 digits (a uint256 fits) is the largest accepted */
  memset(big, '9', 78);
  big[78] = 0;
  memset(want, '9', 60);
  want[60] = '.';
  memset(want + 61, '9', 18);
  want[79] = 0;
  assert_int_equal(og_llm_cost_opg_text(out, sizeof(out), big, &e), OG_OK);
  assert_string_equal(out, want);
  big[78] = '9';
  big[79] = 0;
  assert_int_equal(og_llm_cost_opg_text(out, sizeof(out), big, &e),
                   OG_E_PARSE);
  assert_int_equal(og_llm_cost_opg_text(out, 50, "1", &e), OG_E_USAGE);
}

static const char chat_body[] =
  "{\"model\": \"gpt-5\", \"choices\": [{\"index\": 0, \"message\": "
  "{\"role\": \"assistant\", \"content\": \"Echo: draw\", \"images\": "
  "[\"data:image/png;base64,iVBORw0KGgo=\", \"iVBORw0KGgo=\"]}, "
  "\"finish_reason\": \"stop\"}], \"opengradient\": {\"cost_opg\": "
  "\"54000000000007\", \"cost_usd\": \"0.00000270000000000035\", "
  "\"opg_price_usd\": \"0.05\"}, \"citations\": [{\"title\": \"Docs\", "
  "\"url\": \"https://docs.opengradient.ai/\"}]}";

static void test_chat_extras(void **state)
{
  og_llm_result r;
  og_err e;
  char *body;
  (void)state;
  assert_int_equal(og_llm_parse_chat(&r, 200, chat_body, strlen(chat_body),
                                     &e), OG_OK);
  assert_string_equal(r.text, "Echo: draw"); /* images are not text */
  assert_true(r.cost.present);
  assert_string_equal(r.cost.cost_opg, "54000000000007");
  assert_string_equal(r.cost.cost_usd, "0.00000270000000000035");
  assert_string_equal(r.cost.opg_price_usd, "0.05");
  assert_non_null(r.cost_json);
  assert_int_equal(json_object_size(r.cost_json), 3);
  assert_int_equal(json_array_size(r.images), 2);
  assert_string_equal(json_string_value(json_array_get(r.images, 1)),
                      "iVBORw0KGgo=");
  assert_int_equal(json_array_size(r.citations), 1);
  og_llm_result_free(&r);
  assert_null(r.images);

  /* a bad field keeps the block out of r.cost but verbatim in cost_json;
   * extras of the wrong type are ignored, never fatal */
  body = strdup(chat_body);
  memcpy(strstr(body, "\"54000000000007\""), "\"5400000000000x\"", 16);
  assert_int_equal(og_llm_parse_chat(&r, 200, body, strlen(body), &e),
                   OG_OK);
  assert_false(r.cost.present);
  assert_string_equal(r.cost.cost_opg, "");
  assert_non_null(r.cost_json);
  og_llm_result_free(&r);
  free(body);
  {
    static const char b2[] =
      "{\"choices\": [{\"message\": {\"content\": \"x\", \"images\": \"no\"}, "
      "\"finish_reason\": \"stop\"}], \"opengradient\": \"free\", "
      "\"citations\": {\"url\": \"u\"}}";
    static const char b3[] =
      "{\"choices\": [{\"message\": {\"content\": \"x\"}, \"finish_reason\": "
      "\"stop\"}], \"opengradient\": {\"cost_opg\": \"1\", \"cost_usd\": "
      "\"1.\", \"opg_price_usd\": \"0.05\"}}";
    assert_int_equal(og_llm_parse_chat(&r, 200, b2, strlen(b2), &e), OG_OK);
    assert_false(r.cost.present);
    assert_null(r.cost_json);
    assert_null(r.citations);
    assert_null(r.images);
    og_llm_result_free(&r);
    assert_int_equal(og_llm_parse_chat(&r, 200, b3, strlen(b3), &e), OG_OK);
    assert_false(r.cost.present); /* "1." is not a plain decimal */
    og_llm_result_free(&r);
  }
}

static void test_completion_extras(void **state)
{
  static const char b[] =
    "{\"choices\": [{\"text\": \"Echo: news\", \"index\": 0, "
    "\"finish_reason\": \"stop\"}], \"opengradient\": {\"cost_opg\": \"7\", "
    "\"cost_usd\": \"0.00000000000000000035\", \"opg_price_usd\": \"0.05\"}, "
    "\"citations\": [{\"title\": \"a\", \"url\": \"https://a\"}, "
    "{\"title\": \"b\", \"url\": \"https://b\"}]}";
  og_llm_result r;
  og_err e;
  (void)state;
  assert_int_equal(og_llm_parse_completion(&r, 200, b, strlen(b), &e),
                   OG_OK);
  assert_string_equal(r.text, "Echo: news");
  assert_true(r.cost.present);
  assert_string_equal(r.cost.cost_opg, "7");
  assert_int_equal(json_array_size(r.citations), 2);
  assert_null(r.images);
  og_llm_result_free(&r);
}

typedef struct seen {
  int status_frames;
  char query[64];
  size_t finals;
} seen;

static int on_chunk(void *user, const og_llm_chunk *c)
{
  seen *s = user;
  if(c->web_search_status) {
    assert_string_equal(c->web_search_status, "searching");
    assert_null(c->content);
    s->status_frames++;
    snprintf(s->query, sizeof(s->query), "%s",
             c->web_search_query ? c->web_search_query : "");
  }
  if(c->is_final) {
    s->finals++;
    assert_true(c->result->cost.present);
  }
  return 0;
}

static const char stream_body[] =
  "data: {\"choices\": [{\"delta\": {}, \"index\": 0, \"finish_reason\": "
  "null}], \"model\": \"gpt-5\", \"web_search\": {\"status\": \"searching\", "
  "\"query\": \"what is new\"}}\n\n"
  "data: {\"choices\": [{\"delta\": {\"content\": \"Echo\", \"role\": "
  "\"assistant\"}, \"index\": 0, \"finish_reason\": null}], \"model\": "
  "\"gpt-5\"}\n\n"
  "data: {\"choices\": [{\"delta\": {}, \"index\": 0, \"finish_reason\": "
  "null}], \"model\": \"gpt-5\", \"web_search\": {\"status\": 7}}\n\n"
  "data: {\"choices\": [{\"delta\": {}, \"index\": 0, \"finish_reason\": "
  "\"stop\"}], \"model\": \"gpt-5\", \"opengradient\": {\"cost_opg\": "
  "\"12\", \"cost_usd\": \"0.0000000000000000006\", \"opg_price_usd\": "
  "\"0.05\"}, \"citations\": [{\"url\": \"https://x\"}], \"images\": "
  "[\"data:image/gif;base64,R0lGODlh\"]}\n\n"
  "data: [DONE]\n\n";

static void test_stream_extras(void **state)
{
  int json_mode;
  (void)state;
  for(json_mode = 0; json_mode < 2; json_mode++) {
    seen s;
    og_llm_stream *st;
    og_llm_result r;
    og_err e;
    memset(&s, 0, sizeof(s));
    st = og_llm_stream_new(on_chunk, &s);
    assert_non_null(st);
    og_llm_stream_set_chunk_json(st, json_mode);
    assert_int_equal(og_llm_stream_feed(st, stream_body, strlen(stream_body),
                                        &e), OG_OK);
    assert_int_equal(og_llm_stream_finish(st, &r, &e), OG_OK);
    assert_int_equal(s.status_frames, 1); /* a non-string status is not one */
    assert_string_equal(s.query, "what is new");
    assert_int_equal(s.finals, 1);
    assert_int_equal(og_llm_stream_chunks(st), 4);
    assert_string_equal(r.text, "Echo"); /* progress is never text */
    assert_true(r.cost.present);
    assert_string_equal(r.cost.cost_opg, "12");
    assert_int_equal(json_array_size(r.citations), 1);
    assert_int_equal(json_array_size(r.images), 1);
    og_llm_result_free(&r);
    og_llm_stream_free(st);
  }
}

static void test_exception_type_errors(void **state)
{
  static const char body[] =
    "{\"error\": \"provider returned an error\", \"exception_type\": "
    "\"RateLimitError\"}";
  static const char frames[] =
    "data: {\"choices\": [{\"delta\": {\"content\": \"Ec\"}, \"index\": 0, "
    "\"finish_reason\": null}]}\n\n"
    "data: {\"error\": \"Stream processing failed\", \"exception_type\": "
    "\"APIConnectionError\"}\n\n";
  og_llm_result r;
  og_llm_stream *st;
  og_err e;
  (void)state;
  assert_int_equal(og_llm_error_message(500, body, strlen(body), &e),
                   OG_E_SERVER);
  assert_string_equal(e.msg, "server answered HTTP 500: provider returned an "
                      "error (RateLimitError)");
  assert_int_equal(og_llm_parse_chat(&r, 500, body, strlen(body), &e),
                   OG_E_SERVER);
  assert_non_null(strstr(e.msg, "(RateLimitError)"));
  assert_int_equal(og_llm_parse_completion(&r, 200, body, strlen(body), &e),
                   OG_E_SERVER);
  assert_non_null(strstr(e.msg, "provider returned an error "
                         "(RateLimitError)"));
  st = og_llm_stream_new(NULL, NULL);
  assert_int_equal(og_llm_stream_feed(st, frames, strlen(frames), &e),
                   OG_E_SERVER);
  assert_string_equal(e.msg, "server reported an error in the stream: "
                      "Stream processing failed (APIConnectionError)");
  assert_int_equal(og_llm_stream_finish(st, &r, &e), OG_E_SERVER);
  og_llm_stream_free(st);
}

static void test_web_search_requests(void **state)
{
  og_llm_params p;
  og_buf b;
  json_t *j, *msgs;
  og_err e;
  (void)state;
  msgs = json_pack("[{s:s,s:s}]", "role", "user", "content", "Hi");
  og_llm_params_init(&p);
  p.model = "openai/gpt-5";
  p.messages = msgs;
  p.web_search = 1;
  p.stream = 1;
  og_buf_init(&b, 1 << 20);
  assert_int_equal(og_llm_build_chat(&b, &j, &p, &e), OG_OK);
  assert_string_equal(og_buf_str(&b),
                      "{\"model\":\"gpt-5\",\"messages\":[{\"role\":\"user\","
                      "\"content\":\"Hi\"}],\"max_tokens\":100,"
                      "\"temperature\":0.0,\"web_search\":true,"
                      "\"stream\":true}");
  assert_true(json_is_true(json_object_get(j, "web_search")));
  json_decref(j);
  og_buf_reset(&b);
  og_llm_params_init(&p);
  p.model = "openai/gpt-5";
  p.prompt = "news";
  p.web_search = 1;
  assert_int_equal(og_llm_build_completion(&b, &j, &p, &e), OG_OK);
  assert_string_equal(og_buf_str(&b),
                      "{\"model\":\"gpt-5\",\"prompt\":\"news\","
                      "\"max_tokens\":100,\"temperature\":0.0,"
                      "\"web_search\":true}");
  /* hashed under the newer rules only, on completions too */
  og_buf_reset(&b);
  assert_int_equal(og_canon_request_bytes(&b, j, OG_ENDPOINT_COMPLETION,
                                          OG_RULES_NEWER, &e), OG_OK);
  assert_string_equal(og_buf_str(&b),
                      "{\"max_tokens\": 100, \"model\": \"gpt-5\", "
                      "\"prompt\": \"news\", \"temperature\": 0.0, "
                      "\"web_search\": true}");
  og_buf_reset(&b);
  assert_int_equal(og_canon_request_bytes(&b, j, OG_ENDPOINT_COMPLETION,
                                          OG_RULES_2026_04, &e), OG_OK);
  assert_null(strstr(og_buf_str(&b), "web_search"));
  json_decref(j);
  og_buf_free(&b);
  json_decref(msgs);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_cost_text),
    cmocka_unit_test(test_chat_extras),
    cmocka_unit_test(test_completion_extras),
    cmocka_unit_test(test_stream_extras),
    cmocka_unit_test(test_exception_type_errors),
    cmocka_unit_test(test_web_search_requests),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
