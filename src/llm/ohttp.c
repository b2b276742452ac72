/* Oblivious HTTP request encapsulation and (chunked) response opening.
 * See og_ohttp.h for the wire layout. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "opengradient/og_ohttp.h"

static const char label_req[] = "message/bhttp request";
static const char label_res[] = "message/bhttp response";
static const char label_chunked[] = "message/bhttp chunked response";

enum { ST_NONCE = 0, ST_LEN, ST_BODY, ST_FINAL, ST_DONE };

size_t og_quic_varint_read(uint64_t *v, const unsigned char *p, size_t len)
{
  size_t n, i;
  uint64_t x;
  if(!len)
    return 0;
  n = (size_t)1 << (p[0] >> 6);
  if(len < n)
    return 0;
  x = p[0] & 0x3f;
  for(i = 1; i < n; i++)
    x = (x << 8) | p[i];
  *v = x;
  return n;
}

size_t og_quic_varint_write(unsigned char out[8], uint64_t v)
{
  size_t n, i;
  unsigned char tag;
  if(v < 64) {
    n = 1; tag = 0x00;
  } else if(v < 16384) {
    n = 2; tag = 0x40;
  } else if(v < 1073741824) {
    n = 4; tag = 0x80;
  } else {
    n = 8; tag = 0xc0;
  }
  for(i = 0; i < n; i++)
    out[n - 1 - i] = (unsigned char)(v >> (8 * i));
  out[0] |= tag;
  return n;
}

static void header(unsigned char h[OG_OHTTP_HEADER_LEN], uint8_t key_id)
{
  h[0] = key_id;
  h[1] = 0x00; h[2] = 0x20;
  h[3] = 0x00; h[4] = 0x01;
  h[5] = 0x00; h[6] = 0x03;
}

og_result og_ohttp_tee_usable(const og_tee *tee, og_err *err)
{
  const unsigned char *c;
  size_t n, off, slen;
  int found = 0;
  if(!tee || !tee->has_ohttp)
    return og_fail(err, OG_E_NO_TEE, "the TEE has no OHTTP key");
  if(tee->ohttp_kem_id != OG_HPKE_KEM_X25519_SHA256
     || tee->ohttp_kdf_id != OG_HPKE_KDF_HKDF_SHA256
     || tee->ohttp_aead_id != OG_HPKE_AEAD_CHACHA20POLY1305)
    return og_fail(err, OG_E_NO_TEE,
                   "the TEE's OHTTP suite (KEM 0x%04x, KDF 0x%04x, AEAD "
                   "0x%04x) is not the supported one",
                   tee->ohttp_kem_id, tee->ohttp_kdf_id, tee->ohttp_aead_id);
  if(tee->ohttp_public_key_len != OG_HPKE_NPK || !tee->ohttp_public_key)
    return og_fail(err, OG_E_NO_TEE,
                   "the TEE's OHTTP public key is %zu bytes, not 32",
                   tee->ohttp_public_key_len);
  c = tee->ohttp_key_config;
  n = tee->ohttp_key_config_len;
  if(!n)
    return OG_OK; /* nothing to disagree with */
  /* key_id(1) kem(2) pk(32) suites_len(2) (kdf(2) aead(2))* */
  if(!c || n < 1 + 2 + 32 + 2)
    return og_fail(err, OG_E_NO_TEE, "the TEE's OHTTP keyConfig is too short");
  if(c[0] != tee->ohttp_key_id || c[1] != 0x00 || c[2] != 0x20
     || memcmp(c + 3, tee->ohttp_public_key, 32) != 0)
    return og_fail(err, OG_E_NO_TEE,
                   "the TEE's OHTTP keyConfig disagrees with its key fields");
  slen = ((size_t)c[35] << 8) | c[36];
  if(slen % 4 || 37 + slen != n)
    return og_fail(err, OG_E_NO_TEE, "the TEE's OHTTP keyConfig is malformed");
  for(off = 37; off < n; off += 4)
    if(c[off] == 0 && c[off + 1] == 0x01 && c[off + 2] == 0
       && c[off + 3] == 0x03)
      found = 1;
  if(!found)
    return og_fail(err, OG_E_NO_TEE,
                   "the TEE's OHTTP keyConfig does not offer its suite");
  return OG_OK;
}

