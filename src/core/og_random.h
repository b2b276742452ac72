/* The one source of random bytes (internal): the kernel's getrandom(). */
#ifndef OPENGRADIENT_CORE_OG_RANDOM_H
#define OPENGRADIENT_CORE_OG_RANDOM_H

#include <stddef.h>

#include "opengradient/og_common.h"

/* Fill p with n random bytes (blocking until the pool is ready);
 * OG_E_CRYPTO when the kernel refuses. */
og_result og_random_bytes(void *p, size_t n) OG_WARN_UNUSED;

#endif
