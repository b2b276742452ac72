/* The TEE LLM client: one request is a small state machine on the shared
 * multi transport (send → maybe 402 → pay once → answer → verify), so the
 * blocking calls and many concurrent calls run the same code. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/x509.h>

#include "opengradient/og_client.h"
#include "opengradient/og_canon.h"
#include "opengradient/og_hex.h"
#include "opengradient/og_registry_client.h"
#include "opengradient/og_rpc.h"
#include "opengradient/og_verify.h"
#include "confidential.h"

#include "attest_gate.h"

#define OG_AUTH_HEADER \
  "Authorization: Bearer " \
  "0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef"
#define OG_MAX_SESSIONS 16
#define OG_SESSION_MAX 128
#define OG_MAX_FAILOVERS 3  /* TEEs abandoned per request, each once */

typedef struct upto_session {
  char tee_id[67];
  char path[32];
  char id[OG_SESSION_MAX];
} upto_session;

struct og_client {
  og_http *http;
  og_rpc *rpc;
  int registry_mode;
  og_address registry;
  uint8_t tee_type;
  int has_tee_id;
  og_bytes32 tee_id;
  og_bytes32 pcr[OG_CLIENT_MAX_PCR];
  size_t npcr;
  long refresh_seconds;
  og_tee_list tees;
  const og_tee *tee;      /* current, points into tees */
  time_t read_at;
  char cur_id[67];
  char cur_pay[43];
  /* direct mode */
  char *server_url;
  unsigned char *pin;
  size_t pin_len;
  unsigned char *spki;    /* --signing-key */
  size_t spki_len;
  int verify;
  long max_age;
  int has_key;
  og_privkey key;
  og_x402_policy policy;
  long timeout_ms;
  uint64_t deadline;      /* og_http_clock_ms() limit; 0 = none */
  og_log_fn log;
  void *log_user;
  og_result (*pay_check)(void *, void *, const og_x402_requirement *,
                         og_err *);
  void *pay_user;
  upto_session sessions[OG_MAX_SESSIONS];
  size_t nsessions;
  og_call *calls;         /* in flight, for og_client_free */
  /* confidential mode (confidential.c): relay URL, its pin, bearer */
  char *relay_url;
  unsigned char *relay_pin;
  size_t relay_pin_len;
  char *relay_auth;
  attest_gate *attest;    /* --attest; NULL = off */
};

/* What a call knows of the TEE it talks to; copied so that a registry
 * refresh cannot pull it from under a call in flight. */
typedef struct call_tee {
  char *endpoint;
  unsigned char *pin;
  size_t pin_len;
  unsigned char *spki;
  size_t spki_len;
  char id[67];
  char pay[43];
  og_address pay_addr;
  int has_pay;
  og_ohttp_config ohttp;  /* confidential mode: the TEE's OHTTP key */
  const og_bytes32 *pcr;  /* &pcr_copy in registry mode, else NULL */
  og_bytes32 pcr_copy;
} call_tee;

/* Where a call is. The transitions are all in call_next(); paying happens
 * there and only on the way from CALL_UNPAID to CALL_PAID, which no path
 * leaves: a call pays at most once. */
typedef enum call_state {
  CALL_UNPAID,   /* a request without payment is on the wire */
  CALL_SESSION,  /* a request carrying an x402 session id is on the wire */
  CALL_PAID,     /* the one paid request is on the wire */
  CALL_DONE      /* finished; done has been called */
} call_state;

/* What happened to the request on the wire. */
typedef enum call_event {
  EV_PAYMENT_REQUIRED, /* HTTP 402 */
  EV_TEE_UNREACHABLE   /* no answer at all from this TEE (failover) */
} call_event;

struct og_call {
  og_client *c;
  call_state state;
  og_call *next, *prev;
  int completion;
  int stream;         /* an SSE request on the wire */
  int fallback;       /* stream requested, delivered as one chunk */
  const char *path;
  og_buf body;
  og_settlement settlement;
  og_llm_chunk_cb on_chunk;
  void *user;
  int chunk_json;     /* on_chunk may read chunk->json */
  og_call_done_fn done;
  void *done_user;
  call_tee tee;
  og_http_xfer *xfer;
  og_llm_stream *sse;
  og_buf raw;         /* a non-2xx body of a streamed request */
  int got_data;
  og_buf payment;     /* the PAYMENT-SIGNATURE value once signed */
  int failovers;
  og_bytes32 failed[OG_MAX_FAILOVERS + 1]; /* TEEs this call gave up on */
  uint64_t deadline;  /* the request's own total deadline; 0 = client's */
  og_conf_call *conf; /* confidential mode, else NULL */
  og_inference out;
  attest_wait *attest;  /* attesting the TEE before the first request */
};

static const char *const settlement_wire[] = {"batch", "private",
                                              "individual"};

static void logf_(const og_client *c, const char *fmt, ...) OG_PRINTF(2, 3);
static void logf_(const og_client *c, const char *fmt, ...)
{
  char line[768];
  va_list ap;
  if(!c->log)
    return;
  va_start(ap, fmt);
  vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  c->log(c->log_user, line);
}

og_result og_settlement_parse(og_settlement *out, const char *name,
                              og_err *err)
{
  if(!strcmp(name, "batch-hashed"))
    *out = OG_SETTLEMENT_BATCH;
  else if(!strcmp(name, "private"))
    *out = OG_SETTLEMENT_PRIVATE;
  else if(!strcmp(name, "individual-full"))
    *out = OG_SETTLEMENT_INDIVIDUAL;
  else
    return og_fail(err, OG_E_USAGE, "settlement mode '%s' is not "
                   "one of private, batch-hashed, individual-full", name);
  return OG_OK;
}

void og_request_init(og_request *req)
{
  memset(req, 0, sizeof(*req));
  og_llm_params_init(&req->params);
}

void og_inference_free(og_inference *inf)
{
  if(!inf)
    return;
  og_llm_result_free(&inf->answer);
  free(inf->endpoint);
  json_decref(inf->request);
  json_decref(inf->settlement);
  memset(inf, 0, sizeof(*inf));
}

/* ------------------------------------------------------------------ */
/* TEE choice                                                          */

static void set_current(og_client *c, const og_tee *t)
{
  c->tee = t;
  og_bytes32_to_hex(c->cur_id, &t->id);
  og_address_to_checksum(c->cur_pay, &t->payment_address);
}

static int excluded(const og_tee *t, const og_bytes32 *exclude,
                    size_t nexclude)
{
  size_t i;
  for(i = 0; i < nexclude; i++)
    if(!memcmp(t->id.b, exclude[i].b, 32))
      return 1;
  return 0;
}

