/*
 * Solidity ABI: an encoder for calldata (static words, dynamic bytes and
 * strings, dynamic arrays, nested tuples) and a strict, bounds-checked
 * decoder for return and revert data.
 *
 * Encoding: open an encoder, add values in order (tuple/array begin and end
 * nest), then finish into an og_buf. Errors are sticky, as in og_buf: one
 * check of the og_abi_enc_finish result is enough.
 *
 *   og_abi_enc e;
 *   og_abi_enc_init_call(&e, 4096, "allowance(address,address)");
 *   og_abi_add_address(&e, &owner);
 *   og_abi_add_address(&e, &spender);
 *   r = og_abi_enc_finish(&e, &calldata);
 *
 * Decoding: an og_abi_dec is a view of the whole data plus the base of one
 * head area (a tuple, or the elements of an array). Word i is the 32 bytes
 * at base + 32*i. Offsets found in a head are relative to its base, as the
 * ABI says. Every read is bounds-checked and strict: an address with dirty
 * high bytes, a bool other than 0/1, a uintN that does not fit, non-zero
 * padding after bytes, an unaligned offset or a length past the end are all
 * OG_E_PARSE.
 */
#ifndef OPENGRADIENT_OG_ABI_H
#define OPENGRADIENT_OG_ABI_H

#include "og_buf.h"
#include "og_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- encoder ---- */

/* Nesting depth of tuples and arrays inside the call's own tuple. */
#define OG_ABI_MAX_DEPTH 8

typedef struct og_abi_frame {
  og_buf head;    /* static words and offset slots */
  og_buf tail;    /* dynamic data, offsets point here */
  og_buf fixups;  /* size_t positions in head of tail-relative offsets */
  size_t count;   /* values added (elements, for an array) */
  int is_array;
  int dynamic;    /* holds a dynamic value, so goes behind an offset */
} og_abi_frame;

typedef struct og_abi_enc {
  og_abi_frame f[OG_ABI_MAX_DEPTH + 1];
  int depth;             /* index of the open frame */
  size_t max;            /* cap on each part of the encoding */
  og_result status;      /* sticky: the first error */
  unsigned char selector[4];
  int has_selector;
} og_abi_enc;

/* The 4-byte selector: first bytes of keccak256(signature), where the
 * signature is canonical ("transfer(address,uint256)", no spaces). */
OG_API void og_abi_selector(unsigned char sel[4], const char *signature);

/* Start encoding a bare tuple (e.g. a return value or abi.encode). Each
 * part may hold at most max bytes. Allocates nothing yet; release with
 * og_abi_enc_finish or og_abi_enc_free. */
OG_API void og_abi_enc_init(og_abi_enc *e, size_t max);

/* Start encoding calldata: selector of signature, then the arguments. */
OG_API void og_abi_enc_init_call(og_abi_enc *e, size_t max, const char *signature);

/* Static values: one word each. */
OG_API og_result og_abi_add_address(og_abi_enc *e, const og_address *a);
OG_API og_result og_abi_add_bool(og_abi_enc *e, int v);
OG_API og_result og_abi_add_uint(og_abi_enc *e, uint64_t v);   /* any uintN */
OG_API og_result og_abi_add_int(og_abi_enc *e, int64_t v);     /* any intN */
OG_API og_result og_abi_add_uint256(og_abi_enc *e, const unsigned char be[32]);
OG_API og_result og_abi_add_bytes32(og_abi_enc *e, const og_bytes32 *v);
/* bytesN, 1 <= n <= 32: left-aligned, zero-padded. */
OG_API og_result og_abi_add_fixed_bytes(og_abi_enc *e, const void *p, size_t n);

/* Dynamic values: an offset in the head, length and padded data in the
 * tail. */
OG_API og_result og_abi_add_bytes(og_abi_enc *e, const void *p, size_t n);
OG_API og_result og_abi_add_string(og_abi_enc *e, const char *s);

/* A tuple (struct) or fixed-size array T[k]: begin, add the members, end.
 * It is placed inline when all members are static, behind an offset when
 * any member is dynamic. */
OG_API og_result og_abi_tuple_begin(og_abi_enc *e);
OG_API og_result og_abi_tuple_end(og_abi_enc *e);

/* A dynamic array T[]: begin, add the elements, end. */
OG_API og_result og_abi_array_begin(og_abi_enc *e);
OG_API og_result og_abi_array_end(og_abi_enc *e);

