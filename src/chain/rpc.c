/*
 * JSON-RPC 2.0 client over og_http, and the Ethereum methods the library
 * needs. The reply parser (og_rpc_parse_reply) works on bytes alone so it
 * can be fuzzed without a network.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "opengradient/og_json.h"
#include "opengradient/og_hex.h"
#include "opengradient/og_rpc.h"
#include "opengradient/og_text.h"

/* The ABI module owns the table of known errors. */
#include "opengradient/og_abi.h"

struct og_rpc {
  og_http *http;
  int own_http;
  char *url;
  int is_http;
  long timeout_ms;
  size_t max_reply;
  uint64_t deadline;    /* og_http_clock_ms() limit; 0 = none */
  json_int_t next_id;
  og_rpc_error last;
  og_rpc *sub[OG_RPC_MAX_URLS]; /* quorum mode: one single RPC each */
  size_t nsub;
  size_t quorum;
};

void og_rpc_origin(const og_rpc *r, char *out, size_t n)
{
  CURLU *u = curl_url();
  char *scheme = NULL, *host = NULL, *port = NULL;
  if(!n)
    return;
  out[0] = 0;
  if(u && !curl_url_set(u, CURLUPART_URL, r->url, 0) &&
     !curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) &&
     !curl_url_get(u, CURLUPART_HOST, &host, 0) &&
     !curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT))
    snprintf(out, n, "%s://%s:%s", scheme, host, port);
  else
    snprintf(out, n, "(unreadable URL)");
  curl_free(scheme);
  curl_free(host);
  curl_free(port);
  curl_url_cleanup(u);
}

/* ---- URL policy --------------------------------------------------- */

static int host_is_loopback(const char *host)
{
  unsigned char a4[4];
  struct in6_addr a6;
  char buf[64];
  size_t n = strlen(host);
  if(!strcasecmp(host, "localhost") || !strcasecmp(host, "localhost."))
    return 1;
  if(inet_pton(AF_INET, host, a4) == 1)
    return a4[0] == 127;
  /* curl gives IPv6 hosts in brackets, possibly with a zone id. */
  if(n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof(buf)) {
    memcpy(buf, host + 1, n - 2);
    buf[n - 2] = '\0';
    if(strchr(buf, '%'))
      return 0;
    if(inet_pton(AF_INET6, buf, &a6) != 1)
      return 0;
    if(IN6_IS_ADDR_LOOPBACK(&a6))
      return 1;
    return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
  }
  return 0;
}

/* *is_http set on success. */
static og_result check_url(int *is_http, const char *url, int allow_insecure,
                           og_err *err)
{
  CURLU *u;
  char *scheme = NULL, *host = NULL;
  og_result r = OG_OK;
  if(!url || !*url)
    return og_fail(err, OG_E_USAGE, "no URL given");
  u = curl_url();
  if(!u)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  if(curl_url_set(u, CURLUPART_URL, url, 0) ||
     curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
     curl_url_get(u, CURLUPART_HOST, &host, 0) || !*host) {
    r = og_fail(err, OG_E_USAGE, "not a valid URL");
    goto out;
  }
  if(!strcasecmp(scheme, "https"))
    *is_http = 0;
  else if(!strcasecmp(scheme, "http")) {
    *is_http = 1;
    if(!allow_insecure && !host_is_loopback(host))
      r = og_fail(err, OG_E_USAGE,
                  "plain http:// to %s is refused because the "
                  "registry is the root of trust; use https://", host);
  }
  else
    r = og_fail(err, OG_E_USAGE, "scheme %s is not supported; "
                "use https://", scheme);
out:
  curl_free(scheme);
  curl_free(host);
  curl_url_cleanup(u);
  return r;
}

og_result og_rpc_check_url(const char *url, int allow_insecure, og_err *err)
{
  int is_http;
  return check_url(&is_http, url, allow_insecure, err);
}

/* ---- client ------------------------------------------------------- */

static og_result rpc_new_quorum(og_rpc **out, const og_rpc_opts *opts,
                                og_err *err);

