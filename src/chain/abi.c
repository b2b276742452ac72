/* Solidity ABI encoder and strict decoder (see og_abi.h). */
#include <stdio.h>
#include <string.h>

#include "opengradient/og_abi.h"
#include "opengradient/og_hex.h"
#include "opengradient/og_keccak.h"

#define WORD 32

static void put_u64(unsigned char w[WORD], uint64_t v)
{
  int k;
  memset(w, 0, WORD - 8);
  for(k = 0; k < 8; k++)
    w[WORD - 1 - k] = (unsigned char)(v >> (8 * k));
}

/* The low 8 bytes of a word; *fits is 0 when the high 24 are not zero. */
static uint64_t get_u64(const unsigned char w[WORD], int *fits)
{
  uint64_t v = 0;
  int k;
  *fits = 1;
  for(k = 0; k < WORD - 8; k++) {
    if(w[k]) {
      *fits = 0;
      break;
    }
  }
  for(k = WORD - 8; k < WORD; k++)
    v = v << 8 | w[k];
  return v;
}

void og_abi_selector(unsigned char sel[4], const char *signature)
{
  og_bytes32 h;
  og_keccak256(&h, signature, strlen(signature));
  memcpy(sel, h.b, 4);
}

/* ---- encoder ---- */

static void frame_init(og_abi_frame *f, size_t max, int is_array)
{
  og_buf_init(&f->head, max);
  og_buf_init(&f->tail, max);
  og_buf_init(&f->fixups, max);
  f->count = 0;
  f->is_array = is_array;
  f->dynamic = 0;
}

static void frame_free(og_abi_frame *f)
{
  og_buf_free(&f->head);
  og_buf_free(&f->tail);
  og_buf_free(&f->fixups);
}

void og_abi_enc_init(og_abi_enc *e, size_t max)
{
  e->depth = 0;
  e->max = max;
  e->status = OG_OK;
  e->has_selector = 0;
  memset(e->selector, 0, sizeof(e->selector));
  frame_init(&e->f[0], max, 0);
}

void og_abi_enc_init_call(og_abi_enc *e, size_t max, const char *signature)
{
  og_abi_enc_init(e, max);
  og_abi_selector(e->selector, signature);
  e->has_selector = 1;
}

void og_abi_enc_free(og_abi_enc *e)
{
  int i;
  for(i = 0; i <= e->depth && i <= OG_ABI_MAX_DEPTH; i++)
    frame_free(&e->f[i]);
  e->depth = 0;
}

/* Record the first error; later calls return it unchanged. */
static og_result enc_fail(og_abi_enc *e, og_result r)
{
  if(!e->status)
    e->status = r;
  return e->status;
}

static og_result add_word(og_abi_enc *e, const unsigned char w[WORD])
{
  og_abi_frame *f;
  og_result r;
  if(e->status)
    return e->status;
  f = &e->f[e->depth];
  r = og_buf_add(&f->head, w, WORD);
  if(r)
    return enc_fail(e, r);
  f->count++;
  return OG_OK;
}

/* An offset slot in the head, holding for now the position in the tail
 * where the value starts; og_abi_frame fixups turn it into a real offset
 * once the head size is known. */
static og_result frame_add_slot(og_abi_frame *f)
{
  unsigned char w[WORD];
  size_t pos = f->head.len;
  og_result r;
  put_u64(w, (uint64_t)f->tail.len);
  r = og_buf_add(&f->head, w, WORD);
  if(!r)
    r = og_buf_add(&f->fixups, &pos, sizeof(pos));
  return r;
}

static og_result add_slot(og_abi_enc *e)
{
  og_abi_frame *f = &e->f[e->depth];
  og_result r = frame_add_slot(f);
  if(r)
    return enc_fail(e, r);
  f->count++;
  f->dynamic = 1;
  return OG_OK;
}

og_result og_abi_add_address(og_abi_enc *e, const og_address *a)
{
  unsigned char w[WORD] = {0};
  memcpy(w + 12, a->b, 20);
  return add_word(e, w);
}

