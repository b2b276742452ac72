/*
 * Oblivious HTTP client side (RFC 9458 and draft-ietf-ohai-chunked-ohttp-08)
 * for the TEE gateway's recipient: request encapsulation, single-shot and
 * chunked response decryption. See og_ohttp.h for the wire formats.
 */
#include <string.h>

#include "opengradient/og_hpke.h"
#include "opengradient/og_ohttp.h"

static const char LABEL_REQ[] = "message/bhttp request";
static const char LABEL_RES[] = "message/bhttp response";
static const char LABEL_CHUNKED[] = "message/bhttp chunked response";

size_t og_quic_varint_get(uint64_t *v, const unsigned char *p, size_t n)
{
  size_t len, i;
  uint64_t x;
  if(!n)
    return 0;
  len = (size_t)1 << (p[0] >> 6);
  if(n < len)
    return 0;
  x = p[0] & 0x3f;
  for(i = 1; i < len; i++)
    x = (x << 8) | p[i];
  *v = x;
  return len;
}

size_t og_quic_varint_put(unsigned char out[8], uint64_t v)
{
  size_t len, i;
  unsigned char top;
  if(v < 64) {
    len = 1; top = 0x00;
  }
  else if(v < 16384) {
    len = 2; top = 0x40;
  }
  else if(v < 1073741824u) {
    len = 4; top = 0x80;
  }
  else {
    len = 8; top = 0xc0;
    v &= 0x3fffffffffffffffull;
  }
  for(i = 0; i < len; i++)
    out[len - 1 - i] = (unsigned char)(v >> (8 * i));
  out[0] |= top;
  return len;
}

static int suite_ok(uint16_t kem, uint16_t kdf, uint16_t aead)
{
  return kem == OG_HPKE_KEM_X25519_SHA256 && kdf == OG_HPKE_KDF_SHA256 &&
         aead == OG_HPKE_AEAD_CHACHA20POLY1305;
}

/* keyConfig (RFC 9458 3.1): key_id(1) kem(2) pk(32) suites_len(2)
 * (kdf(2) aead(2))* ; must name our key id, KEM, key and suite. */
static int key_config_agrees(const og_tee *t)
{
  const unsigned char *k = t->ohttp_key_config;
  size_t n = t->ohttp_key_config_len, sl, i;
  int found = 0;
  if(!n)
    return 1; /* nothing to disagree with */
  if(n < 1 + 2 + 32 + 2)
    return 0;
  if(k[0] != t->ohttp_key_id ||
     ((unsigned)k[1] << 8 | k[2]) != t->ohttp_kem_id ||
     memcmp(k + 3, t->ohttp_public_key, 32) != 0)
    return 0;
  sl = (size_t)k[35] << 8 | k[36];
  if(sl == 0 || sl % 4 || 37 + sl != n)
    return 0;
  for(i = 37; i < n; i += 4)
    if(((unsigned)k[i] << 8 | k[i + 1]) == t->ohttp_kdf_id &&
       ((unsigned)k[i + 2] << 8 | k[i + 3]) == t->ohttp_aead_id)
      found = 1;
  return found;
}

og_result og_ohttp_config_from_tee(og_ohttp_config *cfg, const og_tee *t,
                                   og_err *err)
{
  if(!cfg || !t)
    return og_fail(err, OG_E_USAGE, "OHTTP config: missing argument");
  if(!t->has_ohttp || !t->ohttp_public_key || !t->ohttp_public_key_len)
    return og_fail(err, OG_E_NO_TEE, "the TEE has no OHTTP key");
  if(t->ohttp_public_key_len != 32)
    return og_fail(err, OG_E_NO_TEE,
                   "the TEE's OHTTP key is %zu bytes, not a 32-byte X25519 key",
                   t->ohttp_public_key_len);
  if(!suite_ok(t->ohttp_kem_id, t->ohttp_kdf_id, t->ohttp_aead_id))
    return og_fail(err, OG_E_NO_TEE,
                   "the TEE's OHTTP suite (kem 0x%04x, kdf 0x%04x, aead 0x%04x)"
                   " is not X25519/HKDF-SHA256/ChaCha20-Poly1305",
                   t->ohttp_kem_id, t->ohttp_kdf_id, t->ohttp_aead_id);
  if(!key_config_agrees(t))
    return og_fail(err, OG_E_NO_TEE,
                   "the TEE's OHTTP keyConfig disagrees with its key fields");
  cfg->key_id = t->ohttp_key_id;
  cfg->kem_id = t->ohttp_kem_id;
  cfg->kdf_id = t->ohttp_kdf_id;
  cfg->aead_id = t->ohttp_aead_id;
  memcpy(cfg->public_key, t->ohttp_public_key, 32);
  return OG_OK;
}

