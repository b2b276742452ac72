/* JSON-RPC: URL policy, the reply parser, revert descriptions, failure
 * kinds against a canned local server, and a real anvil node. */
#include "netutil.h"

#include "opengradient/og_hex.h"
#include "opengradient/og_rpc.h"

static pid_t srv = -1;
static int port;

static int setup(void **state)
{
  (void)state;
  srv = nu_server(&port, "rpc", NULL, NULL, NULL);
  return srv < 0 ? -1 : 0;
}

static int teardown(void **state)
{
  (void)state;
  nu_stop(srv);
  return 0;
}

static void test_url_policy(void **state)
{
  static const struct {
    const char *url;
    int insecure;
    og_result want;
  } cases[] = {
    {"https://ogevmdevnet.opengradient.ai", 0, OG_OK},
    {"http://127.0.0.1:8545", 0, OG_OK},
    {"http://127.9.8.7/", 0, OG_OK},
    {"http://localhost:8545", 0, OG_OK},
    {"http://LOCALHOST:8545", 0, OG_OK},
    {"http://[::1]:8545/", 0, OG_OK},
    {"http://example.com", 0, OG_E_USAGE},
    {"http://13.59.43.94:8545", 0, OG_E_USAGE},
    {"http://13.59.43.94:8545", 1, OG_OK},
    {"http://localhost.evil.test", 0, OG_E_USAGE},
    {"http://127.0.0.1@evil.test/", 0, OG_E_USAGE},
    {"http://128.0.0.1", 0, OG_E_USAGE},
    {"http://[::2]", 0, OG_E_USAGE},
    {"ftp://127.0.0.1", 1, OG_E_USAGE},
    {"not a url", 0, OG_E_USAGE},
    {"", 0, OG_E_USAGE},
  };
  size_t i;
  og_err err;
  (void)state;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    og_result r = og_rpc_check_url(cases[i].url, cases[i].insecure, &err);
    if(r != cases[i].want)
      fail_msg("%s: got %d want %d", cases[i].url, r, cases[i].want);
  }
  /* og_rpc_new applies the same policy, before any network access. */
  {
    og_rpc *r = NULL;
    og_rpc_opts o;
    memset(&o, 0, sizeof(o));
    o.url = "http://example.com";
    assert_int_equal(og_rpc_new(&r, &o, &err), OG_E_USAGE);
    assert_null(r);
    assert_non_null(strstr(err.msg, "plain http://"));
    assert_null(strstr(err.msg, "--"));
  }
}

static og_result parse(const char *s, json_t **res, og_rpc_error *e)
{
  og_err err;
  return og_rpc_parse_reply(res, e, (const unsigned char *)s, strlen(s), 7,
                            &err);
}

static void test_parse_reply(void **state)
{
  json_t *res;
  og_rpc_error e;
  (void)state;
  assert_int_equal(parse("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"0x1\"}",
                         &res, &e), OG_OK);
  assert_string_equal(json_string_value(res), "0x1");
  json_decref(res);
  assert_int_equal(parse("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":null}",
                         &res, &e), OG_OK);
  assert_true(json_is_null(res));
  json_decref(res);
  assert_int_equal(parse("{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":3,"
                         "\"message\":\"execution reverted\",\"data\":"
                         "\"0xf6523b65\"}}", &res, &e), OG_E_RPC);
  assert_null(res);
  assert_int_equal(e.kind, OG_RPC_FAIL_ERROR);
  assert_int_equal(e.code, 3);
  assert_int_equal(e.has_data, 1);
  assert_int_equal(e.data_len, 4);
  assert_string_equal(e.revert, "TEENotFound()");
  /* an error about an unreadable request carries id null */
  assert_int_equal(parse("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{"
                         "\"code\":-32700,\"message\":\"parse\\nerror\"}}",
                         &res, &e), OG_E_RPC);
  assert_int_equal(e.kind, OG_RPC_FAIL_ERROR);
  assert_int_equal(e.code, -32700);
  assert_string_equal(e.message, "parse\\x0aerror");
  {
    static const char *const bad[] = {
      "", "null", "[]", "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":",
      "{\"id\":7,\"result\":\"0x1\"}",
      "{\"jsonrpc\":\"1.0\",\"id\":7,\"result\":\"0x1\"}",
      "{\"jsonrpc\":\"2.0\",\"id\":8,\"result\":\"0x1\"}",
      "{\"jsonrpc\":\"2.0\",\"id\":\"7\",\"result\":\"0x1\"}",
      "{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":\"0x1\"}",
      "{\"jsonrpc\":\"2.0\",\"id\":7}",
      "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":1,\"error\":{\"code\":1,"
      "\"message\":\"x\"}}",
      "{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":\"1\","
      "\"message\":\"x\"}}",
      "{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":\"boom\"}",
      "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":1,\"result\":2}",
      "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":99999999999999999999999}",
    };
    size_t i;
    for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
      if(parse(bad[i], &res, &e) != OG_E_RPC || res ||
         e.kind != OG_RPC_FAIL_MALFORMED)
        fail_msg("accepted or misclassified: %s", bad[i]);
    }
  }
}

