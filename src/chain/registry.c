/*
 * The TEERegistry client: eth_call reads, entry checks and TEE choice.
 * Certificates are parsed here (when a TEE is listed or used), never in
 * the ABI decoder.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "opengradient/og_hex.h"
#include "opengradient/og_registry_client.h"
#include "core/og_random.h"

static void put_sel(unsigned char *p, uint32_t sel)
{
  p[0] = (unsigned char)(sel >> 24);
  p[1] = (unsigned char)(sel >> 16);
  p[2] = (unsigned char)(sel >> 8);
  p[3] = (unsigned char)sel;
}

static int revert_is(const og_rpc *r, uint32_t sel)
{
  const og_rpc_error *e = og_rpc_last_error(r);
  unsigned char s[4];
  put_sel(s, sel);
  return e->kind == OG_RPC_FAIL_ERROR && e->has_data && e->data_len >= 4 &&
         !memcmp(e->data, s, 4);
}

og_result og_registry_fetch_active(og_rpc *r, og_buf *out,
                                   const og_address *registry,
                                   uint8_t tee_type, og_err *err)
{
  unsigned char cd[36];
  og_err e;
  og_result rc;
  memset(cd, 0, sizeof(cd));
  put_sel(cd, OG_SEL_GET_ACTIVE_TEES);
  cd[35] = tee_type;
  og_err_clear(&e);
  rc = og_eth_call(r, out, registry, cd, sizeof(cd), &e);
  if(rc)
    return og_fail(err, rc, "reading getActiveTEEs(%u) from the registry: %s",
                   tee_type, e.msg);
  return OG_OK;
}

/* eth_call answered "0x": there is no contract at that address on that
 * chain (an empty reply is never a registry answer). */
static og_result no_contract(const og_rpc *r, const og_address *registry,
                             const char *method, og_err *err)
{
  char addr[43], origin[256];
  og_address_to_checksum(addr, registry);
  og_rpc_origin(r, origin, sizeof(origin));
  return og_fail(err, OG_E_RPC, "no contract answers at the registry "
                 "address %s on the RPC %s (%s returned no data): check "
                 "the registry address and that the RPC is the registry's "
                 "chain", addr, origin, method);
}

/* A reply we cannot decode means the registry could not be read; it is
 * never taken as "no TEEs". */
static og_result decode_fail(og_result rc, const char *method,
                             const og_err *e, og_err *err)
{
  if(rc == OG_E_NOMEM || rc == OG_E_INTERNAL)
    return og_fail(err, rc, "%s", e->msg);
  return og_fail(err, OG_E_RPC, "the registry's %s reply is malformed: %s",
                 method, e->msg);
}

og_result og_registry_get_active(og_rpc *r, og_tee_list *list,
                                 const og_address *registry, uint8_t tee_type,
                                 og_err *err)
{
  og_buf raw;
  og_err e;
  og_result rc;
  memset(list, 0, sizeof(*list));
  og_buf_init(&raw, OG_REGISTRY_MAX_REPLY);
  rc = og_registry_fetch_active(r, &raw, registry, tee_type, err);
  if(rc) {
    og_buf_free(&raw);
    return rc;
  }
  if(!raw.len) {
    og_buf_free(&raw);
    return no_contract(r, registry, "getActiveTEEs", err);
  }
  og_err_clear(&e);
  rc = og_registry_decode_tees(list, raw.data, raw.len, &e);
  og_buf_free(&raw);
  if(rc)
    return decode_fail(rc, "getActiveTEEs", &e, err);
  og_tee_list_compute_ids(list);
  return OG_OK;
}

static void id_calldata(unsigned char cd[36], uint32_t sel,
                        const og_bytes32 *id)
{
  put_sel(cd, sel);
  memcpy(cd + 4, id->b, 32);
}

og_result og_registry_get_tee(og_rpc *r, og_tee_list *list,
                              const og_address *registry, const og_bytes32 *id,
                              og_err *err)
{
  unsigned char cd[36];
  char idhex[67];
  og_buf raw;
  og_err e;
  og_result rc;
  memset(list, 0, sizeof(*list));
  og_bytes32_to_hex(idhex, id);
  id_calldata(cd, OG_SEL_GET_TEE, id);
  og_buf_init(&raw, OG_REGISTRY_MAX_REPLY);
  og_err_clear(&e);
  rc = og_eth_call(r, &raw, registry, cd, sizeof(cd), &e);
  if(rc) {
    og_buf_free(&raw);
    if(rc == OG_E_RPC && revert_is(r, OG_SEL_TEE_NOT_FOUND))
      return og_fail(err, OG_E_NO_TEE, "the registry does not know TEE %s",
                     idhex);
    return og_fail(err, rc, "reading getTEE(%s) from the registry: %s",
                   idhex, e.msg);
  }
  if(!raw.len) {
    og_buf_free(&raw);
    return no_contract(r, registry, "getTEE", err);
  }
  rc = og_registry_decode_tee(list, raw.data, raw.len, &e);
  og_buf_free(&raw);
  if(rc)
    return decode_fail(rc, "getTEE", &e, err);
  og_tee_list_compute_ids(list);
  if(list->count != 1 || memcmp(list->items[0].id.b, id->b, 32)) {
    og_tee_list_free(list);
    return og_fail(err, OG_E_RPC, "the registry answered getTEE(%s) with "
                   "another TEE", idhex);
  }
  return OG_OK;
}

og_result og_registry_is_active(og_rpc *r, int *active,
                                const og_address *registry,
                                const og_bytes32 *id, og_err *err)
{
  unsigned char cd[36], zero[31];
  og_buf raw;
  og_err e;
  og_result rc;
  *active = 0;
  id_calldata(cd, OG_SEL_IS_TEE_ACTIVE, id);
  og_buf_init(&raw, 64);
  og_err_clear(&e);
  rc = og_eth_call(r, &raw, registry, cd, sizeof(cd), &e);
  if(rc) {
    og_buf_free(&raw);
    return og_fail(err, rc, "reading isTEEActive from the registry: %s",
                   e.msg);
  }
  if(!raw.len) {
    og_buf_free(&raw);
    return no_contract(r, registry, "isTEEActive", err);
  }
  memset(zero, 0, sizeof(zero));
  if(raw.len != 32 || memcmp(raw.data, zero, 31) || raw.data[31] > 1) {
    og_buf_free(&raw);
    return og_fail(err, OG_E_RPC, "the registry's isTEEActive reply is not "
                   "a bool");
  }
  *active = raw.data[31];
  og_buf_free(&raw);
  return OG_OK;
}

/* ---- checks ------------------------------------------------------- */

static int check_endpoint(char *reason, size_t rsz, const og_tee *t)
{
  CURLU *u;
  char *scheme = NULL, *host = NULL;
  size_t i;
  int ok = 0;
  if(!t->endpoint || !t->endpoint_len) {
    snprintf(reason, rsz, "endpoint is empty");
    return 0;
  }
  if(strlen(t->endpoint) != t->endpoint_len) {
    snprintf(reason, rsz, "endpoint contains a NUL byte");
    return 0;
  }
  for(i = 0; i < t->endpoint_len; i++) {
    unsigned char c = (unsigned char)t->endpoint[i];
    if(c <= 0x20 || c >= 0x7f) {
      snprintf(reason, rsz, "endpoint contains a space, control or "
               "non-ASCII character");
      return 0;
    }
  }
  u = curl_url();
  if(!u) {
    snprintf(reason, rsz, "out of memory");
    return 0;
  }
  if(curl_url_set(u, CURLUPART_URL, t->endpoint, 0) ||
     curl_url_get(u, CURLUPART_SCHEME, &scheme, 0))
    snprintf(reason, rsz, "endpoint is not a valid URL");
  else if(strcasecmp(scheme, "https"))
    snprintf(reason, rsz, "endpoint is not an https:// URL");
  else if(curl_url_get(u, CURLUPART_HOST, &host, 0) || !host || !*host)
    snprintf(reason, rsz, "endpoint has no host");
  else
    ok = 1;
  curl_free(scheme);
  curl_free(host);
  curl_url_cleanup(u);
  return ok;
}