og_result og_rpc_new(og_rpc **out, const og_rpc_opts *opts, og_err *err)
{
  og_rpc *r;
  og_result rc;
  int is_http = 0;
  *out = NULL;
  if(opts->urls && opts->n_urls > 1)
    return rpc_new_quorum(out, opts, err);
  rc = check_url(&is_http, opts->urls && opts->n_urls == 1 ? opts->urls[0]
                                                           : opts->url,
                 opts->allow_insecure, err);
  if(rc)
    return rc;
  r = calloc(1, sizeof(*r));
  if(!r)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  r->url = strdup(opts->urls && opts->n_urls == 1 ? opts->urls[0]
                                                  : opts->url);
  if(!r->url) {
    free(r);
    return og_fail(err, OG_E_NOMEM, "out of memory");
  }
  r->is_http = is_http;
  r->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms
                                       : OG_RPC_DEFAULT_TIMEOUT_MS;
  if(opts->max_time_ms > 0)
    r->deadline = og_http_clock_ms() + (uint64_t)opts->max_time_ms;
  r->max_reply = opts->max_reply ? opts->max_reply
                                 : OG_RPC_DEFAULT_MAX_REPLY;
  r->next_id = 1;
  if(opts->http)
    r->http = opts->http;
  else {
    rc = og_http_new(&r->http, err);
    if(rc) {
      free(r->url);
      free(r);
      return rc;
    }
    r->own_http = 1;
  }
  *out = r;
  return OG_OK;
}

void og_rpc_free(og_rpc *r)
{
  size_t i;
  if(!r)
    return;
  for(i = 0; i < r->nsub; i++)
    og_rpc_free(r->sub[i]);
  if(r->own_http)
    og_http_free(r->http);
  free(r->url);
  free(r);
}

const og_rpc_error *og_rpc_last_error(const og_rpc *r)
{
  return &r->last;
}

/* ---- revert data -------------------------------------------------- */

void og_rpc_describe_revert(char *out, size_t outsz,
                            const unsigned char *data, size_t len)
{
  if(!out || !outsz)
    return;
  (void)og_abi_describe_revert(out, outsz, data, len);
}

/* ---- reply parsing ------------------------------------------------ */

static void copy_clean(char *out, size_t outsz, const char *s)
{
  (void)og_text_visible(out, outsz, s, strlen(s), 0);
}

static og_result malformed(og_rpc_error *rerr, const char *why, og_err *err)
{
  if(rerr)
    rerr->kind = OG_RPC_FAIL_MALFORMED;
  return og_fail(err, OG_E_RPC, "the RPC reply is not valid JSON-RPC: %s",
                 why);
}

og_result og_rpc_parse_reply(json_t **result, og_rpc_error *rerr,
                             const unsigned char *body, size_t len,
                             json_int_t id, og_err *err)
{
  json_error_t je;
  json_t *root, *v, *res, *eo;
  og_rpc_error tmp;
  og_result rc;
  *result = NULL;
  if(!rerr)
    rerr = &tmp;
  memset(rerr, 0, sizeof(*rerr));
  if(!body || !len)
    return malformed(rerr, "empty body", err);
  {
    og_err se;
    if(og_json_scan((const char *)body, len, &se))
      return malformed(rerr, se.msg, err);
  }
  root = og_json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &je);
  if(!root)
    return malformed(rerr, "not JSON", err);
  if(!json_is_object(root)) {
    rc = malformed(rerr, "not a JSON object", err);
    goto out;
  }
  v = json_object_get(root, "jsonrpc");
  if(!json_is_string(v) || strcmp(json_string_value(v), "2.0")) {
    rc = malformed(rerr, "no \"jsonrpc\": \"2.0\"", err);
    goto out;
  }
  res = json_object_get(root, "result");
  eo = json_object_get(root, "error");
  if((res != NULL) == (eo != NULL)) {
    rc = malformed(rerr, "needs exactly one of result and error", err);
    goto out;
  }
  v = json_object_get(root, "id");
  /* An error about a request the server could not read has id null. */
  if(!(json_is_integer(v) && json_integer_value(v) == id) &&
     !(eo && json_is_null(v))) {
    rc = malformed(rerr, "reply id does not match the request", err);
    goto out;
  }
  if(eo) {
    json_t *code = json_object_get(eo, "code");
    json_t *msg = json_object_get(eo, "message");
    json_t *data = json_object_get(eo, "data");
    if(!json_is_object(eo) || !json_is_integer(code) || !json_is_string(msg)) {
      rc = malformed(rerr, "error object without code and message", err);
      goto out;
    }
    rerr->kind = OG_RPC_FAIL_ERROR;
    rerr->code = json_integer_value(code);
    copy_clean(rerr->message, sizeof(rerr->message), json_string_value(msg));
    if(json_is_string(data)) {
      const char *d = json_string_value(data);
      size_t dl = json_string_length(data);
      if(og_hex_decode(rerr->data, sizeof(rerr->data), &rerr->data_len, d,
                       dl) == OG_OK && dl >= 2 && d[0] == '0' &&
         (d[1] == 'x' || d[1] == 'X'))
        rerr->has_data = 1;
      else
        rerr->data_len = 0;
    }
    /* code 3 is "execution reverted" with data; some nodes use -32000. */
    if(rerr->has_data || strstr(rerr->message, "revert")) {
      og_rpc_describe_revert(rerr->revert, sizeof(rerr->revert), rerr->data,
                             rerr->has_data ? rerr->data_len : 0);
      rc = og_fail(err, OG_E_RPC, "the call reverted: %s (RPC error %lld: "
                   "%s)", rerr->revert, (long long)rerr->code,
                   rerr->message);
    }
    else
      rc = og_fail(err, OG_E_RPC, "the RPC answered error %lld: %s",
                   (long long)rerr->code, rerr->message);
    goto out;
  }
  *result = json_incref(res);
  rc = OG_OK;
