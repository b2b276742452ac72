/* Known answers for the canonical JSON writer, the canonical request
 * builder under both gateway rule sets, and output hashes
 * (tests/vectors/canonical_json.json). */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opengradient/og_canon.h"
#include "opengradient/og_hex.h"
#include "opengradient/og_keccak.h"

#include <stdint.h>
#include "llm/pyprintable.h" /* the table og_canon_pystr uses */

static char *canon_text(const char *json, og_result *rc)
{
  json_t *v;
  og_buf b;
  og_err e;
  og_result r = og_json_parse(&v, json, strlen(json), 1 << 20, &e);
  *rc = r;
  if(r)
    return NULL;
  og_buf_init(&b, 1 << 20);
  r = og_canon_write(&b, v, &e);
  json_decref(v);
  *rc = r;
  if(r) {
    og_buf_free(&b);
    return NULL;
  }
  return (char *)og_buf_take(&b, &(size_t){0});
}

static void assert_canon(const char *json, const char *expected)
{
  og_result r;
  char *s = canon_text(json, &r);
  assert_int_equal(r, OG_OK);
  assert_non_null(s);
  assert_string_equal(s, expected);
  free(s);
}

static void hash_hex(char out[67], const void *p, size_t n)
{
  og_bytes32 h;
  og_keccak256(&h, p, n);
  og_bytes32_to_hex(out, &h);
}

static void test_serializer_vectors(void **state)
{
  json_t *v = tu_load_vectors("canonical_json.json");
  json_t *cases = json_object_get(v, "serializer"), *c;
  size_t i, done = 0;
  (void)state;
  assert_true(json_array_size(cases) >= 18);
  json_array_foreach(cases, i, c) {
    const char *name = tu_str(c, "name");
    const char *in = tu_str(c, "input_json");
    const char *exp = tu_str(c, "expected");
    og_result r;
    char hex[67];
    char *s = canon_text(in, &r);
    if(!strcmp(name, "integers")) {
      /* integers beyond int64 cannot be held by jansson: refused clearly */
      og_err e;
      json_t *j;
      assert_null(s);
      assert_int_equal(r, OG_E_USAGE);
      assert_int_equal(og_json_parse(&j, in, strlen(in), 1 << 20, &e),
                       OG_E_USAGE);
      assert_non_null(strstr(e.msg, "64-bit"));
      done++;
      continue;
    }
    assert_int_equal(r, OG_OK);
    assert_string_equal(s, exp);
    hash_hex(hex, s, strlen(s));
    assert_string_equal(hex, tu_str(c, "keccak256"));
    free(s);
    done++;
  }
  assert_int_equal(done, json_array_size(cases));
  json_decref(v);
}

static void test_integers_in_range(void **state)
{
  (void)state;
  assert_canon("{\"a\":0,\"b\":-0,\"c\":100,\"d\":-1,\"e\":9007199254740993,"
               "\"f\":9223372036854775807,\"g\":-9223372036854775808}",
               "{\"a\": 0, \"b\": 0, \"c\": 100, \"d\": -1, "
               "\"e\": 9007199254740993, \"f\": 9223372036854775807, "
               "\"g\": -9223372036854775808}");
}

static void test_parse_errors(void **state)
{
  json_t *j;
  og_err e;
  (void)state;
  assert_int_equal(og_json_parse(&j, "[1e400]", 7, 100, &e), OG_E_USAGE);
  assert_int_equal(og_json_parse(&j, "[9223372036854775808]", 21, 100, &e),
                   OG_E_USAGE);
  assert_int_equal(og_json_parse(&j, "{\"a\":", 5, 100, &e), OG_E_PARSE);
  assert_int_equal(og_json_parse(&j, "[\"\\ud800\"]", 10, 100, &e),
                   OG_E_PARSE);
  assert_int_equal(og_json_parse(&j, "[1]", 3, 2, &e), OG_E_TOO_LARGE);
  assert_null(j);
}

