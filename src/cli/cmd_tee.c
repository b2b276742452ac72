/* `tee list`, `tee show ID`, `tee check [ID]`: the registry's view of the
 * TEEs, and a pinned /health probe of each (all probes run concurrently on
 * one transport). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_common.h"
#include "opengradient/og_hex.h"
#include "opengradient/og_http.h"
#include "opengradient/og_registry_client.h"

/* One TEE as the JSON object of the contract. */
static json_t *tee_json(const og_tee *t, const og_tee_check *chk)
{
  char id[67], pcr[67], pay[43], owner[43];
  og_bytes32_to_hex(id, &t->id);
  og_bytes32_to_hex(pcr, &t->pcr_hash);
  og_address_to_checksum(pay, &t->payment_address);
  og_address_to_checksum(owner, &t->owner);
  return json_pack("{s:s,s:s%,s:s,s:s,s:s?,s:s,s:i,s:b,s:I,s:I}",
                   "id", id, "endpoint", t->endpoint, t->endpoint_len,
                   "payment_address", pay, "owner", owner,
                   "tls_cert_sha256",
                   chk->has_cert_sha256 ? chk->cert_sha256_hex : NULL,
                   "pcr_hash", pcr, "tee_type", (int)t->tee_type,
                   "enabled", t->enabled,
                   "registered_at", (json_int_t)t->registered_at,
                   "last_heartbeat_at", (json_int_t)t->last_heartbeat_at);
}

static void fmt_time(char *out, size_t n, uint64_t t)
{
  time_t tt = (time_t)t;
  struct tm tm;
  long age = (long)(time(NULL) - tt);
  if(!gmtime_r(&tt, &tm)) {
    snprintf(out, n, "%llu", (unsigned long long)t);
    return;
  }
  strftime(out, n, "%Y-%m-%d %H:%M:%S UTC", &tm);
  if(age >= 0 && strlen(out) + 24 < n)
    snprintf(out + strlen(out), n - strlen(out), " (%ld s ago)", age);
}

static void print_tee_human(cli *c, const og_tee *t, const og_tee_check *chk,
                            int active_known, int active)
{
  char id[67], pcr[67], pay[43], owner[43], hb[64], reg[64];
  const char *b = cli_color(c, 1, CLR_BOLD), *z = cli_color(c, 1, CLR_RESET);
  og_bytes32_to_hex(id, &t->id);
  og_bytes32_to_hex(pcr, &t->pcr_hash);
  og_address_to_checksum(pay, &t->payment_address);
  og_address_to_checksum(owner, &t->owner);
  fmt_time(hb, sizeof(hb), t->last_heartbeat_at);
  fmt_time(reg, sizeof(reg), t->registered_at);
  fprintf(c->out, "%sTEE ID:%s            %s\n", b, z, id);
  fputs("Endpoint:          ", c->out);
  cli_put_field(c, c->out, t->endpoint);
  fputc('\n', c->out);
  fprintf(c->out, "Payment address:   %s\n", pay);
  fprintf(c->out, "Owner:             %s\n", owner);
  fprintf(c->out, "TLS cert SHA-256:  %s\n",
          chk->has_cert_sha256 ? chk->cert_sha256_hex : "(none)");
  fprintf(c->out, "PCR hash:          %s\n", pcr);
  fprintf(c->out, "TEE type:          %u\n", (unsigned)t->tee_type);
  fprintf(c->out, "Enabled:           %s\n", t->enabled ? "true" : "false");
  if(active_known)
    fprintf(c->out, "Active:            %s\n", active ? "true" : "false");
  fprintf(c->out, "Usable:            %s%s", chk->usable ? "true" : "false",
          chk->usable ? "" : " - ");
  if(!chk->usable)
    cli_put_field(c, c->out, chk->reason);
  fputc('\n', c->out);
  fprintf(c->out, "Registered at:     %s\n", reg);
  fprintf(c->out, "Last heartbeat:    %s\n", hb);
  if(!chk->key_ok)
    fprintf(c->out, "Warning:           the signing key is not a DER "
            "SubjectPublicKeyInfo: its answers cannot be verified\n");
  if(chk->cert_expired)
    fprintf(c->out, "Warning:           the TLS certificate has expired "
            "(the registry's heartbeat is what says the TEE is alive)\n");
}