out:
  json_decref(root);
  return rc;
}

/* ---- calls -------------------------------------------------------- */

/* A request's bytes and limits (r->url, the deadline left); *text is the
 * body to free after sending. */
static og_result rpc_request(og_rpc *r, og_http_req *hr, char **text,
                             json_int_t *id, const char *method,
                             json_t *params, og_err *err)
{
  static const char *const hdrs[] = {"Content-Type: application/json",
                                     "Accept: application/json", NULL};
  json_t *req;
  *id = r->next_id++;
  *text = NULL;
  memset(&r->last, 0, sizeof(r->last));
  /* "o" steals the reference, also on failure. */
  req = json_pack("{s:s, s:I, s:s, s:o}", "jsonrpc", "2.0", "id", *id,
                  "method", method, "params",
                  params ? json_incref(params) : json_array());
  if(!req)
    return og_fail(err, OG_E_NOMEM, "cannot build the RPC request");
  *text = json_dumps(req, JSON_COMPACT);
  json_decref(req);
  if(!*text)
    return og_fail(err, OG_E_NOMEM, "cannot build the RPC request");
  memset(hr, 0, sizeof(*hr));
  hr->method = "POST";
  hr->url = r->url;
  hr->headers = hdrs;
  hr->body = (const unsigned char *)*text;
  hr->body_len = strlen(*text);
  hr->connect_timeout_ms = r->timeout_ms;
  hr->total_timeout_ms = r->timeout_ms;
  if(r->deadline) {
    uint64_t now = og_http_clock_ms();
    if(now >= r->deadline) {
      free(*text);
      *text = NULL;
      r->last.kind = OG_RPC_FAIL_TIMEOUT;
      return og_fail(err, OG_E_RPC, "the RPC work did not finish within "
                     "the maximum time (before %s)", method);
    }
    if(r->deadline - now < (uint64_t)hr->total_timeout_ms)
      hr->total_timeout_ms = (long)(r->deadline - now);
    if(hr->connect_timeout_ms > hr->total_timeout_ms)
      hr->connect_timeout_ms = hr->total_timeout_ms;
  }
  hr->max_body = r->max_reply;
  hr->allow_http = r->is_http;
  return OG_OK;
}

/* What the transport gave for request id: the result, or the failure
 * named and kept in r->last. Frees resp. */
static og_result rpc_reply(og_rpc *r, json_t **result, const char *method,
                           json_int_t id, og_result rc, og_http_resp *resp,
                           const og_err *terr, og_err *err)
{
  if(rc) {
    og_http_resp_free(resp);
    if(rc == OG_E_USAGE)
      return og_fail(err, rc, "%s", terr->msg);
    if(rc == OG_E_TIMEOUT) {
      r->last.kind = OG_RPC_FAIL_TIMEOUT;
      return og_fail(err, OG_E_RPC, "the RPC did not answer %s in time: %s",
                     method, terr->msg);
    }
    if(rc == OG_E_TOO_LARGE) {
      r->last.kind = OG_RPC_FAIL_TOO_LARGE;
      return og_fail(err, OG_E_RPC, "the RPC reply to %s is too large: %s",
                     method, terr->msg);
    }
    r->last.kind = OG_RPC_FAIL_TRANSPORT;
    return og_fail(err, OG_E_RPC, "cannot reach the RPC: %s", terr->msg);
  }
  if(resp->status != 200) {
    char snip[81];
    size_t i, n = resp->body.len < 80 ? resp->body.len : 80;
    for(i = 0; i < n; i++) {
      unsigned char c = resp->body.data[i];
      snip[i] = (c >= 0x20 && c < 0x7f) ? (char)c : ' ';
    }
    snip[n] = '\0';
    r->last.kind = OG_RPC_FAIL_HTTP;
    r->last.http_status = resp->status;
    og_http_resp_free(resp);
    return og_fail(err, OG_E_RPC, "the RPC answered HTTP %ld to %s%s%s",
                   r->last.http_status, method, n ? ": " : "", snip);
  }
  rc = og_rpc_parse_reply(result, &r->last, resp->body.data, resp->body.len,
                          id, err);
  og_http_resp_free(resp);
  return rc;
}

