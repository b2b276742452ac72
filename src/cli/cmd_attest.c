/* `tee attest [ID]` and `tee attest --document FILE`: a TEE's Nitro
 * attestation, fetched live over the pinned connection with a fresh
 * nonce, or a saved document checked with no network. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/sha.h>

#include "cli.h"
#include "cli_common.h"
#include "cli_files.h"
#include "opengradient/og_attest.h"
#include "opengradient/og_client.h"
#include "opengradient/og_hex.h"
#include "opengradient/og_http.h"
#include "opengradient/og_registry_client.h"

/* --at: unix seconds or RFC 3339 (YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM)). */
static int parse_time(const char *s, int64_t *out)
{
  struct tm tm;
  int y, mo, d, h, mi, sec, n = 0, oh = 0, om = 0;
  const char *p;
  long long off = 0;
  if(!*s)
    return -1;
  for(p = s; *p && isdigit((unsigned char)*p); p++)
    ;
  if(!*p) {
    char *end;
    long long v = strtoll(s, &end, 10);
    if(*end || v <= 0 || v > 253402300799LL)
      return -1;
    *out = v;
    return 0;
  }
  if(sscanf(s, "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi,
            &sec, &n) != 6 || n != 19)
    return -1;
  p = s + n;
  if(*p == '.') {
    p++;
    if(!isdigit((unsigned char)*p))
      return -1;
    while(isdigit((unsigned char)*p))
      p++;
  }
  if((*p == 'Z' || *p == 'z') && !p[1])
    off = 0;
  else if((*p == '+' || *p == '-') && strlen(p) == 6 &&
          sscanf(p + 1, "%2d:%2d", &oh, &om) == 2 && oh < 24 && om < 60)
    off = (*p == '+' ? 1 : -1) * (oh * 3600LL + om * 60LL);
  else
    return -1;
  if(y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
     mi > 59 || sec > 60)
    return -1;
  memset(&tm, 0, sizeof(tm));
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  *out = (int64_t)timegm(&tm) - off;
  return *out > 0 ? 0 : -1;
}

static json_t *hex_or_null(const unsigned char *b, size_t n, int has)
{
  char *h;
  json_t *j;
  if(!has)
    return json_null();
  h = malloc(2 * n + 1);
  if(!h)
    return json_null();
  og_hex_encode(h, b, n);
  j = json_string(h);
  free(h);
  return j;
}

static json_t *check_json(int v)
{
  return v < 0 ? json_null() : json_boolean(v);
}

/* One result object of the contract; id/endpoint NULL for --document. */
static json_t *report_json(const og_attest_report *rep, const char *id,
                           const char *endpoint, const char *error)
{
  const og_attest_doc *d = &rep->doc;
  json_t *o = json_object(), *pcrs, *checks;
  char ph[67];
  json_object_set_new(o, "id", id ? json_string(id) : json_null());
  json_object_set_new(o, "endpoint",
                      endpoint ? json_string(endpoint) : json_null());
  if(rep->parsed) {
    og_bytes32_to_hex(ph, &d->pcr_hash);
    json_object_set_new(o, "module_id", json_string(d->module_id));
    json_object_set_new(o, "timestamp", json_integer((json_int_t)d->timestamp_ms));
    pcrs = json_object();
    json_object_set_new(pcrs, "0", hex_or_null(d->pcrs[0], d->pcr_len[0], 1));
    json_object_set_new(pcrs, "1", hex_or_null(d->pcrs[1], d->pcr_len[1], 1));
    json_object_set_new(pcrs, "2", hex_or_null(d->pcrs[2], d->pcr_len[2], 1));
    json_object_set_new(o, "pcrs", pcrs);
    json_object_set_new(o, "pcr_hash", json_string(ph));
    json_object_set_new(o, "nonce", hex_or_null(d->nonce, d->nonce_len,
                                                d->has_nonce));
    json_object_set_new(o, "user_data",
                        hex_or_null(d->user_data, d->user_data_len,
                                    d->has_user_data));
  }
  else {
    const char *k[] = {"module_id", "timestamp", "pcrs", "pcr_hash", "nonce",
                       "user_data"};
    size_t i;
    for(i = 0; i < sizeof(k) / sizeof(k[0]); i++)
      json_object_set_new(o, k[i], json_null());
  }
  checks = json_object();
  json_object_set_new(checks, "signature", check_json(rep->signature));
  json_object_set_new(checks, "chain", check_json(rep->chain));
  json_object_set_new(checks, "nonce", check_json(rep->nonce));
  json_object_set_new(checks, "pcr_hash", check_json(rep->pcr_hash));
  json_object_set_new(checks, "tls_cert", check_json(rep->tls_cert));
  json_object_set_new(checks, "signing_key", check_json(rep->signing_key));
  json_object_set_new(o, "checks", checks);
  json_object_set_new(o, "ok", json_boolean(rep->ok));
  if(!rep->ok && error && error[0])
    json_object_set_new(o, "error", json_string(error));
  return o;
}

