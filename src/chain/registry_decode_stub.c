/*
 * TEMPORARY: stand-ins for the registry ABI decoders (og_registry.h),
 * whose real implementation comes with the ABI module (og_abi.h). Once
 * that module is in the tree this file compiles to nothing and can be
 * deleted. The stand-ins refuse every input, so nothing can be mistaken
 * for a decoded registry.
 */
#if !__has_include("opengradient/og_abi.h")
#include <stdlib.h>

#include "opengradient/og_registry.h"

#define OG_DECODE_STUB_MSG \
  "registry decoder not linked in (ABI module missing)"

og_result og_registry_decode_tees(og_tee_list *list, og_err *err,
                                  const unsigned char *data, size_t len)
{
  (void)data;
  (void)len;
  list->items = NULL;
  list->count = 0;
  list->storage = NULL;
  return og_fail(err, OG_E_INTERNAL, OG_DECODE_STUB_MSG);
}

og_result og_registry_decode_tee(og_tee_list *list, og_err *err,
                                 const unsigned char *data, size_t len)
{
  return og_registry_decode_tees(list, err, data, len);
}

void og_tee_list_free(og_tee_list *list)
{
  if(!list)
    return;
  free(list->storage);
  list->items = NULL;
  list->count = 0;
  list->storage = NULL;
}
#else
typedef int og_registry_decode_stub_unused; /* ISO C: no empty unit */
#endif