static og_result rpc_call_one(og_rpc *r, json_t **result,
                              const char *method, json_t *params,
                              og_err *err)
{
  og_http_req hr;
  og_http_resp resp;
  og_err terr;
  char *text;
  json_int_t id;
  og_result rc;
  *result = NULL;
  rc = rpc_request(r, &hr, &text, &id, method, params, err);
  if(rc)
    return rc;
  og_err_clear(&terr);
  og_http_resp_init(&resp);
  rc = og_http_perform(r->http, &resp, &hr, &terr);
  free(text);
  return rpc_reply(r, result, method, id, rc, &resp, &terr, err);
}

og_result og_rpc_call(og_rpc *r, json_t **result, const char *method,
                      json_t *params, og_err *err)
{
  og_result rc;
  if(!r->nsub)
    return rpc_call_one(r, result, method, params, err);
  /* quorum mode: only og_eth_call asks every RPC */
  rc = rpc_call_one(r->sub[0], result, method, params, err);
  r->last = r->sub[0]->last;
  return rc;
}

/* ---- helpers ------------------------------------------------------ */

static char *hex0x(const unsigned char *data, size_t len)
{
  char *s;
  if(len > (SIZE_MAX - 3) / 2)
    return NULL;
  s = malloc(2 * len + 3);
  if(!s)
    return NULL;
  s[0] = '0';
  s[1] = 'x';
  og_hex_encode(s + 2, data, len);
  return s;
}

/* Addresses go to the node as lowercase 0x hex. */
static void addr0x(char out[43], const og_address *a)
{
  out[0] = '0';
  out[1] = 'x';
  og_hex_encode(out + 2, a->b, 20);
}

static og_result bad_result(og_rpc *r, const char *method, const char *why,
                            og_err *err)
{
  r->last.kind = OG_RPC_FAIL_MALFORMED;
  return og_fail(err, OG_E_RPC, "the RPC answered %s with %s", method, why);
}

/* A call whose result is a quantity. */
/* res (consumed) as a quantity. */
static og_result quantity_of(og_rpc *r, uint64_t *out, const char *method,
                             json_t *res, og_err *err)
{
  og_result rc = OG_OK;
  if(!json_is_string(res) ||
     og_quantity_to_u64(out, json_string_value(res)) != OG_OK)
    rc = bad_result(r, method, "a malformed quantity", err);
  json_decref(res);
  return rc;
}

static og_result call_quantity(og_rpc *r, uint64_t *out, const char *method,
                               json_t *params, og_err *err)
{
  json_t *res = NULL;
  og_result rc = og_rpc_call(r, &res, method, params, err);
  return rc ? rc : quantity_of(r, out, method, res, err);
}

og_result og_eth_chain_id(og_rpc *r, uint64_t *out, og_err *err)
{
  return call_quantity(r, out, "eth_chainId", NULL, err);
}

og_result og_eth_block_number(og_rpc *r, uint64_t *out, og_err *err)
{
  return call_quantity(r, out, "eth_blockNumber", NULL, err);
}

og_result og_eth_gas_price(og_rpc *r, uint64_t *out, og_err *err)
{
  return call_quantity(r, out, "eth_gasPrice", NULL, err);
}

og_result og_eth_max_priority_fee(og_rpc *r, uint64_t *out, og_err *err)
{
  return call_quantity(r, out, "eth_maxPriorityFeePerGas", NULL, err);
}

