/* The upstream og_client's configuration from the global options, shared
 * by the commands that make requests (completion, chat, serve). */
#ifndef OG_CLI_UPSTREAM_H
#define OG_CLI_UPSTREAM_H

#include "cli.h"
#include "opengradient/og_buf.h"
#include "opengradient/og_client.h"

typedef struct cli_upstream {
  og_buf cert, spki;
  char key[160];
  char registry[43];       /* cfg.registry points here, not at a local */
  char *assets;            /* cfg.payment_assets: --payment-asset joined */
  og_bytes32 pcr[CLI_MAX_MULTI];
  char relay_url[2048];    /* confidential mode when not empty */
  char relay_token[4096];  /* wiped by cli_upstream_free */
} cli_upstream;

void cli_upstream_init(cli_upstream *u);
/* Frees and wipes (the key). */
void cli_upstream_free(cli_upstream *u);

/* Fill cfg (pointing into u) from the global options, before any network.
 * Returns 0, or the exit code after reporting the error. The caller wipes
 * u->key once the client is made. */
int cli_client_config(cli *c, cli_upstream *u, og_client_config *cfg);

/* og_log_fn for the client: warnings always, the rest under -v. */
void cli_client_log(void *user, const char *line);

#endif
