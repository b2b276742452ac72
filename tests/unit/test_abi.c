/* Known answers for the ABI layer: selectors, calldata built with the
 * encoder against cast's output (tests/vectors/abi_cast.json), the strict
 * decoder's primitives, and revert-data descriptions. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "opengradient/og_abi.h"
#include "opengradient/og_hex.h"
#include "opengradient/og_keccak.h"

/* The generator's pseudo-random bytes: sha256("tag/0") || sha256("tag/1")
 * ..., cut to n (see tests/vectors/gen_abi_cast.py). Caller frees. */
static unsigned char *pseudo(const char *tag, size_t n)
{
  unsigned char *out = malloc(n + 32);
  size_t got = 0;
  int i = 0;
  assert_non_null(out);
  while(got < n) {
    struct sha256_ctx c;
    char in[64];
    int len = snprintf(in, sizeof(in), "%s/%d", tag, i++);
    sha256_init(&c);
    sha256_update(&c, (size_t)len, (const uint8_t *)in);
    sha256_digest(&c, 32, out + got);
    got += 32;
  }
  return out;
}

static og_address addr(const char *hex)
{
  og_address a;
  assert_int_equal(og_address_from_hex(&a, hex), OG_OK);
  return a;
}

static og_bytes32 b32(const char *hex)
{
  og_bytes32 b;
  assert_int_equal(og_bytes32_from_hex(&b, hex), OG_OK);
  return b;
}

#define ADDR_A "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
#define ADDR_B "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
#define PERMIT2 "0x000000000022D473030F116dDEE9F6B43aC78BA3"
#define TEE_ID \
  "0x29d0ffc200a161fa22c2222ce8426e6fc4742462b1d02fcc3c58b8d44c647835"

static void add_pseudo(og_abi_enc *e, const char *tag, size_t n)
{
  unsigned char *p = pseudo(tag, n);
  og_abi_add_bytes(e, p, n);
  free(p);
}

/* One builder per calldata case of abi_cast.json, with the same inputs
 * the generator gave cast. Errors are sticky, so the result of finish
 * is the one to check. */