static void test_floats(void **state)
{
  static const struct {
    double x;
    const char *s;
  } t[] = {
    {0.7, "0.7"}, {1.0, "1.0"}, {-0.0, "-0.0"}, {0.0, "0.0"},
    {1e-7, "1e-07"}, {1e-5, "1e-05"}, {0.0001, "0.0001"},
    {0.00012345, "0.00012345"}, {1e2, "100.0"}, {1e15, "1000000000000000.0"},
    {1e16, "1e+16"}, {1.5e300, "1.5e+300"}, {5e-324, "5e-324"},
    {1.7976931348623157e308, "1.7976931348623157e+308"},
    {12345678901234567890.0, "1.2345678901234567e+19"},
    {0.30000000000000004, "0.30000000000000004"}, {123456.789, "123456.789"},
    {-2.5, "-2.5"}, {9999999999999998.0, "9999999999999998.0"},
    {1e22, "1e+22"}, {-1e-300, "-1e-300"}, {2.2250738585072014e-308,
                                           "2.2250738585072014e-308"},
    {INFINITY, "Infinity"}, {-INFINITY, "-Infinity"}, {NAN, "NaN"},
  };
  size_t i;
  char out[32];
  (void)state;
  for(i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    og_canon_float(out, t[i].x);
    assert_string_equal(out, t[i].s);
  }
}

static void test_strings(void **state)
{
  og_buf b;
  og_err e;
  (void)state;
  og_buf_init(&b, 1024);
  /* embedded NUL, DEL, astral, two-char escapes, slash */
  assert_int_equal(og_canon_write_string(&b, "a\0b\x7f/\xf0\x9f\x9a\x80\b", 10,
                                         &e), OG_OK);
  assert_string_equal(og_buf_str(&b),
                      "\"a\\u0000b\\u007f/\\ud83d\\ude80\\b\"");
  og_buf_reset(&b);
  /* invalid UTF-8: lone continuation, overlong, surrogate, > U+10FFFF,
   * truncated */
  assert_int_equal(og_canon_write_string(&b, "\x80", 1, &e), OG_E_USAGE);
  assert_non_null(strstr(e.msg, "UTF-8"));
  og_buf_free(&b);
  assert_int_equal(og_canon_write_string(&b, "\xc0\xaf", 2, &e), OG_E_USAGE);
  og_buf_free(&b);
  assert_int_equal(og_canon_write_string(&b, "\xed\xa0\x80", 3, &e),
                   OG_E_USAGE);
  og_buf_free(&b);
  assert_int_equal(og_canon_write_string(&b, "\xf4\x90\x80\x80", 4, &e),
                   OG_E_USAGE);
  og_buf_free(&b);
  assert_int_equal(og_canon_write_string(&b, "\xe2\x82", 2, &e), OG_E_USAGE);
  og_buf_free(&b);
  /* a jansson string built without checks is still refused */
  {
    json_t *s = json_stringn_nocheck("\xff", 1);
    og_buf_init(&b, 1024);
    assert_int_equal(og_canon_write(&b, s, &e), OG_E_USAGE);
    json_decref(s);
    og_buf_free(&b);
  }
}