og_result og_abi_add_bool(og_abi_enc *e, int v)
{
  return og_abi_add_uint(e, v ? 1 : 0);
}

og_result og_abi_add_uint(og_abi_enc *e, uint64_t v)
{
  unsigned char w[WORD];
  put_u64(w, v);
  return add_word(e, w);
}

og_result og_abi_add_int(og_abi_enc *e, int64_t v)
{
  unsigned char w[WORD];
  put_u64(w, (uint64_t)v);
  if(v < 0)
    memset(w, 0xff, WORD - 8); /* two's complement sign extension */
  return add_word(e, w);
}

og_result og_abi_add_uint256(og_abi_enc *e, const unsigned char be[32])
{
  return add_word(e, be);
}

og_result og_abi_add_bytes32(og_abi_enc *e, const og_bytes32 *v)
{
  return add_word(e, v->b);
}

og_result og_abi_add_fixed_bytes(og_abi_enc *e, const void *p, size_t n)
{
  unsigned char w[WORD] = {0};
  if(n < 1 || n > WORD)
    return enc_fail(e, OG_E_USAGE);
  memcpy(w, p, n);
  return add_word(e, w);
}

og_result og_abi_add_bytes(og_abi_enc *e, const void *p, size_t n)
{
  static const unsigned char zero[WORD];
  og_abi_frame *f;
  unsigned char w[WORD];
  og_result r;
  if(e->status)
    return e->status;
  if(n > e->max)
    return enc_fail(e, OG_E_TOO_LARGE);
  r = add_slot(e);
  if(r)
    return r;
  f = &e->f[e->depth];
  put_u64(w, (uint64_t)n);
  r = og_buf_add(&f->tail, w, WORD);
  if(!r && n)
    r = og_buf_add(&f->tail, p, n);
  if(!r && n % WORD)
    r = og_buf_add(&f->tail, zero, WORD - n % WORD);
  return r ? enc_fail(e, r) : OG_OK;
}

og_result og_abi_add_string(og_abi_enc *e, const char *s)
{
  return og_abi_add_bytes(e, s, strlen(s));
}

static og_result open_frame(og_abi_enc *e, int is_array)
{
  if(e->status)
    return e->status;
  if(e->depth >= OG_ABI_MAX_DEPTH)
    return enc_fail(e, OG_E_USAGE);
  e->depth++;
  frame_init(&e->f[e->depth], e->max, is_array);
  return OG_OK;
}

/* Turn the tail-relative slots of f into offsets from the head start. */
static void patch_offsets(og_abi_frame *f)
{
  size_t k, nfix = f->fixups.len / sizeof(size_t);
  for(k = 0; k < nfix; k++) {
    size_t pos;
    int fits;
    uint64_t v;
    memcpy(&pos, f->fixups.data + k * sizeof(size_t), sizeof(pos));
    v = get_u64(f->head.data + pos, &fits);
    put_u64(f->head.data + pos, v + (uint64_t)f->head.len);
  }
}

/* Close the open frame and place its encoding into its parent. */
static og_result close_frame(og_abi_enc *e, int is_array)
{
  og_abi_frame *f, *parent;
  og_result r = OG_OK;
  if(e->status)
    return e->status;
  if(e->depth == 0 || e->f[e->depth].is_array != is_array)
    return enc_fail(e, OG_E_USAGE);
  f = &e->f[e->depth];
  parent = &e->f[e->depth - 1];
  patch_offsets(f);
  if(is_array || f->dynamic) {
    unsigned char w[WORD];
    r = frame_add_slot(parent);
    if(!r && is_array) {
      put_u64(w, (uint64_t)f->count);
      r = og_buf_add(&parent->tail, w, WORD);
    }
    if(!r && f->head.len)
      r = og_buf_add(&parent->tail, f->head.data, f->head.len);
    if(!r && f->tail.len)
      r = og_buf_add(&parent->tail, f->tail.data, f->tail.len);
    parent->dynamic = 1;
  }
  else if(f->head.len) {
    r = og_buf_add(&parent->head, f->head.data, f->head.len);
  }
  parent->count++;
  frame_free(f);
  e->depth--;
  return r ? enc_fail(e, r) : OG_OK;
}