og_result og_ohttp_encapsulate(og_ohttp_client *st, og_buf *wire,
                               uint8_t key_id, const unsigned char pk[32],
                               const unsigned char *pt, size_t pt_len,
                               const unsigned char *ikmE, size_t ikmE_len,
                               og_err *err)
{
  unsigned char info[sizeof(label_req) + OG_OHTTP_HEADER_LEN];
  unsigned char h[OG_OHTTP_HEADER_LEN];
  unsigned char *ct;
  og_result rc;
  if(!st || !wire || !pk || (!pt && pt_len))
    return og_fail(err, OG_E_USAGE, "OHTTP: bad argument");
  if(pt_len > OG_OHTTP_MAX_REQUEST)
    return og_fail(err, OG_E_TOO_LARGE, "the request is too large to seal");
  header(h, key_id);
  memcpy(info, label_req, sizeof(label_req)); /* with its NUL: the 0x00 */
  memcpy(info + sizeof(label_req), h, sizeof(h));
  rc = og_hpke_setup_base_s(&st->hpke, st->enc, pk, info, sizeof(info), ikmE,
                            ikmE_len, err);
  if(rc)
    return rc;
  ct = malloc(pt_len + OG_HPKE_NT);
  if(!ct) {
    og_ohttp_client_wipe(st);
    return og_fail(err, OG_E_NOMEM, "out of memory");
  }
  rc = og_hpke_seal(&st->hpke, ct, NULL, 0, pt, pt_len, err);
  if(!rc && (og_buf_add(wire, h, sizeof(h))
             || og_buf_add(wire, st->enc, sizeof(st->enc))
             || og_buf_add(wire, ct, pt_len + OG_HPKE_NT)))
    rc = og_fail(err, wire->failed ? (og_result)wire->failed : OG_E_NOMEM,
                 "the sealed request does not fit");
  free(ct);
  if(rc)
    og_ohttp_client_wipe(st);
  return rc;
}

/* prk = Extract(enc ‖ response_nonce, secret); key, nonce = Expand(prk). */
static og_result response_keys(unsigned char key[32], unsigned char nonce[12],
                               const unsigned char secret[32],
                               const unsigned char enc[32],
                               const unsigned char rn[32], og_err *err)
{
  unsigned char salt[64], prk[32];
  og_result rc;
  memcpy(salt, enc, 32);
  memcpy(salt + 32, rn, 32);
  rc = og_hkdf_sha256_extract(prk, salt, sizeof(salt), secret, 32, err);
  if(!rc)
    rc = og_hkdf_sha256_expand(key, 32, prk, (const unsigned char *)"key", 3,
                               err);
  if(!rc)
    rc = og_hkdf_sha256_expand(nonce, 12, prk,
                               (const unsigned char *)"nonce", 5, err);
  og_wipe(prk, sizeof(prk));
  return rc;
}

og_result og_ohttp_open_response(const og_ohttp_client *st, og_buf *out,
                                 const unsigned char *body, size_t len,
                                 og_err *err)
{
  unsigned char secret[32], key[32], nonce[12];
  unsigned char *pt = NULL;
  size_t ptl;
  og_result rc;
  if(!st || !out || (!body && len))
    return og_fail(err, OG_E_USAGE, "OHTTP: bad argument");
  if(len > OG_OHTTP_MAX_RESPONSE)
    return og_fail(err, OG_E_TOO_LARGE, "the sealed answer is too large");
  if(len < OG_OHTTP_NONCE_LEN + OG_HPKE_NT)
    return og_fail(err, OG_E_PARSE, "the sealed answer is too short (%zu "
                   "bytes)", len);
  rc = og_hpke_export(&st->hpke, secret, 32, (const unsigned char *)label_res,
                      strlen(label_res), err);
  if(!rc)
    rc = response_keys(key, nonce, secret, st->enc, body, err);
  ptl = len - OG_OHTTP_NONCE_LEN - OG_HPKE_NT;
  if(!rc && !(pt = malloc(ptl ? ptl : 1)))
    rc = og_fail(err, OG_E_NOMEM, "out of memory");
  if(!rc)
    rc = og_chacha20poly1305_open(pt, key, nonce, NULL, 0,
                                  body + OG_OHTTP_NONCE_LEN,
                                  len - OG_OHTTP_NONCE_LEN, err);
  if(!rc && og_buf_add(out, pt, ptl))
    rc = og_fail(err, out->failed ? (og_result)out->failed : OG_E_NOMEM,
                 "the answer does not fit");
  if(pt) {
    og_wipe(pt, ptl);
    free(pt);
  }
  og_wipe(secret, sizeof(secret));
  og_wipe(key, sizeof(key));
  og_wipe(nonce, sizeof(nonce));
  return rc;
}

