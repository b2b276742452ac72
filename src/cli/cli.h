/*
 * The opengradient command: shared state of one invocation.
 * Options come from one table (options.c) that also generates --help.
 */
#ifndef OG_CLI_H
#define OG_CLI_H

#include <stdio.h>

#include <jansson.h>

#include "opengradient/og_common.h"

typedef enum cli_cmd {
  CMD_NONE = 0,
  CMD_COMPLETION,
  CMD_CHAT,
  CMD_TEE_LIST,
  CMD_TEE_SHOW,
  CMD_TEE_CHECK,
  CMD_CONFIG_INIT,
  CMD_CONFIG_SHOW,
  CMD_CONFIG_CLEAR,
  CMD_VERIFY,
  CMD_APPROVE,
  CMD_MODELS,
  CMD_SERVE,
  CMD_LOGIN,
  CMD_TEE_ATTEST,
  CMD_COUNT
} cli_cmd;

/* Option ids; the table in options.c is indexed by these. */
typedef enum cli_opt_id {
  /* global */
  OPT_RPC_URL,
  OPT_REGISTRY,
  OPT_TEE_TYPE,
  OPT_TEE_ID,
  OPT_LLM_SERVER_URL,
  OPT_PRIVATE_KEY_FILE,
  OPT_PAYMENT_RPC_URL,
  OPT_MAX_PAYMENT,
  OPT_TIMEOUT,
  OPT_NO_VERIFY,
  OPT_SIGNING_KEY,
  OPT_TLS_CERT,
  OPT_ALLOW_INSECURE_RPC,
  OPT_REQUIRE_PCR,
  OPT_NETWORKS,
  OPT_STRICT_PAYEE,
  OPT_STREAM_TOOLS_FALLBACK,
  OPT_JSON,
  OPT_NO_COLOR,
  OPT_VERBOSE,
  OPT_HELP,
  OPT_VERSION,
  OPT_MAX_AGE,
  OPT_PAYMENT_ASSET,
  OPT_MAX_TIME,
  OPT_RAW,
  OPT_RELAY_URL,
  OPT_RELAY_TOKEN_FILE,
  /* command options */
  OPT_MODEL,
  OPT_PROMPT,
  OPT_MAX_TOKENS,
  OPT_STOP_SEQUENCE,
  OPT_TEMPERATURE,
  OPT_SETTLEMENT_MODE,
  OPT_MESSAGES,
  OPT_MESSAGES_FILE,
  OPT_TOOLS,
  OPT_TOOLS_FILE,
  OPT_TOOL_CHOICE,
  OPT_STREAM,
  OPT_WEB_SEARCH,
  OPT_IMAGE_OUTPUT_DIR,
  OPT_YES,
  OPT_AMOUNT,
  OPT_TOKEN,
  OPT_MAX_FEE_GWEI,
  OPT_CHAIN_ID,
  OPT_LISTEN,
  OPT_API_KEY_FILE,
  OPT_BUDGET,
  OPT_MAX_CONCURRENT,
  OPT_DRAIN_TIMEOUT,
  OPT_CHAT_APP_URL,
  OPT_PORT,
  OPT_NO_BROWSER,
  /* attestation and quorum (issue 12) */
  OPT_RPC_QUORUM,
  OPT_ATTEST,
  OPT_NITRO_ROOT,
  OPT_DOCUMENT,
  OPT_AT,
  OPT_NONCE,
  OPT_EXPECT_PCR_HASH,
  OPT_EXPECT_TLS_CERT,
  OPT_EXPECT_SIGNING_KEY,
  OPT_COUNT
} cli_opt_id;

#define CLI_MAX_MULTI 32
#define CLI_MAX_POS 4

typedef struct cli_value {
  int set;                         /* given on the command line or env */
  const char *value;               /* last value (argument options) */
  const char *multi[CLI_MAX_MULTI]; /* repeatable options */
  int nmulti;
  int from_env;
} cli_value;

typedef struct cli {
  cli_cmd cmd;
  const char *cmd_name;            /* e.g. "tee list" */
  cli_value opt[OPT_COUNT];
  const char *pos[CLI_MAX_POS];    /* positional arguments after the command */
  int npos;
  int json;                        /* --json */
  int verbose;
  int color_out;                   /* colour on stdout */
  int color_err;
  int tty_out;                     /* stdout is a terminal */
  int raw;                         /* --raw: answer text as sent, even on a tty */
  long timeout_ms;
  long max_time_ms;                /* --max-time; 0 = none */
  FILE *out;
  FILE *errf;
} cli;