static void test_pystr(void **state)
{
  static const struct {
    const char *json;
    const char *str;
  } t[] = {
    {"[{\"type\":\"text\",\"text\":\"Describe this\"},{\"type\":\"image_url\","
     "\"image_url\":{\"url\":\"data:image/png;base64,AAAA\"}}]",
     "[{'type': 'text', 'text': 'Describe this'}, {'type': 'image_url', "
     "'image_url': {'url': 'data:image/png;base64,AAAA'}}]"},
    {"[\"it's\", \"say \\\"x\\\"\", \"both ' \\\"\", \"back\\\\slash\"]",
     "[\"it's\", 'say \"x\"', 'both \\' \"', 'back\\\\slash']"},
    {"[null, true, false, 1, -2, 1.5e-7, 100.0, {}, []]",
     "[None, True, False, 1, -2, 1.5e-07, 100.0, {}, []]"},
    {"{\"z\":1,\"a\":2}", "{'z': 1, 'a': 2}"},
    {"[\"t\\tn\\nr\\r\\u0007\\u007f\\u00a0\\u00ad\\u00e9\\u2028"
     "\\ud83d\\ude80\\ue000\\udb40\\udc01\"]",
     "['t\\tn\\nr\\r\\x07\\x7f\\xa0\\xad\xc3\xa9\\u2028\xf0\x9f\x9a\x80"
     "\\ue000\\U000e0001']"},
    {"\"plain str stays\"", "plain str stays"},
    {"null", "None"},
    {"12", "12"},
  };
  size_t i;
  (void)state;
  for(i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    json_t *v;
    og_buf b;
    og_err e;
    assert_int_equal(og_json_parse(&v, t[i].json, strlen(t[i].json), 4096,
                                   &e), OG_OK);
    og_buf_init(&b, 4096);
    assert_int_equal(og_canon_pystr(&b, v, &e), OG_OK);
    assert_string_equal(og_buf_str(&b), t[i].str);
    og_buf_free(&b);
    json_decref(v);
  }
}

static void check_request(const json_t *c, og_canon_rules rules,
                          const char *canon_key, const char *hash_key)
{
  const char *body = tu_str(c, "request_body");
  const char *ep = tu_str(c, "endpoint");
  json_t *expect = json_object_get(c, canon_key);
  og_endpoint kind = strstr(ep, "chat") ? OG_ENDPOINT_CHAT :
                                          OG_ENDPOINT_COMPLETION;
  json_t *req;
  og_buf b;
  og_err e;
  og_bytes32 h;
  char hex[67];
  og_result r;
  assert_int_equal(og_json_parse(&req, body, strlen(body), 1 << 20, &e),
                   OG_OK);
  og_buf_init(&b, 1 << 20);
  r = og_canon_request_bytes(&b, req, kind, rules, &e);
  if(json_is_null(expect)) {
    /* that gateway version rejects the request: no hash exists */
    assert_int_equal(r, OG_E_VERIFY);
    assert_int_equal(og_canon_request_hash(&h, req, kind, rules, &e),
                     OG_E_VERIFY);
  }
  else {
    if(r)
      fprintf(stderr, "%s (%s): %s\n", tu_str(c, "name"),
              og_canon_rules_name(rules), e.msg);
    assert_int_equal(r, OG_OK);
    assert_string_equal(og_buf_str(&b), json_string_value(expect));
    assert_int_equal(og_canon_request_hash(&h, req, kind, rules, &e), OG_OK);
    og_bytes32_to_hex(hex, &h);
    assert_string_equal(hex, tu_str(c, hash_key));
  }
  og_buf_free(&b);
  json_decref(req);
}

static void test_request_vectors(void **state)
{
  json_t *v = tu_load_vectors("canonical_json.json");
  json_t *cases = json_object_get(v, "requests"), *c;
  size_t i;
  (void)state;
  assert_true(json_array_size(cases) >= 16);
  json_array_foreach(cases, i, c) {
    check_request(c, OG_RULES_2026_04, "canonical_gateway_2026_04",
                  "request_hash_gateway_2026_04");
    check_request(c, OG_RULES_NEWER, "canonical_newer", "request_hash_newer");
  }
  json_decref(v);
}

/* The newer rules in detail (developer, list parts, attachments, tool-call
 * defaults, str() of other content, web_search on chat and completions),
 * with the 2026-04 bytes of the same requests for contrast. */
static void test_request_vectors_newer(void **state)
{
  json_t *v = tu_load_vectors("canonical_newer.json");
  json_t *cases = json_object_get(v, "requests"), *c;
  size_t i;
  (void)state;
  assert_true(json_array_size(cases) >= 10);
  json_array_foreach(cases, i, c) {
    check_request(c, OG_RULES_2026_04, "canonical_gateway_2026_04",
                  "request_hash_gateway_2026_04");
    check_request(c, OG_RULES_NEWER, "canonical_newer", "request_hash_newer");
  }
  json_decref(v);
}

