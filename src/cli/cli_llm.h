/* What newer gateways add to an answer, as the command shows it: web-search
 * progress, citations, generated images (saved as the Python CLI names
 * them) and the cost block. None of it is signed. */
#ifndef OG_CLI_LLM_H
#define OG_CLI_LLM_H

#include "cli.h"
#include "opengradient/og_llm.h"

/* --image-output-dir: refuse (exit 1) a path that exists and is not a
 * directory, before any network access. Returns 0 or the exit code. */
int cli_image_dir_check(cli *c);

/* A web-search status frame: on a terminal one line on stderr, otherwise
 * only under -v (the NDJSON line carries it with --json). */
void cli_web_search_status(cli *c, const char *status, const char *query);

/* Save every image of images (array of data: URIs or raw base64 PNG) into
 * --image-output-dir (default: the current folder) as
 * og_image_<unixtime>[_<n>].<ext>. Human output prints "Generated N
 * image(s):" and "  Saved: PATH" lines (and that images are not signed);
 * with --json nothing is printed on stdout. *saved receives a new array of
 * the paths written (caller frees), NULL when images is NULL or empty.
 * Returns 0, or the exit code after reporting a failure to write. */
int cli_save_images(cli *c, const json_t *images, json_t **saved);

/* Human output: "Sources:" with one "  [n] title - url" per citation. */
void cli_print_citations(cli *c, const json_t *citations);

/* Human output: "Cost: <OPG, 18 decimals> OPG ($<usd>)" when present. */
void cli_print_cost(cli *c, const og_llm_cost *cost);

/* --json: set "citations", "opengradient" (verbatim) and "images_saved"
 * on o when the answer carried them; "images" (the data) is removed. */
void cli_llm_extras_json(json_t *o, const og_llm_result *a,
                         const json_t *saved);

#endif
