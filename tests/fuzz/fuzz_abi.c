/* libFuzzer harness for the ABI decoder: getActiveTEEs and getTEE replies
 * and revert descriptions, on arbitrary bytes. Must never crash, read out
 * of bounds or leak; a decoded list is walked end to end so that any bad
 * pointer or length shows up under ASan. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opengradient/og_abi.h"
#include "opengradient/og_registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned sink;

static void touch(const unsigned char *p, size_t n)
{
  size_t k;
  for(k = 0; k < n; k++)
    sink += p[k];
}

static void walk(const og_tee_list *list)
{
  size_t i;
  for(i = 0; i < list->count; i++) {
    const og_tee *t = &list->items[i];
    touch((const unsigned char *)t->endpoint, t->endpoint_len + 1);
    if(t->endpoint[t->endpoint_len] != 0)
      abort();
    touch(t->public_key, t->public_key_len);
    touch(t->tls_cert, t->tls_cert_len);
    touch(t->ohttp_public_key, t->ohttp_public_key_len);
    touch(t->ohttp_key_config, t->ohttp_key_config_len);
    if(t->endpoint_len > OG_TEE_MAX_ENDPOINT ||
       t->public_key_len > OG_TEE_MAX_PUBKEY ||
       t->tls_cert_len > OG_TEE_MAX_CERT || t->enabled > 1)
      abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  og_tee_list list;
  og_err err;
  char line[256];
  if(og_registry_decode_tees(&list, data, size, &err) == OG_OK) {
    if(list.count > OG_TEE_MAX_ENTRIES)
      abort();
    walk(&list);
  }
  og_tee_list_free(&list);
  if(og_registry_decode_tee(&list, data, size, &err) == OG_OK) {
    if(list.count != 1)
      abort();
    walk(&list);
  }
  og_tee_list_free(&list);
  og_abi_describe_revert(line, sizeof(line), data, size);
  if(strlen(line) >= sizeof(line))
    abort();
  return 0;
}
