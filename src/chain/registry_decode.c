/*
 * Decoder for the TEERegistry's getActiveTEEs(uint8) and getTEE(bytes32)
 * return data (see og_registry.h). One pass over the entries and one
 * allocation for the list: the entries, then every copied byte field.
 */
#include <stdlib.h>
#include <string.h>

#include "opengradient/og_abi.h"
#include "opengradient/og_keccak.h"
#include "opengradient/og_registry.h"

#define WORD 32
#define HEAD10 (10 * WORD) /* TEEInfo without ohttpConfig */
#define HEAD11 (11 * WORD) /* TEEInfo with ohttpConfig */
#define OHTTP_HEAD (7 * WORD)

/* Where the byte fields are copied. Sized from the reply length: in any
 * well-formed reply each byte of field data is stored once, so the fields
 * of all entries fit; more means tails that alias each other, which could
 * otherwise make a small reply expand into a huge copy. */
typedef struct arena {
  unsigned char *p, *end;
} arena;

static og_result arena_copy(arena *a, const unsigned char **out,
                            const unsigned char *src, size_t n, int nul,
                            og_err *err)
{
  size_t need = n + (nul ? 1 : 0);
  if(need > (size_t)(a->end - a->p))
    return og_fail(err, OG_E_PARSE,
                   "field tails overlap: more field bytes than the reply "
                   "holds");
  if(n)
    memcpy(a->p, src, n);
  if(nul)
    a->p[n] = 0;
  *out = a->p;
  a->p += need;
  return OG_OK;
}

/* The head size of one TEEInfo element, told from its data. The ABI puts
 * every tail after the head, so the smallest dynamic offset in the head is
 * the head size: 0x140 for the 10-field layout (offsets in words 2, 3, 4),
 * 0x160 for the 11-field one (word 10, the ohttpConfig offset, too). An
 * offset pointing back into the head is rejected later, which makes the
 * two readings exclusive. */
static og_result element_head(const og_abi_dec *el, size_t *head, og_err *err)
{
  uint64_t off, m = UINT64_MAX;
  size_t i;
  og_result r;
  for(i = 2; i <= 4; i++) {
    r = og_abi_read_u64(el, &off, i, err);
    if(r)
      return r;
    if(off < m)
      m = off;
  }
  if(m == HEAD10) {
    *head = HEAD10;
    return OG_OK;
  }
  r = og_abi_read_u64(el, &off, 10, err);
  if(r)
    return r;
  if(off < m)
    m = off;
  if(m == HEAD11) {
    *head = HEAD11;
    return OG_OK;
  }
  return og_fail(err, OG_E_PARSE,
                 "TEEInfo at 0x%zx: unknown layout (smallest tail offset "
                 "0x%llx, expected 0x140 or 0x160)",
                 el->base, (unsigned long long)m);
}

static og_result copy_bytes(const og_abi_dec *d, arena *a,
                            const unsigned char **out, size_t *outlen,
                            size_t i, size_t head, size_t max, int nul,
                            og_err *err)
{
  const unsigned char *p;
  og_result r = og_abi_read_bytes(d, &p, outlen, i, head, max, err);
  if(r)
    return r;
  return arena_copy(a, out, p, *outlen, nul, err);
}

static og_result decode_ohttp(const og_abi_dec *el, og_tee *t, arena *a,
                              og_err *err)
{
  og_abi_dec o;
  og_result r = og_abi_read_tuple(el, &o, 10, HEAD11, err);
  if(!r)
    r = og_abi_read_u8(&o, &t->ohttp_key_id, 0, err);
  if(!r)
    r = og_abi_read_u16(&o, &t->ohttp_kem_id, 1, err);
  if(!r)
    r = og_abi_read_u16(&o, &t->ohttp_kdf_id, 2, err);
  if(!r)
    r = og_abi_read_u16(&o, &t->ohttp_aead_id, 3, err);
  if(!r)
    r = copy_bytes(&o, a, &t->ohttp_public_key, &t->ohttp_public_key_len, 4,
                   OHTTP_HEAD, OG_TEE_MAX_PUBKEY, 0, err);
  if(!r)
    r = copy_bytes(&o, a, &t->ohttp_key_config, &t->ohttp_key_config_len, 5,
                   OHTTP_HEAD, OG_TEE_MAX_PUBKEY, 0, err);
  if(!r)
    r = og_abi_read_u64(&o, &t->ohttp_registered_at, 6, err);
  if(!r)
    t->has_ohttp = 1;
  return r;
}

/* Decode one TEEInfo tuple whose head starts at el->base. *layout is the
 * head size of the entries seen so far (0 before the first): one reply
 * has one ABI type, so a change of layout inside it is malformed. */