/* The usable active TEEs, filtered by --require-pcr; skipped ones are
 * named with -v. Returns an exit code (0 ok). */
static int tee_list(cli *c, cli_registry *reg)
{
  og_tee_list list = {0};
  const og_tee *usable[OG_TEE_MAX_ENTRIES];
  static og_tee_check checks[OG_TEE_MAX_ENTRIES];
  size_t n = 0, i;
  int rc = cli_tee_usable(c, reg, &list, usable, checks, &n, 0);
  if(rc) {
    og_tee_list_free(&list);
    return rc;
  }
  if(c->json) {
    json_t *arr = json_array();
    for(i = 0; i < n; i++)
      json_array_append_new(arr, tee_json(usable[i], &checks[i]));
    og_tee_list_free(&list);
    return cli_print_json(c, arr);
  }
  if(!n)
    fprintf(c->out, "No usable active TEEs of type %u in registry %s.\n",
            (unsigned)reg->tee_type, reg->address_text);
  else
    fprintf(c->out, "%zu usable active TEE%s of type %u:\n\n", n,
            n == 1 ? "" : "s", (unsigned)reg->tee_type);
  for(i = 0; i < n; i++) {
    print_tee_human(c, usable[i], &checks[i], 0, 1);
    if(i + 1 < n)
      fputc('\n', c->out);
  }
  og_tee_list_free(&list);
  return 0;
}

static int tee_show(cli *c, cli_registry *reg)
{
  og_bytes32 id;
  og_tee_list list = {0};
  og_err err;
  og_result r;
  og_tee_check chk;
  int active = 0;
  og_err_clear(&err);
  if(c->npos != 1)
    return cli_error(c, OG_E_USAGE, "tee show: give exactly one TEE id");
  r = og_tee_id_parse(&id, c->pos[0], &err);
  if(r)
    return cli_error(c, r, "TEE id '%s': %s", c->pos[0], err.msg);
  r = og_registry_get_tee(reg->rpc, &list, &reg->address, &id, &err);
  if(!r)
    r = og_registry_is_active(reg->rpc, &active, &reg->address, &id, &err);
  if(r) {
    og_tee_list_free(&list);
    return cli_fail(c, r, &err);
  }
  og_tee_check_entry(&chk, &list.items[0]);
  if(c->json) {
    json_t *o = tee_json(&list.items[0], &chk);
    json_object_set_new(o, "active", json_boolean(active));
    json_object_set_new(o, "usable", json_boolean(chk.usable));
    if(!chk.usable)
      json_object_set_new(o, "unusable_reason", json_string(chk.reason));
    og_tee_list_free(&list);
    return cli_print_json(c, o);
  }
  print_tee_human(c, &list.items[0], &chk, 1, active);
  og_tee_list_free(&list);
  return 0;
}

/* tee check: one /health probe per TEE, all in flight at once. */
#define HEALTH_MAX_JSON (64u * 1024)
typedef struct probe {
  const og_tee *tee;
  og_result rc;
  long status;
  char error[OG_ERR_SIZE];
  double ms;
  struct timespec t0;
  int done;
  json_t *health; /* the /health body when it is a JSON object */
} probe;