static void print_check(cli *c, const char *name, int v)
{
  const char *col = v > 0 ? CLR_GREEN : v == 0 ? CLR_RED_BOLD : CLR_RESET;
  fprintf(c->out, "%s: %s%s%s\n", name, cli_color(c, 1, col),
          v > 0 ? "ok" : v == 0 ? "FAILED" : "-", cli_color(c, 1, CLR_RESET));
}

static void print_report(cli *c, const og_attest_report *rep)
{
  const og_attest_doc *d = &rep->doc;
  char ph[67], ts[64], pcr[2 * OG_ATTEST_MAX_PCR + 1];
  time_t t;
  struct tm tm;
  int i;
  print_check(c, "signature", rep->signature);
  print_check(c, "chain", rep->chain);
  print_check(c, "nonce", rep->nonce);
  print_check(c, "pcr_hash", rep->pcr_hash);
  print_check(c, "tls_cert", rep->tls_cert);
  print_check(c, "signing_key", rep->signing_key);
  if(!rep->parsed)
    return;
  fputs("Module ID:  ", c->out);
  cli_put_field(c, c->out, d->module_id);
  fputc('\n', c->out);
  t = (time_t)(d->timestamp_ms / 1000);
  ts[0] = '\0';
  if(gmtime_r(&t, &tm))
    strftime(ts, sizeof(ts), " (%Y-%m-%d %H:%M:%S UTC)", &tm);
  fprintf(c->out, "Timestamp:  %llu%s\n", (unsigned long long)d->timestamp_ms,
          ts);
  for(i = 0; i < 3; i++) {
    og_hex_encode(pcr, d->pcrs[i], d->pcr_len[i]);
    fprintf(c->out, "PCR%d:       %s\n", i, pcr);
  }
  og_bytes32_to_hex(ph, &d->pcr_hash);
  fprintf(c->out, "PCR hash:   %s\n", ph);
}

/* --nitro-root as a NUL-terminated PEM in root (empty buffer = built-in). */
static int load_root(cli *c, og_buf *root)
{
  og_buf_init(root, 1);
  if(!cli_has(c, OPT_NITRO_ROOT))
    return 0;
  if(cli_read_file(c, "--nitro-root", cli_opt_str(c, OPT_NITRO_ROOT, NULL),
                   root, 64 * 1024))
    return 1;
  if(og_buf_addc(root, '\0'))
    return cli_error(c, OG_E_USAGE, "--nitro-root: file too large");
  root->len--;
  if(!strstr(og_buf_str(root), "-----BEGIN CERTIFICATE-----"))
    return cli_error(c, OG_E_USAGE, "--nitro-root: '%s' is not a PEM "
                     "certificate", cli_opt_str(c, OPT_NITRO_ROOT, NULL));
  return 0;
}