/* The printable table is Python 3.12's: Unicode 15.0.0. */
static int table_nonprint(uint32_t cp)
{
  size_t i;
  for(i = 0; i < sizeof(pyrepr_nonprint) / sizeof(pyrepr_nonprint[0]); i++)
    if(cp >= pyrepr_nonprint[i][0] && cp <= pyrepr_nonprint[i][1])
      return 1;
  return 0;
}

static void test_unicode_version(void **state)
{
  size_t i, n = sizeof(pyrepr_nonprint) / sizeof(pyrepr_nonprint[0]);
  (void)state;
  assert_string_equal(OG_PYPRINTABLE_UNICODE_VERSION, "15.0.0");
  for(i = 1; i < n; i++) /* sorted, disjoint: the binary search needs it */
    assert_true(pyrepr_nonprint[i][0] > pyrepr_nonprint[i - 1][1] + 1);
  /* new in 15.0, printable under 3.12 (unassigned, so escaped, in 14.0) */
  assert_false(table_nonprint(0x1FA77)); /* PINK HEART */
  assert_false(table_nonprint(0x1FA75));
  assert_false(table_nonprint(0x0CF3));
  assert_false(table_nonprint(0x11F00)); /* Kawi */
  assert_false(table_nonprint(0x31350)); /* CJK Ext. H, a First/Last range */
  assert_false(table_nonprint(0x323AF));
  /* still not printable: unassigned in 15.0, format (new and old), private
   * use, surrogates, separators */
  assert_true(table_nonprint(0x1FA7D));
  assert_true(table_nonprint(0x323B0));
  assert_true(table_nonprint(0x13439));
  assert_true(table_nonprint(0xAD));
  assert_true(table_nonprint(0xE000));
  assert_true(table_nonprint(0xD800));
  assert_true(table_nonprint(0x2028));
  assert_true(table_nonprint(0x3000));
  assert_true(table_nonprint(0xA0));
  assert_false(table_nonprint(0xE9));
  assert_false(table_nonprint(0x1F680));
}

/* str() of content with characters new in Unicode 15.0, and the canonical
 * bytes the gateway's Python 3.12 hashes for them
 * (tests/vectors/canonical_unicode15.json), which differ from 3.11's. */
static void test_unicode15(void **state)
{
  static const char list[] =
    "[{\"type\":\"text\",\"text\":\"pink heart \\ud83e\\ude77\"}]";
  static const char list_str[] =
    "[{'type': 'text', 'text': 'pink heart \xf0\x9f\xa9\xb7'}]";
  json_t *v = tu_load_vectors("canonical_unicode15.json");
  json_t *cases = json_object_get(v, "requests"), *c, *p;
  size_t i;
  og_buf b;
  og_err e;
  (void)state;
  assert_string_equal(tu_str(v, "unicode_version"), "15.0.0");
  assert_int_equal(og_json_parse(&p, list, strlen(list), 4096, &e), OG_OK);
  og_buf_init(&b, 4096);
  assert_int_equal(og_canon_pystr(&b, p, &e), OG_OK);
  assert_string_equal(og_buf_str(&b), list_str);
  og_buf_free(&b);
  json_decref(p);
  assert_true(json_array_size(cases) >= 2);
  json_array_foreach(cases, i, c) {
    const char *old =
      json_string_value(json_object_get(c, "python_3_11_canonical_gateway_2026_04"));
    check_request(c, OG_RULES_2026_04, "canonical_gateway_2026_04",
                  "request_hash_gateway_2026_04");
    check_request(c, OG_RULES_NEWER, "canonical_newer", "request_hash_newer");
    assert_non_null(old);
    assert_string_not_equal(old, tu_str(c, "canonical_gateway_2026_04"));
  }
  c = json_array_get(cases, 0);
  assert_non_null(strstr(tu_str(c, "canonical_gateway_2026_04"),
                         "'pink heart \\ud83e\\ude77'"));
  assert_non_null(strstr(tu_str(c, "python_3_11_canonical_gateway_2026_04"),
                         "'pink heart \\\\U0001fa77'"));
  json_decref(v);
}