og_result og_eth_base_fee(og_rpc *r, uint64_t *out, og_err *err)
{
  json_t *params = json_pack("[sb]", "latest", 0);
  json_t *res = NULL, *fee;
  og_result rc;
  if(!params)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  rc = og_rpc_call(r, &res, "eth_getBlockByNumber", params, err);
  json_decref(params);
  if(rc)
    return rc;
  fee = json_is_object(res) ? json_object_get(res, "baseFeePerGas") : NULL;
  if(!json_is_string(fee) ||
     og_quantity_to_u64(out, json_string_value(fee)) != OG_OK)
    rc = bad_result(r, "eth_getBlockByNumber",
                    "no valid baseFeePerGas in the latest block", err);
  json_decref(res);
  return rc;
}

og_result og_eth_get_transaction_count(og_rpc *r, uint64_t *out,
                                       const og_address *addr,
                                       const char *block, og_err *err)
{
  char a[43];
  json_t *params;
  og_result rc;
  addr0x(a, addr);
  params = json_pack("[ss]", a, block ? block : "pending");
  if(!params)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  rc = call_quantity(r, out, "eth_getTransactionCount", params, err);
  json_decref(params);
  return rc;
}

og_result og_eth_send_raw_transaction(og_rpc *r, og_bytes32 *tx_hash,
                                      const unsigned char *raw, size_t len,
                                      og_err *err)
{
  char *hex = hex0x(raw, len);
  json_t *params, *res = NULL;
  og_result rc;
  if(!hex)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  params = json_pack("[s]", hex);
  free(hex);
  if(!params)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  rc = og_rpc_call(r, &res, "eth_sendRawTransaction", params, err);
  json_decref(params);
  if(rc)
    return rc;
  if(!json_is_string(res) ||
     og_bytes32_from_hex(tx_hash, json_string_value(res)) != OG_OK)
    rc = bad_result(r, "eth_sendRawTransaction",
                    "a malformed transaction hash", err);
  json_decref(res);
  return rc;
}

static int opt_quantity(uint64_t *out, json_t *obj, const char *key)
{
  json_t *v = json_object_get(obj, key);
  *out = 0;
  if(!v || json_is_null(v))
    return 0;
  if(!json_is_string(v) ||
     og_quantity_to_u64(out, json_string_value(v)) != OG_OK)
    return -1;
  return 0;
}

og_result og_eth_get_transaction_receipt(og_rpc *r, og_eth_receipt *out,
                                         const og_bytes32 *tx_hash,
                                         og_err *err)
{
  char h[67];
  json_t *params, *res = NULL, *ca;
  uint64_t status = 0;
  og_result rc;
  memset(out, 0, sizeof(*out));
  og_bytes32_to_hex(h, tx_hash);
  params = json_pack("[s]", h);
  if(!params)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  rc = og_rpc_call(r, &res, "eth_getTransactionReceipt", params, err);
  json_decref(params);
  if(rc)
    return rc;
  if(json_is_null(res)) {
    json_decref(res);
    return OG_OK; /* not mined yet */
  }
  if(!json_is_object(res) || !json_is_string(json_object_get(res, "status")) ||
     opt_quantity(&status, res, "status") || status > 1 ||
     opt_quantity(&out->block_number, res, "blockNumber") ||
     opt_quantity(&out->gas_used, res, "gasUsed") ||
     opt_quantity(&out->effective_gas_price, res, "effectiveGasPrice")) {
    json_decref(res);
    memset(out, 0, sizeof(*out));
    return bad_result(r, "eth_getTransactionReceipt", "a malformed receipt",
                      err);
  }
  ca = json_object_get(res, "contractAddress");
  if(json_is_string(ca) && og_address_from_hex(&out->contract_address,
                                               json_string_value(ca)) == OG_OK)
    out->has_contract_address = 1;
  out->found = 1;
  out->status = (int)status;
  json_decref(res);
  return OG_OK;
}

og_result og_eth_estimate_gas(og_rpc *r, uint64_t *out, const og_address *from,
                              const og_address *to, const unsigned char *data,
                              size_t len, const char *value_quantity,
                              og_err *err)
{
  char a[43];
  char *hex = hex0x(data, len);
  json_t *tx = json_object(), *params = NULL;
  og_result rc;
  int bad = !hex || !tx;
  if(!bad) {
    addr0x(a, to);
    bad |= json_object_set_new(tx, "to", json_string(a));
    bad |= json_object_set_new(tx, "data", json_string(hex));
    if(from) {
      addr0x(a, from);
      bad |= json_object_set_new(tx, "from", json_string(a));
    }
    if(value_quantity)
      bad |= json_object_set_new(tx, "value", json_string(value_quantity));
    params = json_pack("[O]", tx);
    bad |= !params;
  }
  free(hex);
  json_decref(tx);
  if(bad) {
    json_decref(params);
    return og_fail(err, OG_E_NOMEM, "out of memory");
  }
  rc = call_quantity(r, out, "eth_estimateGas", params, err);
  json_decref(params);
  return rc;
}

