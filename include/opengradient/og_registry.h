/*
 * The on-chain TEERegistry: decoded entries, the getActiveTEEs decoder
 * (both the 10- and 11-field TEEInfo layouts, told apart from the data) and
 * the client that reads the registry over JSON-RPC.
 */
#ifndef OPENGRADIENT_OG_REGISTRY_H
#define OPENGRADIENT_OG_REGISTRY_H

#include "og_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Size caps on registry fields; bigger values are hostile. */
#define OG_TEE_MAX_ENDPOINT 2048
#define OG_TEE_MAX_PUBKEY 4096
#define OG_TEE_MAX_CERT 16384
#define OG_TEE_MAX_ENTRIES 1024
#define OG_REGISTRY_MAX_REPLY (4u * 1024 * 1024)

#define OG_TEE_TYPE_LLM 0

/* One TEEInfo entry. The byte fields point into memory owned by the
 * og_tee_list that holds the entry. */
typedef struct og_tee {
  og_bytes32 id;             /* keccak256(public_key); set by
                                og_tee_list_compute_ids */
  og_address owner;
  og_address payment_address;
  const char *endpoint;      /* NUL-terminated, endpoint_len bytes */
  size_t endpoint_len;
  const unsigned char *public_key; /* DER SubjectPublicKeyInfo */
  size_t public_key_len;
  const unsigned char *tls_cert;   /* exact DER X.509 leaf */
  size_t tls_cert_len;
  og_bytes32 pcr_hash;
  uint8_t tee_type;
  int enabled;
  uint64_t registered_at;
  uint64_t last_heartbeat_at;
  int has_ohttp;             /* 11-field layout */
  uint8_t ohttp_key_id;
  uint16_t ohttp_kem_id, ohttp_kdf_id, ohttp_aead_id;
  const unsigned char *ohttp_public_key;
  size_t ohttp_public_key_len;
  const unsigned char *ohttp_key_config;
  size_t ohttp_key_config_len;
  uint64_t ohttp_registered_at;
} og_tee;

/* A decoded list. One allocation holds the entries and all their bytes. */
typedef struct og_tee_list {
  og_tee *items;
  size_t count;
  void *storage; /* private */
} og_tee_list;

/* Decode getActiveTEEs return data (raw bytes, not hex) into list.
 * Bounds-checks every offset and length and applies the caps above.
 * Strict: dirty address high bits, out-of-range uint8/bool and non-zero
 * padding are OG_E_PARSE. ABI work only: the ids (a Keccak of each key)
 * are derived afterwards by og_tee_list_compute_ids, which the registry
 * client always calls. On success the caller frees with og_tee_list_free. */
OG_API og_result og_registry_decode_tees(og_tee_list *list, const unsigned char *data,
                                  size_t len, og_err *err);

/* Decode getTEE(bytes32) return data: [0x20][tuple]. The result is a list
 * of exactly one entry; caller frees with og_tee_list_free. */
OG_API og_result og_registry_decode_tee(og_tee_list *list, const unsigned char *data,
                                 size_t len, og_err *err);

/* Fill each entry's id = keccak256(public_key). */
OG_API void og_tee_list_compute_ids(og_tee_list *list);

OG_API void og_tee_list_free(og_tee_list *list);

#ifdef __cplusplus
}
#endif

#endif