static int attest_document(cli *c, const char *root_pem, int64_t at)
{
  og_buf file, tmp;
  unsigned char *raw = NULL, nonce[OG_ATTEST_MAX_FIELD];
  size_t rawlen = 0, nonce_len = 0;
  og_bytes32 pcr, tls, key;
  og_attest_expect e;
  og_attest_report *rep = NULL;
  og_err err;
  og_result r;
  int rc = 0;
  const char *path = cli_opt_str(c, OPT_DOCUMENT, NULL);
  memset(&e, 0, sizeof(e));
  og_buf_init(&file, 1);
  og_buf_init(&tmp, 1);
  og_err_clear(&err);
  /* the expectations first: all bad input is exit 1 */
  if(cli_has(c, OPT_NONCE)) {
    const char *h = cli_opt_str(c, OPT_NONCE, NULL);
    if(og_hex_decode(nonce, sizeof(nonce), &nonce_len, h, strlen(h)) ||
       !nonce_len)
      return cli_error(c, OG_E_USAGE, "--nonce: '%s' is not hex (at most "
                       "%d bytes)", h, OG_ATTEST_MAX_FIELD);
    e.nonce = nonce;
    e.nonce_len = nonce_len;
  }
  if(cli_has(c, OPT_EXPECT_PCR_HASH)) {
    if(og_bytes32_from_hex(&pcr, cli_opt_str(c, OPT_EXPECT_PCR_HASH, NULL)))
      return cli_error(c, OG_E_USAGE, "--expect-pcr-hash: '%s' is not a "
                       "32-byte hash (64 hex digits)",
                       cli_opt_str(c, OPT_EXPECT_PCR_HASH, NULL));
    e.pcr_hash = &pcr;
  }
  if(cli_has(c, OPT_EXPECT_TLS_CERT)) {
    if(cli_load_cert(c, "--expect-tls-cert",
                     cli_opt_str(c, OPT_EXPECT_TLS_CERT, NULL), &tmp))
      return 1;
    SHA256(tmp.data, tmp.len, tls.b);
    og_buf_free(&tmp);
    e.tls_cert_sha256 = &tls;
  }
  if(cli_has(c, OPT_EXPECT_SIGNING_KEY)) {
    if(cli_load_spki(c, "--expect-signing-key",
                     cli_opt_str(c, OPT_EXPECT_SIGNING_KEY, NULL), &tmp))
      return 1;
    SHA256(tmp.data, tmp.len, key.b);
    og_buf_free(&tmp);
    e.signing_key_sha256 = &key;
  }
  if(cli_read_file(c, "--document", path, &file, 2 * OG_ATTEST_MAX_DOC)) {
    og_buf_free(&file);
    return 1;
  }
  raw = malloc(OG_ATTEST_MAX_DOC);
  rep = calloc(1, sizeof(*rep));
  if(!raw || !rep) {
    rc = cli_error(c, OG_E_NOMEM, "out of memory");
    goto out;
  }
  r = og_attest_decode_text(raw, &rawlen, file.data, file.len, &err);
  if(!r)
    r = og_attest_verify(&rep->doc, raw, rawlen, root_pem, at, &err);
  if(r) {
    if(r == OG_E_USAGE)
      rc = cli_error(c, OG_E_USAGE, "--nitro-root: %s", err.msg);
    else if(r == OG_E_INTERNAL)
      rc = cli_fail(c, r, &err);
    else
      rc = cli_error(c, OG_E_USAGE, "--document: '%s': %s", path, err.msg);
    goto out;
  }
  rep->parsed = 1;
  og_attest_evaluate(rep, &e);
  if(c->json)
    rc = cli_print_json(c, report_json(rep, NULL, NULL, rep->error));
  else
    print_report(c, rep);
  if(!rep->ok) {
    fprintf(c->errf, "opengradient: error: %s\n", rep->error);
    rc = og_exit_code(OG_E_TLS);
  }
out:
  og_buf_free(&file);
  free(raw);
  free(rep);
  return rc;
}

/* ---- live ---- */

typedef struct live {
  char id[67];
  char *endpoint;
  og_result rc;
  og_attest_report rep;
  char error[OG_ERR_SIZE];
  int done;
} live;

static void live_done(void *user, og_result rc, const og_attest_report *rep,
                      const og_err *err)
{
  live *l = user;
  l->done = 1;
  l->rc = rc;
  l->rep = *rep;
  snprintf(l->error, sizeof(l->error), "%s",
           rc ? (err && err->msg[0] ? err->msg : og_strerror(rc)) : "");
}