static void test_describe_revert(void **state)
{
  char out[192];
  size_t n;
  unsigned char *d;
  (void)state;
  og_rpc_describe_revert(out, sizeof(out), NULL, 0);
  assert_non_null(strstr(out, "revert data"));
  d = tu_hex("f6523b65", &n);
  og_rpc_describe_revert(out, sizeof(out), d, n);
  assert_string_equal(out, "TEENotFound()");
  free(d);
  /* Error("not allowed") */
  d = tu_hex("08c379a0"
             "0000000000000000000000000000000000000000000000000000000000000020"
             "000000000000000000000000000000000000000000000000000000000000000b"
             "6e6f7420616c6c6f776564"
             "000000000000000000000000000000000000000000",
             &n);
  og_rpc_describe_revert(out, sizeof(out), d, n);
  assert_string_equal(out, "Error(\"not allowed\")");
  /* a length past the end is not read */
  d[4 + 63] = 0xff;
  og_rpc_describe_revert(out, sizeof(out), d, n);
  assert_null(strstr(out, "not allowed"));
  free(d);
  d = tu_hex("4e487b71"
             "00000000000000000000000000000000"
             "00000000000000000000000000000011",
             &n);
  og_rpc_describe_revert(out, sizeof(out), d, n);
  assert_string_equal(out, "Panic(0x11)");
  free(d);
  d = tu_hex("12345678", &n);
  og_rpc_describe_revert(out, sizeof(out), d, n);
  assert_string_equal(out, "unknown error 0x12345678");
  free(d);
}

static og_rpc *client(const char *path, long timeout_ms, size_t max_reply)
{
  og_rpc *r;
  og_rpc_opts o;
  og_err err;
  char url[256];
  snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
  memset(&o, 0, sizeof(o));
  o.url = url;
  o.timeout_ms = timeout_ms ? timeout_ms : 20000;
  o.max_reply = max_reply;
  assert_int_equal(og_rpc_new(&r, &o, &err), OG_OK);
  return r;
}

static void test_canned_ok(void **state)
{
  og_rpc *r = client("/", 0, 0);
  og_err err;
  uint64_t v = 0;
  (void)state;
  assert_int_equal(og_eth_chain_id(r, &v, &err), OG_OK);
  assert_int_equal(v, 31337);
  assert_int_equal(og_eth_block_number(r, &v, &err), OG_OK);
  assert_int_equal(v, 42);
  assert_int_equal(og_rpc_last_error(r)->kind, OG_RPC_FAIL_NONE);
  og_rpc_free(r);
}