static og_result select_tee(og_client *c, og_tee_list *list,
                            const og_tee **chosen, const og_bytes32 *exclude,
                            size_t nexclude, og_err *err)
{
  og_tee_select_opts so;
  og_tee_list filtered;
  og_result r;
  size_t i, n = 0;
  memset(&so, 0, sizeof(so));
  so.tee_id = c->has_tee_id ? &c->tee_id : NULL;
  so.tee_type = c->tee_type;
  so.pcr_allow = c->npcr ? c->pcr : NULL;
  so.pcr_allow_len = c->npcr;
  if(!nexclude)
    return og_tee_select(chosen, list, &so, err);
  /* choose among the others: hide the excluded entries from the selector */
  filtered = *list;
  filtered.items = malloc(list->count * sizeof(og_tee) + 1);
  if(!filtered.items)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  for(i = 0; i < list->count; i++)
    if(!excluded(&list->items[i], exclude, nexclude))
      filtered.items[n++] = list->items[i];
  filtered.count = n;
  r = og_tee_select(chosen, &filtered, &so, err);
  if(!r) {
    /* map back into the real list */
    for(i = 0; i < list->count; i++)
      if(!memcmp(list->items[i].id.b, (*chosen)->id.b, 32)) {
        *chosen = &list->items[i];
        break;
      }
  }
  free(filtered.items);
  return r;
}

/* Read the registry; keep the current TEE while it stays usable and
 * active, else choose another (never one in `exclude`). */
static og_result refresh(og_client *c, const og_bytes32 *exclude,
                         size_t nexclude, og_err *err)
{
  og_tee_list list = {0};
  const og_tee *chosen = NULL;
  og_result r;
  size_t i;
  r = og_registry_get_active(c->rpc, &list, &c->registry, c->tee_type, err);
  if(!r && c->relay_url)
    r = og_conf_filter(&list, err);
  if(r) {
    og_tee_list_free(&list);
    return r;
  }
  if(c->tee && !excluded(c->tee, exclude, nexclude)) {
    for(i = 0; i < list.count; i++) {
      og_tee_check chk;
      if(memcmp(list.items[i].id.b, c->tee->id.b, 32))
        continue;
      og_tee_check_entry(&chk, &list.items[i]);
      if(chk.usable)
        chosen = &list.items[i];
    }
  }
  if(!chosen) {
    r = select_tee(c, &list, &chosen, exclude, nexclude, err);
    if(r) {
      og_tee_list_free(&list);
      return r;
    }
  }
  if(c->tee && memcmp(c->tee->id.b, chosen->id.b, 32)) {
    logf_(c, "TEE %s left the active set or failed; switching to %s",
          c->cur_id, chosen->endpoint);
    og_http_forget_pin(c->http, c->tee->tls_cert, c->tee->tls_cert_len);
  }
  c->tee = NULL;
  og_tee_list_free(&c->tees);
  c->tees = list;
  set_current(c, chosen);
  c->read_at = time(NULL);
  return OG_OK;
}

og_result og_client_refresh(og_client *c, og_err *err)
{
  if(!c->registry_mode)
    return OG_OK;
  return refresh(c, NULL, 0, err);
}

size_t og_client_tee_count(const og_client *c)
{
  return c->registry_mode ? c->tees.count : 1;
}

int og_client_current_tee(const og_client *c, const char **id,
                          const char **endpoint, const char **payment)
{
  if(!c->registry_mode) {
    if(id)
      *id = "";
    if(endpoint)
      *endpoint = c->server_url;
    if(payment)
      *payment = "";
    return -1;
  }
  if(id)
    *id = c->cur_id;
  if(endpoint)
    *endpoint = c->tee->endpoint;
  if(payment)
    *payment = c->cur_pay;
  return 0;
}

og_http *og_client_http(og_client *c)
{
  return c->http;
}

/* ------------------------------------------------------------------ */
/* Construction                                                        */

static unsigned char *dup_bytes(const unsigned char *p, size_t n)
{
  unsigned char *d = malloc(n ? n : 1);
  if(d && n)
    memcpy(d, p, n);
  return d;
}

static og_result client_conf_init(og_client *c, const og_client_config *cfg,
                                  og_err *err);

static og_result check_cert(const unsigned char *der, size_t len, og_err *err)
{
  const unsigned char *p = der;
  X509 *x = d2i_X509(NULL, &p, (long)len);
  int ok = x && p == der + len;
  X509_free(x);
  if(!ok)
    return og_fail(err, OG_E_USAGE, "the pinned TLS certificate is not an X.509 certificate");
  return OG_OK;
}