/* eth_call's params: [{to, data}, block]. */
static json_t *call_params(const og_address *to, const unsigned char *data,
                           size_t len, const char *block)
{
  char a[43];
  char *hex = hex0x(data, len);
  json_t *params;
  if(!hex)
    return NULL;
  addr0x(a, to);
  params = json_pack("[{s:s, s:s}, s]", "to", a, "data", hex, block);
  free(hex);
  return params;
}

/* eth_call's result res (consumed), 0x hex, appended to out. */
static og_result call_result(og_rpc *r, og_buf *out, json_t *res, og_err *err)
{
  const char *s;
  size_t slen, i;
  og_result rc = OG_OK;
  if(!json_is_string(res)) {
    json_decref(res);
    return bad_result(r, "eth_call", "a result that is not a string", err);
  }
  s = json_string_value(res);
  slen = json_string_length(res);
  if(slen < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || slen % 2) {
    json_decref(res);
    return bad_result(r, "eth_call", "a result that is not 0x hex", err);
  }
  /* Decode in pieces straight into the caller's capped buffer. */
  for(i = 2; i < slen && !rc; i += 1024) {
    unsigned char piece[512];
    size_t n = slen - i < 1024 ? slen - i : 1024, got = 0;
    /* og_hex_decode would skip a "0x" at the start of a piece */
    if(s[i + 1] == 'x' || s[i + 1] == 'X' ||
       og_hex_decode(piece, sizeof(piece), &got, s + i, n) != OG_OK) {
      rc = bad_result(r, "eth_call", "a result that is not 0x hex", err);
      break;
    }
    rc = og_buf_add(out, piece, got);
    if(rc == OG_E_TOO_LARGE) {
      r->last.kind = OG_RPC_FAIL_TOO_LARGE;
      rc = og_fail(err, OG_E_RPC, "the eth_call result exceeds %zu bytes",
                   out->max);
    }
    else if(rc)
      rc = og_fail(err, rc, "out of memory");
  }
  json_decref(res);
  return rc;
}

static og_result eth_call_at(og_rpc *r, og_buf *out, const og_address *to,
                             const unsigned char *data, size_t len,
                             const char *block, og_err *err)
{
  json_t *params = call_params(to, data, len, block), *res = NULL;
  og_result rc;
  if(!params)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  rc = og_rpc_call(r, &res, "eth_call", params, err);
  json_decref(params);
  return rc ? rc : call_result(r, out, res, err);
}

/* ---- several RPCs: one common block, a quorum of identical answers ---- */

static og_result rpc_new_quorum(og_rpc **out, const og_rpc_opts *opts,
                                og_err *err)
{
  og_rpc *r;
  og_rpc_opts one;
  og_result rc;
  size_t i;
  if(opts->n_urls > OG_RPC_MAX_URLS)
    return og_fail(err, OG_E_USAGE, "at most %d RPC URLs", OG_RPC_MAX_URLS);
  if(opts->quorum > opts->n_urls)
    return og_fail(err, OG_E_USAGE, "a quorum of %zu needs as many RPCs "
                   "(%zu given)", opts->quorum, opts->n_urls);
  for(i = 0; i < opts->n_urls; i++) {
    int is_http;
    rc = check_url(&is_http, opts->urls[i], opts->allow_insecure, err);
    if(rc)
      return rc;
  }
  one = *opts;
  one.urls = NULL;
  one.n_urls = 0;
  one.url = opts->urls[0];
  rc = og_rpc_new(&r, &one, err); /* the group's own transport and name */
  if(rc)
    return rc;
  r->quorum = opts->quorum ? opts->quorum : opts->n_urls;
  one.http = r->http; /* the members share it */
  for(i = 0; i < opts->n_urls; i++) {
    one.url = opts->urls[i];
    rc = og_rpc_new(&r->sub[i], &one, err);
    if(rc) {
      og_rpc_free(r);
      return rc;
    }
    r->nsub++;
  }
  *out = r;
  return OG_OK;
}

/* Append "origin (why)" to a list line. */
static void name_rpc(char *list, size_t cap, const og_rpc *r, const char *why)
{
  char o[200];
  size_t len = strlen(list);
  og_rpc_origin(r, o, sizeof(o));
  if(len + 4 < cap)
    snprintf(list + len, cap - len, "%s%s (%.120s)", len ? ", " : "", o, why);
}