og_result og_ohttp_encapsulate(og_ohttp_req *req, og_buf *wire,
                               const og_ohttp_config *cfg,
                               const unsigned char *body, size_t len,
                               int chunked, const unsigned char *ikmE,
                               og_err *err)
{
  unsigned char hdr[OG_OHTTP_HEADER_LEN];
  unsigned char info[sizeof LABEL_REQ + OG_OHTTP_HEADER_LEN];
  og_hpke_ctx ctx;
  unsigned char *ct;
  size_t start;
  og_result r;
  if(!req || !wire || !cfg || (!body && len))
    return og_fail(err, OG_E_USAGE, "OHTTP: missing argument");
  if(!suite_ok(cfg->kem_id, cfg->kdf_id, cfg->aead_id))
    return og_fail(err, OG_E_USAGE, "OHTTP: unsupported HPKE suite");
  if(len > OG_OHTTP_MAX_RESPONSE)
    return og_fail(err, OG_E_TOO_LARGE, "OHTTP: request body too large");
  hdr[0] = cfg->key_id;
  hdr[1] = (unsigned char)(cfg->kem_id >> 8);
  hdr[2] = (unsigned char)cfg->kem_id;
  hdr[3] = (unsigned char)(cfg->kdf_id >> 8);
  hdr[4] = (unsigned char)cfg->kdf_id;
  hdr[5] = (unsigned char)(cfg->aead_id >> 8);
  hdr[6] = (unsigned char)cfg->aead_id;
  memcpy(info, LABEL_REQ, sizeof LABEL_REQ); /* includes the 0x00 */
  memcpy(info + sizeof LABEL_REQ, hdr, sizeof hdr);
  memset(req, 0, sizeof *req);
  req->chunked = chunked ? 1 : 0;
  r = og_hpke_setup_base_s(&ctx, req->enc, cfg->public_key, info,
                           sizeof info, ikmE, err);
  if(r != OG_OK)
    return r;
  start = wire->len;
  r = og_buf_add(wire, hdr, sizeof hdr);
  if(r == OG_OK)
    r = og_buf_add(wire, req->enc, 32);
  /* the body, then room for the tag; sealed in place */
  if(r == OG_OK && len)
    r = og_buf_add(wire, body, len);
  if(r == OG_OK) {
    static const unsigned char tag0[OG_HPKE_NT];
    r = og_buf_add(wire, tag0, sizeof tag0);
  }
  if(r != OG_OK)
    r = og_fail(err, r, "OHTTP: request does not fit");
  if(r == OG_OK) {
    ct = wire->data + start + sizeof hdr + 32;
    r = og_hpke_seal(&ctx, ct, NULL, 0, ct, len, err);
  }
  if(r == OG_OK)
    r = og_hpke_export(&ctx, req->secret, 32,
                       (const unsigned char *)(chunked ? LABEL_CHUNKED
                                                       : LABEL_RES),
                       chunked ? sizeof LABEL_CHUNKED - 1
                               : sizeof LABEL_RES - 1, err);
  og_hpke_ctx_wipe(&ctx);
  if(r != OG_OK)
    og_ohttp_req_wipe(req);
  return r;
}

/* Open in place: ciphertext body at ct (may equal pt), tag elsewhere. */
static og_result open_split(unsigned char *pt, const unsigned char key[32],
                            const unsigned char nonce[12],
                            const unsigned char *aad, size_t aad_len,
                            const unsigned char *ct, size_t ct_len,
                            const unsigned char tag[16])
{
  return og_chacha20poly1305_open_detached(pt, key, nonce, aad, aad_len, ct,
                                           ct_len, tag, NULL);
}

og_result og_ohttp_response_keys(unsigned char key[32], unsigned char nonce[12],
                                 const og_ohttp_req *req,
                                 const unsigned char rnonce[32], og_err *err)
{
  unsigned char salt[64], prk[32];
  og_result r;
  memcpy(salt, req->enc, 32);
  memcpy(salt + 32, rnonce, 32);
  r = og_hkdf_sha256_extract(prk, salt, 64, req->secret, 32, err);
  if(r == OG_OK)
    r = og_hkdf_sha256_expand(key, 32, prk, (const unsigned char *)"key", 3,
                              err);
  if(r == OG_OK)
    r = og_hkdf_sha256_expand(nonce, 12, prk,
                              (const unsigned char *)"nonce", 5, err);
  og_wipe(prk, sizeof prk);
  return r;
}

