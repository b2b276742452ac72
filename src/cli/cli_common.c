/* Option checks shared by the registry commands. Everything here runs
 * before any network access, so bad input is always exit 1. */
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "opengradient/og_hex.h"

int cli_rpc_urls(cli *c, const char *const **urls, size_t *n,
                 size_t *quorum)
{
  static const char *list[OG_RPC_MAX_URLS];
  static char *env_copy;
  const cli_value *v = &c->opt[OPT_RPC_URL];
  size_t k = 0;
  int i;
  if(v->set && v->from_env && strchr(v->value, ',')) {
    char *save = NULL, *t;
    free(env_copy);
    env_copy = strdup(v->value);
    if(!env_copy)
      return cli_error(c, OG_E_NOMEM, "out of memory");
    for(t = strtok_r(env_copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
      while(*t == ' ')
        t++;
      if(!*t)
        continue;
      if(k == OG_RPC_MAX_URLS)
        return cli_error(c, OG_E_USAGE, "OG_RPC_URL: at most %d RPCs",
                         OG_RPC_MAX_URLS);
      list[k++] = t;
    }
  }
  else if(v->set && !v->from_env && v->nmulti > 1) {
    if(v->nmulti > OG_RPC_MAX_URLS)
      return cli_error(c, OG_E_USAGE, "--rpc-url: at most %d RPCs",
                       OG_RPC_MAX_URLS);
    for(i = 0; i < v->nmulti; i++)
      list[k++] = v->multi[i];
  }
  else
    list[k++] = cli_opt_str(c, OPT_RPC_URL, NULL);
  if(!k)
    return cli_error(c, OG_E_USAGE, "--rpc-url: no RPC URL given");
  *urls = list;
  *n = k;
  *quorum = k;
  if(cli_has(c, OPT_RPC_QUORUM)) {
    const char *q = cli_opt_str(c, OPT_RPC_QUORUM, NULL);
    char *end;
    long x = strtol(q, &end, 10);
    if(!*q || *end || x < 1 || (size_t)x > k)
      return cli_error(c, OG_E_USAGE, "--rpc-quorum: '%s' is not a number "
                       "from 1 to %zu (the number of --rpc-url given)", q, k);
    *quorum = (size_t)x;
  }
  return 0;
}

int cli_registry_check(cli *c, cli_registry *reg)
{
  const char *addr = cli_opt_str(c, OPT_REGISTRY, NULL);
  const char *type = cli_opt_str(c, OPT_TEE_TYPE, "0");
  const char *url = cli_opt_str(c, OPT_RPC_URL, NULL);
  og_err err;
  char *end;
  long t;
  int i;
  memset(reg, 0, sizeof(*reg));
  og_err_clear(&err);
  if(og_address_from_hex(&reg->address, addr))
    return cli_error(c, OG_E_USAGE, "--registry: '%s' is not a contract "
                     "address (0x + 40 hex digits, valid EIP-55 if mixed "
                     "case)", addr);
  og_address_to_checksum(reg->address_text, &reg->address);
  t = strtol(type, &end, 10);
  if(!*type || *end || t < 0 || t > 255)
    return cli_error(c, OG_E_USAGE, "--tee-type: '%s' is not a number from "
                     "0 to 255", type);
  reg->tee_type = (uint8_t)t;
  for(i = 0; i < c->opt[OPT_REQUIRE_PCR].nmulti; i++) {
    if(og_bytes32_from_hex(&reg->pcr_allow[i],
                           c->opt[OPT_REQUIRE_PCR].multi[i]))
      return cli_error(c, OG_E_USAGE, "--require-pcr: '%s' is not a 32-byte "
                       "hash (64 hex digits)",
                       c->opt[OPT_REQUIRE_PCR].multi[i]);
    reg->n_pcr_allow++;
  }
  {
    const char *const *urls;
    size_t n, q, k;
    int rc = cli_rpc_urls(c, &urls, &n, &q);
    if(rc)
      return rc;
    for(k = 0; k < n; k++) {
      url = urls[k];
      if(og_rpc_check_url(url, cli_has(c, OPT_ALLOW_INSECURE_RPC), &err))
        return cli_error(c, OG_E_USAGE, "--rpc-url: %s%s", err.msg,
                         strstr(err.msg, "plain http://") ?
                         ", or --allow-insecure-rpc" : "");
    }
  }
  return 0;
}

int cli_registry_open(cli *c, cli_registry *reg)
{
  og_rpc_opts o;
  og_err err;
  og_result r;
  int rc = cli_registry_check(c, reg);
  if(rc)
    return rc;
  memset(&o, 0, sizeof(o));
  o.url = cli_opt_str(c, OPT_RPC_URL, NULL);
  rc = cli_rpc_urls(c, &o.urls, &o.n_urls, &o.quorum);
  if(rc)
    return rc;
  o.allow_insecure = cli_has(c, OPT_ALLOW_INSECURE_RPC);
  o.timeout_ms = c->timeout_ms;
  o.max_time_ms = c->max_time_ms;
  og_err_clear(&err);
  r = og_rpc_new(&reg->rpc, &o, &err);
  if(r)
    return cli_fail(c, r, &err);
  cli_verbose(c, "registry %s on %s%s, TEE type %u", reg->address_text,
              o.url, o.n_urls > 1 ? " and the other RPCs (quorum)" : "",
              (unsigned)reg->tee_type);
  return 0;
}

void cli_registry_close(cli_registry *reg)
{
  og_rpc_free(reg->rpc);
  reg->rpc = NULL;
}

int cli_tee_usable(cli *c, cli_registry *reg, og_tee_list *list,
                   const og_tee **usable, og_tee_check *checks,
                   size_t *n_usable, int need_one)
{
  og_err err;
  og_result r;
  size_t i;
  og_err_clear(&err);
  r = og_registry_get_active(reg->rpc, list, &reg->address, reg->tee_type,
                             &err);
  if(r)
    return cli_fail(c, r, &err);
  *n_usable = 0;
  for(i = 0; i < list->count; i++) {
    const og_tee *t = &list->items[i];
    og_tee_check chk;
    char id[67];
    og_tee_check_entry(&chk, t);
    og_bytes32_to_hex(id, &t->id);
    if(!chk.usable) {
      cli_verbose(c, "skipping TEE %s: %s", id, chk.reason);
      continue;
    }
    if(!cli_pcr_allowed(reg, &t->pcr_hash)) {
      cli_verbose(c, "skipping TEE %s: pcrHash not in --require-pcr", id);
      continue;
    }
    if(chk.cert_expired)
      cli_warn(c, "TEE %s: its TLS certificate has expired", id);
    usable[*n_usable] = t;
    if(checks)
      checks[*n_usable] = chk;
    (*n_usable)++;
  }
  if(need_one && !*n_usable)
    return cli_error(c, OG_E_NO_TEE, "no usable active TEE of type %u in "
                     "registry %s", (unsigned)reg->tee_type,
                     reg->address_text);
  return 0;
}

int cli_tee_by_id(cli *c, cli_registry *reg, const char *id_text,
                  og_tee_list *list, const og_tee **chosen)
{
  og_bytes32 id;
  og_tee_select_opts so;
  og_err err;
  og_result r;
  og_err_clear(&err);
  memset(&so, 0, sizeof(so));
  r = og_tee_id_parse(&id, id_text, &err);
  if(r)
    return cli_error(c, r, "TEE id '%s': %s", id_text, err.msg);
  so.tee_id = &id;
  so.tee_type = reg->tee_type;
  so.pcr_allow = reg->pcr_allow;
  so.pcr_allow_len = reg->n_pcr_allow;
  r = og_registry_select(reg->rpc, list, chosen, &reg->address, &so, &err);
  return r ? cli_fail(c, r, &err) : 0;
}

int cli_pcr_allowed(const cli_registry *reg, const og_bytes32 *pcr)
{
  size_t i;
  if(!reg->n_pcr_allow)
    return 1;
  for(i = 0; i < reg->n_pcr_allow; i++)
    if(!memcmp(reg->pcr_allow[i].b, pcr->b, 32))
      return 1;
  return 0;
}

void cli_endpoint_url(char *out, size_t n, const char *endpoint,
                      const char *path)
{
  size_t len = strlen(endpoint);
  if(len && endpoint[len - 1] == '/')
    len--;
  snprintf(out, n, "%.*s%s", (int)len, endpoint, path);
}