static double ms_since(const struct timespec *t0)
{
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
         (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void probe_done(void *user, og_http_xfer *x, og_result rc,
                       og_http_resp *resp, const og_err *err)
{
  probe *p = user;
  (void)x;
  p->ms = ms_since(&p->t0);
  p->done = 1;
  p->rc = rc;
  if(rc) {
    snprintf(p->error, sizeof(p->error), "%s",
             err && err->msg[0] ? err->msg : og_strerror(rc));
    return;
  }
  p->status = resp->status;
  if(resp->status != 200) {
    p->rc = OG_E_SERVER;
    snprintf(p->error, sizeof(p->error), "/health answered HTTP %ld",
             resp->status);
    return;
  }
  /* newer gateways describe themselves: version, uptime, providers */
  if(resp->body.len && resp->body.len <= HEALTH_MAX_JSON) {
    json_t *j = json_loadb((const char *)resp->body.data, resp->body.len, 0,
                           NULL);
    if(json_is_object(j))
      p->health = j;
    else
      json_decref(j);
  }
}

/* /health's version, uptime_seconds and providers as one text line
 * ("" when none was sent); shown through cli_put_field. */
static void health_text(char *out, size_t cap, const json_t *h)
{
  const json_t *v = json_object_get(h, "version");
  const json_t *u = json_object_get(h, "uptime_seconds");
  const json_t *pr = json_object_get(h, "providers");
  size_t o = 0, i;
  out[0] = 0;
#define ADDF(...) do { if(o < cap) { int k_ = snprintf(out + o, cap - o, \
  __VA_ARGS__); if(k_ > 0) o += (size_t)k_; if(o >= cap) o = cap - 1; } \
  } while(0)
  if(json_is_string(v))
    ADDF("version %.40s", json_string_value(v));
  if(json_is_integer(u) && json_integer_value(u) >= 0)
    ADDF("%suptime %lld s", o ? ", " : "", (long long)json_integer_value(u));
  else if(json_is_real(u) && json_real_value(u) >= 0 &&
          json_real_value(u) < 1e15)
    ADDF("%suptime %lld s", o ? ", " : "", (long long)json_real_value(u));
  if(json_is_array(pr) || json_is_object(pr)) {
    const char *key;
    const json_t *x;
    int first = 1;
    ADDF("%sproviders: ", o ? ", " : "");
    if(json_is_array(pr)) {
      json_array_foreach(pr, i, x)
        if(json_is_string(x)) {
          ADDF("%s%.40s", first ? "" : ", ", json_string_value(x));
          first = 0;
        }
    }
    else {
      json_object_foreach((json_t *)pr, key, x) {
        ADDF("%s%.40s", first ? "" : ", ", key);
        first = 0;
      }
    }
    if(first)
      ADDF("none");
  }
#undef ADDF
}