og_result og_ohttp_chunked_init(og_ohttp_chunked *r, const og_ohttp_client *st,
                                og_ohttp_chunk_cb cb, void *user, og_err *err)
{
  og_result rc;
  if(!r || !st)
    return og_fail(err, OG_E_USAGE, "OHTTP: bad argument");
  memset(r, 0, sizeof(*r));
  memcpy(r->enc, st->enc, sizeof(r->enc));
  rc = og_hpke_export(&st->hpke, r->secret, 32,
                      (const unsigned char *)label_chunked,
                      strlen(label_chunked), err);
  og_buf_init(&r->pending, OG_OHTTP_MAX_CHUNK + 16);
  r->cb = cb;
  r->user = user;
  r->state = ST_NONCE;
  if(rc)
    r->failed = rc;
  return rc;
}

/* One chunk: the cipher context is keyed once per stream and only
 * re-nonced per chunk (a fresh context per chunk costs more than the
 * decryption of a typical chunk). */
static og_result open_chunk(og_ohttp_chunked *r, const unsigned char *ct,
                            size_t len, int final, og_err *err)
{
  unsigned char nonce[12];
  EVP_CIPHER_CTX *c = r->aead;
  size_t ptl = len - OG_HPKE_NT;
  int i, outl = 0;
  if(len < OG_HPKE_NT)
    return og_fail(err, OG_E_PARSE, "an answer chunk is shorter than its tag");
  if(len > OG_OHTTP_MAX_CHUNK + 16)
    return og_fail(err, OG_E_TOO_LARGE, "an answer chunk is too large");
  if(ptl > r->plain_cap) {
    unsigned char *np = malloc(ptl);
    if(!np)
      return og_fail(err, OG_E_NOMEM, "out of memory");
    if(r->plain) {
      og_wipe(r->plain, r->plain_cap);
      free(r->plain);
    }
    r->plain = np;
    r->plain_cap = ptl;
  }
  memcpy(nonce, r->nonce, 12);
  for(i = 0; i < 8; i++)
    nonce[11 - i] ^= (unsigned char)(r->counter >> (8 * i));
  if(!c) {
    if(!(c = EVP_CIPHER_CTX_new()))
      return og_fail(err, OG_E_NOMEM, "out of memory");
    r->aead = c;
    if(EVP_DecryptInit_ex(c, EVP_chacha20_poly1305(), NULL, NULL, NULL) != 1
       || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) != 1
       || EVP_DecryptInit_ex(c, NULL, NULL, r->key, NULL) != 1)
      return og_fail(err, OG_E_CRYPTO, "ChaCha20-Poly1305 init failed");
  }
  if(EVP_DecryptInit_ex(c, NULL, NULL, NULL, nonce) != 1
     || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16,
                            (void *)(ct + ptl)) != 1
     || (final && EVP_DecryptUpdate(c, NULL, &outl,
                                    (const unsigned char *)"final", 5) != 1)
     || (ptl && EVP_DecryptUpdate(c, r->plain, &outl, ct, (int)ptl) != 1))
    return og_fail(err, OG_E_CRYPTO, "ChaCha20-Poly1305 failed");
  if(EVP_DecryptFinal_ex(c, r->plain + (ptl ? (size_t)outl : 0), &outl) != 1) {
    if(ptl)
      og_wipe(r->plain, ptl);
    return og_fail(err, OG_E_VERIFY, "answer chunk %zu does not decrypt: the "
                   "ciphertext was altered or it is not for this request",
                   r->chunks + 1);
  }
  r->counter++;
  r->chunks++;
  if(r->cb && r->cb(r->user, ptl ? r->plain : (const unsigned char *)"",
                    ptl, final))
    return og_fail(err, OG_E_CANCELLED, "cancelled");
  if(ptl)
    og_wipe(r->plain, ptl);
  return OG_OK;
}