/* options.c */
int cli_parse(cli *c, int argc, char **argv, og_err *err);
void cli_print_help(const cli *c, FILE *f);
const char *cli_opt_str(const cli *c, cli_opt_id id, const char *dflt);
int cli_has(const cli *c, cli_opt_id id);
/* The long name of an option, without the dashes. */
const char *cli_opt_name(cli_opt_id id);

/* output.c */
int cli_error(cli *c, og_result r, const char *fmt, ...) OG_PRINTF(3, 4);
int cli_fail(cli *c, og_result r, const og_err *err);
void cli_verbose(const cli *c, const char *fmt, ...) OG_PRINTF(2, 3);
void cli_warn(const cli *c, const char *fmt, ...) OG_PRINTF(2, 3);
const char *cli_color(const cli *c, int on_stdout, const char *code);
void cli_rule(cli *c);
int cli_print_json(cli *c, json_t *j); /* steals j */
void cli_print_tee_block(cli *c, const char *endpoint, const char *tee_id,
                         const char *payment_address);
/* Server-supplied text (og_text_visible): made visible on stderr always and
 * on stdout when it is a terminal; written byte for byte otherwise.
 * cli_put_text keeps newlines and tabs, cli_put_field (one-line values:
 * names, ids, endpoints, reasons) escapes them too. cli_put_answer is the
 * answer text itself, which --raw writes as sent even to a terminal. */
void cli_put_text(cli *c, FILE *f, const char *s, size_t n);
void cli_put_field(cli *c, FILE *f, const char *s);
void cli_put_answer(cli *c, const char *s, size_t n);
/* Extra jansson flags for JSON on stdout: JSON_ENSURE_ASCII on a terminal
 * (C1 controls and bidi overrides arrive as \uXXXX escapes; the JSON means
 * the same), none into a pipe or file. */
size_t cli_json_flags(const cli *c);

#define CLR_RESET "0"
#define CLR_BOLD "1"
#define CLR_GREEN_BOLD "1;32"
#define CLR_YELLOW_BOLD "1;33"
#define CLR_MAGENTA "35"
#define CLR_MAGENTA_BOLD "1;35"
#define CLR_CYAN "36"
#define CLR_CYAN_BOLD "1;36"
#define CLR_GREEN "32"
#define CLR_RED_BOLD "1;31"
#define CLR_YELLOW "33"

/* config.c */
int cmd_config(cli *c);
/* The wallet key from --private-key-file, OG_PRIVATE_KEY or the config
 * file, as hex text in a buffer the caller wipes; 0 = none configured,
 * 1 = found, -1 = error already reported. */
int cli_load_private_key(cli *c, char *out, size_t outlen);
/* Confidential mode: the relay URL (--relay-url, even '' = off, then
 * OG_RELAY_URL, then the config's relay_url) and its bearer token
 * (--relay-token-file, OG_RELAY_TOKEN, the config's relay_token; secret
 * files must be 0600). url[0] = 0 when off. 0 ok, else the exit code. */
int cli_load_relay(cli *c, char *url, size_t urln, char *token,
                   size_t tokenn);
/* A file holding a secret (WHAT names it, e.g. "--private-key-file:")
 * that group or others may read or write (st_mode in mode) is refused with
 * the "chmod 600 PATH" fix: 0 ok, -1 reported (exit 1). */
int cli_secret_mode_check(cli *c, const char *what, const char *path,
                          unsigned mode);
/* Store string members into the config file (0600, other keys kept). */
int cli_config_store(cli *c, json_t *updates);
/* Registry settings that login stored (rpc_url, tee_registry) become the
 * defaults of --rpc-url and --registry, announced on stderr. */
int cli_apply_login_defaults(cli *c);

/* Commands implemented elsewhere. */
int cmd_tee(cli *c);
int cmd_llm(cli *c);
int cmd_verify(cli *c);
int cmd_approve(cli *c);
int cmd_models(cli *c);
int cmd_serve(cli *c);
int cmd_login(cli *c);
int cmd_attest(cli *c);
/* cmd_attest.c: --attest and --nitro-root into a client configuration;
 * 0 or the exit code after reporting. */
struct og_client_config;
int cli_attest_options(cli *c, struct og_client_config *cfg);

#endif
