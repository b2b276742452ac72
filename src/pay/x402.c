/* x402 v2 framing: decode a 402, choose a requirement, build and sign the
 * PaymentPayload. JSON goes through jansson; the chosen requirement's
 * parsed object is kept and re-serialised (insertion order preserved) so
 * that "accepted" repeats the server's requirement. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "opengradient/og_json.h"
#include "opengradient/og_hex.h"
#include "opengradient/og_x402.h"
#include "opengradient/og_text.h"
#include "core/og_random.h"

struct og_x402_required {
  int version;
  size_t n;
  og_x402_requirement req[OG_X402_MAX_ACCEPTS];
  json_t *accepted[OG_X402_MAX_ACCEPTS];
  char *accepted_text[OG_X402_MAX_ACCEPTS];
  json_t *resource; /* NULL when the 402 had none */
  char error[OG_X402_MAX_ERROR + 1];
  char url[OG_X402_MAX_URL + 1];
};

#define SESSION_SPENT "Session expired or exhausted"

const char *og_x402_kind_name(og_x402_kind kind)
{
  switch(kind) {
  case OG_X402_UPTO:
    return "upto (Permit2)";
  case OG_X402_EXACT_PERMIT2:
    return "exact (Permit2)";
  case OG_X402_EXACT_EIP3009:
    return "exact (EIP-3009)";
  default:
    return "unsupported";
  }
}

/* Copy server text for display (og_text_visible). */
static void sanitise(char *dst, size_t dstsz, const char *src)
{
  (void)og_text_visible(dst, dstsz, src, strlen(src), 0);
}

/* The helpers below take the running result *rc and do nothing once it
 * is set, so that a row of extractions needs one check at the end. */
static void copy_field(og_result *rc, char *dst, size_t dstsz,
                       const char *src, const char *what, og_err *err)
{
  size_t n;
  if(*rc || !src)
    return;
  n = strlen(src);
  if(n >= dstsz) {
    *rc = og_fail(err, OG_E_TOO_LARGE,
                  "payment requirement: %s longer than %zu bytes", what,
                  dstsz - 1);
    return;
  }
  memcpy(dst, src, n + 1);
}

/* A string member: NULL when absent; an error when present with another
 * type (or absent and required). */
static const char *get_str(og_result *rc, const json_t *obj,
                           const char *key, int required, const char *ctx,
                           og_err *err)
{
  json_t *v;
  if(*rc)
    return NULL;
  v = json_object_get(obj, key);
  if(!v || json_is_null(v)) {
    if(required)
      *rc = og_fail(err, OG_E_PARSE, "%s: missing \"%s\"", ctx, key);
    return NULL;
  }
  if(!json_is_string(v)) {
    *rc = og_fail(err, OG_E_PARSE, "%s: \"%s\" is not a string", ctx,
                  key);
    return NULL;
  }
  return json_string_value(v);
}

/* "eip155:N" → N (decimal, no leading zero, non-zero, 64-bit). */
static uint64_t caip2_chain_id(const char *net)
{
  const char *p;
  uint64_t v = 0;
  if(strncmp(net, "eip155:", 7))
    return 0;
  p = net + 7;
  if(!*p || *p == '0')
    return 0;
  for(; *p; p++) {
    if(*p < '0' || *p > '9')
      return 0;
    if(v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
      return 0;
    v = v * 10 + (uint64_t)(*p - '0');
  }
  return v;
}

/* x402 v1 network names for the chains this client knows. */
static const char *v1_network(const char *name)
{
  if(!strcmp(name, "base"))
    return "eip155:8453";
  if(!strcmp(name, "base-sepolia"))
    return "eip155:84532";
  return name;
}

static void parse_addr(og_result *rc, og_address *out, const char *s,
                       const char *what, og_err *err)
{
  if(*rc)
    return;
  if(og_address_from_hex(out, s) != OG_OK)
    *rc = og_fail(err, OG_E_PARSE,
                  "payment requirement: %s is not a valid address", what);
}

/* Fill req from a requirement object (v2 field names; a v1 element has
 * been converted by the caller). */
static og_result parse_requirement(og_x402_requirement *req, json_t *obj,
                                   const char *amount_key, og_err *err)
{
  static const char *ctx = "payment requirement";
  const char *scheme, *network, *amount, *asset, *pay_to;
  const char *fac = NULL, *name = NULL, *version = NULL, *method = NULL;
  json_t *v, *extra;
  og_result r = OG_OK;
  memset(req, 0, sizeof(*req));
  if(!json_is_object(obj))
    return og_fail(err, OG_E_PARSE, "%s is not a JSON object", ctx);
  scheme = get_str(&r, obj, "scheme", 1, ctx, err);
  network = get_str(&r, obj, "network", 1, ctx, err);
  amount = get_str(&r, obj, amount_key, 1, ctx, err);
  asset = get_str(&r, obj, "asset", 1, ctx, err);
  pay_to = get_str(&r, obj, "payTo", 1, ctx, err);
  if(r)
    return r;
  v = json_object_get(obj, "maxTimeoutSeconds");
  if(!json_is_integer(v) || json_integer_value(v) < 0)
    return og_fail(err, OG_E_PARSE,
                   "%s: \"maxTimeoutSeconds\" missing or not a non-negative"
                   " integer", ctx);
  req->max_timeout_seconds = (uint64_t)json_integer_value(v);
  copy_field(&r, req->scheme, sizeof(req->scheme), scheme, "scheme", err);
  copy_field(&r, req->network, sizeof(req->network), network, "network",
             err);
  if(r)
    return r;
  r = og_u256_from_dec(&req->amount, amount, strlen(amount));
  if(r)
    return og_fail(err, r == OG_E_TOO_LARGE ? OG_E_PARSE : r,
                   "%s: amount is not a decimal uint256", ctx);
  extra = json_object_get(obj, "extra");
  if(extra && !json_is_null(extra)) {
    if(!json_is_object(extra))
      return og_fail(err, OG_E_PARSE, "%s: \"extra\" is not an object",
                     ctx);
    fac = get_str(&r, extra, "facilitatorAddress", 0, ctx, err);
    name = get_str(&r, extra, "name", 0, ctx, err);
    version = get_str(&r, extra, "version", 0, ctx, err);
    method = get_str(&r, extra, "assetTransferMethod", 0, ctx, err);
    copy_field(&r, req->name, sizeof(req->name), name, "extra.name", err);
    copy_field(&r, req->version, sizeof(req->version), version,
               "extra.version", err);
    copy_field(&r, req->asset_transfer_method,
               sizeof(req->asset_transfer_method), method,
               "extra.assetTransferMethod", err);
    if(r)
      return r;
  }
  req->chain_id = caip2_chain_id(req->network);
  if(req->chain_id) {
    /* EVM: addresses must parse; other families keep their own forms */
    parse_addr(&r, &req->asset, asset, "asset", err);
    parse_addr(&r, &req->pay_to, pay_to, "payTo", err);
    if(fac) {
      parse_addr(&r, &req->facilitator, fac, "extra.facilitatorAddress",
                 err);
      req->has_facilitator = 1;
    }
    if(r)
      return r;
  }
  if(!strcmp(req->scheme, "upto")) {
    if(!method || !strcmp(method, "permit2"))
      req->kind = OG_X402_UPTO;
  }
  else if(!strcmp(req->scheme, "exact")) {
    if(method && !strcmp(method, "permit2"))
      req->kind = OG_X402_EXACT_PERMIT2;
    else if(!method || !strcmp(method, "eip3009"))
      req->kind = OG_X402_EXACT_EIP3009;
  }
  return OG_OK;
}

/* A v1 element → the v2 requirement object we would echo. */
static og_result v1_to_v2(json_t **out, json_t *el, og_err *err)
{
  static const char *ctx = "payment requirement (v1)";
  const char *scheme, *network, *amount, *asset, *pay_to;
  json_t *o, *extra, *to;
  og_result r = OG_OK;
  *out = NULL;
  if(!json_is_object(el))
    return og_fail(err, OG_E_PARSE, "%s is not a JSON object", ctx);
  scheme = get_str(&r, el, "scheme", 1, ctx, err);
  network = get_str(&r, el, "network", 1, ctx, err);
  amount = get_str(&r, el, "maxAmountRequired", 1, ctx, err);
  asset = get_str(&r, el, "asset", 1, ctx, err);
  pay_to = get_str(&r, el, "payTo", 1, ctx, err);
  if(r)
    return r;
  to = json_object_get(el, "maxTimeoutSeconds");
  if(!json_is_integer(to))
    return og_fail(err, OG_E_PARSE,
                   "%s: \"maxTimeoutSeconds\" missing or not an integer",
                   ctx);
  o = json_object();
  if(!o)
    return OG_E_NOMEM;
  if(json_object_set_new(o, "scheme", json_string(scheme)) ||
     json_object_set_new(o, "network", json_string(v1_network(network))) ||
     json_object_set_new(o, "asset", json_string(asset)) ||
     json_object_set_new(o, "amount", json_string(amount)) ||
     json_object_set_new(o, "payTo", json_string(pay_to)) ||
     json_object_set(o, "maxTimeoutSeconds", to)) {
    json_decref(o);
    return og_fail(err, OG_E_NOMEM, "out of memory");
  }
  extra = json_object_get(el, "extra");
  if(extra && !json_is_null(extra) && json_object_set(o, "extra", extra)) {
    json_decref(o);
    return og_fail(err, OG_E_NOMEM, "out of memory");
  }
  *out = o;
  return OG_OK;
}

static og_result v1_resource(og_x402_required *r, json_t *el, og_err *err)
{
  static const char *ctx = "payment requirement (v1)";
  const char *url, *desc, *mime;
  og_result rc = OG_OK;
  url = get_str(&rc, el, "resource", 0, ctx, err);
  desc = get_str(&rc, el, "description", 0, ctx, err);
  mime = get_str(&rc, el, "mimeType", 0, ctx, err);
  if(rc)
    return rc;
  if(!url)
    return OG_OK;
  r->resource = json_object();
  if(!r->resource ||
     json_object_set_new(r->resource, "url", json_string(url)) ||
     (desc && json_object_set_new(r->resource, "description",
                                  json_string(desc))) ||
     (mime && json_object_set_new(r->resource, "mimeType",
                                  json_string(mime))))
    return og_fail(err, OG_E_NOMEM, "out of memory");
  return OG_OK;
}

void og_x402_required_free(og_x402_required *r)
{
  size_t i;
  if(!r)
    return;
  for(i = 0; i < OG_X402_MAX_ACCEPTS; i++) {
    json_decref(r->accepted[i]);
    free(r->accepted_text[i]);
  }
  json_decref(r->resource);
  free(r);
}

static og_result decode_json(og_x402_required **out, const char *text,
                             size_t len, int header, og_err *err)
{
  const char *what = header ? "PAYMENT-REQUIRED" : "402 body";
  json_error_t jerr;
  json_t *root, *v, *accepts, *el;
  og_x402_required *r;
  og_result rc = OG_OK;
  size_t i;
  root = og_json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
  if(!root)
    return og_fail(err, OG_E_PARSE, "%s: not valid JSON (%s)", what,
                   jerr.text);
  if(!json_is_object(root)) {
    json_decref(root);
    return og_fail(err, OG_E_PARSE, "%s: not a JSON object", what);
  }
  r = calloc(1, sizeof(*r));
  if(!r) {
    json_decref(root);
    return og_fail(err, OG_E_NOMEM, "out of memory");
  }
  v = json_object_get(root, "x402Version");
  if(!json_is_integer(v) ||
     (json_integer_value(v) != 2 &&
      (header || json_integer_value(v) != 1))) {
    rc = og_fail(err, OG_E_PARSE, "%s: x402Version missing or not %s",
                 what, header ? "2" : "1 or 2");
    goto out;
  }
  r->version = (int)json_integer_value(v);
  v = json_object_get(root, "error");
  if(v && !json_is_null(v)) {
    if(!json_is_string(v)) {
      rc = og_fail(err, OG_E_PARSE, "%s: \"error\" is not a string", what);
      goto out;
    }
    sanitise(r->error, sizeof(r->error), json_string_value(v));
  }
  accepts = json_object_get(root, "accepts");
  if(!json_is_array(accepts)) {
    rc = og_fail(err, OG_E_PARSE, "%s: \"accepts\" missing or not a list",
                 what);
    goto out;
  }
  if(json_array_size(accepts) > OG_X402_MAX_ACCEPTS) {
    rc = og_fail(err, OG_E_TOO_LARGE,
                 "%s: more than %d payment requirements", what,
                 OG_X402_MAX_ACCEPTS);
    goto out;
  }
  if(r->version == 2) {
    v = json_object_get(root, "resource");
    if(v && !json_is_null(v)) {
      if(!json_is_object(v)) {
        rc = og_fail(err, OG_E_PARSE, "%s: \"resource\" is not an object",
                     what);
        goto out;
      }
      r->resource = json_incref(v);
    }
  }
  json_array_foreach(accepts, i, el) {
    json_t *obj = el;
    if(r->version == 1) {
      if(i == 0)
        rc = v1_resource(r, el, err);
      if(!rc)
        rc = v1_to_v2(&obj, el, err);
      if(rc)
        goto out;
    }
    else
      json_incref(obj);
    r->accepted[i] = obj;
    rc = parse_requirement(&r->req[i], obj, "amount", err);
    if(rc)
      goto out;
    r->accepted_text[i] = json_dumps(obj, JSON_COMPACT);
    if(!r->accepted_text[i]) {
      rc = og_fail(err, OG_E_NOMEM, "out of memory");
      goto out;
    }
    r->req[i].accepted_json = r->accepted_text[i];
    r->n = i + 1;
  }
  if(r->resource) {
    v = json_object_get(r->resource, "url");
    if(v && !json_is_null(v)) {
      if(!json_is_string(v)) {
        rc = og_fail(err, OG_E_PARSE, "%s: resource.url is not a string",
                     what);
        goto out;
      }
      if(strlen(json_string_value(v)) > OG_X402_MAX_URL) {
        rc = og_fail(err, OG_E_TOO_LARGE, "%s: resource.url too long",
                     what);
        goto out;
      }
      sanitise(r->url, sizeof(r->url), json_string_value(v));
    }
  }
out:
  json_decref(root);
  if(rc) {
    og_x402_required_free(r);
    return rc;
  }
  *out = r;
  return OG_OK;
}

static int is_ows(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

og_result og_x402_decode_header(og_x402_required **out, const char *value,
                                size_t len, og_err *err)
{
  unsigned char *raw;
  size_t rawlen = 0;
  og_result rc;
  *out = NULL;
  while(len && is_ows(value[0])) {
    value++;
    len--;
  }
  while(len && is_ows(value[len - 1]))
    len--;
  if(!len)
    return og_fail(err, OG_E_PARSE, "PAYMENT-REQUIRED: empty");
  if(len > OG_X402_MAX_HEADER)
    return og_fail(err, OG_E_TOO_LARGE,
                   "PAYMENT-REQUIRED: longer than %d bytes",
                   OG_X402_MAX_HEADER);
  raw = malloc(len / 4 * 3 + 3);
  if(!raw)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  rc = og_base64_decode(raw, len / 4 * 3 + 3, &rawlen, value, len);
  if(rc) {
    free(raw);
    return og_fail(err, OG_E_PARSE, "PAYMENT-REQUIRED: not valid base64");
  }
  rc = decode_json(out, (const char *)raw, rawlen, 1, err);
  free(raw);
  return rc;
}

og_result og_x402_decode_body(og_x402_required **out, const char *body,
                              size_t len, og_err *err)
{
  *out = NULL;
  if(len > OG_X402_MAX_BODY)
    return og_fail(err, OG_E_TOO_LARGE, "402 body: longer than %d bytes",
                   OG_X402_MAX_BODY);
  return decode_json(out, body, len, 0, err);
}

int og_x402_required_version(const og_x402_required *r)
{
  return r->version;
}

size_t og_x402_required_count(const og_x402_required *r)
{
  return r->n;
}

const og_x402_requirement *og_x402_required_at(const og_x402_required *r,
                                               size_t i)
{
  return i < r->n ? &r->req[i] : NULL;
}

const char *og_x402_required_error(const og_x402_required *r)
{
  return r->error;
}

const char *og_x402_required_resource_url(const og_x402_required *r)
{
  return r->url;
}

/* ---- policy and selection ---- */

void og_x402_policy_init(og_x402_policy *p)
{
  memset(p, 0, sizeof(*p));
  og_u256_from_dec(&p->max_amount, OG_X402_DEFAULT_MAX,
                   strlen(OG_X402_DEFAULT_MAX));
  og_x402_policy_set_networks(p, OG_X402_DEFAULT_NETWORKS, NULL);
  og_x402_policy_set_assets(p, OG_X402_DEFAULT_ASSETS, NULL);
}

/* The item of a comma-separated list that starts at s, blanks around it
 * trimmed (*item, *len). Returns where the next item starts, or NULL when
 * this was the last. */
static const char *list_next(const char *s, const char **item, size_t *len)
{
  const char *e = strchr(s, ',');
  size_t n = e ? (size_t)(e - s) : strlen(s);
  while(n && (*s == ' ' || *s == '\t')) {
    s++;
    n--;
  }
  while(n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    n--;
  *item = s;
  *len = n;
  return e ? e + 1 : NULL;
}

og_result og_x402_policy_set_assets(og_x402_policy *p, const char *list,
                                    og_err *err)
{
  og_x402_asset as[OG_X402_MAX_ASSETS];
  size_t n = 0, len;
  const char *next = list, *s;
  while(next) {
    char item[128];
    char *colon;
    next = list_next(next, &s, &len);
    if(!len)
      return og_fail(err, OG_E_USAGE, "empty payment asset (expected "
                     "NETWORK:ADDRESS)");
    if(len >= sizeof(item))
      return og_fail(err, OG_E_USAGE, "payment asset too long (expected "
                     "NETWORK:ADDRESS)");
    if(n == OG_X402_MAX_ASSETS)
      return og_fail(err, OG_E_USAGE, "more than %d payment assets",
                     OG_X402_MAX_ASSETS);
    memcpy(item, s, len);
    item[len] = 0;
    colon = strrchr(item, ':');
    if(!colon || (size_t)(colon - item) >= sizeof(as[n].network))
      return og_fail(err, OG_E_USAGE, "'%s' is not NETWORK:ADDRESS "
                     "(e.g. eip155:8453:0x...)", item);
    *colon = 0;
    if(!caip2_chain_id(item))
      return og_fail(err, OG_E_USAGE, "'%s' is not an eip155:<chain id> "
                     "network name", item);
    if(og_address_from_hex(&as[n].asset, colon + 1))
      return og_fail(err, OG_E_USAGE, "'%s' is not a token address (40 hex "
                     "digits, EIP-55 checksum when mixed case)", colon + 1);
    memset(as[n].network, 0, sizeof(as[n].network));
    memcpy(as[n].network, item, (size_t)(colon - item));
    n++;
  }
  memcpy(p->assets, as, n * sizeof(as[0]));
  p->n_assets = n;
  return OG_OK;
}

og_result og_x402_policy_set_networks(og_x402_policy *p, const char *list,
                                      og_err *err)
{
  char nets[OG_X402_MAX_NETWORKS][64];
  size_t n = 0, len;
  const char *next = list, *s;
  while(next) {
    next = list_next(next, &s, &len);
    if(!len)
      return og_fail(err, OG_E_USAGE, "empty network name");
    if(len >= sizeof(nets[0]))
      return og_fail(err, OG_E_USAGE, "network name too long");
    if(n == OG_X402_MAX_NETWORKS)
      return og_fail(err, OG_E_USAGE, "more than %d networks",
                     OG_X402_MAX_NETWORKS);
    memcpy(nets[n], s, len);
    nets[n][len] = 0;
    if(!caip2_chain_id(nets[n]))
      return og_fail(err, OG_E_USAGE,
                     "'%s' is not an eip155:<chain id> network name",
                     nets[n]);
    n++;
  }
  memcpy(p->networks, nets, sizeof(nets));
  p->n_networks = n;
  return OG_OK;
}

og_result og_x402_policy_set_max(og_x402_policy *p, const char *decimal,
                                 og_err *err)
{
  og_u256 v;
  if(og_u256_from_dec(&v, decimal, strlen(decimal)) != OG_OK)
    return og_fail(err, OG_E_USAGE,
                   "'%s' is not a whole number of base units (decimal, "
                   "below 2^256)", decimal);
  p->max_amount = v;
  return OG_OK;
}

static int network_allowed(const og_x402_policy *p, const char *net)
{
  size_t i;
  for(i = 0; i < p->n_networks; i++)
    if(!strcmp(p->networks[i], net))
      return 1;
  return 0;
}

/* 1 when p allows asset a on network net; *any (may be NULL) is set to
 * whether p allows any asset on net. */
static int asset_allowed(const og_x402_policy *p, const char *net,
                         const og_address *a, int *any)
{
  size_t i;
  int found = 0;
  if(any)
    *any = 0;
  for(i = 0; i < p->n_assets; i++) {
    if(strcmp(p->assets[i].network, net))
      continue;
    if(any)
      *any = 1;
    if(!memcmp(p->assets[i].asset.b, a->b, 20))
      found = 1;
  }
  return found;
}

/* Why requirement q cannot be signed under p; NULL when it can. */
static const char *refusal(char *buf, size_t bufsz, unsigned *warn,
                           const og_x402_requirement *q,
                           const og_x402_policy *p)
{
  static const og_address zero;
  char a[OG_U256_DEC_SIZE], m[OG_U256_DEC_SIZE], x[43], y[43];
  *warn = 0;
  if(q->kind == OG_X402_UNSUPPORTED) {
    snprintf(buf, bufsz,
             "scheme '%s'%s%s is not supported (supported: upto, exact with "
             "Permit2 or EIP-3009)", q->scheme,
             q->asset_transfer_method[0] ? " with transfer method " : "",
             q->asset_transfer_method);
    return buf;
  }
  if(!network_allowed(p, q->network) || !q->chain_id) {
    snprintf(buf, bufsz, "network '%s' is not in the allowed networks",
             q->network);
    return buf;
  }
  {
    int any;
    if(!asset_allowed(p, q->network, &q->asset, &any)) {
      og_address_to_checksum(x, &q->asset);
      if(any)
        snprintf(buf, bufsz, "asset %s on network '%s' is not an "
                 OG_X402_ASSET_REFUSAL " for payments", x, q->network);
      else
        snprintf(buf, bufsz, "network '%s' has no " OG_X402_ASSET_REFUSAL
                 " (asked for asset %s)", q->network, x);
      return buf;
    }
  }
  if(og_u256_cmp(&q->amount, &p->max_amount) > 0) {
    og_u256_to_dec(a, &q->amount);
    og_u256_to_dec(m, &p->max_amount);
    snprintf(buf, bufsz, "amount %s exceeds the maximum payment %s", a, m);
    return buf;
  }
  if(q->kind == OG_X402_UPTO && !q->has_facilitator) {
    snprintf(buf, bufsz, "upto requirement without extra.facilitatorAddress");
    return buf;
  }
  if(q->kind == OG_X402_EXACT_EIP3009 && (!q->name[0] || !q->version[0])) {
    snprintf(buf, bufsz, "EIP-3009 requirement without extra.name and "
             "extra.version");
    return buf;
  }
  if(q->max_timeout_seconds < 1 || q->max_timeout_seconds > 3600) {
    snprintf(buf, bufsz, "maxTimeoutSeconds %llu outside 1..3600",
             (unsigned long long)q->max_timeout_seconds);
    return buf;
  }
  if(!memcmp(q->pay_to.b, zero.b, 20)) {
    snprintf(buf, bufsz, "payTo is the zero address");
    return buf;
  }
  if(p->has_payee && memcmp(q->pay_to.b, p->payee.b, 20)) {
    if(p->strict_payee) {
      og_address_to_checksum(x, &q->pay_to);
      og_address_to_checksum(y, &p->payee);
      snprintf(buf, bufsz, "payTo %s is not the TEE's registry payment "
               "address %s (strict payee)", x, y);
      return buf;
    }
    *warn |= OG_X402_WARN_PAYEE;
  }
  return NULL;
}

og_result og_x402_select(size_t *index, unsigned *warnings,
                         const og_x402_required *r, const og_x402_policy *p,
                         og_err *err)
{
  char why[OG_ERR_SIZE], all[OG_ERR_SIZE];
  size_t i, used = 0;
  unsigned w;
  if(warnings)
    *warnings = 0;
  if(!r->n)
    return og_fail(err, OG_E_PAYMENT,
                   "the server offered no payment requirement");
  all[0] = 0;
  for(i = 0; i < r->n; i++) {
    const char *reason = refusal(why, sizeof(why), &w, &r->req[i], p);
    if(!reason) {
      *index = i;
      if(warnings)
        *warnings = w;
      return OG_OK;
    }
    if(used < sizeof(all)) {
      int k = r->n == 1 ?
        snprintf(all + used, sizeof(all) - used, "%s", reason) :
        snprintf(all + used, sizeof(all) - used, "%s[%zu] %s",
                 i ? "; " : "", i, reason);
      if(k > 0)
        used += (size_t)k;
    }
  }
  return og_fail(err, OG_E_PAYMENT, "no acceptable payment requirement: %s",
                 all);
}

/* ---- building the payment ---- */

static og_result sys_random(void *ctx, unsigned char *p, size_t n)
{
  (void)ctx;
  return og_random_bytes(p, n);
}

static json_t *addr_json(const og_address *a)
{
  char s[43];
  og_address_to_checksum(s, a);
  return json_string(s);
}

static json_t *u256_json(const og_u256 *v)
{
  char s[OG_U256_DEC_SIZE];
  og_u256_to_dec(s, v);
  return json_string(s);
}

static json_t *u64_json(uint64_t v)
{
  og_u256 w;
  og_u256_from_u64(&w, v);
  return u256_json(&w);
}

static json_t *sig_json(const og_signature *sig)
{
  char s[2 + 130 + 1];
  s[0] = '0';
  s[1] = 'x';
  og_hex_encode(s + 2, sig->b, 65);
  return json_string(s);
}

/* json_object_set_new that tolerates a NULL value by failing: one flag
 * for a whole object built in a row. */
static void put(int *bad, json_t *o, const char *k, json_t *v)
{
  if(!v || !o || json_object_set_new(o, k, v))
    *bad = 1;
}

static json_t *permit2_payload(int *bad, const og_x402_payment_info *in)
{
  json_t *auth = json_object(), *perm = json_object(), *wit = json_object();
  json_t *pl = json_object();
  put(bad, perm, "token", addr_json(&in->asset));
  put(bad, perm, "amount", u256_json(&in->amount));
  put(bad, wit, "to", addr_json(&in->pay_to));
  if(in->kind == OG_X402_UPTO)
    put(bad, wit, "facilitator", addr_json(&in->facilitator));
  put(bad, wit, "validAfter", u64_json(in->valid_after));
  put(bad, auth, "from", addr_json(&in->from));
  put(bad, auth, "permitted", perm);
  put(bad, auth, "spender", addr_json(&in->spender));
  put(bad, auth, "nonce", u256_json(&in->nonce));
  put(bad, auth, "deadline", u64_json(in->deadline));
  put(bad, auth, "witness", wit);
  put(bad, pl, "permit2Authorization", auth);
  put(bad, pl, "signature", sig_json(&in->signature));
  return pl;
}

static json_t *eip3009_payload(int *bad, const og_x402_payment_info *in)
{
  json_t *auth = json_object(), *pl = json_object();
  char nonce[67];
  og_bytes32 nb;
  memcpy(nb.b, in->nonce.b, 32);
  og_bytes32_to_hex(nonce, &nb);
  put(bad, auth, "from", addr_json(&in->from));
  put(bad, auth, "to", addr_json(&in->pay_to));
  put(bad, auth, "value", u256_json(&in->amount));
  put(bad, auth, "validAfter", u64_json(in->valid_after));
  put(bad, auth, "validBefore", u64_json(in->deadline));
  put(bad, auth, "nonce", json_string(nonce));
  put(bad, pl, "authorization", auth);
  put(bad, pl, "signature", sig_json(&in->signature));
  return pl;
}

og_result og_x402_build_payment(og_buf *header, og_buf *json,
                                og_x402_payment_info *info,
                                const og_x402_required *r, size_t index,
                                const og_privkey *key,
                                const og_x402_sign_opts *opts, og_err *err)
{
  const og_x402_requirement *q;
  og_x402_payment_info in;
  og_x402_random_fn rnd = sys_random;
  void *rctx = NULL;
  uint64_t now;
  unsigned char rb[32];
  json_t *root = NULL, *pl;
  char *text = NULL, *b64 = NULL;
  size_t tlen;
  int bad = 0;
  og_result rc;

  og_buf_reset(header);
  if(json)
    og_buf_reset(json);
  if(index >= r->n)
    return og_fail(err, OG_E_USAGE, "no payment requirement %zu", index);
  q = &r->req[index];
  if(q->kind == OG_X402_UNSUPPORTED || !q->chain_id)
    return og_fail(err, OG_E_PAYMENT, "cannot sign scheme '%s' on '%s'",
                   q->scheme, q->network);
  if(q->kind == OG_X402_UPTO && !q->has_facilitator)
    return og_fail(err, OG_E_PAYMENT,
                   "upto requirement without extra.facilitatorAddress");
  if(q->kind == OG_X402_EXACT_EIP3009 && (!q->name[0] || !q->version[0]))
    return og_fail(err, OG_E_PAYMENT,
                   "EIP-3009 requirement without extra.name/version");
  now = opts && opts->now ? opts->now : (uint64_t)time(NULL);
  if(opts && opts->random) {
    rnd = opts->random;
    rctx = opts->random_ctx;
  }
  if(q->max_timeout_seconds > UINT64_MAX - now)
    return og_fail(err, OG_E_PAYMENT, "maxTimeoutSeconds too large");

  memset(&in, 0, sizeof(in));
  in.kind = q->kind;
  memcpy(in.scheme, q->scheme, sizeof(in.scheme));
  memcpy(in.network, q->network, sizeof(in.network));
  in.chain_id = q->chain_id;
  in.asset = q->asset;
  in.pay_to = q->pay_to;
  in.amount = q->amount;
  in.deadline = now + q->max_timeout_seconds;
  rc = og_privkey_address(&in.from, key);
  if(rc)
    return og_fail(err, rc, "cannot derive the wallet address");
  rc = rnd(rctx, rb, sizeof(rb));
  if(rc)
    return og_fail(err, rc, "no random bytes for the payment nonce");
  memcpy(in.nonce.b, rb, 32);

  if(q->kind == OG_X402_EXACT_EIP3009) {
    og_eip3009_transfer t;
    t.from = in.from;
    t.to = in.pay_to;
    t.value = in.amount;
    og_u256_from_u64(&t.valid_after, 0);
    og_u256_from_u64(&t.valid_before, in.deadline);
    memcpy(t.nonce.b, rb, 32);
    og_eip3009_digest(&in.digest, q->name, q->version, q->chain_id,
                      &q->asset, &t);
  }
  else {
    og_permit2_transfer t;
    og_permit2_kind kind = q->kind == OG_X402_UPTO ? OG_PERMIT2_UPTO :
                                                     OG_PERMIT2_EXACT;
    /* validAfter = now - 600 (the OpenGradient client's rule): the
     * facilitator requires validAfter <= its clock, and ten minutes of
     * slack keeps a client clock that runs ahead from being refused,
     * while the authorisation still does not predate its creation by
     * more than that. 0 (the @x402/evm rule) is accepted as well. */
    in.valid_after = (opts && opts->valid_after_zero) || now < 600 ?
                     0 : now - 600;
    in.spender = kind == OG_PERMIT2_UPTO ? og_x402_upto_proxy :
                                           og_x402_exact_proxy;
    memset(&t, 0, sizeof(t));
    t.token = in.asset;
    t.amount = in.amount;
    t.spender = in.spender;
    t.nonce = in.nonce;
    og_u256_from_u64(&t.deadline, in.deadline);
    t.to = in.pay_to;
    if(kind == OG_PERMIT2_UPTO) {
      t.facilitator = q->facilitator;
      in.facilitator = q->facilitator;
      in.has_facilitator = 1;
    }
    og_u256_from_u64(&t.valid_after, in.valid_after);
    og_permit2_digest(&in.digest, q->chain_id, &t, kind);
  }
  og_wipe(rb, sizeof(rb));
  rc = og_secp_sign(&in.signature, &in.digest, key);
  if(rc)
    return og_fail(err, rc, "signing the payment failed");

  root = json_object();
  put(&bad, root, "x402Version", json_integer(2));
  pl = q->kind == OG_X402_EXACT_EIP3009 ? eip3009_payload(&bad, &in) :
                                          permit2_payload(&bad, &in);
  put(&bad, root, "payload", pl);
  put(&bad, root, "accepted", json_incref(r->accepted[index]));
  if(r->resource)
    put(&bad, root, "resource", json_incref(r->resource));
  if(!bad)
    text = json_dumps(root, JSON_COMPACT);
  json_decref(root);
  if(!text)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  tlen = strlen(text);
  if(tlen > OG_X402_MAX_PAYMENT / 4 * 3) {
    free(text);
    return og_fail(err, OG_E_TOO_LARGE, "payment payload too large");
  }
  b64 = malloc(4 * ((tlen + 2) / 3) + 1);
  if(!b64) {
    free(text);
    return og_fail(err, OG_E_NOMEM, "out of memory");
  }
  og_base64_encode(b64, (const unsigned char *)text, tlen);
  rc = og_buf_addstr(header, b64);
  if(!rc && json)
    rc = og_buf_add(json, text, tlen);
  free(text);
  free(b64);
  if(rc) {
    og_buf_free(header);
    if(json)
      og_buf_free(json);
    return og_fail(err, rc, "payment header does not fit");
  }
  if(info)
    *info = in;
  return OG_OK;
}

og_result og_x402_describe(og_buf *out, const og_x402_payment_info *in)
{
  char amount[OG_U256_DEC_SIZE], asset[43], pay_to[43], from[43], fac[43];
  og_address_to_checksum(asset, &in->asset);
  og_address_to_checksum(pay_to, &in->pay_to);
  og_address_to_checksum(from, &in->from);
  og_address_to_checksum(fac, &in->facilitator);
  og_u256_to_dec(amount, &in->amount);
  return og_buf_printf(out,
    "signed x402 %s payment: %s %s base units of token %s on %s "
    "(chain %llu) to %s from %s%s%s, valid after %llu, deadline %llu",
    og_x402_kind_name(in->kind),
    in->kind == OG_X402_UPTO ? "up to" : "exactly", amount, asset,
    in->network, (unsigned long long)in->chain_id, pay_to, from,
    in->has_facilitator ? ", facilitator " : "",
    in->has_facilitator ? fac : "",
    (unsigned long long)in->valid_after, (unsigned long long)in->deadline);
}

/* ---- reading a second 402 ---- */

void og_x402_classify_402(og_x402_status *status, char *reason,
                          size_t reason_size, const char *header,
                          size_t header_len, const char *body,
                          size_t body_len)
{
  og_x402_required *r = NULL;
  const char *body_error = NULL;
  json_t *root = NULL;
  char tmp[OG_X402_MAX_ERROR + 1];

  *status = OG_X402_STATUS_REJECTED;
  tmp[0] = 0;
  if(body && body_len && body_len <= OG_X402_MAX_BODY) {
    root = og_json_loadb(body, body_len, 0, NULL);
    if(json_is_object(root)) {
      json_t *e = json_object_get(root, "error");
      if(json_is_string(e))
        body_error = json_string_value(e);
    }
    if(body_error && !strcmp(body_error, SESSION_SPENT)) {
      *status = OG_X402_STATUS_SESSION;
      sanitise(tmp, sizeof(tmp), SESSION_SPENT);
      goto done;
    }
  }
  if((header && header_len &&
      og_x402_decode_header(&r, header, header_len, NULL) == OG_OK) ||
     (json_is_object(root) && json_object_get(root, "accepts") &&
      og_x402_decode_body(&r, body, body_len, NULL) == OG_OK)) {
    const char *e = og_x402_required_error(r);
    if(!e[0] || !strcmp(e, "Payment required"))
      *status = OG_X402_STATUS_REQUIRED;
    sanitise(tmp, sizeof(tmp), e[0] ? e : "Payment required");
  }
  else if(body_error)
    sanitise(tmp, sizeof(tmp), body_error);
  else if(header && header_len)
    sanitise(tmp, sizeof(tmp), "402 with an unreadable PAYMENT-REQUIRED");
  else
    sanitise(tmp, sizeof(tmp), "402 without a payment requirement");
done:
  og_x402_required_free(r);
  json_decref(root);
  if(reason && reason_size)
    sanitise(reason, reason_size, tmp);
}