og_result og_client_new(og_client **out, const og_client_config *cfg,
                        og_err *err)
{
  og_client *c = calloc(1, sizeof(*c));
  og_result r;
  *out = NULL;
  if(!c)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  c->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 60000;
  if(cfg->attest &&
     attest_gate_new(&c->attest, cfg->nitro_root_pem, err) != OG_OK) {
    free(c);
    return OG_E_NOMEM;
  }
  if(cfg->max_time_ms > 0)
    c->deadline = og_http_clock_ms() + (uint64_t)cfg->max_time_ms;
  c->verify = !cfg->no_verify;
  c->max_age = cfg->max_age_seconds;
  c->log = cfg->log;
  c->log_user = cfg->log_user;
  c->pay_check = cfg->pay_check;
  c->pay_user = cfg->pay_user;
  c->refresh_seconds = cfg->refresh_seconds ? cfg->refresh_seconds
                                            : OG_DEFAULT_REFRESH_SECONDS;
  og_x402_policy_init(&c->policy);
  r = og_x402_policy_set_max(&c->policy, cfg->max_payment ?
                             cfg->max_payment : OG_X402_DEFAULT_MAX, err);
  if(!r)
    r = og_x402_policy_set_networks(&c->policy, cfg->networks ?
                                    cfg->networks : OG_X402_DEFAULT_NETWORKS,
                                    err);
  if(!r)
    r = og_x402_policy_set_assets(&c->policy, cfg->payment_assets ?
                                  cfg->payment_assets :
                                  OG_X402_DEFAULT_ASSETS, err);
  if(r)
    goto fail;
  c->policy.strict_payee = cfg->strict_payee;
  if(cfg->private_key_hex) {
    r = og_privkey_from_hex(&c->key, cfg->private_key_hex,
                            strlen(cfg->private_key_hex), err);
    if(r)
      goto fail;
    c->has_key = 1;
  }
  if(cfg->signing_key_der) {
    c->spki = dup_bytes(cfg->signing_key_der, cfg->signing_key_der_len);
    c->spki_len = cfg->signing_key_der_len;
    if(!c->spki) {
      r = og_fail(err, OG_E_NOMEM, "out of memory");
      goto fail;
    }
  }
  r = og_http_new(&c->http, err);
  if(r)
    goto fail;
  if(cfg->relay_url) {
    r = client_conf_init(c, cfg, err);
    if(r)
      goto fail;
  }

  if(cfg->llm_server_url) {
    const char *u = cfg->llm_server_url;
    if(strncasecmp(u, "https://", 8) || !u[8]) {
      r = og_fail(err, OG_E_USAGE, "server URL '%s' is not an "
                  "https:// URL", u);
      goto fail;
    }
    c->server_url = strdup(u);
    if(!c->server_url) {
      r = og_fail(err, OG_E_NOMEM, "out of memory");
      goto fail;
    }
    if(cfg->tls_cert_der) {
      r = check_cert(cfg->tls_cert_der, cfg->tls_cert_der_len, err);
      if(r)
        goto fail;
      c->pin = dup_bytes(cfg->tls_cert_der, cfg->tls_cert_der_len);
      c->pin_len = cfg->tls_cert_der_len;
      if(!c->pin) {
        r = og_fail(err, OG_E_NOMEM, "out of memory");
        goto fail;
      }
    }
    *out = c;
    return OG_OK;
  }

  /* registry mode: everything is checked before the first RPC */
  {
    og_rpc_opts ro;
    const char *reg = cfg->registry ? cfg->registry : OG_DEFAULT_REGISTRY;
    const char *url = cfg->rpc_url ? cfg->rpc_url : OG_DEFAULT_RPC_URL;
    if(cfg->tls_cert_der && !c->relay_url) {
      r = og_fail(err, OG_E_USAGE, "a pinned TLS certificate goes with a server URL; "
                  "registry TEEs are pinned to their registered certificate");
      goto fail;
    }
    if(og_address_from_hex(&c->registry, reg)) {
      r = og_fail(err, OG_E_USAGE, "registry '%s' is not a contract "
                  "address", reg);
      goto fail;
    }
    if(cfg->tee_id) {
      r = og_tee_id_parse(&c->tee_id, cfg->tee_id, err);
      if(r)
        goto fail;
      c->has_tee_id = 1;
    }
    if(cfg->pcr_allow_len > OG_CLIENT_MAX_PCR) {
      r = og_fail(err, OG_E_USAGE, "too many allowed pcrHash values (at most %d)", OG_CLIENT_MAX_PCR);
      goto fail;
    }
    if(cfg->pcr_allow_len)
      memcpy(c->pcr, cfg->pcr_allow, cfg->pcr_allow_len * sizeof(og_bytes32));
    c->npcr = cfg->pcr_allow_len;
    c->tee_type = cfg->tee_type;
    c->registry_mode = 1;
    memset(&ro, 0, sizeof(ro));
    ro.url = url;
    ro.urls = cfg->rpc_urls;
    ro.n_urls = cfg->rpc_urls ? cfg->n_rpc_urls : 0;
    ro.quorum = cfg->rpc_quorum;
    ro.allow_insecure = cfg->allow_insecure_rpc;
    ro.timeout_ms = c->timeout_ms;
    ro.max_time_ms = cfg->max_time_ms;
    ro.http = c->http;
    r = og_rpc_new(&c->rpc, &ro, err);
    if(r)
      goto fail;
    if(c->has_tee_id) {
      og_tee_select_opts so;
      og_tee_list list = {0};
      const og_tee *chosen;
      memset(&so, 0, sizeof(so));
      so.tee_id = &c->tee_id;
      so.tee_type = c->tee_type;
      so.pcr_allow = c->npcr ? c->pcr : NULL;
      so.pcr_allow_len = c->npcr;
      r = og_registry_select(c->rpc, &list, &chosen, &c->registry, &so, err);
      if(!r && c->relay_url) {
        og_ohttp_config oc;
        og_err oerr;
        if(og_ohttp_config_from_tee(&oc, chosen, &oerr))
          r = og_fail(err, OG_E_NO_TEE, "TEE %s is not OHTTP-capable: %s",
                      cfg->tee_id, oerr.msg);
      }
      if(r) {
        og_tee_list_free(&list);
        goto fail;
      }
      c->tees = list;
      set_current(c, chosen);
      c->read_at = time(NULL);
    }
    else {
      r = refresh(c, NULL, 0, err);
      if(r)
        goto fail;
    }
    logf_(c, "using TEE %s at %s", c->cur_id, c->tee->endpoint);
  }
  *out = c;
  return OG_OK;
fail:
  og_client_free(c);
  return r;
}

static void call_free(og_call *call);

void og_client_free(og_client *c)
{
  if(c) {
    free(c->relay_url);
    free(c->relay_pin);
    if(c->relay_auth)
      og_wipe(c->relay_auth, strlen(c->relay_auth));
    free(c->relay_auth);
  }
  if(!c)
    return;
  while(c->calls)
    og_call_cancel(c->calls);
  attest_gate_free(c->attest);
  og_rpc_free(c->rpc);
  og_http_free(c->http);
  og_tee_list_free(&c->tees);
  free(c->server_url);
  free(c->pin);
  free(c->spki);
  og_privkey_clear(&c->key);
  og_wipe(c, sizeof(*c));
  free(c);
}

/* ------------------------------------------------------------------ */
/* Sessions (X-Upto-Session), within one client                        */

static upto_session *session_find(og_client *c, const char *tee,
                                  const char *path)
{
  size_t i;
  for(i = 0; i < c->nsessions; i++)
    if(!strcmp(c->sessions[i].tee_id, tee) &&
       !strcmp(c->sessions[i].path, path))
      return &c->sessions[i];
  return NULL;
}

static void session_drop(og_client *c, const char *tee, const char *path)
{
  upto_session *s = session_find(c, tee, path);
  if(s) {
    *s = c->sessions[--c->nsessions];
  }
}

static void session_store(og_client *c, const char *tee, const char *path,
                          const char *id)
{
  upto_session *s = session_find(c, tee, path);
  size_t n = strlen(id);
  if(!n || n >= OG_SESSION_MAX)
    return;
  if(!s) {
    if(c->nsessions == OG_MAX_SESSIONS)
      c->sessions[0] = c->sessions[--c->nsessions]; /* evict the oldest */
    s = &c->sessions[c->nsessions++];
  }
  snprintf(s->tee_id, sizeof(s->tee_id), "%s", tee);
  snprintf(s->path, sizeof(s->path), "%s", path);
  memcpy(s->id, id, n + 1);
}