void og_tee_check_entry(og_tee_check *out, const og_tee *t)
{
  const unsigned char *p;
  X509 *cert = NULL;
  EVP_PKEY *key = NULL;
  unsigned int n = 32;
  memset(out, 0, sizeof(*out));
  /* The hash of whatever the registry holds (of "" when empty), as the
   * listing prints it. */
  if(EVP_Digest(t->tls_cert_len ? t->tls_cert : (const unsigned char *)"",
                t->tls_cert_len, out->cert_sha256, &n, EVP_sha256(), NULL))
    og_hex_encode(out->cert_sha256_hex, out->cert_sha256, 32);
  out->has_cert_sha256 = t->tls_cert && t->tls_cert_len;
  if(!check_endpoint(out->reason, sizeof(out->reason), t))
    return;
  if(!t->tls_cert || !t->tls_cert_len) {
    snprintf(out->reason, sizeof(out->reason), "no TLS certificate");
    return;
  }
  if(t->tls_cert_len > OG_TEE_MAX_CERT || t->tls_cert_len > LONG_MAX) {
    snprintf(out->reason, sizeof(out->reason), "TLS certificate too large");
    return;
  }
  p = t->tls_cert;
  cert = d2i_X509(NULL, &p, (long)t->tls_cert_len);
  if(!cert || p != t->tls_cert + t->tls_cert_len) {
    snprintf(out->reason, sizeof(out->reason), cert ?
             "TLS certificate has trailing bytes after the DER X.509" :
             "TLS certificate is not DER X.509");
    X509_free(cert);
    return;
  }
  /* The pin is the identity; dates are reported, not enforced. */
  if(X509_cmp_current_time(X509_get0_notAfter(cert)) < 0)
    out->cert_expired = 1;
  if(X509_cmp_current_time(X509_get0_notBefore(cert)) > 0)
    out->cert_not_yet_valid = 1;
  X509_free(cert);
  /* Usable is exactly the contract's: an https endpoint and a DER X.509
   * certificate. The signing key is only checked when an answer is
   * verified (a bad key then fails verification, exit 6), so
   * --no-verify can still reach such a TEE. */
  p = t->public_key;
  key = t->public_key_len && t->public_key_len <= OG_TEE_MAX_PUBKEY ?
        d2i_PUBKEY(NULL, &p, (long)t->public_key_len) : NULL;
  out->key_ok = key && p == t->public_key + t->public_key_len;
  EVP_PKEY_free(key);
  out->usable = 1;
}

og_result og_tee_id_parse(og_bytes32 *out, const char *text, og_err *err)
{
  if(!text || og_bytes32_from_hex(out, text) != OG_OK)
    return og_fail(err, OG_E_USAGE, "expected 64 hex digits "
                   "(optionally 0x-prefixed)");
  return OG_OK;
}

/* ---- choice ------------------------------------------------------- */

static int pcr_allowed(const og_tee_select_opts *o, const og_tee *t)
{
  size_t i;
  if(!o->pcr_allow || !o->pcr_allow_len)
    return 1;
  for(i = 0; i < o->pcr_allow_len; i++)
    if(!memcmp(o->pcr_allow[i].b, t->pcr_hash.b, 32))
      return 1;
  return 0;
}

/* Why t cannot be used under o, written into reason; 0 when it can. */
static int unusable(char *reason, size_t rsz, const og_tee_select_opts *o,
                    const og_tee *t)
{
  og_tee_check c;
  if(t->tee_type != o->tee_type) {
    snprintf(reason, rsz, "it is of TEE type %u, not %u", t->tee_type,
             o->tee_type);
    return 1;
  }
  og_tee_check_entry(&c, t);
  if(!c.usable) {
    snprintf(reason, rsz, "%s", c.reason);
    return 1;
  }
  if(!pcr_allowed(o, t)) {
    snprintf(reason, rsz, "its pcrHash is not one of the allowed values");
    return 1;
  }
  return 0;
}