static void test_canned_failures(void **state)
{
  og_err err;
  uint64_t v;
  og_rpc *r;
  og_buf out;
  og_address to;
  unsigned char cd[4] = {0x41, 0x8b, 0x20, 0x7d};
  (void)state;
  memset(&to, 0x11, sizeof(to));

  r = client("/err", 0, 0);
  assert_int_equal(og_eth_chain_id(r, &v, &err), OG_E_RPC);
  assert_int_equal(og_rpc_last_error(r)->kind, OG_RPC_FAIL_ERROR);
  assert_int_equal(og_rpc_last_error(r)->code, -32601);
  assert_string_equal(og_rpc_last_error(r)->message,
                      "the method does not exist");
  assert_non_null(strstr(err.msg, "-32601"));
  og_rpc_free(r);

  r = client("/revert", 0, 0);
  og_buf_init(&out, 1024);
  assert_int_equal(og_eth_call(r, &out, &to, cd, sizeof(cd), &err),
                   OG_E_RPC);
  assert_int_equal(og_rpc_last_error(r)->kind, OG_RPC_FAIL_ERROR);
  assert_string_equal(og_rpc_last_error(r)->revert, "TEENotFound()");
  assert_non_null(strstr(err.msg, "TEENotFound()"));
  og_buf_free(&out);
  og_rpc_free(r);

  /* a second "0x" where a 1024-digit piece starts is not hex */
  r = client("/midprefix", 0, 0);
  og_buf_init(&out, 1024);
  assert_int_equal(og_eth_call(r, &out, &to, cd, sizeof(cd), &err),
                   OG_E_RPC);
  assert_int_equal(og_rpc_last_error(r)->kind, OG_RPC_FAIL_MALFORMED);
  og_buf_free(&out);
  og_rpc_free(r);

  r = client("/http500", 0, 0);
  assert_int_equal(og_eth_chain_id(r, &v, &err), OG_E_RPC);
  assert_int_equal(og_rpc_last_error(r)->kind, OG_RPC_FAIL_HTTP);
  assert_int_equal(og_rpc_last_error(r)->http_status, 500);
  assert_non_null(strstr(err.msg, "HTTP 500"));
  og_rpc_free(r);

  r = client("/malformed", 0, 0);
  assert_int_equal(og_eth_chain_id(r, &v, &err), OG_E_RPC);
  assert_int_equal(og_rpc_last_error(r)->kind, OG_RPC_FAIL_MALFORMED);
  og_rpc_free(r);

  r = client("/wrongid", 0, 0);
  assert_int_equal(og_eth_chain_id(r, &v, &err), OG_E_RPC);
  assert_int_equal(og_rpc_last_error(r)->kind, OG_RPC_FAIL_MALFORMED);
  og_rpc_free(r);

  r = client("/huge", 0, 1024 * 1024);
  assert_int_equal(og_eth_chain_id(r, &v, &err), OG_E_RPC);
  assert_int_equal(og_rpc_last_error(r)->kind, OG_RPC_FAIL_TOO_LARGE);
  og_rpc_free(r);

  r = client("/timeout", 700, 0);
  assert_int_equal(og_eth_chain_id(r, &v, &err), OG_E_RPC);
  assert_int_equal(og_rpc_last_error(r)->kind, OG_RPC_FAIL_TIMEOUT);
  og_rpc_free(r);

  {
    og_rpc_opts o;
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", nu_free_port());
    memset(&o, 0, sizeof(o));
    o.url = url;
    assert_int_equal(og_rpc_new(&r, &o, &err), OG_OK);
    assert_int_equal(og_eth_chain_id(r, &v, &err), OG_E_RPC);
    assert_int_equal(og_rpc_last_error(r)->kind, OG_RPC_FAIL_TRANSPORT);
    og_rpc_free(r);
  }
}

/* A real node. Skipped when the anvil binary is not installed. */
/* Several RPCs (paths of the canned server): the quorum over eth_call. */
static og_result quorum_call(og_rpc **rp, og_buf *out, const char *p1,
                             const char *p2, size_t quorum, og_err *err)
{
  char u1[128], u2[128];
  const char *urls[2];
  og_rpc_opts o;
  og_address to;
  static const unsigned char sel[4] = {0xa3, 0xbf, 0x31, 0xf1};
  og_result rc;
  snprintf(u1, sizeof(u1), "http://127.0.0.1:%d%s", port, p1);
  snprintf(u2, sizeof(u2), "http://127.0.0.1:%d%s", port, p2);
  urls[0] = u1;
  urls[1] = u2;
  memset(&o, 0, sizeof(o));
  memset(&to, 0x11, sizeof(to));
  o.urls = urls;
  o.n_urls = 2;
  o.quorum = quorum;
  o.timeout_ms = 20000;
  og_err_clear(err);
  rc = og_rpc_new(rp, &o, err);
  if(rc)
    return rc;
  og_buf_init(out, 4096);
  return og_eth_call(*rp, out, &to, sel, sizeof(sel), err);
}