/* Append the encoding (selector first, for a call) to out, and release
 * the encoder. Returns the first error met while encoding, or
 * OG_E_USAGE when a tuple or array was left open. */
OG_API og_result og_abi_enc_finish(og_abi_enc *e, og_buf *out) OG_WARN_UNUSED;

/* Release an encoder without output. Safe after finish. */
OG_API void og_abi_enc_free(og_abi_enc *e);

/* ---- decoder ---- */

typedef struct og_abi_dec {
  const unsigned char *data; /* the whole data; not owned */
  size_t len;
  size_t base;               /* start of this head area */
} og_abi_dec;

/* A view of data with base 0. OG_E_PARSE unless len is a multiple of 32. */
OG_API og_result og_abi_dec_init(og_abi_dec *d, const unsigned char *data, size_t len,
                          og_err *err);

/* The 32 bytes of word i. */
OG_API og_result og_abi_word(const og_abi_dec *d, const unsigned char **w, size_t i,
                      og_err *err);

OG_API og_result og_abi_read_address(const og_abi_dec *d, og_address *out, size_t i,
                              og_err *err);
OG_API og_result og_abi_read_bool(const og_abi_dec *d, int *out, size_t i,
                           og_err *err);
OG_API og_result og_abi_read_u8(const og_abi_dec *d, uint8_t *out, size_t i,
                         og_err *err);
OG_API og_result og_abi_read_u16(const og_abi_dec *d, uint16_t *out, size_t i,
                          og_err *err);
OG_API og_result og_abi_read_u64(const og_abi_dec *d, uint64_t *out, size_t i,
                          og_err *err);
/* uint256 as 32 big-endian bytes. */
OG_API og_result og_abi_read_uint256(const og_abi_dec *d, unsigned char out[32],
                              size_t i, og_err *err);
OG_API og_result og_abi_read_bytes32(const og_abi_dec *d, og_bytes32 *out, size_t i,
                              og_err *err);

/* Follow the offset in word i to a dynamic value; *pos receives its
 * absolute position. The offset must be 32-aligned, at least min_off
 * (pass the head size so that tails cannot point into the head) and
 * leave room for one word. */
OG_API og_result og_abi_follow(const og_abi_dec *d, size_t *pos, size_t i,
                        size_t min_off, og_err *err);

/* bytes or string behind the offset in word i: *p points into the data
 * (not copied, not NUL-terminated), *n is its length. Fails with
 * OG_E_TOO_LARGE when the length is over max, OG_E_PARSE when it runs
 * past the end or the padding is not zero. */
OG_API og_result og_abi_read_bytes(const og_abi_dec *d, const unsigned char **p,
                            size_t *n, size_t i, size_t min_off, size_t max,
                            og_err *err);

/* A dynamic tuple behind the offset in word i: sub gets its base. */
OG_API og_result og_abi_read_tuple(const og_abi_dec *d, og_abi_dec *sub, size_t i,
                            size_t min_off, og_err *err);

/* A static tuple inlined at word i: sub gets base + 32*i. */
OG_API og_result og_abi_inline_tuple(const og_abi_dec *d, og_abi_dec *sub, size_t i,
                              og_err *err);

/* A dynamic array T[] behind the offset in word i: *count elements whose
 * head area starts at elems->base. Fails with OG_E_TOO_LARGE over
 * max_count and OG_E_PARSE when count words (one per element, the
 * least any element takes) do not fit in the data. */
OG_API og_result og_abi_read_array(const og_abi_dec *d, og_abi_dec *elems,
                            size_t *count, size_t i, size_t min_off,
                            size_t max_count, og_err *err);

/* ---- revert data ---- */

/* The signature ("TEENotFound()") of a known error selector, or NULL.
 * Knows the TEERegistry's custom errors, OpenZeppelin AccessControl's,
 * Error(string) and Panic(uint256). */
OG_API const char *og_abi_error_signature(const unsigned char sel[4]);

/* Describe revert data in one line of text, e.g. `TEENotFound()`,
 * `Error("not allowed")`, `Panic(0x11)`, `unknown error 0x12345678`,
 * `empty revert data`. String arguments are shown with non-printable
 * bytes escaped, and the line is cut to fit out (size outsz > 0).
 * Returns OG_OK when the data was a known error with well-formed
 * arguments, OG_E_PARSE otherwise (the text then says what was seen). */
OG_API og_result og_abi_describe_revert(char *out, size_t outsz,
                                 const unsigned char *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif
