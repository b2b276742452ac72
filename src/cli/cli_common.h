/* Shared pieces of the commands that read the registry. */
#ifndef OG_CLI_COMMON_H
#define OG_CLI_COMMON_H

#include "cli.h"
#include "opengradient/og_registry.h"
#include "opengradient/og_registry_client.h"
#include "opengradient/og_rpc.h"

typedef struct cli_registry {
  og_rpc *rpc;
  og_address address;
  char address_text[43];
  uint8_t tee_type;
  og_bytes32 pcr_allow[CLI_MAX_MULTI];
  size_t n_pcr_allow;
} cli_registry;

/* Validate --rpc-url, --registry, --tee-type and --require-pcr (before any
 * network access) and open the RPC. Returns 0, or the exit code after
 * reporting the error. */
int cli_registry_check(cli *c, cli_registry *reg);
/* The registry RPCs: --rpc-url (repeatable), OG_RPC_URL (a comma list)
 * or the default, and --rpc-quorum checked against their number. The list
 * stays valid for the run. Returns 0 or the exit code after reporting. */
int cli_rpc_urls(cli *c, const char *const **urls, size_t *n,
                 size_t *quorum);
int cli_registry_open(cli *c, cli_registry *reg);
void cli_registry_close(cli_registry *reg);

/* 1 when --require-pcr is not given or lists this hash. */
int cli_pcr_allowed(const cli_registry *reg, const og_bytes32 *pcr);

/* The active TEEs of reg's type that can be used (checks pass, pcrHash
 * allowed), in registry order: usable[] points into list, checks[] (may be
 * NULL) gets each one's check. Skipped TEEs are named under --verbose; an
 * expired certificate is a warning. With need_one, none is an error (exit
 * 3). Returns 0 or the exit code after reporting; the caller frees list
 * either way. */
int cli_tee_usable(cli *c, cli_registry *reg, og_tee_list *list,
                   const og_tee **usable, og_tee_check *checks,
                   size_t *n_usable, int need_one);
/* Exactly the TEE whose id is id_text (a command's argument), selected as
 * --tee-id does. Returns 0 or the exit code after reporting; the caller
 * frees list either way. */
int cli_tee_by_id(cli *c, cli_registry *reg, const char *id_text,
                  og_tee_list *list, const og_tee **chosen);

/* endpoint (one trailing '/' dropped) + path. */
void cli_endpoint_url(char *out, size_t n, const char *endpoint,
                      const char *path);

#endif