og_result og_ohttp_open_response(og_buf *plain, const og_ohttp_req *req,
                                 const unsigned char *resp, size_t len,
                                 og_err *err)
{
  unsigned char key[32], nonce[12];
  size_t start;
  og_result r;
  if(!plain || !req || (!resp && len))
    return og_fail(err, OG_E_USAGE, "OHTTP: missing argument");
  if(len < OG_OHTTP_NONCE_LEN + OG_HPKE_NT)
    return og_fail(err, OG_E_PARSE,
                   "encrypted response too short (%zu bytes)", len);
  if(len > OG_OHTTP_MAX_RESPONSE)
    return og_fail(err, OG_E_TOO_LARGE, "encrypted response too large");
  r = og_ohttp_response_keys(key, nonce, req, resp, err);
  start = plain->len;
  if(r == OG_OK) {
    size_t ptn = len - OG_OHTTP_NONCE_LEN - OG_HPKE_NT;
    if(ptn)
      r = og_buf_add(plain, resp + OG_OHTTP_NONCE_LEN, ptn);
    if(r != OG_OK)
      r = og_fail(err, r, "decrypted response does not fit");
    else if(open_split(ptn ? plain->data + start : NULL, key, nonce, NULL, 0,
                       ptn ? plain->data + start : NULL, ptn,
                       resp + len - OG_HPKE_NT) != OG_OK) {
      plain->len = start;
      if(plain->data)
        plain->data[start] = 0;
      r = og_fail(err, OG_E_VERIFY,
                  "the encrypted response does not decrypt (tampered or not "
                  "for this request)");
    }
    else if(plain->data)
      plain->data[plain->len] = 0;
  }
  og_wipe(key, sizeof key);
  og_wipe(nonce, sizeof nonce);
  return r;
}

void og_ohttp_chunked_init(og_ohttp_chunked *c, const og_ohttp_req *req)
{
  memset(c, 0, sizeof *c);
  c->req = *req;
  og_buf_init(&c->in, OG_OHTTP_MAX_CHUNK + 16);
  og_buf_init(&c->pt, OG_OHTTP_MAX_CHUNK);
}

static og_result open_chunk(og_ohttp_chunked *c, const unsigned char *ct,
                            size_t n, int final, og_ohttp_chunk_fn cb,
                            void *ctx, og_err *err)
{
  unsigned char nonce[12];
  size_t ptn = n - OG_HPKE_NT;
  og_result r = OG_OK;
  og_hpke_nonce(nonce, c->nonce, c->counter);
  og_buf_reset(&c->pt);
  if(ptn && og_buf_add(&c->pt, ct, ptn) != OG_OK)
    return og_fail(err, OG_E_TOO_LARGE, "decrypted chunk does not fit");
  if(og_aead_open(c->aead, ptn ? c->pt.data : NULL, nonce,
                  final ? (const unsigned char *)"final" : NULL,
                  final ? 5 : 0, ptn ? c->pt.data : NULL, ptn, ct + ptn,
                  NULL) != OG_OK)
    return og_fail(err, OG_E_VERIFY,
                   "encrypted stream chunk %llu does not decrypt%s",
                   (unsigned long long)c->counter,
                   final ? " (final chunk)" : "");
  c->counter++;
  if(cb)
    r = cb(ctx, ptn ? c->pt.data : (const unsigned char *)"", ptn, final, err);
  og_wipe(c->pt.data, c->pt.len);
  return r;
}

/* A non-final chunk's announced length: at least a tag, at most the cap. */
static og_result chunk_len_ok(uint64_t v, og_err *err)
{
  if(v >= OG_HPKE_NT && v <= OG_OHTTP_MAX_CHUNK)
    return OG_OK;
  return og_fail(err, v < OG_HPKE_NT ? OG_E_PARSE : OG_E_TOO_LARGE,
                 "encrypted stream chunk of %llu bytes", (unsigned long long)v);
}

/* Hold n more bytes for a later read (a split chunk, the final one). */
static og_result keep(og_ohttp_chunked *c, const unsigned char *p, size_t n,
                      og_err *err)
{
  og_result r = og_buf_add(&c->in, p, n);
  if(r == OG_E_TOO_LARGE)
    return og_fail(err, r, "encrypted stream chunk larger than %u bytes",
                   OG_OHTTP_MAX_CHUNK);
  return r ? og_fail(err, r, "out of memory") : OG_OK;
}

/* Opens the complete chunks at the start of d; *took is the bytes they
 * used, the final marker included (which sets in_final). */