/* Canonical bytes of a request under one rule set, or NULL with *rc. */
static char *req_canon(const char *body, og_endpoint kind,
                       og_canon_rules rules, og_result *rc, og_err *e)
{
  json_t *req;
  og_buf b;
  *rc = og_json_parse(&req, body, strlen(body), 1 << 20, e);
  if(*rc)
    return NULL;
  og_buf_init(&b, 1 << 20);
  *rc = og_canon_request_bytes(&b, req, kind, rules, e);
  json_decref(req);
  if(*rc) {
    og_buf_free(&b);
    return NULL;
  }
  return (char *)og_buf_take(&b, &(size_t){0});
}

static void assert_req(const char *body, og_endpoint kind,
                       og_canon_rules rules, const char *expected)
{
  og_result r;
  og_err e;
  char *s = req_canon(body, kind, rules, &r, &e);
  if(r)
    fprintf(stderr, "unexpected error: %s\n", e.msg);
  assert_int_equal(r, OG_OK);
  assert_string_equal(s, expected);
  free(s);
}

static void assert_req_refused(const char *body, og_endpoint kind,
                               og_canon_rules rules)
{
  og_result r;
  og_err e;
  char *s = req_canon(body, kind, rules, &r, &e);
  assert_null(s);
  assert_int_equal(r, OG_E_VERIFY);
}