og_result og_abi_tuple_begin(og_abi_enc *e)
{
  return open_frame(e, 0);
}

og_result og_abi_tuple_end(og_abi_enc *e)
{
  return close_frame(e, 0);
}

og_result og_abi_array_begin(og_abi_enc *e)
{
  return open_frame(e, 1);
}

og_result og_abi_array_end(og_abi_enc *e)
{
  return close_frame(e, 1);
}

og_result og_abi_enc_finish(og_abi_enc *e, og_buf *out)
{
  og_abi_frame *f = &e->f[0];
  og_result r = e->status;
  if(!r && e->depth != 0)
    r = OG_E_USAGE;
  if(!r) {
    patch_offsets(f);
    if(e->has_selector)
      r = og_buf_add(out, e->selector, 4);
    if(!r && f->head.len)
      r = og_buf_add(out, f->head.data, f->head.len);
    if(!r && f->tail.len)
      r = og_buf_add(out, f->tail.data, f->tail.len);
  }
  og_abi_enc_free(e);
  e->status = r ? r : OG_E_USAGE; /* a finished encoder takes no more */
  return r;
}

/* ---- decoder ---- */

og_result og_abi_dec_init(og_abi_dec *d, const unsigned char *data, size_t len,
                          og_err *err)
{
  d->data = data;
  d->len = len;
  d->base = 0;
  if(len % WORD)
    return og_fail(err, OG_E_PARSE,
                   "ABI data length %zu is not a multiple of 32", len);
  return OG_OK;
}

og_result og_abi_word(const og_abi_dec *d, const unsigned char **w, size_t i,
                      og_err *err)
{
  if(d->base > d->len || i >= (d->len - d->base) / WORD)
    return og_fail(err, OG_E_PARSE,
                   "ABI word %zu at base 0x%zx is past the end (%zu bytes)",
                   i, d->base, d->len);
  *w = d->data + d->base + i * WORD;
  return OG_OK;
}

/* Word i must have its first `zeros` bytes zero. */
static og_result word_clean(const og_abi_dec *d, const unsigned char **w,
                            size_t i, size_t zeros, const char *what,
                            og_err *err)
{
  size_t k;
  og_result r = og_abi_word(d, w, i, err);
  if(r)
    return r;
  for(k = 0; k < zeros; k++) {
    if((*w)[k])
      return og_fail(err, OG_E_PARSE,
                     "ABI word at 0x%zx: dirty high bytes for %s",
                     d->base + i * WORD, what);
  }
  return OG_OK;
}

og_result og_abi_read_address(const og_abi_dec *d, og_address *out, size_t i,
                              og_err *err)
{
  const unsigned char *w;
  og_result r = word_clean(d, &w, i, 12, "address", err);
  if(r)
    return r;
  memcpy(out->b, w + 12, 20);
  return OG_OK;
}

og_result og_abi_read_bool(const og_abi_dec *d, int *out, size_t i,
                           og_err *err)
{
  const unsigned char *w;
  og_result r = word_clean(d, &w, i, WORD - 1, "bool", err);
  if(r)
    return r;
  if(w[WORD - 1] > 1)
    return og_fail(err, OG_E_PARSE, "ABI word at 0x%zx: bool is %u",
                   d->base + i * WORD, w[WORD - 1]);
  *out = w[WORD - 1];
  return OG_OK;
}

og_result og_abi_read_u8(const og_abi_dec *d, uint8_t *out, size_t i,
                         og_err *err)
{
  const unsigned char *w;
  og_result r = word_clean(d, &w, i, WORD - 1, "uint8", err);
  if(r)
    return r;
  *out = w[WORD - 1];
  return OG_OK;
}