static int tee_check(cli *c, cli_registry *reg)
{
  og_tee_list list = {0};
  const og_tee *usable[OG_TEE_MAX_ENTRIES];
  static og_tee_check checks[OG_TEE_MAX_ENTRIES];
  static probe probes[OG_TEE_MAX_ENTRIES];
  size_t n = 0, i;
  int rc, first_fail = 0, out_rc = 0;
  og_http *http = NULL;
  og_err err;
  og_result r;
  og_err_clear(&err);
  if(c->npos > 1)
    return cli_error(c, OG_E_USAGE, "tee check: give at most one TEE id");
  if(c->npos == 1) {
    rc = cli_tee_by_id(c, reg, c->pos[0], &list, &usable[0]);
    if(rc) {
      og_tee_list_free(&list);
      return rc;
    }
    n = 1;
  }
  else {
    rc = cli_tee_usable(c, reg, &list, usable, checks, &n, 1);
    if(rc) {
      og_tee_list_free(&list);
      return rc;
    }
  }
  r = og_http_new(&http, &err);
  if(r) {
    og_tee_list_free(&list);
    return cli_fail(c, r, &err);
  }
  for(i = 0; i < n; i++) {
    og_http_req req;
    char url[OG_TEE_MAX_ENDPOINT + 16];
    probe *p = &probes[i];
    memset(p, 0, sizeof(*p));
    p->tee = usable[i];
    cli_endpoint_url(url, sizeof(url), usable[i]->endpoint, "/health");
    memset(&req, 0, sizeof(req));
    req.method = "GET";
    req.url = url;
    req.pin_der = usable[i]->tls_cert;
    req.pin_der_len = usable[i]->tls_cert_len;
    req.connect_timeout_ms = c->timeout_ms;
    req.total_timeout_ms = c->timeout_ms;
    if(c->max_time_ms && c->max_time_ms < req.total_timeout_ms)
      req.total_timeout_ms = c->max_time_ms;
    req.max_body = 1 << 20;
    clock_gettime(CLOCK_MONOTONIC, &p->t0);
    og_err_clear(&err);
    r = og_http_start(http, NULL, &req, probe_done, p, &err);
    if(r) {
      p->done = 1;
      p->rc = r;
      snprintf(p->error, sizeof(p->error), "%s", err.msg);
    }
  }
  while(og_http_running(http) > 0) {
    r = og_http_wait(http, 1000, NULL);
    if(r)
      break;
  }
  og_http_free(http);

  if(c->json) {
    json_t *arr = json_array();
    for(i = 0; i < n; i++) {
      char id[67];
      og_bytes32_to_hex(id, &probes[i].tee->id);
      json_t *o = json_pack("{s:s,s:s,s:b,s:s?,s:f}", "id", id,
        "endpoint", probes[i].tee->endpoint, "ok", probes[i].rc == OG_OK,
        "error", probes[i].rc ? probes[i].error : NULL, "ms", probes[i].ms);
      const json_t *h = probes[i].health, *v;
      /* newer gateways' /health fields, as sent */
      v = json_object_get(h, "version");
      if(json_is_string(v))
        json_object_set(o, "version", (json_t *)v);
      v = json_object_get(h, "uptime_seconds");
      if(json_is_number(v))
        json_object_set(o, "uptime_seconds", (json_t *)v);
      v = json_object_get(h, "providers");
      if(json_is_array(v) || json_is_object(v))
        json_object_set(o, "providers", (json_t *)v);
      json_array_append_new(arr, o);
    }
    out_rc = cli_print_json(c, arr);
  }
  for(i = 0; i < n; i++) {
    char id[67];
    og_bytes32_to_hex(id, &probes[i].tee->id);
    if(!c->json) {
      if(probes[i].rc == OG_OK) {
        char ht[512];
        health_text(ht, sizeof(ht), probes[i].health);
        fprintf(c->out, "%s  ", id);
        cli_put_field(c, c->out, probes[i].tee->endpoint);
        fprintf(c->out, "  %sok%s  %.1f ms%s", cli_color(c, 1, CLR_GREEN),
                cli_color(c, 1, CLR_RESET), probes[i].ms, ht[0] ? "  " : "");
        cli_put_field(c, c->out, ht);
        fputc('\n', c->out);
      }
      else {
        fprintf(c->out, "%s  ", id);
        cli_put_field(c, c->out, probes[i].tee->endpoint);
        fprintf(c->out, "  %sFAILED%s  %.1f ms  ",
                cli_color(c, 1, CLR_RED_BOLD), cli_color(c, 1, CLR_RESET),
                probes[i].ms);
        cli_put_field(c, c->out, probes[i].error);
        fputc('\n', c->out);
      }
    }
    if(probes[i].rc && !first_fail) {
      first_fail = og_exit_code(probes[i].rc);
      fprintf(c->errf, "opengradient: error: TEE %s (", id);
      cli_put_field(c, c->errf, probes[i].tee->endpoint);
      fputs("): ", c->errf);
      cli_put_field(c, c->errf, probes[i].error);
      fputc('\n', c->errf);
    }
  }
  for(i = 0; i < n; i++) {
    json_decref(probes[i].health);
    probes[i].health = NULL;
  }
  og_tee_list_free(&list);
  /* a failed JSON report must not leave exit 0 */
  return first_fail ? first_fail : out_rc;
}

int cmd_tee(cli *c)
{
  cli_registry reg;
  int rc;
  if(c->cmd != CMD_TEE_CHECK && c->cmd != CMD_TEE_SHOW && c->npos)
    return cli_error(c, OG_E_USAGE, "'%s' takes no arguments", c->cmd_name);
  rc = cli_registry_open(c, &reg);
  if(rc)
    return rc;
  if(c->cmd == CMD_TEE_LIST)
    rc = tee_list(c, &reg);
  else if(c->cmd == CMD_TEE_SHOW)
    rc = tee_show(c, &reg);
  else
    rc = tee_check(c, &reg);
  cli_registry_close(&reg);
  return rc;
}