/* ------------------------------------------------------------------ */
/* Calls                                                               */

static void tee_free(call_tee *t)
{
  free(t->endpoint);
  free(t->pin);
  free(t->spki);
  memset(t, 0, sizeof(*t));
}

static og_result snapshot_tee(og_call *call, og_err *err)
{
  og_client *c = call->c;
  call_tee *t = &call->tee;
  tee_free(t);
  if(c->registry_mode) {
    const og_tee *e = c->tee;
    t->endpoint = strndup(e->endpoint, e->endpoint_len);
    t->pin = dup_bytes(e->tls_cert, e->tls_cert_len);
    t->pin_len = e->tls_cert_len;
    t->spki = dup_bytes(e->public_key, e->public_key_len);
    t->spki_len = e->public_key_len;
    memcpy(t->id, c->cur_id, sizeof(t->id));
    memcpy(t->pay, c->cur_pay, sizeof(t->pay));
    t->pay_addr = e->payment_address;
    t->has_pay = 1;
    t->pcr_copy = e->pcr_hash;
    t->pcr = &t->pcr_copy;
    if(!t->endpoint || !t->pin || !t->spki)
      return og_fail(err, OG_E_NOMEM, "out of memory");
    if(c->relay_url)
      return og_ohttp_config_from_tee(&t->ohttp, e, err);
    return OG_OK;
  }
  t->endpoint = strdup(c->server_url);
  if(!t->endpoint)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  /* a failed copy must fail the call: a NULL pin or key would mean "not
   * pinned" or "not verified" */
  if(c->pin) {
    t->pin = dup_bytes(c->pin, c->pin_len);
    t->pin_len = c->pin_len;
  }
  if(c->spki) {
    t->spki = dup_bytes(c->spki, c->spki_len);
    t->spki_len = c->spki_len;
  }
  if((c->pin && !t->pin) || (c->spki && !t->spki))
    return og_fail(err, OG_E_NOMEM, "out of memory");
  return OG_OK;
}

/* Snapshot the client's current TEE for this call and name it in the
 * result (again after a failover, so the result names the server that
 * answered). */
static og_result use_tee(og_call *call, og_err *err)
{
  og_result r = snapshot_tee(call, err);
  if(r)
    return r;
  snprintf(call->out.tee_id, sizeof(call->out.tee_id), "%s", call->tee.id);
  snprintf(call->out.payment_address, sizeof(call->out.payment_address),
           "%s", call->tee.pay);
  free(call->out.endpoint);
  call->out.endpoint = strdup(call->tee.endpoint);
  if(!call->out.endpoint)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  return OG_OK;
}

static void call_free(og_call *call)
{
  og_client *c = call->c;
  if(call->prev)
    call->prev->next = call->next;
  else if(c->calls == call)
    c->calls = call->next;
  if(call->next)
    call->next->prev = call->prev;
  og_buf_free(&call->body);
  og_buf_free(&call->raw);
  og_buf_wipe_free(&call->payment);
  og_llm_stream_free(call->sse);
  og_conf_call_free(call->conf);
  free(call->conf);
  tee_free(&call->tee);
  og_inference_free(&call->out);
  free(call);
}

void og_call_cancel(og_call *call)
{
  if(!call)
    return;
  if(call->xfer)
    og_http_cancel(call->c->http, call->xfer);
  attest_wait_cancel(call->c->http, call->attest);
  call_free(call);
}

static void finish(og_call *call, og_result rc, const og_err *err)
{
  og_call_done_fn done = call->done;
  void *user = call->done_user;
  og_inference out = call->out;
  og_err e;
  call->state = CALL_DONE;
  memset(&call->out, 0, sizeof(call->out));
  og_err_clear(&e);
  if(err)
    e = *err;
  if(rc && !e.msg[0])
    snprintf(e.msg, sizeof(e.msg), "%s", og_strerror(rc));
  call_free(call);
  done(user, rc, &out, &e);
}

static og_result send_attempt(og_call *call, og_err *err);
static int chunk_relay(void *user, const og_llm_chunk *chunk);

/* A fresh answer for the attempt about to be sent: no bytes, and for a
 * stream a new assembler. */
static og_result reset_answer(og_call *call, og_err *err)
{
  og_llm_stream_free(call->sse);
  call->sse = NULL;
  og_buf_free(&call->raw);
  og_buf_init(&call->raw, OG_LLM_MAX_RESPONSE);
  call->got_data = 0;
  if(call->stream) {
    call->sse = og_llm_stream_new(chunk_relay, call);
    if(!call->sse)
      return og_fail(err, OG_E_NOMEM, "out of memory");
    og_llm_stream_set_chunk_json(call->sse, call->chunk_json);
  }
  return OG_OK;
}

static og_result conf_send(og_call *call, og_err *err);
static void conf_done(og_call *call, og_result rc, og_http_resp *resp,
                      const og_err *xerr);

static int chunk_relay(void *user, const og_llm_chunk *chunk)
{
  og_call *call = user;
  return call->on_chunk ? call->on_chunk(call->user, chunk) : 0;
}

static og_result on_data(void *user, const og_http_resp *resp,
                         const unsigned char *data, size_t len, og_err *err)
{
  og_call *call = user;
  call->got_data = 1;
  if(call->conf && resp->status >= 200 && resp->status < 300)
    return og_conf_feed(call->conf, data, len, err);
  if(resp->status >= 200 && resp->status < 300)
    return og_llm_stream_feed(call->sse, data, len, err);
  if(og_buf_add(&call->raw, data, len))
    return og_fail(err, OG_E_TOO_LARGE, "error answer over %zu bytes",
                   call->raw.max);
  return OG_OK;
}

/* X-TEE-* and X-Settlement-* headers, as individual settlement returns. */
static json_t *settlement_headers(const og_http_resp *resp)
{
  json_t *o = NULL;
  size_t i;
  for(i = 0; i < resp->nheaders; i++) {
    const char *name, *value;
    if(og_http_resp_header_at(resp, i, &name, &value))
      break;
    if(strncasecmp(name, "X-TEE-", 6) && strncasecmp(name, "X-Settlement-", 13))
      continue;
    if(!o)
      o = json_object();
    if(o)
      json_object_set_new(o, name, json_string(value));
  }
  return o;
}