/* Consume what pending holds; consumed bytes are dropped once at the end
 * (not per chunk: a feed holds many small chunks). */
static og_result run(og_ohttp_chunked *r, og_err *err)
{
  size_t pos = 0;
  og_result rc = OG_OK;
  for(;;) {
    const unsigned char *p = r->pending.data + pos;
    size_t n = r->pending.len - pos;
    if(r->state == ST_NONCE) {
      if(n < OG_OHTTP_NONCE_LEN)
        break;
      rc = response_keys(r->key, r->nonce, r->secret, r->enc, p, err);
      if(rc)
        break;
      pos += OG_OHTTP_NONCE_LEN;
      r->state = ST_LEN;
    } else if(r->state == ST_LEN) {
      uint64_t v = 0;
      size_t k = og_quic_varint_read(&v, p, n);
      if(!k)
        break;
      if(v == 0) {
        pos += k;
        r->state = ST_FINAL;
        continue;
      }
      if(v > OG_OHTTP_MAX_CHUNK) {
        rc = og_fail(err, OG_E_TOO_LARGE, "an answer chunk of %llu bytes "
                     "is over the limit", (unsigned long long)v);
        break;
      }
      if(v < OG_HPKE_NT) {
        rc = og_fail(err, OG_E_PARSE, "an answer chunk is shorter than its "
                     "tag");
        break;
      }
      if(n < k + v)
        break;
      rc = open_chunk(r, p + k, (size_t)v, 0, err);
      if(rc)
        break;
      pos += k + (size_t)v;
    } else {
      break; /* ST_FINAL: everything up to the end is the final chunk */
    }
  }
  if(pos)
    og_buf_consume(&r->pending, pos);
  return rc;
}

og_result og_ohttp_chunked_feed(og_ohttp_chunked *r, const unsigned char *data,
                                size_t len, og_err *err)
{
  og_result rc;
  if(!r || (!data && len))
    return og_fail(err, OG_E_USAGE, "OHTTP: bad argument");
  if(r->failed)
    return og_fail(err, r->failed, "the sealed answer stream already failed");
  if(r->state == ST_DONE)
    return og_fail(err, r->failed = OG_E_PARSE, "bytes after the end of the "
                   "sealed answer stream");
  if(og_buf_add(&r->pending, data, len))
    return og_fail(err, r->failed = OG_E_TOO_LARGE,
                   "an answer chunk is over the limit");
  rc = run(r, err);
  if(rc)
    r->failed = rc;
  return rc;
}

og_result og_ohttp_chunked_finish(og_ohttp_chunked *r, og_err *err)
{
  og_result rc;
  if(!r)
    return og_fail(err, OG_E_USAGE, "OHTTP: bad argument");
  if(r->failed)
    return og_fail(err, r->failed, "the sealed answer stream already failed");
  if(r->state == ST_DONE)
    return OG_OK;
  if(r->state != ST_FINAL)
    return og_fail(err, r->failed = OG_E_PARSE,
                   "the sealed answer stream was truncated (no final chunk)");
  rc = open_chunk(r, r->pending.data, r->pending.len, 1, err);
  if(rc)
    return r->failed = rc;
  og_buf_reset(&r->pending);
  r->state = ST_DONE;
  return OG_OK;
}

void og_ohttp_chunked_free(og_ohttp_chunked *r)
{
  if(!r)
    return;
  og_buf_wipe_free(&r->pending);
  if(r->plain) {
    og_wipe(r->plain, r->plain_cap);
    free(r->plain);
    r->plain = NULL;
  }
  EVP_CIPHER_CTX_free(r->aead);
  r->aead = NULL;
  og_wipe(r->key, sizeof(r->key));
  og_wipe(r->nonce, sizeof(r->nonce));
  og_wipe(r->secret, sizeof(r->secret));
}

void og_ohttp_client_wipe(og_ohttp_client *st)
{
  if(st)
    og_wipe(st, sizeof(*st));
}