/* One member's request in flight. */
typedef struct member_xfer {
  int done;
  og_result rc;
  og_http_resp resp;
  og_err terr;
} member_xfer;

static void member_done(void *user, og_http_xfer *x, og_result rc,
                        og_http_resp *resp, const og_err *err)
{
  member_xfer *t = user;
  (void)x;
  t->done = 1;
  t->rc = rc;
  og_http_resp_move(&t->resp, resp);
  if(rc && err)
    t->terr = *err;
}

/* Ask method of every member i with ask[i] at once, on the group's shared
 * transport, and wait for them all: one round trip instead of one per
 * RPC. Each gets results[i] (the caller releases it) or errs[i], with
 * rcs[i] as og_rpc_call would give it. */
static void call_members(og_rpc *g, const int *ask, const char *method,
                         json_t *params, json_t **results, og_result *rcs,
                         og_err *errs)
{
  member_xfer t[OG_RPC_MAX_URLS];
  og_http_xfer *x[OG_RPC_MAX_URLS];
  json_int_t id[OG_RPC_MAX_URLS];
  int reply[OG_RPC_MAX_URLS];
  size_t i, waiting = 0;
  for(i = 0; i < g->nsub; i++) {
    og_http_req hr;
    char *text;
    results[i] = NULL;
    reply[i] = 0;
    x[i] = NULL;
    memset(&t[i], 0, sizeof(t[i]));
    og_http_resp_init(&t[i].resp);
    og_err_clear(&t[i].terr);
    og_err_clear(&errs[i]);
    if(!ask[i])
      continue;
    rcs[i] = rpc_request(g->sub[i], &hr, &text, &id[i], method, params,
                         &errs[i]);
    if(rcs[i])
      continue; /* named in errs[i] already */
    reply[i] = 1;
    t[i].rc = og_http_start(g->http, &x[i], &hr, member_done, &t[i],
                            &t[i].terr);
    free(text);
    if(t[i].rc)
      t[i].done = 1; /* not started: a transport failure, read below */
    else
      waiting++;
  }
  while(waiting) {
    og_result w = og_http_wait(g->http, 1000, NULL);
    waiting = 0;
    for(i = 0; i < g->nsub; i++)
      if(reply[i] && !t[i].done) {
        if(w) { /* the transport itself failed: stop this one */
          og_http_cancel(g->http, x[i]);
          t[i].done = 1;
          t[i].rc = w;
          snprintf(t[i].terr.msg, sizeof(t[i].terr.msg), "%s",
                   og_strerror(w));
        }
        else
          waiting++;
      }
  }
  for(i = 0; i < g->nsub; i++)
    if(reply[i])
      rcs[i] = rpc_reply(g->sub[i], &results[i], method, id[i], t[i].rc,
                         &t[i].resp, &t[i].terr, &errs[i]);
}