static og_result verify_answer(og_call *call, og_err *err)
{
  og_client *c = call->c;
  og_llm_result *a = &call->out.answer;
  og_tool_call calls[OG_LLM_MAX_TOOL_CALLS];
  og_answer ans;
  og_verify_report rep;
  char ts[24];
  size_t i;
  og_result r;
  if(!c->verify || !call->tee.spki)
    return OG_OK;
  if(!a->tee_signature || !a->has_tee_timestamp || !a->tee_request_hash ||
     !a->tee_output_hash || !a->tee_id)
    return og_fail(err, OG_E_VERIFY, "the answer carries no enclave "
                   "signature (tee_signature/tee_* fields missing)");
  memset(&ans, 0, sizeof(ans));
  ans.text = a->text;
  ans.text_len = a->text_len;
  for(i = 0; i < a->n_tool_calls; i++) {
    calls[i].id = a->tool_calls[i].id;
    calls[i].type = a->tool_calls[i].type;
    calls[i].name = a->tool_calls[i].name;
    calls[i].arguments = a->tool_calls[i].arguments;
  }
  ans.tool_calls = a->n_tool_calls ? calls : NULL;
  ans.ntool_calls = a->n_tool_calls;
  snprintf(ts, sizeof(ts), "%lld", (long long)a->tee_timestamp);
  ans.sig.tee_signature = a->tee_signature;
  ans.sig.tee_timestamp = ts;
  ans.sig.tee_request_hash = a->tee_request_hash;
  ans.sig.tee_output_hash = a->tee_output_hash;
  ans.sig.tee_id = a->tee_id;
  r = og_verify_answer_json(&rep, call->tee.spki, call->tee.spki_len,
                            call->out.request, call->completion ?
                            OG_ENDPOINT_COMPLETION : OG_ENDPOINT_CHAT,
                            &ans, err);
  if(r)
    return r;
  if(c->max_age > 0) {
    long long age = (long long)time(NULL) - (long long)a->tee_timestamp;
    if(age > c->max_age)
      return og_fail(err, OG_E_VERIFY, "the answer was signed %lld s ago, "
                     "more than the maximum age of %ld s", age, c->max_age);
  }
  call->out.verified = 1;
  logf_(c, "answer verified: signature by TEE %s over request hash and "
        "output hash (%s rules)", call->tee.id,
        og_canon_rules_name(rep.rules));
  return OG_OK;
}

static og_result on_success(og_call *call, og_http_resp *resp, og_err *err)
{
  og_client *c = call->c;
  const char *sid = og_http_resp_header(resp, "X-Upto-Session", 0);
  og_result r;
  if(sid && (call->state == CALL_PAID || call->state == CALL_SESSION))
    session_store(c, call->tee.id, call->path, sid);
  call->out.settlement = settlement_headers(resp);
  if(call->stream)
    r = og_llm_stream_finish(call->sse, &call->out.answer, err);
  else if(call->completion)
    r = og_llm_parse_completion(&call->out.answer, resp->status,
                                og_buf_str(&resp->body), resp->body.len, err);
  else
    r = og_llm_parse_chat(&call->out.answer, resp->status,
                          og_buf_str(&resp->body), resp->body.len, err);
  if(r)
    return r;
  /* the serving TEE: the registry's, or (direct mode) what the answer says */
  if(!call->tee.id[0] && call->out.answer.tee_id &&
     strlen(call->out.answer.tee_id) < sizeof(call->out.tee_id))
    snprintf(call->out.tee_id, sizeof(call->out.tee_id), "%s",
             call->out.answer.tee_id);
  r = verify_answer(call, err);
  if(r)
    return r;
  if(call->fallback) {
    /* deliver the non-streamed answer as one final chunk */
    og_llm_stream *s = og_llm_stream_new(chunk_relay, call);
    og_llm_result again;
    if(!s)
      return og_fail(err, OG_E_NOMEM, "out of memory");
    r = og_llm_stream_deliver(s, &call->out.answer, err);
    if(!r) {
      r = og_llm_stream_finish(s, &again, err);
      og_llm_result_free(&again);
    }
    og_llm_stream_free(s);
  }
  return r;
}

/* A 402 in call->state: the state to send in next (*next), after signing
 * the payment when that state is CALL_PAID. Only call_next calls this. */
static og_result on_402(og_call *call, call_state *next, og_http_resp *resp,
                        og_err *err)
{
  og_client *c = call->c;
  const char *hdr = og_http_resp_header(resp, "PAYMENT-REQUIRED", 0);
  const og_buf *body = call->stream ? &call->raw : &resp->body;
  og_x402_status st;
  char reason[OG_X402_MAX_ERROR + 1];
  og_x402_required *req = NULL;
  og_x402_payment_info info;
  size_t idx;
  unsigned warn = 0;
  og_buf json;
  og_result r;

  og_x402_classify_402(&st, reason, sizeof(reason), hdr, hdr ? strlen(hdr) : 0,
                       og_buf_str(body), body->len);
  if(call->state == CALL_PAID)
    return og_fail(err, OG_E_PAYMENT, "the server refused the payment "
                   "(HTTP 402 after paying): %s",
                   reason[0] ? reason : "no reason given");
  if(call->state == CALL_SESSION) {
    /* the session is spent or unknown: ask again without it; paying
     * then is this request's one payment */
    logf_(c, "x402 session no longer accepted (%s); asking for a new "
          "payment demand", reason[0] ? reason : "no reason given");
    session_drop(c, call->tee.id, call->path);
    *next = CALL_UNPAID;
    return OG_OK;
  }
  if(!c->has_key)
    return og_fail(err, OG_E_PAYMENT, "the server asks for payment (HTTP "
                   "402) but " OG_CLIENT_NO_KEY);
  {
    og_err derr; /* never format err->msg into itself */
    og_err_clear(&derr);
    if(hdr)
      r = og_x402_decode_header(&req, hdr, strlen(hdr), &derr);
    else
      r = og_x402_decode_body(&req, og_buf_str(body), body->len, &derr);
    if(r) {
      og_x402_required_free(req);
      return og_fail(err, OG_E_PAYMENT, "%s%s", r == OG_E_PAYMENT ? "" :
                     "cannot read the payment demand: ",
                     derr.msg[0] ? derr.msg : og_strerror(r));
    }
  }
  c->policy.has_payee = call->tee.has_pay;
  if(call->tee.has_pay)
    c->policy.payee = call->tee.pay_addr;
  r = og_x402_select(&idx, &warn, req, &c->policy, err);
  if(r) {
    og_x402_required_free(req);
    return r;
  }
  if(warn & OG_X402_WARN_PAYEE)
    logf_(c, "warning: payTo differs from the TEE's registry payment "
          "address %s", call->tee.pay);
  call->out.warnings |= warn;
  if(c->pay_check) {
    r = c->pay_check(c->pay_user, call->done_user,
                     og_x402_required_at(req, idx), err);
    if(r) {
      og_x402_required_free(req);
      return r;
    }
  }
  og_buf_init(&json, OG_X402_MAX_PAYMENT);
  og_buf_wipe_free(&call->payment);
  og_buf_init(&call->payment, OG_X402_MAX_PAYMENT);
  r = og_x402_build_payment(&call->payment, &json, &info, req, idx, &c->key,
                            NULL, err);
  og_buf_free(&json);
  og_x402_required_free(req);
  if(r)
    return r;
  if(c->log) {
    og_buf d;
    og_buf_init(&d, 4096);
    if(!og_x402_describe(&d, &info))
      logf_(c, "%s", og_buf_str(&d));
    og_buf_free(&d);
  }
  call->out.payment = info;
  call->out.paid = 1;
  *next = CALL_PAID;
  return OG_OK;
}

