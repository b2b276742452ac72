/* --attest inside the client: a TEE is attested before its first request;
 * a passed (TEE id, certificate hash) is remembered until the document's
 * leaf certificate expires. Internal to the library. */
#ifndef OG_ATTEST_GATE_H
#define OG_ATTEST_GATE_H

#include "opengradient/og_attest.h"
#include "opengradient/og_http.h"

typedef struct attest_gate attest_gate;
typedef struct attest_wait attest_wait;

/* root_pem NULL = the built-in AWS root; copied. */
og_result attest_gate_new(attest_gate **out, const char *root_pem,
                          og_err *err);
void attest_gate_free(attest_gate *g);

/* 1 when this TEE (id text, pinned DER) passed and is still valid. */
int attest_gate_passed(attest_gate *g, const char *tee_id,
                       const unsigned char *pin, size_t pin_len);

/* Attest now; done runs once with OG_OK (remembered) or the failure
 * (OG_E_TLS for a failed check). *w is valid until done or
 * attest_wait_cancel. pcr may be NULL (direct mode). */
og_result attest_gate_start(attest_gate *g, og_http *h, attest_wait **w,
                            const char *tee_id, const char *endpoint,
                            const unsigned char *pin, size_t pin_len,
                            const unsigned char *spki, size_t spki_len,
                            const og_bytes32 *pcr, long connect_ms,
                            long total_ms,
                            void (*done)(void *user, og_result rc,
                                         const og_err *err),
                            void *user, og_err *err);
void attest_wait_cancel(og_http *h, attest_wait *w);

#endif