static og_result eth_call_quorum(og_rpc *r, og_buf *out, const og_address *to,
                                 const unsigned char *data, size_t len,
                                 og_err *err)
{
  uint64_t head[OG_RPC_MAX_URLS], lo = UINT64_MAX, hi = 0;
  int ok[OG_RPC_MAX_URLS], reverted[OG_RPC_MAX_URLS];
  og_buf ans[OG_RPC_MAX_URLS];
  json_t *res[OG_RPC_MAX_URLS], *params;
  og_result rcs[OG_RPC_MAX_URLS];
  og_err e[OG_RPC_MAX_URLS];
  size_t i, j, answered = 0, best = 0, best_n = 0;
  char failed[OG_ERR_SIZE] = "", block[24];
  og_result rc = OG_OK;
  for(i = 0; i < r->nsub; i++) {
    og_buf_init(&ans[i], out->max);
    reverted[i] = 0;
    ok[i] = 1;
  }
  call_members(r, ok, "eth_blockNumber", NULL, res, rcs, e);
  for(i = 0; i < r->nsub; i++) {
    ok[i] = rcs[i] == OG_OK &&
            quantity_of(r->sub[i], &head[i], "eth_blockNumber", res[i],
                        &e[i]) == OG_OK;
    if(!ok[i]) {
      name_rpc(failed, sizeof(failed), r->sub[i], e[i].msg);
      continue;
    }
    answered++;
    if(head[i] < lo)
      lo = head[i];
    if(head[i] > hi)
      hi = head[i];
  }
  memset(&r->last, 0, sizeof(r->last));
  if(answered < r->quorum) {
    r->last.kind = OG_RPC_FAIL_TRANSPORT;
    rc = og_fail(err, OG_E_RPC, "only %zu of %zu RPCs answered, %zu needed: "
                 "%s failed", answered, r->nsub, r->quorum, failed);
    goto out;
  }
  if(hi - lo > OG_RPC_MAX_HEAD_SPREAD) {
    char heads[OG_ERR_SIZE] = "";
    for(i = 0; i < r->nsub; i++)
      if(ok[i]) {
        char h[32];
        snprintf(h, sizeof(h), "block %llu", (unsigned long long)head[i]);
        name_rpc(heads, sizeof(heads), r->sub[i], h);
      }
    r->last.kind = OG_RPC_FAIL_MALFORMED;
    rc = og_fail(err, OG_E_RPC, "the RPCs' heads are more than %d blocks "
                 "apart: %s", OG_RPC_MAX_HEAD_SPREAD, heads);
    goto out;
  }
  snprintf(block, sizeof(block), "0x%llx", (unsigned long long)lo);
  params = call_params(to, data, len, block);
  if(!params) {
    rc = og_fail(err, OG_E_NOMEM, "out of memory");
    goto out;
  }
  call_members(r, ok, "eth_call", params, res, rcs, e);
  json_decref(params);
  for(i = 0; i < r->nsub; i++) {
    og_result c;
    if(!ok[i])
      continue;
    c = rcs[i] ? rcs[i] : call_result(r->sub[i], &ans[i], res[i], &e[i]);
    if(c && r->sub[i]->last.kind == OG_RPC_FAIL_ERROR &&
       r->sub[i]->last.has_data) {
      /* a revert is an answer too: compare its data */
      reverted[i] = 1;
      og_buf_reset(&ans[i]);
      if(og_buf_add(&ans[i], r->sub[i]->last.data, r->sub[i]->last.data_len))
        c = OG_E_NOMEM;
      else
        c = OG_OK;
    }
    if(c) {
      ok[i] = 0;
      name_rpc(failed, sizeof(failed), r->sub[i], e[i].msg);
    }
  }
  /* the largest group of byte-identical answers */
  for(i = 0; i < r->nsub; i++) {
    size_t n = 0;
    if(!ok[i])
      continue;
    for(j = 0; j < r->nsub; j++)
      if(ok[j] && reverted[j] == reverted[i] && ans[j].len == ans[i].len &&
         (ans[i].len == 0 ||
          !memcmp(ans[j].data, ans[i].data, ans[i].len)))
        n++;
    if(n > best_n) {
      best_n = n;
      best = i;
    }
  }
  if(best_n < r->quorum) {
    char dis[OG_ERR_SIZE] = "";
    for(i = 0; i < r->nsub; i++)
      if(ok[i] && (reverted[i] != reverted[best] ||
                   ans[i].len != ans[best].len ||
                   (ans[i].len &&
                    memcmp(ans[i].data, ans[best].data, ans[i].len))))
        name_rpc(dis, sizeof(dis), r->sub[i], "a different answer");
    r->last.kind = OG_RPC_FAIL_MALFORMED;
    rc = og_fail(err, OG_E_RPC, "the RPCs do not agree on the registry at "
                 "block %llu (%zu identical answers of %zu needed): %s%s%s",
                 (unsigned long long)lo, best_n, r->quorum, dis,
                 dis[0] && failed[0] ? "; failed: " : "", failed);
    goto out;
  }
  if(reverted[best]) { /* agreed on a revert: report it as the RPC did */
    r->last = r->sub[best]->last;
    rc = og_fail(err, OG_E_RPC, "the registry call reverted");
    goto out;
  }
  rc = og_buf_add(out, ans[best].data, ans[best].len);
  if(rc)
    rc = og_fail(err, rc == OG_E_TOO_LARGE ? OG_E_RPC : rc,
                 "the eth_call result exceeds %zu bytes", out->max);
out:
  for(i = 0; i < r->nsub; i++)
    og_buf_free(&ans[i]);
  return rc;
}

og_result og_eth_call(og_rpc *r, og_buf *out, const og_address *to,
                      const unsigned char *data, size_t len, og_err *err)
{
  if(r->nsub)
    return eth_call_quorum(r, out, to, data, len, err);
  return eth_call_at(r, out, to, data, len, "latest", err);
}