og_result og_abi_read_u16(const og_abi_dec *d, uint16_t *out, size_t i,
                          og_err *err)
{
  const unsigned char *w;
  og_result r = word_clean(d, &w, i, WORD - 2, "uint16", err);
  if(r)
    return r;
  *out = (uint16_t)(w[WORD - 2] << 8 | w[WORD - 1]);
  return OG_OK;
}

og_result og_abi_read_u64(const og_abi_dec *d, uint64_t *out, size_t i,
                          og_err *err)
{
  const unsigned char *w;
  int fits;
  og_result r = word_clean(d, &w, i, WORD - 8, "uint64", err);
  if(r)
    return r;
  *out = get_u64(w, &fits);
  return OG_OK;
}

og_result og_abi_read_uint256(const og_abi_dec *d, unsigned char out[32],
                              size_t i, og_err *err)
{
  const unsigned char *w;
  og_result r = og_abi_word(d, &w, i, err);
  if(r)
    return r;
  memcpy(out, w, WORD);
  return OG_OK;
}

og_result og_abi_read_bytes32(const og_abi_dec *d, og_bytes32 *out, size_t i,
                              og_err *err)
{
  return og_abi_read_uint256(d, out->b, i, err);
}

og_result og_abi_follow(const og_abi_dec *d, size_t *pos, size_t i,
                        size_t min_off, og_err *err)
{
  const unsigned char *w;
  uint64_t off;
  size_t avail;
  int fits;
  og_result r = og_abi_word(d, &w, i, err);
  if(r)
    return r;
  off = get_u64(w, &fits);
  avail = d->len - d->base; /* og_abi_word checked base <= len */
  if(!fits || avail < WORD || off > avail - WORD)
    return og_fail(err, OG_E_PARSE,
                   "ABI offset in word at 0x%zx points past the end",
                   d->base + i * WORD);
  if(off % WORD || off < min_off)
    return og_fail(err, OG_E_PARSE,
                   "ABI offset 0x%llx in word at 0x%zx is %s",
                   (unsigned long long)off, d->base + i * WORD,
                   off % WORD ? "not 32-aligned" : "inside the head");
  *pos = d->base + (size_t)off;
  return OG_OK;
}

/* The length word at pos, checked against the room that follows it. */
static og_result read_len(const og_abi_dec *d, uint64_t *n, size_t pos,
                          size_t unit, const char *what, og_err *err)
{
  int fits;
  size_t room = (d->len - pos - WORD) / unit; /* follow left one word */
  *n = get_u64(d->data + pos, &fits);
  if(!fits || *n > room)
    return og_fail(err, OG_E_PARSE,
                   "ABI %s length at 0x%zx runs past the end", what, pos);
  return OG_OK;
}

og_result og_abi_read_bytes(const og_abi_dec *d, const unsigned char **p,
                            size_t *n, size_t i, size_t min_off, size_t max,
                            og_err *err)
{
  size_t pos, k, padded;
  uint64_t len;
  og_result r = og_abi_follow(d, &pos, i, min_off, err);
  if(r)
    return r;
  r = read_len(d, &len, pos, 1, "bytes", err);
  if(r)
    return r;
  if(len > max)
    return og_fail(err, OG_E_TOO_LARGE,
                   "ABI bytes at 0x%zx: %llu bytes is over the cap of %zu",
                   pos, (unsigned long long)len, max);
  /* data and base are 32-aligned, so the padded length fits too */
  padded = ((size_t)len + WORD - 1) / WORD * WORD;
  for(k = (size_t)len; k < padded; k++) {
    if(d->data[pos + WORD + k])
      return og_fail(err, OG_E_PARSE,
                     "ABI bytes at 0x%zx: non-zero padding", pos);
  }
  *p = d->data + pos + WORD;
  *n = (size_t)len;
  return OG_OK;
}

