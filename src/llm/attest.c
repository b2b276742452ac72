/*
 * Live Nitro attestation of a TEE: GET /enclave/attestation with a fresh
 * nonce over the pinned connection, then the document's signature and
 * chain (crypto/nitro.c) and its binding to what the caller knows
 * (nonce, pcrHash, the pinned certificate, the signing key).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <openssl/sha.h>

#include "opengradient/og_attest.h"
#include "opengradient/og_hex.h"
#include "opengradient/og_http.h"

#define ATTEST_MAX_BODY (2u * OG_ATTEST_MAX_DOC)

struct og_attest_op {
  og_http_xfer *xfer;
  og_attest_done_fn done;
  void *user;
  char *root_pem;
  int64_t at;
  int has_pin, has_key, has_pcr;
  og_bytes32 pin_sha, key_sha, pcr;
  og_attest_report rep;
};

static void set_check(og_attest_report *rep, int *slot, int v,
                      const char *what)
{
  *slot = v;
  if(v == 0) {
    rep->ok = 0;
    if(!rep->error[0])
      snprintf(rep->error, sizeof(rep->error), "%s", what);
  }
}

void og_attest_evaluate(og_attest_report *rep, const og_attest_expect *e)
{
  const og_attest_doc *d = &rep->doc;
  char why[OG_ERR_SIZE];
  rep->ok = rep->parsed;
  rep->error[0] = '\0';
  rep->signature = rep->chain = rep->nonce = -1;
  rep->pcr_hash = rep->tls_cert = rep->signing_key = -1;
  if(!rep->parsed)
    return;
  snprintf(why, sizeof(why), "attestation signature: %s",
           d->signature_error);
  set_check(rep, &rep->signature, d->signature_ok, why);
  snprintf(why, sizeof(why), "attestation certificate chain: %s",
           d->chain_error);
  set_check(rep, &rep->chain, d->chain_ok, why);
  if(e && e->nonce)
    set_check(rep, &rep->nonce,
              d->has_nonce && d->nonce_len == e->nonce_len &&
              memcmp(d->nonce, e->nonce, e->nonce_len) == 0,
              "attestation nonce does not match (live: the one we sent)");
  if(e && e->pcr_hash)
    set_check(rep, &rep->pcr_hash,
              memcmp(d->pcr_hash.b, e->pcr_hash->b, 32) == 0,
              "attested PCRs do not hash to the expected pcrHash");
  if(e && e->tls_cert_sha256) {
    int v = 0;
    og_attest_check_binding(d, e->tls_cert_sha256, NULL, &v, NULL);
    set_check(rep, &rep->tls_cert, v,
              "attestation user_data does not bind the TLS certificate");
  }
  if(e && e->signing_key_sha256) {
    int v = 0;
    og_attest_check_binding(d, NULL, e->signing_key_sha256, NULL, &v);
    set_check(rep, &rep->signing_key, v,
              "attestation user_data does not bind the signing key");
  }
}

static void op_free(og_attest_op *op)
{
  if(!op)
    return;
  free(op->root_pem);
  free(op);
}

static void fetched(void *user, og_http_xfer *x, og_result rc,
                    og_http_resp *resp, const og_err *xerr)
{
  og_attest_op *op = user;
  og_attest_report *rep = &op->rep;
  unsigned char *raw = NULL;
  size_t n = 0;
  og_err err;
  og_attest_expect e;
  (void)x;
  op->xfer = NULL;
  og_err_clear(&err);
  if(rc) {
    og_err e2;
    snprintf(e2.msg, sizeof(e2.msg), "attestation document could not be "
             "fetched: %.400s", xerr && xerr->msg[0] ? xerr->msg : og_strerror(rc));
    snprintf(rep->error, sizeof(rep->error), "%s", e2.msg);
    op->done(op->user, rc, rep, &e2);
    op_free(op);
    return;
  }
  if(resp->status != 200) {
    rc = og_fail(&err, OG_E_TLS, "attestation document could not be "
                 "fetched: HTTP %ld", resp->status);
    goto fail;
  }
  raw = malloc(OG_ATTEST_MAX_DOC);
  if(!raw) {
    rc = og_fail(&err, OG_E_NOMEM, "out of memory");
    goto fail;
  }
  rc = og_attest_decode_text(raw, &n, resp->body.data, resp->body.len, &err);
  if(!rc)
    rc = og_attest_verify(&rep->doc, raw, n, op->root_pem,
                          op->at ? op->at : (int64_t)time(NULL), &err);
  free(raw);
  raw = NULL;
  if(rc) {
    og_err e2;
    snprintf(e2.msg, sizeof(e2.msg), "attestation document does not parse: "
             "%.400s", err.msg);
    err = e2;
    rc = rc == OG_E_USAGE ? OG_E_USAGE : OG_E_TLS;
    goto fail;
  }
  rep->parsed = 1;
  memset(&e, 0, sizeof(e));
  e.nonce = rep->our_nonce;
  e.nonce_len = sizeof(rep->our_nonce);
  e.pcr_hash = op->has_pcr ? &op->pcr : NULL;
  e.tls_cert_sha256 = op->has_pin ? &op->pin_sha : NULL;
  e.signing_key_sha256 = op->has_key ? &op->key_sha : NULL;
  og_attest_evaluate(rep, &e);
  if(!rep->ok) {
    rc = og_fail(&err, OG_E_TLS, "%s", rep->error);
    goto fail;
  }
  op->done(op->user, OG_OK, rep, NULL);
  op_free(op);
  return;
fail:
  free(raw);
  if(!rep->error[0])
    snprintf(rep->error, sizeof(rep->error), "%s", err.msg);
  op->done(op->user, rc, rep, &err);
  op_free(op);
}

og_result og_attest_start(og_http *h, og_attest_op **out,
                          const og_attest_target *t, og_attest_done_fn done,
                          void *user, og_err *err)
{
  og_attest_op *op;
  og_http_req req;
  char hex[41];
  char *url;
  size_t elen, got = 0;
  og_result r;
  if(out)
    *out = NULL;
  if(!h || !t || !t->endpoint || !done)
    return og_fail(err, OG_E_USAGE, "attestation: missing argument");
  op = calloc(1, sizeof(*op));
  if(!op)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  op->done = done;
  op->user = user;
  op->at = t->at;
  /* nothing checked until a document is in */
  op->rep.signature = op->rep.chain = op->rep.nonce = -1;
  op->rep.pcr_hash = op->rep.tls_cert = op->rep.signing_key = -1;
  if(t->root_pem && !(op->root_pem = strdup(t->root_pem))) {
    op_free(op);
    return og_fail(err, OG_E_NOMEM, "out of memory");
  }
  if(t->pin_der) {
    SHA256(t->pin_der, t->pin_der_len, op->pin_sha.b);
    op->has_pin = 1;
  }
  if(t->spki) {
    SHA256(t->spki, t->spki_len, op->key_sha.b);
    op->has_key = 1;
  }
  if(t->pcr_hash) {
    op->pcr = *t->pcr_hash;
    op->has_pcr = 1;
  }
  while(got < sizeof(op->rep.our_nonce)) {
    ssize_t k = getrandom(op->rep.our_nonce + got,
                          sizeof(op->rep.our_nonce) - got, 0);
    if(k <= 0) {
      op_free(op);
      return og_fail(err, OG_E_CRYPTO, "getrandom failed");
    }
    got += (size_t)k;
  }
  og_hex_encode(hex, op->rep.our_nonce, sizeof(op->rep.our_nonce));
  elen = strlen(t->endpoint);
  if(elen && t->endpoint[elen - 1] == '/')
    elen--;
  url = malloc(elen + 80);
  if(!url) {
    op_free(op);
    return og_fail(err, OG_E_NOMEM, "out of memory");
  }
  snprintf(url, elen + 80, "%.*s/enclave/attestation?nonce=%s", (int)elen,
           t->endpoint, hex);
  memset(&req, 0, sizeof(req));
  req.method = "GET";
  req.url = url;
  req.pin_der = t->pin_der;
  req.pin_der_len = t->pin_der_len;
  req.connect_timeout_ms = t->connect_timeout_ms;
  req.total_timeout_ms = t->total_timeout_ms;
  req.max_body = ATTEST_MAX_BODY;
  r = og_http_start(h, &op->xfer, &req, fetched, op, err);
  free(url);
  if(r) {
    op_free(op);
    return r;
  }
  if(out)
    *out = op;
  return OG_OK;
}

void og_attest_cancel(og_http *h, og_attest_op *op)
{
  if(!op)
    return;
  if(op->xfer)
    og_http_cancel(h, op->xfer);
  op_free(op);
}