static og_result decode_entry(const og_abi_dec *el, og_tee *t, arena *a,
                              size_t *layout, og_err *err)
{
  const unsigned char *ep;
  size_t head = 0;
  int ival = 0;
  og_result r = element_head(el, &head, err);
  if(r)
    return r;
  if(*layout && *layout != head)
    return og_fail(err, OG_E_PARSE,
                   "TEEInfo at 0x%zx: layout differs from the entry before",
                   el->base);
  *layout = head;
  memset(t, 0, sizeof(*t));
  r = og_abi_read_address(el, &t->owner, 0, err);
  if(!r)
    r = og_abi_read_address(el, &t->payment_address, 1, err);
  if(!r)
    r = copy_bytes(el, a, &ep, &t->endpoint_len, 2, head, OG_TEE_MAX_ENDPOINT,
                   1, err);
  if(!r) {
    t->endpoint = (const char *)ep;
    r = copy_bytes(el, a, &t->public_key, &t->public_key_len, 3, head,
                   OG_TEE_MAX_PUBKEY, 0, err);
  }
  if(!r)
    r = copy_bytes(el, a, &t->tls_cert, &t->tls_cert_len, 4, head,
                   OG_TEE_MAX_CERT, 0, err);
  if(!r)
    r = og_abi_read_bytes32(el, &t->pcr_hash, 5, err);
  if(!r)
    r = og_abi_read_u8(el, &t->tee_type, 6, err);
  if(!r)
    r = og_abi_read_bool(el, &ival, 7, err);
  if(!r) {
    t->enabled = ival;
    r = og_abi_read_u64(el, &t->registered_at, 8, err);
  }
  if(!r)
    r = og_abi_read_u64(el, &t->last_heartbeat_at, 9, err);
  if(!r && head == HEAD11)
    r = decode_ohttp(el, t, a, err);
  return r;
}

static void list_clear(og_tee_list *list)
{
  list->items = NULL;
  list->count = 0;
  list->storage = NULL;
}

void og_tee_list_compute_ids(og_tee_list *list)
{
  size_t i;
  for(i = 0; i < list->count; i++) {
    og_tee *t = &list->items[i];
    og_keccak256(&t->id, t->public_key, t->public_key_len);
  }
}

void og_tee_list_free(og_tee_list *list)
{
  if(!list)
    return;
  free(list->storage);
  list_clear(list);
}

/* Allocate the list for n entries of a reply of len bytes. */
static og_result list_alloc(og_tee_list *list, arena *a, size_t n, size_t len,
                            og_err *err)
{
  /* n <= OG_TEE_MAX_ENTRIES and len <= OG_REGISTRY_MAX_REPLY: no overflow;
   * each endpoint also takes a NUL */
  size_t fixed = n * sizeof(og_tee);
  unsigned char *p = malloc(fixed + len + n);
  if(!p)
    return og_fail(err, OG_E_NOMEM, "no memory for %zu TEE entries", n);
  list->storage = p;
  list->items = (og_tee *)(void *)p;
  list->count = n;
  a->p = p + fixed;
  a->end = a->p + len + n;
  return OG_OK;
}

static og_result entry_fail(og_tee_list *list, og_result r,
                            const og_err *detail, size_t i, og_err *err)
{
  og_tee_list_free(list);
  return og_fail(err, r, "registry reply, TEE entry %zu: %s", i,
                 detail->msg);
}

og_result og_registry_decode_tees(og_tee_list *list, const unsigned char *data,
                                  size_t len, og_err *err)
{
  og_abi_dec d, elems, el;
  og_err e;
  size_t n, i, layout = 0;
  arena a;
  og_result r;
  list_clear(list);
  og_err_clear(&e);
  if(len > OG_REGISTRY_MAX_REPLY)
    return og_fail(err, OG_E_TOO_LARGE,
                   "registry reply of %zu bytes is over the cap", len);
  r = og_abi_dec_init(&d, data, len, &e);
  if(!r)
    r = og_abi_read_array(&d, &elems, &n, 0, WORD, OG_TEE_MAX_ENTRIES, &e);
  if(r)
    return og_fail(err, r, "registry reply: %s", e.msg);
  if(!n)
    return OG_OK;
  r = list_alloc(list, &a, n, len, err);
  if(r)
    return r;
  for(i = 0; i < n; i++) {
    /* element offsets must point past the table of offsets */
    r = og_abi_read_tuple(&elems, &el, i, n * WORD, &e);
    if(!r)
      r = decode_entry(&el, &list->items[i], &a, &layout, &e);
    if(r)
      return entry_fail(list, r, &e, i, err);
  }
  return OG_OK;
}

og_result og_registry_decode_tee(og_tee_list *list, const unsigned char *data,
                                 size_t len, og_err *err)
{
  og_abi_dec d, el;
  og_err e;
  size_t layout = 0;
  arena a;
  og_result r;
  list_clear(list);
  og_err_clear(&e);
  if(len > OG_REGISTRY_MAX_REPLY)
    return og_fail(err, OG_E_TOO_LARGE,
                   "registry reply of %zu bytes is over the cap", len);
  r = og_abi_dec_init(&d, data, len, &e);
  if(!r)
    r = og_abi_read_tuple(&d, &el, 0, WORD, &e);
  if(r)
    return og_fail(err, r, "getTEE reply: %s", e.msg);
  r = list_alloc(list, &a, 1, len, err);
  if(r)
    return r;
  r = decode_entry(&el, &list->items[0], &a, &layout, &e);
  if(r)
    return entry_fail(list, r, &e, 0, err);
  return OG_OK;
}