og_result og_abi_read_tuple(const og_abi_dec *d, og_abi_dec *sub, size_t i,
                            size_t min_off, og_err *err)
{
  size_t pos;
  og_result r = og_abi_follow(d, &pos, i, min_off, err);
  if(r)
    return r;
  sub->data = d->data;
  sub->len = d->len;
  sub->base = pos;
  return OG_OK;
}

og_result og_abi_inline_tuple(const og_abi_dec *d, og_abi_dec *sub, size_t i,
                              og_err *err)
{
  const unsigned char *w;
  og_result r = og_abi_word(d, &w, i, err);
  if(r)
    return r;
  sub->data = d->data;
  sub->len = d->len;
  sub->base = (size_t)(w - d->data);
  return OG_OK;
}

og_result og_abi_read_array(const og_abi_dec *d, og_abi_dec *elems,
                            size_t *count, size_t i, size_t min_off,
                            size_t max_count, og_err *err)
{
  size_t pos;
  uint64_t n;
  og_result r = og_abi_follow(d, &pos, i, min_off, err);
  if(r)
    return r;
  r = read_len(d, &n, pos, WORD, "array", err);
  if(r)
    return r;
  if(n > max_count)
    return og_fail(err, OG_E_TOO_LARGE,
                   "ABI array at 0x%zx: %llu elements is over the cap of %zu",
                   pos, (unsigned long long)n, max_count);
  elems->data = d->data;
  elems->len = d->len;
  elems->base = pos + WORD;
  *count = (size_t)n;
  return OG_OK;
}

/* ---- revert data ---- */

static const struct {
  unsigned char sel[4];
  const char *sig;
} known_errors[] = {
  /* TEERegistry custom errors */
  {{0x09, 0x5f, 0xaf, 0x73}, "TEETypeExists()"},
  {{0x04, 0xfc, 0xbe, 0xc8}, "TEETypeNotFound()"},
  {{0x5d, 0x67, 0x2d, 0xa7}, "InvalidTEEType()"},
  {{0x6c, 0x2e, 0xbf, 0x80}, "PCRNotApproved()"},
  {{0x7e, 0xcd, 0x6d, 0x71}, "PCRAlreadyExists()"},
  {{0x13, 0x46, 0xe4, 0x39}, "TEEAlreadyExists()"},
  {{0xf6, 0x52, 0x3b, 0x65}, "TEENotFound()"},
  {{0xa2, 0xe3, 0x92, 0x40}, "TEENotEnabled()"},
  {{0x98, 0xb3, 0x1e, 0x6f}, "NotTEEOwner()"},
  {{0x06, 0xd1, 0xf2, 0x5a}, "AttestationInvalid(string)"},
  {{0x52, 0x3b, 0xf9, 0xa7}, "KeyBindingFailed(string)"},
  {{0x45, 0x57, 0x6a, 0xbb}, "HeartbeatSignatureInvalid()"},
  {{0x39, 0xf8, 0xa7, 0x06}, "HeartbeatTimestampTooOld()"},
  {{0x0c, 0x57, 0xbc, 0x2c}, "HeartbeatTimestampInFuture()"},
  /* OpenZeppelin AccessControl */
  {{0xe2, 0x51, 0x7d, 0x3f},
   "AccessControlUnauthorizedAccount(address,bytes32)"},
  {{0x66, 0x97, 0xb2, 0x32}, "AccessControlBadConfirmation()"},
  /* Solidity built-ins */
  {{0x08, 0xc3, 0x79, 0xa0}, "Error(string)"},
  {{0x4e, 0x48, 0x7b, 0x71}, "Panic(uint256)"},
};

#define OG_REVERT_MAX_STRING 4096

const char *og_abi_error_signature(const unsigned char sel[4])
{
  size_t k;
  for(k = 0; k < sizeof(known_errors) / sizeof(known_errors[0]); k++) {
    if(!memcmp(known_errors[k].sel, sel, 4))
      return known_errors[k].sig;
  }
  return NULL;
}