static og_result random_below(size_t *out, size_t n)
{
  uint64_t v, lim;
  if(n <= 1) {
    *out = 0;
    return OG_OK;
  }
  /* Rejection sampling for a uniform pick. */
  lim = UINT64_MAX - UINT64_MAX % n;
  do {
    if(og_random_bytes(&v, sizeof(v)))
      return OG_E_CRYPTO;
  } while(v >= lim);
  *out = (size_t)(v % n);
  return OG_OK;
}

og_result og_tee_select(const og_tee **chosen, const og_tee_list *list,
                        const og_tee_select_opts *o, og_err *err)
{
  char reason[192], idhex[67], first[192];
  size_t i, nusable = 0, pick, k;
  *chosen = NULL;
  first[0] = '\0';
  if(o->tee_id) {
    og_bytes32_to_hex(idhex, o->tee_id);
    for(i = 0; i < list->count; i++) {
      const og_tee *t = &list->items[i];
      if(memcmp(t->id.b, o->tee_id->b, 32))
        continue;
      if(unusable(reason, sizeof(reason), o, t))
        return og_fail(err, OG_E_NO_TEE, "TEE %s cannot be used: %s", idhex,
                       reason);
      *chosen = t;
      return OG_OK;
    }
    return og_fail(err, OG_E_NO_TEE, "TEE %s is not among the active TEEs "
                   "of type %u", idhex, o->tee_type);
  }
  for(i = 0; i < list->count; i++) {
    const og_tee *t = &list->items[i];
    if(unusable(reason, sizeof(reason), o, t)) {
      if(o->on_skip)
        o->on_skip(o->user, t, reason);
      if(!first[0]) {
        og_bytes32_to_hex(idhex, &t->id);
        snprintf(first, sizeof(first), "%.18s...: %.150s", idhex, reason);
      }
      continue;
    }
    nusable++;
  }
  if(!list->count)
    return og_fail(err, OG_E_NO_TEE, "the registry lists no active TEE of "
                   "type %u", o->tee_type);
  if(!nusable)
    return og_fail(err, OG_E_NO_TEE, "none of the %zu active TEEs of type %u "
                   "is usable (first: %s)", list->count, o->tee_type, first);
  if(random_below(&pick, nusable))
    return og_fail(err, OG_E_CRYPTO, "getrandom failed");
  for(i = 0, k = 0; i < list->count; i++) {
    if(unusable(reason, sizeof(reason), o, &list->items[i]))
      continue;
    if(k++ == pick) {
      *chosen = &list->items[i];
      return OG_OK;
    }
  }
  return og_fail(err, OG_E_INTERNAL, "TEE choice lost its pick");
}

og_result og_registry_select(og_rpc *r, og_tee_list *list,
                             const og_tee **chosen, const og_address *registry,
                             const og_tee_select_opts *o, og_err *err)
{
  og_result rc;
  char idhex[67], reason[192];
  int active = 0;
  *chosen = NULL;
  if(!o->tee_id) {
    rc = og_registry_get_active(r, list, registry, o->tee_type, err);
    if(rc)
      return rc;
    return og_tee_select(chosen, list, o, err);
  }
  og_bytes32_to_hex(idhex, o->tee_id);
  rc = og_registry_get_tee(r, list, registry, o->tee_id, err);
  if(rc)
    return rc;
  rc = og_registry_is_active(r, &active, registry, o->tee_id, err);
  if(rc)
    return rc;
  if(!active)
    return og_fail(err, OG_E_NO_TEE, "TEE %s is not active (%s)", idhex,
                   list->items[0].enabled ? "enabled, but its heartbeat is "
                   "stale or its PCR is no longer approved" : "disabled");
  if(unusable(reason, sizeof(reason), o, &list->items[0]))
    return og_fail(err, OG_E_NO_TEE, "TEE %s cannot be used: %s", idhex,
                   reason);
  *chosen = &list->items[0];
  return OG_OK;
}
