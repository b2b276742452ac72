/* --attest inside the client (attest_gate.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/sha.h>

#include "attest_gate.h"

#define GATE_MAX 64

typedef struct gate_entry {
  char tee_id[67];
  unsigned char pin_sha[32];
  int64_t not_after;
} gate_entry;

struct attest_gate {
  char *root_pem;
  gate_entry e[GATE_MAX];
  size_t n;
};

struct attest_wait {
  attest_gate *g;
  og_attest_op *op;
  char tee_id[67];
  unsigned char pin_sha[32];
  void (*done)(void *user, og_result rc, const og_err *err);
  void *user;
};

og_result attest_gate_new(attest_gate **out, const char *root_pem,
                          og_err *err)
{
  attest_gate *g = calloc(1, sizeof(*g));
  *out = NULL;
  if(!g || (root_pem && !(g->root_pem = strdup(root_pem)))) {
    free(g);
    return og_fail(err, OG_E_NOMEM, "out of memory");
  }
  *out = g;
  return OG_OK;
}

void attest_gate_free(attest_gate *g)
{
  if(!g)
    return;
  free(g->root_pem);
  free(g);
}

static void pin_hash(unsigned char out[32], const unsigned char *pin,
                     size_t len)
{
  if(pin)
    SHA256(pin, len, out);
  else
    memset(out, 0, 32);
}

int attest_gate_passed(attest_gate *g, const char *tee_id,
                       const unsigned char *pin, size_t pin_len)
{
  unsigned char h[32];
  int64_t now = (int64_t)time(NULL);
  size_t i;
  pin_hash(h, pin, pin_len);
  for(i = 0; i < g->n; i++)
    if(!strcmp(g->e[i].tee_id, tee_id) && !memcmp(g->e[i].pin_sha, h, 32) &&
       now < g->e[i].not_after)
      return 1;
  return 0;
}

static void remember(attest_gate *g, const attest_wait *w, int64_t not_after)
{
  size_t i, slot = g->n;
  int64_t now = (int64_t)time(NULL);
  for(i = 0; i < g->n; i++)
    if((!strcmp(g->e[i].tee_id, w->tee_id) &&
        !memcmp(g->e[i].pin_sha, w->pin_sha, 32)) ||
       g->e[i].not_after <= now) {
      slot = i;
      break;
    }
  if(slot == GATE_MAX)
    slot = 0; /* full of live entries: forget the oldest slot */
  else if(slot == g->n)
    g->n++;
  snprintf(g->e[slot].tee_id, sizeof(g->e[slot].tee_id), "%s", w->tee_id);
  memcpy(g->e[slot].pin_sha, w->pin_sha, 32);
  g->e[slot].not_after = not_after;
}

static void on_done(void *user, og_result rc, const og_attest_report *rep,
                    const og_err *err)
{
  attest_wait *w = user;
  og_err e;
  og_err_clear(&e);
  if(!rc)
    remember(w->g, w, rep->doc.leaf_not_after);
  else
    snprintf(e.msg, sizeof(e.msg), "TEE %.66s: %.400s", w->tee_id,
             err && err->msg[0] ? err->msg : og_strerror(rc));
  w->done(w->user, rc, rc ? &e : NULL);
  free(w);
}

og_result attest_gate_start(attest_gate *g, og_http *h, attest_wait **out,
                            const char *tee_id, const char *endpoint,
                            const unsigned char *pin, size_t pin_len,
                            const unsigned char *spki, size_t spki_len,
                            const og_bytes32 *pcr, long connect_ms,
                            long total_ms,
                            void (*done)(void *user, og_result rc,
                                         const og_err *err),
                            void *user, og_err *err)
{
  attest_wait *w = calloc(1, sizeof(*w));
  og_attest_target t;
  og_result r;
  *out = NULL;
  if(!w)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  w->g = g;
  w->done = done;
  w->user = user;
  snprintf(w->tee_id, sizeof(w->tee_id), "%s", tee_id);
  pin_hash(w->pin_sha, pin, pin_len);
  memset(&t, 0, sizeof(t));
  t.endpoint = endpoint;
  t.pin_der = pin;
  t.pin_der_len = pin_len;
  t.spki = spki;
  t.spki_len = spki_len;
  t.pcr_hash = pcr;
  t.root_pem = g->root_pem;
  t.connect_timeout_ms = connect_ms;
  t.total_timeout_ms = total_ms;
  r = og_attest_start(h, &w->op, &t, on_done, w, err);
  if(r) {
    free(w);
    return r;
  }
  *out = w;
  return OG_OK;
}

void attest_wait_cancel(og_http *h, attest_wait *w)
{
  if(!w)
    return;
  og_attest_cancel(h, w->op);
  free(w);
}