/* A bounded line writer: output is cut, never overrun. */
typedef struct line {
  char *p;
  size_t size, used;
} line;

static void line_add(line *l, const char *s, size_t n)
{
  size_t room = l->size - 1 - l->used;
  if(n > room)
    n = room;
  memcpy(l->p + l->used, s, n);
  l->used += n;
  l->p[l->used] = 0;
}

static void line_str(line *l, const char *s)
{
  line_add(l, s, strlen(s));
}

static void line_quoted(line *l, const unsigned char *s, size_t n)
{
  size_t k;
  line_str(l, "\"");
  for(k = 0; k < n; k++) {
    char tmp[5];
    if(s[k] == '"' || s[k] == '\\') {
      tmp[0] = '\\';
      tmp[1] = (char)s[k];
      line_add(l, tmp, 2);
    }
    else if(s[k] >= 0x20 && s[k] < 0x7f) {
      line_add(l, (const char *)s + k, 1);
    }
    else {
      snprintf(tmp, sizeof(tmp), "\\x%02x", s[k]);
      line_add(l, tmp, 4);
    }
  }
  line_str(l, "\"");
}

og_result og_abi_describe_revert(char *out, size_t outsz,
                                 const unsigned char *data, size_t len)
{
  line l;
  const char *sig, *paren;
  og_abi_dec d;
  og_result r;
  char hex[67];
  if(!outsz)
    return OG_E_USAGE;
  l.p = out;
  l.size = outsz;
  l.used = 0;
  out[0] = 0;
  if(!len) {
    line_str(&l, "empty revert data");
    return OG_E_PARSE;
  }
  if(len < 4) {
    og_hex_encode(hex, data, len);
    line_str(&l, "short revert data 0x");
    line_str(&l, hex);
    return OG_E_PARSE;
  }
  sig = og_abi_error_signature(data);
  if(!sig) {
    og_hex_encode(hex, data, 4);
    line_str(&l, "unknown error 0x");
    line_str(&l, hex);
    return OG_E_PARSE;
  }
  paren = strchr(sig, '(');
  line_add(&l, sig, (size_t)(paren - sig));
  r = og_abi_dec_init(&d, data + 4, len - 4, NULL);
  if(!r && !strcmp(paren, "()")) {
    if(len != 4) {
      line_str(&l, "(<unexpected arguments>)");
      return OG_E_PARSE;
    }
    line_str(&l, "()");
  }
  else if(!r && !strcmp(paren, "(string)")) {
    const unsigned char *s;
    size_t n;
    r = og_abi_read_bytes(&d, &s, &n, 0, WORD, OG_REVERT_MAX_STRING, NULL);
    if(!r) {
      line_str(&l, "(");
      line_quoted(&l, s, n);
      line_str(&l, ")");
    }
  }
  else if(!r && !strcmp(paren, "(uint256)")) {
    const unsigned char *w;
    r = og_abi_word(&d, &w, 0, NULL);
    if(!r) {
      size_t k = 0;
      while(k < WORD - 1 && !w[k])
        k++; /* drop leading zero bytes */
      og_hex_encode(hex, w + k, WORD - k);
      line_str(&l, "(0x");
      line_str(&l, hex[0] == '0' ? hex + 1 : hex);
      line_str(&l, ")");
    }
  }
  else if(!r && !strcmp(paren, "(address,bytes32)")) {
    og_address a;
    og_bytes32 b;
    char addr[43];
    r = og_abi_read_address(&d, &a, 0, NULL);
    if(!r)
      r = og_abi_read_bytes32(&d, &b, 1, NULL);
    if(!r) {
      og_address_to_checksum(addr, &a);
      og_bytes32_to_hex(hex, &b);
      line_str(&l, "(");
      line_str(&l, addr);
      line_str(&l, ", ");
      line_str(&l, hex);
      line_str(&l, ")");
    }
  }
  if(r)
    line_str(&l, "(<malformed arguments>)");
  return r ? OG_E_PARSE : OG_OK;
}