static int failover_ok(og_call *call, og_result rc, const og_http_resp *resp)
{
  og_client *c = call->c;
  if(!c->registry_mode || c->has_tee_id || call->state == CALL_PAID ||
     call->got_data || call->conf)
    return 0;
  if(resp && resp->status)
    return 0;
  if(call->failovers >= OG_MAX_FAILOVERS)
    return 0;
  return rc == OG_E_CONNECT || rc == OG_E_TLS || rc == OG_E_TIMEOUT;
}

/* The one transition function: from call->state on ev, to the state the
 * next attempt is sent in (sent here). OG_OK when a new attempt is on the
 * wire; otherwise the call is to finish with the result. */
static og_result call_next(og_call *call, call_event ev, og_http_resp *resp,
                           og_err *err)
{
  call_state next = call->state;
  og_result r;
  switch(ev) {
  case EV_PAYMENT_REQUIRED:
    /* CALL_UNPAID -> CALL_PAID (signs: the only place that pays),
     * CALL_SESSION -> CALL_UNPAID, CALL_PAID -> error */
    r = on_402(call, &next, resp, err);
    if(r)
      return r;
    break;
  case EV_TEE_UNREACHABLE:
    /* CALL_UNPAID or CALL_SESSION -> CALL_UNPAID on another TEE (never
     * after paying: failover_ok) */
    if(call->state == CALL_PAID)
      return og_fail(err, OG_E_INTERNAL, "failover after paying");
    og_bytes32_from_hex(&call->failed[call->failovers], call->tee.id);
    call->failovers++;
    call->out.failovers = call->failovers;
    r = refresh(call->c, call->failed, (size_t)call->failovers, err);
    if(!r)
      r = use_tee(call, err);
    if(r)
      return r;
    next = CALL_UNPAID;
    break;
  default:
    return og_fail(err, OG_E_INTERNAL, "unknown call event");
  }
  call->state = next;
  return send_attempt(call, err);
}

static void http_done(void *user, og_http_xfer *x, og_result rc,
                      og_http_resp *resp, const og_err *xerr)
{
  og_call *call = user;
  og_err err;
  og_result r;
  (void)x;
  call->xfer = NULL;
  og_err_clear(&err);
  if(call->conf) {
    conf_done(call, rc, resp, xerr);
    return;
  }
  if(rc) {
    if(failover_ok(call, rc, resp)) {
      og_err ferr;
      og_err_clear(&ferr);
      logf_(call->c, "TEE %s failed before answering (%s); re-reading the "
            "registry to try another", call->tee.id, xerr ? xerr->msg : "");
      if(!call_next(call, EV_TEE_UNREACHABLE, resp, &ferr))
        return;
      logf_(call->c, "no other TEE to fail over to: %s", ferr.msg);
    }
    if(rc != OG_E_TIMEOUT && call->stream && call->sse && resp &&
       resp->status >= 200 && resp->status < 300) {
      /* a stream cut short: report it as the stream's own failure
       * ("ended before its final chunk") rather than curl's words */
      og_llm_result part;
      og_err serr;
      og_result sr;
      og_err_clear(&serr);
      sr = og_llm_stream_finish(call->sse, &part, &serr);
      og_llm_result_free(&part);
      if(sr) {
        finish(call, sr, &serr);
        return;
      }
    }
    finish(call, rc, xerr);
    return;
  }
  if(resp->status == 402) {
    r = call_next(call, EV_PAYMENT_REQUIRED, resp, &err);
    if(r)
      finish(call, r, &err);
    return;
  }
  if(resp->status < 200 || resp->status > 299) {
    const og_buf *b = call->stream ? &call->raw : &resp->body;
    r = og_llm_error_message(resp->status, og_buf_str(b), b->len, &err);
    finish(call, r ? r : OG_E_SERVER, &err);
    return;
  }
  r = on_success(call, resp, &err);
  finish(call, r, r ? &err : NULL);
}

/* ------------------------------------------------------------------ */
/* Confidential mode (Oblivious HTTP through a relay; confidential.c)  */

static og_result client_conf_init(og_client *c, const og_client_config *cfg,
                                  og_err *err)
{
  og_result r = og_conf_check_url(cfg->relay_url, err);
  if(r)
    return r;
  if(cfg->llm_server_url)
    return og_fail(err, OG_E_USAGE, "confidential mode takes the TEE and "
                   "its OHTTP key from the registry, not a server URL");
  if(cfg->attest)
    return og_fail(err, OG_E_USAGE, "attestation does not combine with "
                   "confidential mode yet");
  c->relay_url = strdup(cfg->relay_url);
  if(cfg->tls_cert_der) {
    r = check_cert(cfg->tls_cert_der, cfg->tls_cert_der_len, err);
    if(r)
      return r;
    c->relay_pin = dup_bytes(cfg->tls_cert_der, cfg->tls_cert_der_len);
    c->relay_pin_len = cfg->tls_cert_der_len;
    if(!c->relay_pin)
      return og_fail(err, OG_E_NOMEM, "out of memory");
  }
  if(cfg->relay_token && cfg->relay_token[0]) {
    size_t n = strlen(cfg->relay_token), i;
    for(i = 0; i < n; i++)
      if((unsigned char)cfg->relay_token[i] <= 0x20 ||
         cfg->relay_token[i] == 0x7f)
        return og_fail(err, OG_E_USAGE, "the relay token holds a space or "
                       "control character");
    c->relay_auth = malloc(n + 32);
    if(c->relay_auth)
      snprintf(c->relay_auth, n + 32, "Authorization: Bearer %s",
               cfg->relay_token);
  }
  if(!c->relay_url || (cfg->relay_token && cfg->relay_token[0] &&
                       !c->relay_auth))
    return og_fail(err, OG_E_NOMEM, "out of memory");
  return OG_OK;
}