static void test_quorum(void **state)
{
  og_rpc *r = NULL;
  og_buf out;
  og_err err;
  (void)state;
  /* both agree */
  assert_int_equal(quorum_call(&r, &out, "/", "/", 0, &err), OG_OK);
  assert_int_equal(out.len, 32);
  assert_int_equal(out.data[31], 1);
  og_buf_free(&out);
  og_rpc_free(r);
  /* one answers, one reverts: no agreement */
  assert_int_equal(quorum_call(&r, &out, "/", "/revert", 0, &err), OG_E_RPC);
  assert_non_null(strstr(err.msg, "1 identical answers of 2 needed"));
  assert_non_null(strstr(err.msg, "http://127.0.0.1:"));
  assert_null(strstr(err.msg, "/revert"));
  og_buf_free(&out);
  og_rpc_free(r);
  /* both revert alike: the agreed revert, with its data */
  assert_int_equal(quorum_call(&r, &out, "/revert", "/revert", 2, &err),
                   OG_E_RPC);
  assert_int_equal(og_rpc_last_error(r)->kind, OG_RPC_FAIL_ERROR);
  assert_int_equal(og_rpc_last_error(r)->data_len, 4);
  assert_int_equal(out.len, 0);
  og_buf_free(&out);
  og_rpc_free(r);
  /* one fails: quorum 1 takes the other, 2 names the failure */
  assert_int_equal(quorum_call(&r, &out, "/", "/http500", 1, &err), OG_OK);
  assert_int_equal(out.len, 32);
  og_buf_free(&out);
  og_rpc_free(r);
  assert_int_equal(quorum_call(&r, &out, "/http500", "/", 2, &err), OG_E_RPC);
  assert_non_null(strstr(err.msg, "http://127.0.0.1:"));
  assert_non_null(strstr(err.msg, "failed"));
  assert_non_null(strstr(err.msg, "HTTP 500"));
  og_buf_free(&out);
  og_rpc_free(r);
  /* none answers the head */
  assert_int_equal(quorum_call(&r, &out, "/http500", "/err", 1, &err),
                   OG_E_RPC);
  assert_non_null(strstr(err.msg, "0 of 2 RPCs answered"));
  assert_non_null(strstr(err.msg, "eth_blockNumber"));
  og_buf_free(&out);
  og_rpc_free(r);
  /* a quorum above the count is refused before any network access */
  assert_int_equal(quorum_call(&r, &out, "/", "/", 3, &err), OG_E_USAGE);
  assert_null(r);
}

static void test_anvil(void **state)
{
  char bin[1024], portstr[16], url[64];
  og_rpc *r = NULL;
  og_rpc_opts o;
  og_err err;
  uint64_t v = 0;
  og_address from, to;
  og_buf out;
  og_bytes32 h;
  og_eth_receipt rc;
  pid_t pid;
  int p, i;
  (void)state;
  snprintf(bin, sizeof(bin),
           "%s/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil",
           nu_root());
  if(access(bin, X_OK)) {
    skip();
    return;
  }
  p = nu_free_port();
  snprintf(portstr, sizeof(portstr), "%d", p);
  {
    char *argv[] = {bin, "--port", portstr, "--silent", NULL};
    pid = nu_spawn(argv, NULL, p);
  }
  assert_true(pid > 0);
  snprintf(url, sizeof(url), "http://127.0.0.1:%d", p);
  memset(&o, 0, sizeof(o));
  o.url = url;
  o.timeout_ms = 20000;
  assert_int_equal(og_rpc_new(&r, &o, &err), OG_OK);
  for(i = 0; i < 100 && og_eth_chain_id(r, &v, &err) != OG_OK; i++)
    usleep(100000);
  assert_int_equal(v, 31337);
  assert_int_equal(og_eth_block_number(r, &v, &err), OG_OK);
  assert_int_equal(og_eth_gas_price(r, &v, &err), OG_OK);
  assert_true(v > 0);
  assert_int_equal(og_eth_base_fee(r, &v, &err), OG_OK);
  assert_true(v > 0);
  assert_int_equal(og_eth_max_priority_fee(r, &v, &err), OG_OK);
  /* anvil's first dev account */
  assert_int_equal(og_address_from_hex(&from,
                   "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"), OG_OK);
  assert_int_equal(og_eth_get_transaction_count(r, &v, &from, NULL, &err),
                   OG_OK);
  assert_int_equal(v, 0);
  memset(&to, 0x22, sizeof(to));
  assert_int_equal(og_eth_estimate_gas(r, &v, &from, &to, NULL, 0, "0x1",
                                       &err), OG_OK);
  assert_int_equal(v, 21000);
  og_buf_init(&out, 1024);
  assert_int_equal(og_eth_call(r, &out, &to,
                               (const unsigned char *)"\x4b\x60\x14\xda", 4,
                               &err),
                   OG_OK);
  assert_int_equal(out.len, 0); /* no code at that address */
  og_buf_free(&out);
  memset(&h, 0x33, sizeof(h));
  assert_int_equal(og_eth_get_transaction_receipt(r, &rc, &h, &err), OG_OK);
  assert_int_equal(rc.found, 0);
  /* a malformed transaction is a JSON-RPC error, not a crash */
  assert_int_equal(og_eth_send_raw_transaction(r, &h,
                   (const unsigned char *)"\x01\x02", 2, &err), OG_E_RPC);
  assert_int_equal(og_rpc_last_error(r)->kind, OG_RPC_FAIL_ERROR);
  og_rpc_free(r);
  nu_stop(pid);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_url_policy),
    cmocka_unit_test(test_parse_reply),
    cmocka_unit_test(test_describe_revert),
    cmocka_unit_test(test_canned_ok),
    cmocka_unit_test(test_canned_failures),
    cmocka_unit_test(test_quorum),
    cmocka_unit_test(test_anvil),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