static og_result open_run(og_ohttp_chunked *c, const unsigned char *d,
                          size_t len, size_t *took, og_ohttp_chunk_fn cb,
                          void *ctx, og_err *err)
{
  size_t pos = 0;
  og_result r = OG_OK;
  while(!c->in_final && pos < len) {
    uint64_t v;
    size_t used = og_quic_varint_get(&v, d + pos, len - pos);
    if(!used)
      break;
    if(v == 0) {
      c->in_final = 1;
      pos += used;
      break;
    }
    if((r = chunk_len_ok(v, err)) != OG_OK)
      break;
    if(len - pos - used < v)
      break;
    r = open_chunk(c, d + pos + used, (size_t)v, 0, cb, ctx, err);
    if(r != OG_OK)
      break;
    pos += used + (size_t)v;
  }
  *took = pos;
  return r;
}

/* Bytes are copied only when a chunk is split across reads (c->in holds
 * its start) and for the final chunk, which runs to the end of the
 * stream; whole chunks are opened where they lie in p. */
og_result og_ohttp_chunked_feed(og_ohttp_chunked *c, const unsigned char *p,
                                size_t n, og_ohttp_chunk_fn cb, void *ctx,
                                og_err *err)
{
  og_result r = OG_OK;
  size_t k, took;
  if(c->failed)
    return og_fail(err, c->failed, "encrypted stream already failed");
  if(c->done)
    return og_fail(err, OG_E_PARSE, "data after the end of the stream");
  if(!c->have_keys) {
    k = OG_OHTTP_NONCE_LEN - c->in.len;
    k = n < k ? n : k;
    if(k && (r = keep(c, p, k, err)) != OG_OK)
      goto out;
    p += k;
    n -= k;
    if(c->in.len < OG_OHTTP_NONCE_LEN)
      return OG_OK;
    r = og_ohttp_response_keys(c->key, c->nonce, &c->req, c->in.data, err);
    if(r == OG_OK)
      r = og_aead_new(&c->aead, c->key, err);
    if(r != OG_OK)
      goto out;
    c->have_keys = 1;
    og_buf_reset(&c->in);
  }
  /* a chunk begun in an earlier read: complete it from p */
  while(c->in.len && !c->in_final && n) {
    uint64_t v;
    size_t used = og_quic_varint_get(&v, c->in.data, c->in.len), need;
    if(!used) { /* its length is still incomplete */
      if((r = keep(c, p, 1, err)) != OG_OK)
        goto out;
      p++;
      n--;
      continue;
    }
    if(v == 0) { /* the final marker; what follows is the final chunk */
      c->in_final = 1;
      og_buf_consume(&c->in, used);
      break;
    }
    if((r = chunk_len_ok(v, err)) != OG_OK)
      goto out;
    need = used + (size_t)v - c->in.len;
    k = n < need ? n : need;
    if((r = keep(c, p, k, err)) != OG_OK)
      goto out;
    p += k;
    n -= k;
    if(k < need)
      return OG_OK;
    r = open_chunk(c, c->in.data + used, (size_t)v, 0, cb, ctx, err);
    if(r != OG_OK)
      goto out;
    og_buf_reset(&c->in);
  }
  if(!c->in_final && !c->in.len && n) {
    r = open_run(c, p, n, &took, cb, ctx, err);
    if(r != OG_OK)
      goto out;
    p += took;
    n -= took;
  }
  /* the rest: the start of a split chunk, or the final chunk's bytes */
  if(n)
    r = keep(c, p, n, err);
out:
  if(r != OG_OK)
    c->failed = r;
  return r;
}

og_result og_ohttp_chunked_finish(og_ohttp_chunked *c, og_ohttp_chunk_fn cb,
                                  void *ctx, og_err *err)
{
  og_result r;
  if(c->failed)
    return og_fail(err, c->failed, "encrypted stream already failed");
  if(c->done)
    return OG_OK;
  if(!c->have_keys || !c->in_final)
    r = og_fail(err, OG_E_PARSE,
                "the encrypted stream was truncated (no final chunk)");
  else if(c->in.len < OG_HPKE_NT)
    r = og_fail(err, OG_E_PARSE,
                "the encrypted stream's final chunk is truncated");
  else
    r = open_chunk(c, c->in.data, c->in.len, 1, cb, ctx, err);
  if(r != OG_OK)
    c->failed = r;
  else
    c->done = 1;
  return r;
}

void og_ohttp_chunked_free(og_ohttp_chunked *c)
{
  if(!c)
    return;
  og_buf_wipe_free(&c->in);
  og_buf_wipe_free(&c->pt);
  og_aead_free(c->aead);
  og_wipe(c, sizeof *c);
}

void og_ohttp_req_wipe(og_ohttp_req *req)
{
  if(req)
    og_wipe(req, sizeof *req);
}