static void test_request_edges(void **state)
{
  (void)state;
  /* newer: developer -> system, web_search; 2026-04 refuses developer */
  assert_req_refused("{\"model\":\"m\",\"messages\":[{\"role\":\"developer\","
                     "\"content\":\"x\"}]}", OG_ENDPOINT_CHAT,
                     OG_RULES_2026_04);
  /* unknown role: both refuse */
  assert_req_refused("{\"model\":\"m\",\"messages\":[{\"role\":\"bot\","
                     "\"content\":\"x\"}]}", OG_ENDPOINT_CHAT, OG_RULES_NEWER);
  assert_req_refused("{\"model\":\"m\",\"messages\":[{\"role\":\"bot\"}]}",
                     OG_ENDPOINT_CHAT, OG_RULES_2026_04);
  /* newer requires model and messages */
  assert_req_refused("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                     OG_ENDPOINT_CHAT, OG_RULES_NEWER);
  assert_req_refused("{\"model\":\"m\",\"messages\":[]}", OG_ENDPOINT_CHAT,
                     OG_RULES_NEWER);
  assert_req("{\"model\":\"m\",\"messages\":[]}", OG_ENDPOINT_CHAT,
             OG_RULES_2026_04,
             "{\"messages\": [], \"model\": \"m\", \"temperature\": 0.0}");
  /* temperature: bool, numeric string, falsy stop/tools/response_format */
  assert_req("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
             "\"x\"}],\"temperature\":\" 0.50 \",\"stop\":\"\","
             "\"response_format\":{},\"web_search\":0,\"max_tokens\":0}",
             OG_ENDPOINT_CHAT, OG_RULES_NEWER,
             "{\"max_tokens\": 0, \"messages\": [{\"content\": \"x\", "
             "\"role\": \"user\"}], \"model\": \"m\", \"temperature\": 0.5}");
  assert_req_refused("{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                     "\"content\":\"x\"}],\"temperature\":\"warm\"}",
                     OG_ENDPOINT_CHAT, OG_RULES_NEWER);
  /* tools given as a dict: Python list() keeps its keys */
  assert_req("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
             "\"x\"}],\"tools\":{\"b\":1,\"a\":2},\"temperature\":true}",
             OG_ENDPOINT_CHAT, OG_RULES_NEWER,
             "{\"messages\": [{\"content\": \"x\", \"role\": \"user\"}], "
             "\"model\": \"m\", \"temperature\": 1.0, \"tools\": [\"b\", "
             "\"a\"]}");
  /* assistant tool calls with missing members: null (2026-04) vs
   * defaults (newer) */
  assert_req("{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\","
             "\"tool_calls\":[{\"function\":{}}]}]}", OG_ENDPOINT_CHAT,
             OG_RULES_2026_04,
             "{\"messages\": [{\"content\": \"\", \"role\": \"assistant\", "
             "\"tool_calls\": [{\"function\": {\"arguments\": null, "
             "\"name\": null}, \"id\": null, \"type\": null}]}], "
             "\"model\": \"m\", \"temperature\": 0.0}");
  assert_req("{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\","
             "\"content\":0,\"tool_calls\":[{}]}]}", OG_ENDPOINT_CHAT,
             OG_RULES_NEWER,
             "{\"messages\": [{\"content\": \"\", \"role\": \"assistant\", "
             "\"tool_calls\": [{\"function\": {\"arguments\": \"\", "
             "\"name\": \"\"}, \"id\": \"\", \"type\": \"function\"}]}], "
             "\"model\": \"m\", \"temperature\": 0.0}");
  /* newer user list content: text parts, attachments keep type and
   * filename, non-dict parts become text */
  assert_req("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
             "[{\"type\":\"text\",\"text\":null},{\"type\":\"file\","
             "\"file\":{\"filename\":\"a.pdf\",\"file_data\":\"AAAA\"}},"
             "{\"type\":\"input_audio\",\"filename\":\"b.wav\"},"
             "{\"type\":\"image_url\",\"file\":{\"filename\":\"\"}},"
             "\"raw\",7]}]}", OG_ENDPOINT_CHAT, OG_RULES_NEWER,
             "{\"messages\": [{\"content\": [{\"text\": \"\", \"type\": "
             "\"text\"}, {\"filename\": \"a.pdf\", \"type\": \"file\"}, "
             "{\"filename\": \"b.wav\", \"type\": \"input_audio\"}, "
             "{\"type\": \"image_url\"}, {\"text\": \"raw\", \"type\": "
             "\"text\"}, {\"text\": \"7\", \"type\": \"text\"}], "
             "\"role\": \"user\"}], \"model\": \"m\", "
             "\"temperature\": 0.0}");
  /* completions: absent defaults vs explicit nulls */
  assert_req("{\"model\":\"m\",\"prompt\":[\"a\"],\"temperature\":1,"
             "\"stop\":\"\"}", OG_ENDPOINT_COMPLETION, OG_RULES_NEWER,
             "{\"max_tokens\": 16, \"model\": \"m\", \"prompt\": [\"a\"], "
             "\"temperature\": 1.0}");
  assert_req_refused("[1]", OG_ENDPOINT_COMPLETION, OG_RULES_2026_04);
}

static void test_output_vectors(void **state)
{
  json_t *v = tu_load_vectors("canonical_json.json");
  json_t *cases = json_object_get(v, "output_hashes"), *c;
  size_t i, checked = 0;
  (void)state;
  json_array_foreach(cases, i, c) {
    const char *name = tu_str(c, "name");
    const char *want = tu_str(c, "output_string");
    og_bytes32 h;
    og_err e;
    char hex[67];
    json_t *calls = json_object_get(c, "tool_calls");
    json_t *frags = json_object_get(c, "stream_tool_call_fragments");
    json_t *pieces = json_object_get(c, "stream_content_pieces");
    if(calls || frags) {
      og_tool_call tc[8];
      char *args[8] = {0};
      size_t n = 0, k, j;
      json_t *f;
      og_buf b;
      memset(tc, 0, sizeof(tc));
      if(calls) {
        json_array_foreach(calls, k, f) {
          json_t *fn = json_object_get(f, "function");
          tc[n].id = json_string_value(json_object_get(f, "id"));
          tc[n].type = json_string_value(json_object_get(f, "type"));
          tc[n].name = json_string_value(json_object_get(fn, "name"));
          tc[n].arguments = json_string_value(json_object_get(fn,
                                                              "arguments"));
          n++;
        }
      }
      else {
        /* reassemble by index: last non-empty id/name, concat arguments */
        json_array_foreach(frags, k, f) {
          size_t idx = (size_t)json_integer_value(json_object_get(f, "index"));
          json_t *fn = json_object_get(f, "function");
          const char *s;
          assert_true(idx < 8);
          if(idx + 1 > n)
            n = idx + 1;
          s = json_string_value(json_object_get(f, "id"));
          if(s && *s)
            tc[idx].id = s;
          tc[idx].type = "function";
          s = json_string_value(json_object_get(fn, "name"));
          if(s && *s)
            tc[idx].name = s;
          s = json_string_value(json_object_get(fn, "arguments"));
          if(s) {
            size_t old = args[idx] ? strlen(args[idx]) : 0;
            args[idx] = realloc(args[idx], old + strlen(s) + 1);
            strcpy(args[idx] + old, s);
            tc[idx].arguments = args[idx];
          }
        }
      }
      og_buf_init(&b, 1 << 16);
      assert_int_equal(og_canon_tool_calls(&b, tc, n, &e), OG_OK);
      assert_string_equal(og_buf_str(&b), want);
      og_buf_free(&b);
      assert_int_equal(og_canon_output_hash(&h, "ignored", 7, tc, n, &e),
                       OG_OK);
      for(j = 0; j < 8; j++)
        free(args[j]);
    }
    else {
      char joined[256] = "";
      json_t *p;
      size_t k;
      const char *text = want;
      if(pieces) {
        json_array_foreach(pieces, k, p)
          strcat(joined, json_string_value(p));
        assert_string_equal(joined, want);
        text = joined;
      }
      assert_int_equal(og_canon_output_hash(&h, strlen(text) ? text : NULL,
                                            strlen(text), NULL, 0, &e),
                       OG_OK);
    }
    og_bytes32_to_hex(hex, &h);
    assert_string_equal(hex, tu_str(c, "keccak256"));
    (void)name;
    checked++;
  }
  assert_int_equal(checked, 6);
  json_decref(v);
}

static void test_depth_cap(void **state)
{
  json_t *root = json_array(), *cur = root;
  og_buf b;
  og_err e;
  int i;
  (void)state;
  for(i = 0; i < OG_CANON_MAX_DEPTH + 5; i++) {
    json_t *n = json_array();
    json_array_append_new(cur, n);
    cur = n;
  }
  og_buf_init(&b, 1 << 20);
  assert_int_equal(og_canon_write(&b, root, &e), OG_E_USAGE);
  og_buf_free(&b);
  json_decref(root);
}

static void test_output_cap(void **state)
{
  json_t *v = json_string("\xf0\x9f\x9a\x80\xf0\x9f\x9a\x80");
  og_buf b;
  og_err e;
  (void)state;
  og_buf_init(&b, 10);
  assert_int_equal(og_canon_write(&b, v, &e), OG_E_TOO_LARGE);
  og_buf_free(&b);
  json_decref(v);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_serializer_vectors),
    cmocka_unit_test(test_integers_in_range),
    cmocka_unit_test(test_parse_errors),
    cmocka_unit_test(test_floats),
    cmocka_unit_test(test_strings),
    cmocka_unit_test(test_pystr),
    cmocka_unit_test(test_request_vectors),
    cmocka_unit_test(test_request_vectors_newer),
    cmocka_unit_test(test_unicode_version),
    cmocka_unit_test(test_unicode15),
    cmocka_unit_test(test_request_edges),
    cmocka_unit_test(test_output_vectors),
    cmocka_unit_test(test_depth_cap),
    cmocka_unit_test(test_output_cap),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