static void build_case(og_abi_enc *e, const char *name)
{
  og_address a = addr(ADDR_A), b = addr(ADDR_B), p2 = addr(PERMIT2);
  og_bytes32 id = b32(TEE_ID);
  if(!strcmp(name, "getActiveTEEs_0"))
    og_abi_add_uint(e, 0);
  else if(!strcmp(name, "getActiveTEEs_1"))
    og_abi_add_uint(e, 1);
  else if(!strcmp(name, "getTEE") || !strcmp(name, "isTEEActive"))
    og_abi_add_bytes32(e, &id);
  else if(!strcmp(name, "allowance")) {
    og_abi_add_address(e, &a);
    og_abi_add_address(e, &p2);
  }
  else if(!strcmp(name, "approve_max")) {
    unsigned char max[32];
    memset(max, 0xff, 32);
    og_abi_add_address(e, &p2);
    og_abi_add_uint256(e, max);
  }
  else if(!strcmp(name, "approve_small")) {
    og_abi_add_address(e, &p2);
    og_abi_add_uint(e, 100000000000000000ULL);
  }
  else if(!strcmp(name, "balanceOf"))
    og_abi_add_address(e, &a);
  else if(!strcmp(name, "addTEEType")) {
    og_abi_add_uint(e, 0);
    og_abi_add_string(e, "LLMProxy");
  }
  else if(!strcmp(name, "heartbeat")) {
    og_abi_add_bytes32(e, &id);
    og_abi_add_uint(e, 1899999700);
    add_pseudo(e, "sig", 256);
  }
  else if(!strcmp(name, "approvePCR")) {
    og_abi_tuple_begin(e);
    add_pseudo(e, "pcr0", 48);
    add_pseudo(e, "pcr1", 48);
    add_pseudo(e, "pcr2", 48);
    og_abi_tuple_end(e);
    og_abi_add_string(e, "v-test");
    og_abi_add_uint(e, 0);
  }
  else if(!strcmp(name, "registerTEEWithAttestation")) {
    add_pseudo(e, "doc", 100);
    add_pseudo(e, "spki", 294);
    add_pseudo(e, "cert", 482);
    og_abi_add_address(e, &b);
    og_abi_add_string(e, "https://127.0.0.1:8443");
    og_abi_add_uint(e, 0);
  }
  else if(!strcmp(name, "arrays")) {
    static const unsigned char one = 1;
    og_abi_array_begin(e);
    og_abi_add_uint(e, 1);
    og_abi_add_uint(e, 2);
    og_abi_add_uint(e, 3);
    og_abi_array_end(e);
    og_abi_array_begin(e);
    og_abi_add_string(e, "a");
    og_abi_add_string(e, "bc");
    og_abi_add_string(e, "");
    og_abi_array_end(e);
    og_abi_array_begin(e);
    og_abi_tuple_begin(e);
    og_abi_add_uint(e, 1);
    og_abi_add_bytes(e, &one, 1);
    og_abi_tuple_end(e);
    og_abi_tuple_begin(e);
    og_abi_add_uint(e, 2);
    og_abi_add_bytes(e, "", 0);
    og_abi_tuple_end(e);
    og_abi_tuple_begin(e);
    og_abi_add_uint(e, 255);
    add_pseudo(e, "arr", 40);
    og_abi_tuple_end(e);
    og_abi_array_end(e);
  }
  else if(!strcmp(name, "static_tuple")) {
    og_abi_tuple_begin(e);
    og_abi_add_uint(e, 7);
    og_abi_add_address(e, &b);
    og_abi_tuple_end(e);
    og_abi_add_bool(e, 1);
  }
  else if(!strcmp(name, "nested")) {
    static const unsigned char x01 = 1, x0203[2] = {2, 3}, xff = 0xff;
    og_abi_array_begin(e);
    og_abi_array_begin(e);
    og_abi_add_bytes(e, &x01, 1);
    og_abi_add_bytes(e, x0203, 2);
    og_abi_array_end(e);
    og_abi_array_begin(e);
    og_abi_array_end(e);
    og_abi_array_begin(e);
    add_pseudo(e, "nest", 33);
    og_abi_array_end(e);
    og_abi_array_end(e);
    og_abi_array_begin(e);
    og_abi_tuple_begin(e);
    og_abi_add_string(e, "x");
    og_abi_tuple_begin(e);
    og_abi_add_uint(e, 65535);
    og_abi_add_bytes(e, "", 0);
    og_abi_tuple_end(e);
    og_abi_tuple_end(e);
    og_abi_tuple_begin(e);
    og_abi_add_string(e, "yz");
    og_abi_tuple_begin(e);
    og_abi_add_uint(e, 1);
    og_abi_add_bytes(e, &xff, 1);
    og_abi_tuple_end(e);
    og_abi_tuple_end(e);
    og_abi_array_end(e);
  }
  else if(!strcmp(name, "ints")) {
    og_abi_add_int(e, -1);
    og_abi_add_int(e, -128);
    og_abi_add_int(e, INT64_MAX);
  }
  else if(!strcmp(name, "fixed_bytes_empty_dynamic")) {
    static const unsigned char dead[4] = {0xde, 0xad, 0xbe, 0xef};
    og_abi_add_fixed_bytes(e, dead, 4);
    og_abi_add_bytes(e, NULL, 0);
    og_abi_add_string(e, "");
  }
  else if(!strcmp(name, "string_32_33")) {
    og_abi_add_string(e, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    og_abi_add_string(e, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
  }
  else if(!strcmp(name, "empty_array")) {
    og_abi_array_begin(e);
    og_abi_array_end(e);
    og_abi_add_address(e, &a);
  }
  else if(!strcmp(name, "fixed_array_dynamic")) {
    /* string[2] is a tuple of two strings */
    og_abi_tuple_begin(e);
    og_abi_add_string(e, "x");
    og_abi_add_string(e, "y");
    og_abi_tuple_end(e);
  }
  else if(!strcmp(name, "uint256_big")) {
    unsigned char v[32] = {0x80};
    v[31] = 1;
    og_abi_add_uint256(e, v);
  }
  else
    fail_msg("no builder for calldata case %s", name);
}

static void check_calldata(const char *name, const char *sig,
                           const char *expect)
{
  og_abi_enc e;
  og_buf out;
  char *hex;
  og_buf_init(&out, 1 << 20);
  og_abi_enc_init_call(&e, 1 << 20, sig);
  build_case(&e, name);
  assert_int_equal(og_abi_enc_finish(&e, &out), OG_OK);
  hex = malloc(2 * out.len + 3);
  assert_non_null(hex);
  hex[0] = '0';
  hex[1] = 'x';
  og_hex_encode(hex + 2, out.data, out.len);
  if(strcmp(hex, expect))
    fail_msg("calldata %s:\n got %s\nwant %s", name, hex, expect);
  free(hex);
  og_buf_free(&out);
}

static void test_calldata_cast(void **state)
{
  json_t *v = tu_load_vectors("abi_cast.json"), *c;
  size_t i;
  (void)state;
  assert_true(json_array_size(json_object_get(v, "calldata")) >= 20);
  json_array_foreach(json_object_get(v, "calldata"), i, c)
    check_calldata(tu_str(c, "name"), tu_str(c, "signature"),
                   tu_str(c, "calldata"));
  json_decref(v);
}

static void test_calldata_registry_vectors(void **state)
{
  json_t *v = tu_load_vectors("abi_get_active_tees.json");
  (void)state;
  check_calldata("getActiveTEEs_0", "getActiveTEEs(uint8)",
                 tu_str(v, "calldata_getActiveTEEs_0"));
  check_calldata("getTEE", "getTEE(bytes32)",
                 tu_str(v, "calldata_getTEE_entryA"));
  json_decref(v);
}

static void test_selectors(void **state)
{
  json_t *v = tu_load_vectors("keccak256.json"), *c;
  const char *groups[] = {"function_selectors", "error_selectors"};
  size_t g, i, nerr = 0;
  (void)state;
  for(g = 0; g < 2; g++) {
    json_array_foreach(json_object_get(v, groups[g]), i, c) {
      unsigned char sel[4], want[4];
      const char *sig = tu_str(c, "signature");
      assert_int_equal(og_hex_decode_exact(want, 4, tu_str(c, "selector"),
                                           10), OG_OK);
      og_abi_selector(sel, sig);
      assert_memory_equal(sel, want, 4);
      if(g == 1) {
        /* every registry error is in the revert table, by name */
        const char *known = og_abi_error_signature(want);
        assert_non_null(known);
        assert_string_equal(known, sig);
        nerr++;
      }
    }
  }
  assert_int_equal(nerr, 18);
  json_decref(v);
}

static void test_revert_vectors(void **state)
{
  json_t *v = tu_load_vectors("abi_cast.json"), *c;
  size_t i;
  char out[512];
  (void)state;
  json_array_foreach(json_object_get(v, "revert"), i, c) {
    size_t n;
    unsigned char *d = tu_hex(tu_str(c, "data"), &n);
    assert_int_equal(og_abi_describe_revert(out, sizeof(out), d, n), OG_OK);
    assert_string_equal(out, tu_str(c, "describe"));
    free(d);
  }
  json_decref(v);
}

static void test_revert_malformed(void **state)
{
  char out[512], small[12];
  unsigned char d[4 + 96] = {0};
  (void)state;
  assert_int_equal(og_abi_describe_revert(out, sizeof(out), d, 0),
                   OG_E_PARSE);
  assert_string_equal(out, "empty revert data");
  memcpy(d, "\x12\x34\x56\x78", 4);
  assert_int_equal(og_abi_describe_revert(out, sizeof(out), d, 4),
                   OG_E_PARSE);
  assert_string_equal(out, "unknown error 0x12345678");
  assert_int_equal(og_abi_describe_revert(out, sizeof(out), d, 3),
                   OG_E_PARSE);
  assert_string_equal(out, "short revert data 0x123456");
  /* Error(string) without its argument */
  memcpy(d, "\x08\xc3\x79\xa0", 4);
  assert_int_equal(og_abi_describe_revert(out, sizeof(out), d, 4),
                   OG_E_PARSE);
  assert_string_equal(out, "Error(<malformed arguments>)");
  /* Error(string) whose length runs past the end */
  memset(d + 4, 0, 96);
  d[4 + 31] = 0x20;
  d[4 + 63] = 0x41;
  assert_int_equal(og_abi_describe_revert(out, sizeof(out), d, 4 + 96),
                   OG_E_PARSE);
  /* escaping: quote, backslash, newline, 0xff */
  d[4 + 63] = 4;
  memcpy(d + 4 + 64, "\"\\\n\xff", 4);
  assert_int_equal(og_abi_describe_revert(out, sizeof(out), d, 4 + 96),
                   OG_OK);
  assert_string_equal(out, "Error(\"\\\"\\\\\\x0a\\xff\")");
  /* cut to the buffer, still terminated */
  assert_int_equal(og_abi_describe_revert(small, sizeof(small), d, 4 + 96),
                   OG_OK);
  assert_string_equal(small, "Error(\"\\\"\\\\");
  /* a no-argument error with trailing bytes */
  memcpy(d, "\xf6\x52\x3b\x65", 4);
  assert_int_equal(og_abi_describe_revert(out, sizeof(out), d, 36),
                   OG_E_PARSE);
  assert_string_equal(out, "TEENotFound(<unexpected arguments>)");
  /* not a multiple of 32 after the selector */
  memcpy(d, "\x4e\x48\x7b\x71", 4);
  assert_int_equal(og_abi_describe_revert(out, sizeof(out), d, 4 + 31),
                   OG_E_PARSE);
}

/* Words built by hand: w[i] set to a value in its low bytes. */
static void set_word(unsigned char *data, size_t i, uint64_t v)
{
  int k;
  memset(data + 32 * i, 0, 32);
  for(k = 0; k < 8; k++)
    data[32 * i + 31 - k] = (unsigned char)(v >> (8 * k));
}

static void test_decode_static(void **state)
{
  unsigned char data[32 * 4] = {0};
  og_abi_dec d;
  og_err err;
  og_address a;
  int b;
  uint8_t u8;
  uint16_t u16;
  uint64_t u64;
  const unsigned char *w;
  (void)state;
  assert_int_equal(og_abi_dec_init(&d, data, 33, &err), OG_E_PARSE);
  assert_int_equal(og_abi_dec_init(&d, data, sizeof(data), &err), OG_OK);
  assert_int_equal(og_abi_word(&d, &w, 3, &err), OG_OK);
  assert_ptr_equal(w, data + 96);
  assert_int_equal(og_abi_word(&d, &w, 4, &err), OG_E_PARSE);
  assert_int_equal(og_abi_word(&d, &w, (size_t)-1, &err), OG_E_PARSE);

  /* address: strict high 12 bytes */
  memset(data, 0, 32);
  memset(data + 12, 0xab, 20);
  assert_int_equal(og_abi_read_address(&d, &a, 0, &err), OG_OK);
  assert_int_equal(a.b[0], 0xab);
  data[11] = 1;
  assert_int_equal(og_abi_read_address(&d, &a, 0, &err), OG_E_PARSE);
  assert_non_null(strstr(err.msg, "dirty"));
  data[11] = 0;
  data[0] = 0x80;
  assert_int_equal(og_abi_read_address(&d, &a, 0, &err), OG_E_PARSE);

  /* bool: 0 or 1 only */
  set_word(data, 1, 1);
  assert_int_equal(og_abi_read_bool(&d, &b, 1, &err), OG_OK);
  assert_int_equal(b, 1);
  set_word(data, 1, 2);
  assert_int_equal(og_abi_read_bool(&d, &b, 1, &err), OG_E_PARSE);
  set_word(data, 1, 0x100);
  assert_int_equal(og_abi_read_bool(&d, &b, 1, &err), OG_E_PARSE);

  /* range checks */
  set_word(data, 2, 0xff);
  assert_int_equal(og_abi_read_u8(&d, &u8, 2, &err), OG_OK);
  assert_int_equal(u8, 0xff);
  set_word(data, 2, 0x100);
  assert_int_equal(og_abi_read_u8(&d, &u8, 2, &err), OG_E_PARSE);
  assert_int_equal(og_abi_read_u16(&d, &u16, 2, &err), OG_OK);
  assert_int_equal(u16, 0x100);
  set_word(data, 2, 0x10000);
  assert_int_equal(og_abi_read_u16(&d, &u16, 2, &err), OG_E_PARSE);
  set_word(data, 2, UINT64_MAX);
  assert_int_equal(og_abi_read_u64(&d, &u64, 2, &err), OG_OK);
  assert_true(u64 == UINT64_MAX);
  data[64 + 23] = 1; /* 2^64 + ... */
  assert_int_equal(og_abi_read_u64(&d, &u64, 2, &err), OG_E_PARSE);
  {
    unsigned char big[32];
    og_bytes32 h;
    assert_int_equal(og_abi_read_uint256(&d, big, 2, &err), OG_OK);
    assert_memory_equal(big, data + 64, 32);
    assert_int_equal(og_abi_read_bytes32(&d, &h, 2, &err), OG_OK);
    assert_memory_equal(h.b, data + 64, 32);
    assert_int_equal(og_abi_read_bytes32(&d, &h, 4, &err), OG_E_PARSE);
  }
}

static void test_decode_dynamic_bounds(void **state)
{
  unsigned char data[32 * 6];
  og_abi_dec d, sub;
  og_err err;
  const unsigned char *p;
  size_t n, pos, count;
  (void)state;
  memset(data, 0, sizeof(data));
  assert_int_equal(og_abi_dec_init(&d, data, sizeof(data), &err), OG_OK);
  /* word 0: offset 0x40 to bytes "hi" */
  set_word(data, 0, 0x40);
  set_word(data, 2, 2);
  memcpy(data + 96, "hi", 2);
  assert_int_equal(og_abi_read_bytes(&d, &p, &n, 0, 32, 100, &err), OG_OK);
  assert_int_equal(n, 2);
  assert_memory_equal(p, "hi", 2);
  /* cap */
  assert_int_equal(og_abi_read_bytes(&d, &p, &n, 0, 32, 1, &err),
                   OG_E_TOO_LARGE);
  /* non-zero padding */
  data[96 + 31] = 1;
  assert_int_equal(og_abi_read_bytes(&d, &p, &n, 0, 32, 100, &err),
                   OG_E_PARSE);
  assert_non_null(strstr(err.msg, "padding"));
  data[96 + 31] = 0;
  /* min_off: the offset may not point into the head */
  assert_int_equal(og_abi_read_bytes(&d, &p, &n, 0, 0x60, 100, &err),
                   OG_E_PARSE);
  /* unaligned offset */
  set_word(data, 0, 0x41);
  assert_int_equal(og_abi_follow(&d, &pos, 0, 0, &err), OG_E_PARSE);
  /* the last word is fine, one past is not */
  set_word(data, 0, sizeof(data) - 32);
  assert_int_equal(og_abi_follow(&d, &pos, 0, 0, &err), OG_OK);
  assert_int_equal(pos, sizeof(data) - 32);
  set_word(data, 0, sizeof(data));
  assert_int_equal(og_abi_follow(&d, &pos, 0, 0, &err), OG_E_PARSE);
  /* an offset near 2^64 must not wrap */
  set_word(data, 0, UINT64_MAX - 31);
  assert_int_equal(og_abi_follow(&d, &pos, 0, 0, &err), OG_E_PARSE);
  memset(data, 0xff, 32);
  assert_int_equal(og_abi_follow(&d, &pos, 0, 0, &err), OG_E_PARSE);
  /* length: exactly the room left is fine, one more is not, nor huge */
  set_word(data, 0, 0x40);
  set_word(data, 2, sizeof(data) - 0x60);
  memset(data + 0x60, 'x', sizeof(data) - 0x60);
  assert_int_equal(og_abi_read_bytes(&d, &p, &n, 0, 32, 1 << 20, &err),
                   OG_OK);
  assert_int_equal(n, sizeof(data) - 0x60);
  set_word(data, 2, sizeof(data) - 0x60 + 1);
  assert_int_equal(og_abi_read_bytes(&d, &p, &n, 0, 32, 1 << 20, &err),
                   OG_E_PARSE);
  set_word(data, 2, UINT64_MAX - 40);
  assert_int_equal(og_abi_read_bytes(&d, &p, &n, 0, 32, 1 << 20, &err),
                   OG_E_PARSE);
  data[0x40] = 0x80; /* 2^255 */
  assert_int_equal(og_abi_read_bytes(&d, &p, &n, 0, 32, 1 << 20, &err),
                   OG_E_PARSE);

  /* arrays: count words must fit, then the cap */
  memset(data, 0, sizeof(data));
  set_word(data, 0, 0x20);
  set_word(data, 1, 4);
  assert_int_equal(og_abi_read_array(&d, &sub, &count, 0, 32, 10, &err),
                   OG_OK);
  assert_int_equal(count, 4);
  assert_int_equal(sub.base, 0x40);
  assert_int_equal(og_abi_read_array(&d, &sub, &count, 0, 32, 3, &err),
                   OG_E_TOO_LARGE);
  set_word(data, 1, 5);
  assert_int_equal(og_abi_read_array(&d, &sub, &count, 0, 32, 10, &err),
                   OG_E_PARSE);
  memset(data + 32, 0x80, 32); /* 2^255 elements */
  assert_int_equal(og_abi_read_array(&d, &sub, &count, 0, 32, 10, &err),
                   OG_E_PARSE);
  /* an empty array at the very end: the element view has no words */
  set_word(data, 0, sizeof(data) - 32);
  set_word(data, 5, 0);
  assert_int_equal(og_abi_read_array(&d, &sub, &count, 0, 32, 10, &err),
                   OG_OK);
  assert_int_equal(count, 0);
  assert_int_equal(og_abi_word(&sub, &p, 0, &err), OG_E_PARSE);
  /* inline tuples share the words of the head */
  assert_int_equal(og_abi_inline_tuple(&d, &sub, 2, &err), OG_OK);
  assert_int_equal(sub.base, 64);
  assert_int_equal(og_abi_inline_tuple(&d, &sub, 6, &err), OG_E_PARSE);
}

static unsigned char *cast_calldata(json_t *v, const char *name, size_t *n)
{
  json_t *c;
  size_t i;
  json_array_foreach(json_object_get(v, "calldata"), i, c) {
    if(!strcmp(tu_str(c, "name"), name))
      return tu_hex(tu_str(c, "calldata"), n);
  }
  fail_msg("no calldata case %s", name);
  return NULL;
}

/* Decode cast's nested encodings back with the decoder API. */
static void test_decode_cast_nested(void **state)
{
  json_t *v = tu_load_vectors("abi_cast.json");
  size_t n, count, inner, k;
  unsigned char *cd = cast_calldata(v, "nested", &n);
  unsigned char *nest = pseudo("nest", 33);
  og_abi_dec d, outer, arr, tup, sub;
  og_err err;
  const unsigned char *p;
  size_t plen;
  uint16_t u16;
  uint64_t u64;
  og_address a;
  int b;
  (void)state;
  assert_int_equal(og_abi_dec_init(&d, cd + 4, n - 4, &err), OG_OK);
  /* bytes[][] */
  assert_int_equal(og_abi_read_array(&d, &outer, &count, 0, 64, 10, &err),
                   OG_OK);
  assert_int_equal(count, 3);
  assert_int_equal(og_abi_read_array(&outer, &arr, &inner, 0, 96, 10, &err),
                   OG_OK);
  assert_int_equal(inner, 2);
  assert_int_equal(og_abi_read_bytes(&arr, &p, &plen, 1, 64, 10, &err),
                   OG_OK);
  assert_int_equal(plen, 2);
  assert_memory_equal(p, "\x02\x03", 2);
  assert_int_equal(og_abi_read_array(&outer, &arr, &inner, 1, 96, 10, &err),
                   OG_OK);
  assert_int_equal(inner, 0);
  assert_int_equal(og_abi_read_array(&outer, &arr, &inner, 2, 96, 10, &err),
                   OG_OK);
  assert_int_equal(inner, 1);
  assert_int_equal(og_abi_read_bytes(&arr, &p, &plen, 0, 32, 100, &err),
                   OG_OK);
  assert_int_equal(plen, 33);
  assert_memory_equal(p, nest, 33);
  /* (string,(uint16,bytes))[] */
  assert_int_equal(og_abi_read_array(&d, &arr, &count, 1, 64, 10, &err),
                   OG_OK);
  assert_int_equal(count, 2);
  for(k = 0; k < 2; k++) {
    assert_int_equal(og_abi_read_tuple(&arr, &tup, k, 64, &err), OG_OK);
    assert_int_equal(og_abi_read_bytes(&tup, &p, &plen, 0, 64, 10, &err),
                     OG_OK);
    assert_int_equal(plen, k + 1);
    assert_memory_equal(p, k ? "yz" : "x", plen);
    assert_int_equal(og_abi_read_tuple(&tup, &sub, 1, 64, &err), OG_OK);
    assert_int_equal(og_abi_read_u16(&sub, &u16, 0, &err), OG_OK);
    assert_int_equal(u16, k ? 1 : 65535);
    assert_int_equal(og_abi_read_bytes(&sub, &p, &plen, 1, 64, 10, &err),
                     OG_OK);
    assert_int_equal(plen, k);
  }
  free(cd);
  free(nest);

  /* g((uint256,address),bool): a static tuple is inline */
  cd = cast_calldata(v, "static_tuple", &n);
  assert_int_equal(og_abi_dec_init(&d, cd + 4, n - 4, &err), OG_OK);
  assert_int_equal(og_abi_inline_tuple(&d, &tup, 0, &err), OG_OK);
  assert_int_equal(og_abi_read_u64(&tup, &u64, 0, &err), OG_OK);
  assert_int_equal(u64, 7);
  assert_int_equal(og_abi_read_address(&tup, &a, 1, &err), OG_OK);
  assert_memory_equal(a.b, addr(ADDR_B).b, 20);
  assert_int_equal(og_abi_read_bool(&d, &b, 2, &err), OG_OK);
  assert_int_equal(b, 1);
  free(cd);

  /* uint256[] from f(uint256[],string[],(uint8,bytes)[]) */
  cd = cast_calldata(v, "arrays", &n);
  assert_int_equal(og_abi_dec_init(&d, cd + 4, n - 4, &err), OG_OK);
  assert_int_equal(og_abi_read_array(&d, &arr, &count, 0, 96, 10, &err),
                   OG_OK);
  assert_int_equal(count, 3);
  for(k = 0; k < 3; k++) {
    assert_int_equal(og_abi_read_u64(&arr, &u64, k, &err), OG_OK);
    assert_int_equal(u64, k + 1);
  }
  free(cd);
  json_decref(v);
}

static void test_encoder_errors(void **state)
{
  og_abi_enc e;
  og_buf out;
  unsigned char big[100] = {0};
  int k;
  (void)state;
  og_buf_init(&out, 1 << 16);

  /* too deep */
  og_abi_enc_init(&e, 1 << 16);
  for(k = 0; k < OG_ABI_MAX_DEPTH; k++)
    assert_int_equal(og_abi_tuple_begin(&e), OG_OK);
  assert_int_equal(og_abi_tuple_begin(&e), OG_E_USAGE);
  assert_int_equal(og_abi_add_uint(&e, 1), OG_E_USAGE); /* sticky */
  assert_int_equal(og_abi_enc_finish(&e, &out), OG_E_USAGE);
  assert_int_equal(out.len, 0);

  /* unbalanced ends */
  og_abi_enc_init(&e, 1 << 16);
  assert_int_equal(og_abi_tuple_end(&e), OG_E_USAGE);
  assert_int_equal(og_abi_enc_finish(&e, &out), OG_E_USAGE);
  og_abi_enc_init(&e, 1 << 16);
  assert_int_equal(og_abi_tuple_begin(&e), OG_OK);
  assert_int_equal(og_abi_add_string(&e, "x"), OG_OK);
  assert_int_equal(og_abi_array_end(&e), OG_E_USAGE);
  assert_int_equal(og_abi_enc_finish(&e, &out), OG_E_USAGE);
  /* left open */
  og_abi_enc_init(&e, 1 << 16);
  assert_int_equal(og_abi_array_begin(&e), OG_OK);
  assert_int_equal(og_abi_add_bytes(&e, big, 10), OG_OK);
  assert_int_equal(og_abi_enc_finish(&e, &out), OG_E_USAGE);
  assert_int_equal(out.len, 0);
  /* bad bytesN */
  og_abi_enc_init(&e, 1 << 16);
  assert_int_equal(og_abi_add_fixed_bytes(&e, big, 0), OG_E_USAGE);
  og_abi_enc_free(&e);
  og_abi_enc_init(&e, 1 << 16);
  assert_int_equal(og_abi_add_fixed_bytes(&e, big, 33), OG_E_USAGE);
  og_abi_enc_free(&e);
  /* over the cap, nested: freed, no output */
  og_abi_enc_init(&e, 64);
  assert_int_equal(og_abi_tuple_begin(&e), OG_OK);
  assert_int_equal(og_abi_add_bytes(&e, big, sizeof(big)), OG_E_TOO_LARGE);
  assert_int_equal(og_abi_tuple_end(&e), OG_E_TOO_LARGE);
  assert_int_equal(og_abi_enc_finish(&e, &out), OG_E_TOO_LARGE);
  og_abi_enc_init(&e, 64);
  assert_int_equal(og_abi_add_bytes(&e, big, 40), OG_E_TOO_LARGE);
  og_abi_enc_free(&e);
  og_abi_enc_free(&e); /* twice is harmless */
  /* a finished encoder refuses more input */
  og_abi_enc_init(&e, 64);
  assert_int_equal(og_abi_add_uint(&e, 5), OG_OK);
  assert_int_equal(og_abi_enc_finish(&e, &out), OG_OK);
  assert_int_equal(out.len, 32);
  assert_int_equal(out.data[31], 5);
  assert_int_not_equal(og_abi_add_uint(&e, 6), OG_OK);
  og_abi_enc_free(&e);
  og_buf_free(&out);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_selectors),
    cmocka_unit_test(test_calldata_cast),
    cmocka_unit_test(test_calldata_registry_vectors),
    cmocka_unit_test(test_revert_vectors),
    cmocka_unit_test(test_revert_malformed),
    cmocka_unit_test(test_decode_static),
    cmocka_unit_test(test_decode_dynamic_bounds),
    cmocka_unit_test(test_decode_cast_nested),
    cmocka_unit_test(test_encoder_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