static og_result conf_send(og_call *call, og_err *err)
{
  og_client *c = call->c;
  og_http_req req;
  og_result r;
  r = reset_answer(call, err);
  if(r)
    return r;
  memset(&req, 0, sizeof(req));
  call->conf->cfg = call->tee.ohttp;
  r = og_conf_prepare(call->conf, &req, c->relay_url, c->relay_auth,
                      call->tee.id, &call->body, call->stream, call->sse,
                      err);
  if(r)
    return r;
  req.pin_der = c->relay_pin;
  req.pin_der_len = c->relay_pin_len;
  req.connect_timeout_ms = c->timeout_ms;
  req.idle_timeout_ms = c->timeout_ms;
  if(call->deadline || c->deadline) {
    uint64_t now = og_http_clock_ms();
    uint64_t deadline = call->deadline ? call->deadline : c->deadline;
    if(now >= deadline)
      return og_fail(err, OG_E_TIMEOUT, "the maximum time passed before "
                     "the request was sent to the relay");
    req.total_timeout_ms = (long)(deadline - now);
    if(req.connect_timeout_ms > req.total_timeout_ms)
      req.connect_timeout_ms = req.total_timeout_ms;
  }
  req.max_body = OG_LLM_MAX_RESPONSE;
  req.fresh_connect = 1; /* a sealed request goes out exactly once */
  if(call->stream) {
    req.on_data = on_data;
    req.user = call;
  }
  logf_(c, "POST %s (sealed to TEE %s, OHTTP key id %u)", call->conf->url,
        call->tee.id, call->tee.ohttp.key_id);
  return og_http_start(c->http, &call->xfer, &req, http_done, call, err);
}

static void conf_done(og_call *call, og_result rc, og_http_resp *resp,
                      const og_err *xerr)
{
  og_err err;
  og_result r;
  og_err_clear(&err);
  if(rc) {
    if(rc == OG_E_CONNECT || rc == OG_E_TLS) {
      og_fail(&err, rc, "the relay cannot be reached: %s",
              xerr ? xerr->msg : og_strerror(rc));
      finish(call, rc, &err);
      return;
    }
    if(rc != OG_E_TIMEOUT && call->stream && resp && resp->status >= 200 &&
       resp->status < 300 && !call->conf->rd.failed) {
      /* cut short: the stream's own words (truncated) */
      r = og_conf_finish(call->conf, NULL, &err);
      finish(call, r ? r : OG_E_PARSE, r ? &err : xerr);
      return;
    }
    finish(call, rc, xerr);
    return;
  }
  if(resp->status < 200 || resp->status > 299) {
    r = og_conf_relay_error(resp->status,
                            call->stream ? &call->raw : &resp->body, &err);
    finish(call, r, &err);
    return;
  }
  r = og_conf_finish(call->conf, &resp->body, &err);
  if(!r)
    r = on_success(call, resp, &err);
  finish(call, r, r ? &err : NULL);
}

static void attest_done(void *user, og_result rc, const og_err *err)
{
  og_call *call = user;
  og_err e;
  call->attest = NULL;
  if(rc) { /* like a pin failure: another TEE, or the end */
    http_done(call, NULL, rc == OG_E_TIMEOUT ? rc : OG_E_TLS, NULL, err);
    return;
  }
  og_err_clear(&e);
  rc = send_attempt(call, &e);
  if(rc)
    finish(call, rc, &e);
}

static og_result send_attempt(og_call *call, og_err *err)
{
  og_client *c = call->c;
  const char *headers[8];
  char settle[64], pay_hdr_name[] = "PAYMENT-SIGNATURE: ";
  char sess[OG_SESSION_MAX + 32];
  char url[OG_TEE_MAX_ENDPOINT + 64];
  og_buf payhdr;
  og_http_req req;
  size_t n = 0, elen;
  upto_session *s;
  og_result r;

  if(call->conf)
    return conf_send(call, err);
  if(c->attest && call->state != CALL_PAID &&
     !attest_gate_passed(c->attest, call->tee.id, call->tee.pin,
                         call->tee.pin_len)) {
    logf_(c, "attesting TEE %s before the first request", call->tee.id);
    return attest_gate_start(c->attest, c->http, &call->attest, call->tee.id,
                             call->tee.endpoint, call->tee.pin,
                             call->tee.pin_len, call->tee.spki,
                             call->tee.spki_len, call->tee.pcr,
                             c->timeout_ms, c->timeout_ms, attest_done,
                             call, err);
  }
  elen = strlen(call->tee.endpoint);
  if(elen && call->tee.endpoint[elen - 1] == '/')
    elen--;
  snprintf(url, sizeof(url), "%.*s%s", (int)elen, call->tee.endpoint,
           call->path);
  snprintf(settle, sizeof(settle), "X-SETTLEMENT-TYPE: %s",
           settlement_wire[call->settlement]);
  headers[n++] = "Content-Type: application/json";
  headers[n++] = OG_AUTH_HEADER;
  headers[n++] = settle;
  og_buf_init(&payhdr, OG_X402_MAX_PAYMENT + 64);
  /* only this attempt's own session counts (a failover or a refused
   * session leaves an earlier one behind) */
  call->out.session_reused = 0;
  if(call->state == CALL_PAID) {
    if(og_buf_addstr(&payhdr, pay_hdr_name) ||
       og_buf_add(&payhdr, call->payment.data, call->payment.len))
      return og_fail(err, OG_E_NOMEM, "out of memory");
    headers[n++] = og_buf_str(&payhdr);
  }
  else if(call->tee.id[0] &&
          (s = session_find(c, call->tee.id, call->path)) != NULL) {
    snprintf(sess, sizeof(sess), "X-Upto-Session: %s", s->id);
    headers[n++] = sess;
    call->state = CALL_SESSION;
    call->out.session_reused = 1;
  }
  else
    call->state = CALL_UNPAID;
  if(call->stream)
    headers[n++] = "Accept: text/event-stream";
  headers[n] = NULL;

  r = reset_answer(call, err);
  if(r) {
    og_buf_wipe_free(&payhdr);
    return r;
  }
  memset(&req, 0, sizeof(req));
  req.method = "POST";
  req.url = url;
  req.headers = headers;
  req.body = call->body.data;
  req.body_len = call->body.len;
  req.pin_der = call->tee.pin;
  req.pin_der_len = call->tee.pin_len;
  req.connect_timeout_ms = c->timeout_ms;
  req.idle_timeout_ms = c->timeout_ms;
  if(call->deadline || c->deadline) {
    /* the total deadline, however slowly the server trickles */
    uint64_t now = og_http_clock_ms();
    uint64_t deadline = call->deadline ? call->deadline : c->deadline;
    if(now >= deadline) {
      og_buf_wipe_free(&payhdr);
      return og_fail(err, OG_E_TIMEOUT, "the maximum time passed before "
                     "the request to %s was sent", url);
    }
    req.total_timeout_ms = (long)(deadline - now);
    if(req.connect_timeout_ms > req.total_timeout_ms)
      req.connect_timeout_ms = req.total_timeout_ms;
  }
  req.max_body = OG_LLM_MAX_RESPONSE;
  /* one payment goes out exactly once */
  req.fresh_connect = call->state == CALL_PAID;
  if(call->stream) {
    req.on_data = on_data;
    req.user = call;
  }
  logf_(c, "POST %s%s%s", url, call->state == CALL_PAID ? " (paid)" : "",
        call->state == CALL_SESSION ? " (x402 session)" : "");
  r = og_http_start(c->http, &call->xfer, &req, http_done, call, err);
  og_buf_wipe_free(&payhdr); /* the transport copied the request */
  return r;
}

