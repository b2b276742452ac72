/* File inputs of the command: each returns 0, or the exit code after
 * reporting a one-line error naming the option. */
#ifndef OG_CLI_FILES_H
#define OG_CLI_FILES_H

#include "cli.h"
#include "opengradient/og_buf.h"

/* Whole file into out (capped); caller frees out with og_buf_free. */
int cli_read_file(cli *c, const char *opt, const char *path, og_buf *out,
                  size_t cap);

/* A certificate (PEM or DER) as DER; caller frees der. */
int cli_load_cert(cli *c, const char *opt, const char *path, og_buf *der);

/* A public key (PEM or DER SPKI) as DER SPKI; caller frees der. */
int cli_load_spki(cli *c, const char *opt, const char *path, og_buf *der);

#endif