static int attest_live(cli *c, const char *root_pem, int64_t at)
{
  og_tee_list list = {0};
  cli_registry reg;
  static live lv[OG_TEE_MAX_ENTRIES];
  const og_tee *tees[OG_TEE_MAX_ENTRIES];
  size_t n = 0, i;
  og_http *http = NULL;
  og_buf pin, spki;
  og_err err;
  og_result r;
  int rc = 0, first_fail = 0, direct = cli_has(c, OPT_LLM_SERVER_URL);
  og_err_clear(&err);
  og_buf_init(&pin, 1);
  og_buf_init(&spki, 1);
  memset(&reg, 0, sizeof(reg));
  if(c->npos > 1)
    return cli_error(c, OG_E_USAGE, "tee attest: give at most one TEE id");
  if(direct) {
    if(c->npos)
      return cli_error(c, OG_E_USAGE, "tee attest: a TEE id does not go "
                       "with --llm-server-url");
    if(cli_has(c, OPT_TLS_CERT) &&
       cli_load_cert(c, "--tls-cert", cli_opt_str(c, OPT_TLS_CERT, NULL),
                     &pin))
      return 1;
    if(cli_has(c, OPT_SIGNING_KEY) &&
       cli_load_spki(c, "--signing-key", cli_opt_str(c, OPT_SIGNING_KEY, NULL),
                     &spki)) {
      og_buf_free(&pin);
      return 1;
    }
    n = 1;
  }
  else {
    rc = cli_registry_open(c, &reg);
    if(rc)
      return rc;
    if(c->npos == 1) {
      rc = cli_tee_by_id(c, &reg, c->pos[0], &list, &tees[0]);
      if(rc)
        goto out;
      n = 1;
    }
    else {
      rc = cli_tee_usable(c, &reg, &list, tees, NULL, &n, 1);
      if(rc)
        goto out;
    }
  }
  r = og_http_new(&http, &err);
  if(r) {
    rc = cli_fail(c, r, &err);
    goto out;
  }
  for(i = 0; i < n; i++) {
    og_attest_target t;
    live *l = &lv[i];
    memset(l, 0, sizeof(*l));
    memset(&t, 0, sizeof(t));
    if(direct) {
      l->endpoint = strdup(cli_opt_str(c, OPT_LLM_SERVER_URL, NULL));
      t.pin_der = pin.len ? pin.data : NULL;
      t.pin_der_len = pin.len;
      t.spki = spki.len ? spki.data : NULL;
      t.spki_len = spki.len;
    }
    else {
      og_bytes32_to_hex(l->id, &tees[i]->id);
      l->endpoint = strndup(tees[i]->endpoint, tees[i]->endpoint_len);
      t.pin_der = tees[i]->tls_cert;
      t.pin_der_len = tees[i]->tls_cert_len;
      t.spki = tees[i]->public_key;
      t.spki_len = tees[i]->public_key_len;
      t.pcr_hash = &tees[i]->pcr_hash;
    }
    if(!l->endpoint) {
      rc = cli_error(c, OG_E_NOMEM, "out of memory");
      goto out;
    }
    t.endpoint = l->endpoint;
    t.root_pem = root_pem;
    t.at = at;
    t.connect_timeout_ms = c->timeout_ms;
    t.total_timeout_ms = c->max_time_ms && c->max_time_ms < c->timeout_ms
                         ? c->max_time_ms : c->timeout_ms;
    og_err_clear(&err);
    r = og_attest_start(http, NULL, &t, live_done, l, &err);
    if(r) {
      l->done = 1;
      l->rc = r;
      snprintf(l->error, sizeof(l->error), "%s", err.msg);
      l->rep.signature = l->rep.chain = l->rep.nonce = -1;
      l->rep.pcr_hash = l->rep.tls_cert = l->rep.signing_key = -1;
    }
  }
  while(og_http_running(http) > 0)
    if(og_http_wait(http, 1000, NULL))
      break;
  if(c->json) {
    json_t *arr = n == 1 ? NULL : json_array();
    json_t *one = NULL;
    for(i = 0; i < n; i++) {
      json_t *o = report_json(&lv[i].rep, direct ? NULL : lv[i].id,
                              lv[i].endpoint, lv[i].error);
      if(arr)
        json_array_append_new(arr, o);
      else
        one = o;
    }
    rc = cli_print_json(c, arr ? arr : one);
  }
  for(i = 0; i < n; i++) {
    if(!c->json) {
      if(n > 1 && i)
        fputc('\n', c->out);
      if(!direct) {
        fprintf(c->out, "TEE %s  ", lv[i].id);
        cli_put_field(c, c->out, lv[i].endpoint);
        fputc('\n', c->out);
      }
      print_report(c, &lv[i].rep);
    }
    if(lv[i].rc && !first_fail) {
      first_fail = og_exit_code(lv[i].rc == OG_E_USAGE ? OG_E_USAGE
                                                       : lv[i].rc);
      fprintf(c->errf, "opengradient: error: TEE %s (%s): %s\n",
              direct ? "-" : lv[i].id, lv[i].endpoint, lv[i].error);
    }
  }
  if(first_fail)
    rc = first_fail;
out:
  for(i = 0; i < n && i < OG_TEE_MAX_ENTRIES; i++) {
    free(lv[i].endpoint);
    lv[i].endpoint = NULL;
  }
  og_http_free(http);
  og_tee_list_free(&list);
  og_buf_free(&pin);
  og_buf_free(&spki);
  if(!direct)
    cli_registry_close(&reg);
  return rc;
}