og_result og_call_start(og_client *c, og_call **out, const og_request *rq,
                        int completion, og_call_done_fn done, void *user,
                        og_err *err)
{
  og_call *call;
  og_llm_params p = rq->params;
  json_t *request = NULL;
  og_result r;
  if(out)
    *out = NULL;
  call = calloc(1, sizeof(*call));
  if(!call)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  call->c = c;
  call->completion = completion;
  call->settlement = rq->settlement;
  call->on_chunk = rq->on_chunk;
  call->user = rq->user;
  call->chunk_json = rq->on_chunk && !rq->no_chunk_json;
  call->done = done;
  call->done_user = user;
  if(rq->max_time_ms > 0)
    call->deadline = og_http_clock_ms() + (uint64_t)rq->max_time_ms;
  call->path = completion ? "/v1/completions" : "/v1/chat/completions";
  og_buf_init(&call->body, OG_LLM_MAX_REQUEST);
  og_buf_init(&call->raw, OG_LLM_MAX_RESPONSE);
  og_buf_init(&call->payment, OG_X402_MAX_PAYMENT);
  if(!completion && p.stream && rq->stream_tools_fallback && p.tools &&
     json_array_size(p.tools) > 0) {
    p.stream = 0;
    call->fallback = 1;
  }
  call->stream = !completion && p.stream;
  if(c->relay_url && completion) {
    free(call);
    return og_fail(err, OG_E_USAGE, "confidential mode is for chat only");
  }
  if(c->relay_url) {
    call->conf = calloc(1, sizeof(*call->conf));
    call->out.confidential = 1;
    if(!call->conf) {
      free(call);
      return og_fail(err, OG_E_NOMEM, "out of memory");
    }
  }
  if(completion)
    r = og_llm_build_completion(&call->body, &request, &p, err);
  else
    r = og_llm_build_chat(&call->body, &request, &p, err);
  if(r) {
    /* the builder may have grown the body before it failed */
    og_buf_free(&call->body);
    free(call->conf);
    free(call);
    return r;
  }
  call->out.request = request;
  /* link first so that call_free can unlink */
  call->next = c->calls;
  if(c->calls)
    c->calls->prev = call;
  c->calls = call;
  if(c->registry_mode && c->refresh_seconds > 0 &&
     time(NULL) - c->read_at >= c->refresh_seconds) {
    og_err rerr;
    og_err_clear(&rerr);
    if(refresh(c, NULL, 0, &rerr))
      logf_(c, "registry refresh failed (keeping TEE %s): %s", c->cur_id,
            rerr.msg);
  }
  r = use_tee(call, err);
  if(!r)
    r = send_attempt(call, err);
  if(r) {
    call_free(call);
    return r;
  }
  if(out)
    *out = call;
  return OG_OK;
}

og_result og_call_pause(og_call *call, int pause)
{
  if(!call || !call->xfer)
    return OG_E_USAGE;
  return og_http_pause(call->c->http, call->xfer, pause);
}

/* The blocking calls drive the transport until their call is done. */
typedef struct blocking {
  int done;
  og_result rc;
  og_err err;
  og_inference out;
} blocking;

static void blocking_done(void *user, og_result rc, og_inference *out,
                          const og_err *err)
{
  blocking *b = user;
  b->done = 1;
  b->rc = rc;
  if(err)
    b->err = *err;
  b->out = *out;
}

static og_result run_blocking(og_client *c, og_inference *out,
                              const og_request *req, int completion,
                              og_err *err)
{
  blocking b;
  og_call *call;
  og_result r;
  memset(&b, 0, sizeof(b));
  memset(out, 0, sizeof(*out));
  r = og_call_start(c, &call, req, completion, blocking_done, &b, err);
  if(r)
    return r;
  while(!b.done) {
    r = og_http_wait(c->http, 1000, NULL);
    if(r && !b.done) {
      og_call_cancel(call);
      return og_fail(err, r, "transport failed: %s", og_strerror(r));
    }
  }
  *out = b.out;
  if(b.rc && err)
    *err = b.err;
  return b.rc;
}

og_result og_chat(og_client *c, og_inference *out, const og_request *req,
                  og_err *err)
{
  return run_blocking(c, out, req, 0, err);
}

og_result og_completion(og_client *c, og_inference *out, const og_request *req,
                        og_err *err)
{
  return run_blocking(c, out, req, 1, err);
}

og_result og_client_wait(og_client *c, long timeout_ms)
{
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  while(c->calls) {
    og_result r = og_http_wait(c->http, 1000, NULL);
    if(r)
      return r;
    if(timeout_ms > 0) {
      clock_gettime(CLOCK_MONOTONIC, &t1);
      if((t1.tv_sec - t0.tv_sec) * 1000 +
         (t1.tv_nsec - t0.tv_nsec) / 1000000 >= timeout_ms)
        return OG_E_TIMEOUT;
    }
  }
  return OG_OK;
}
