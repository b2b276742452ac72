/* serve's own parsing of client bytes: request bodies into the
 * parameters sent upstream (known answers), and the API key check. */
#include "testutil.h"

#include <string.h>

#include "serve/serve.h"

static og_result parse(og_serve_req *r, int completion, const char *body,
                       og_err *err)
{
  og_err_clear(err);
  return og_serve_parse_request(r, completion, body, strlen(body), err);
}

static void test_chat(void **state)
{
  og_serve_req r;
  og_err err;
  (void)state;
  assert_int_equal(parse(&r, 0, "{\"model\":\"gpt-5\",\"messages\":[{\"role\":"
                         "\"user\",\"content\":\"Hi\"}],\"stream\":true,"
                         "\"max_tokens\":7,\"temperature\":0.5,\"stop\":"
                         "\"END\",\"stream_options\":{\"include_usage\":"
                         "true},\"user\":\"u\"}", &err), OG_OK);
  assert_string_equal(r.params.model, "openai/gpt-5");
  assert_int_equal(r.stream, 1);
  assert_int_equal(r.params.stream, 1);
  assert_int_equal(r.params.max_tokens, 7);
  assert_true(r.params.temperature == 0.5);
  assert_int_equal(r.params.n_stop, 1);
  assert_string_equal(r.params.stop[0], "END");
  assert_int_equal(json_array_size(r.params.messages), 1);
  assert_int_equal(r.params.web_search, 0);
  og_serve_req_free(&r);

  /* defaults, provider/model kept, max_completion_tokens, object choice */
  assert_int_equal(parse(&r, 0, "{\"model\":\"acme/new-model\",\"messages\":"
                         "[{\"role\":\"user\",\"content\":\"x\"}],"
                         "\"max_completion_tokens\":3,\"tools\":[{\"type\":"
                         "\"function\",\"function\":{\"name\":\"f\","
                         "\"parameters\":{}}}],\"tool_choice\":{\"type\":"
                         "\"function\",\"function\":{\"name\":\"f\"}}}",
                         &err), OG_OK);
  assert_string_equal(r.params.model, "acme/new-model");
  assert_int_equal(r.params.max_tokens, 3);
  assert_true(r.params.temperature == 1.0);
  assert_int_equal(r.stream, 0);
  assert_non_null(r.params.tool_choice);
  assert_true(r.params.tool_choice[0] == '{');
  og_serve_req_free(&r);
}

static void test_completion(void **state)
{
  og_serve_req r;
  og_err err;
  (void)state;
  assert_int_equal(parse(&r, 1, "{\"model\":\"openai/gpt-5\",\"prompt\":"
                         "[\"Say hi\"],\"stream\":true,\"web_search\":true}",
                         &err), OG_OK);
  assert_string_equal(r.params.prompt, "Say hi");
  assert_int_equal(r.params.web_search, 1);
  assert_int_equal(r.stream, 1);
  assert_int_equal(r.params.stream, 0); /* never streamed upstream */
  assert_int_equal(r.params.max_tokens, OG_SERVE_DEFAULT_MAX_TOKENS);
  og_serve_req_free(&r);
}

static void test_bad(void **state)
{
  static const struct {
    int completion;
    const char *body;
    const char *words;
  } cases[] = {
    {0, "{\"model\": \"gpt-5\", \"messages\": [", "request body"},
    {0, "[1]", "JSON object"},
    {0, "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "model"},
    {0, "{\"model\":\"gpt-5\"}", "messages"},
    {0, "{\"model\":\"gpt-5\",\"messages\":[]}", "messages"},
    {0, "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\"}]}",
     "not a known model"},
    {0, "{\"model\":\"gpt-5\",\"messages\":[{\"role\":\"user\",\"content\":"
        "\"x\"}],\"temperature\":3}", "temperature"},
    {0, "{\"model\":\"gpt-5\",\"messages\":[{\"role\":\"user\",\"content\":"
        "\"x\"}],\"max_tokens\":-1}", "max_tokens"},
    {0, "{\"model\":\"gpt-5\",\"messages\":[{\"role\":\"user\",\"content\":"
        "\"x\"}],\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}", "stop"},
    {0, "{\"model\":\"gpt-5\",\"messages\":[{\"role\":\"user\",\"content\":"
        "\"x\"}],\"stream\":\"yes\"}", "stream"},
    {0, "{\"model\":\"gpt-5\",\"messages\":[{\"role\":\"user\",\"content\":"
        "\"x\"}],\"n\":2}", "n:"},
    {1, "{\"model\":\"gpt-5\"}", "prompt"},
    {1, "{\"model\":\"gpt-5\",\"prompt\":\"x\",\"web_search\":1}",
     "web_search"},
    {1, "{\"model\":\"gpt-5\",\"prompt\":\"x\",\"messages\":[]}",
     "chat/completions"},
    {0, "", "empty"},
  };
  size_t i;
  (void)state;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    og_serve_req r;
    og_err err;
    og_result rc = parse(&r, cases[i].completion, cases[i].body, &err);
    if(rc != OG_E_USAGE || !strstr(err.msg, cases[i].words))
      fail_msg("case %zu: rc %d, '%s'", i, (int)rc, err.msg);
    assert_null(r.root);
  }
}

static void test_too_large(void **state)
{
  og_serve_req r;
  og_err err;
  char *big = calloc(1, OG_SERVE_MAX_BODY + 2);
  (void)state;
  assert_non_null(big);
  memset(big, ' ', OG_SERVE_MAX_BODY + 1);
  og_err_clear(&err);
  assert_int_equal(og_serve_parse_request(&r, 0, big, OG_SERVE_MAX_BODY + 1,
                                          &err), OG_E_TOO_LARGE);
  free(big);
}

static void test_auth(void **state)
{
  static const unsigned char key[] = "sk-123";
  (void)state;
  assert_true(og_serve_auth_ok("Bearer sk-123", key, 6));
  assert_true(og_serve_auth_ok("bearer  sk-123 ", key, 6));
  assert_false(og_serve_auth_ok(NULL, key, 6));
  assert_false(og_serve_auth_ok("", key, 6));
  assert_false(og_serve_auth_ok("sk-123", key, 6));
  assert_false(og_serve_auth_ok("Basic sk-123", key, 6));
  assert_false(og_serve_auth_ok("Bearer sk-12", key, 6));
  assert_false(og_serve_auth_ok("Bearer sk-1234", key, 6));
  assert_false(og_serve_auth_ok("Bearer ", key, 6));
  assert_false(og_serve_auth_ok("Bearer sk-123", key, 0));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_chat),
    cmocka_unit_test(test_completion),
    cmocka_unit_test(test_bad),
    cmocka_unit_test(test_too_large),
    cmocka_unit_test(test_auth),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