int cmd_attest(cli *c)
{
  og_buf root;
  int64_t at = 0;
  int rc;
  if(cli_has(c, OPT_AT) && parse_time(cli_opt_str(c, OPT_AT, NULL), &at))
    return cli_error(c, OG_E_USAGE, "--at: '%s' is not a time (RFC 3339 "
                     "such as 2026-02-12T18:00:00Z, or unix seconds)",
                     cli_opt_str(c, OPT_AT, NULL));
  if(!cli_has(c, OPT_DOCUMENT)) {
    static const cli_opt_id doc_only[] = {OPT_NONCE, OPT_EXPECT_PCR_HASH,
                                          OPT_EXPECT_TLS_CERT,
                                          OPT_EXPECT_SIGNING_KEY};
    size_t i;
    for(i = 0; i < sizeof(doc_only) / sizeof(doc_only[0]); i++)
      if(cli_has(c, doc_only[i]))
        return cli_error(c, OG_E_USAGE, "--%s goes with --document (a live "
                         "check compares with the registry)",
                         cli_opt_name(doc_only[i]));
  }
  else if(c->npos)
    return cli_error(c, OG_E_USAGE, "tee attest: a TEE id does not go with "
                     "--document");
  if(load_root(c, &root)) {
    og_buf_free(&root);
    return 1;
  }
  if(cli_has(c, OPT_DOCUMENT))
    rc = attest_document(c, root.len ? og_buf_str(&root) : NULL, at);
  else
    rc = attest_live(c, root.len ? og_buf_str(&root) : NULL, at);
  og_buf_free(&root);
  return rc;
}

/* --attest and --nitro-root for the commands that send requests: fills
 * cfg->attest / cfg->nitro_root_pem (the PEM stays loaded for the whole
 * run). Returns 0 or the exit code after reporting. */
int cli_attest_options(cli *c, og_client_config *cfg)
{
  static og_buf root;
  static int loaded;
  if(!cli_has(c, OPT_ATTEST) ||
     (c->opt[OPT_ATTEST].from_env && !strcmp(c->opt[OPT_ATTEST].value, "0")))
    return 0;
  if(!loaded) {
    if(load_root(c, &root)) {
      og_buf_free(&root);
      return 1;
    }
    loaded = 1;
  }
  cfg->attest = 1;
  cfg->nitro_root_pem = root.len ? og_buf_str(&root) : NULL;
  return 0;
}
