/* The one table of options: parsing, environment defaults and --help are
 * all generated from it, so help and behaviour cannot drift apart. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* Which commands an option applies to. */
#define F_GLOBAL 0xffffu
#define F_COMPLETION (1u << CMD_COMPLETION)
#define F_CHAT (1u << CMD_CHAT)
#define F_LLM (F_COMPLETION | F_CHAT)
#define F_CLEAR (1u << CMD_CONFIG_CLEAR)
#define F_APPROVE (1u << CMD_APPROVE)
#define F_SERVE (1u << CMD_SERVE)
#define F_LOGIN (1u << CMD_LOGIN)
#define F_ATTEST (1u << CMD_TEE_ATTEST)

typedef struct cli_opt {
  const char *name;
  char short_name;
  int has_arg;
  int repeatable;
  const char *env;
  const char *metavar;
  const char *dflt_text; /* shown in help */
  unsigned commands;
  const char *help;
} cli_opt;

static const cli_opt options[OPT_COUNT] = {
  [OPT_RPC_URL] = {"rpc-url", 0, 1, 1, "OG_RPC_URL", "URL",
    "https://ogevmdevnet.opengradient.ai", F_GLOBAL,
    "JSON-RPC of the chain that holds the TEE registry (repeatable; env: "
    "comma list)"},
  [OPT_REGISTRY] = {"registry", 0, 1, 0, "OG_TEE_REGISTRY", "ADDR",
    "0x703cB174AEadB35D611858369B4b1111dC9Abda6", F_GLOBAL,
    "TEERegistry contract address"},
  [OPT_TEE_TYPE] = {"tee-type", 0, 1, 0, NULL, "N", "0", F_GLOBAL,
    "registry TEE type to use (0 = LLM proxy)"},
  [OPT_TEE_ID] = {"tee-id", 0, 1, 0, "OG_TEE_ID", "ID", NULL, F_GLOBAL,
    "use exactly this active TEE"},
  [OPT_LLM_SERVER_URL] = {"llm-server-url", 0, 1, 0, "OG_LLM_SERVER_URL",
    "URL", NULL, F_GLOBAL,
    "skip the registry; verify the server with the system CAs or --tls-cert"},
  [OPT_PRIVATE_KEY_FILE] = {"private-key-file", 0, 1, 0, NULL, "FILE", NULL,
    F_GLOBAL, "wallet key that signs x402 payments (env OG_PRIVATE_KEY "
    "holds the key itself)"},
  [OPT_PAYMENT_RPC_URL] = {"payment-rpc-url", 0, 1, 0, "OG_PAYMENT_RPC_URL",
    "URL", "https://mainnet.base.org", F_GLOBAL,
    "chain RPC for payment-side reads and transactions"},
  [OPT_MAX_PAYMENT] = {"max-payment", 0, 1, 0, "OG_MAX_PAYMENT", "N",
    "100000000000000000", F_GLOBAL,
    "never sign an x402 payment above N base units"},
  [OPT_TIMEOUT] = {"timeout", 0, 1, 0, NULL, "SECONDS", "60", F_GLOBAL,
    "limit on connecting and on each wait for data"},
  [OPT_NO_VERIFY] = {"no-verify", 0, 0, 0, NULL, NULL, NULL, F_GLOBAL,
    "do not check the enclave's signature on answers"},
  [OPT_SIGNING_KEY] = {"signing-key", 0, 1, 0, NULL, "FILE", NULL, F_GLOBAL,
    "the TEE's signing key (PEM or DER SPKI) for verification"},
  [OPT_TLS_CERT] = {"tls-cert", 0, 1, 0, NULL, "FILE", NULL, F_GLOBAL,
    "with --llm-server-url: pin exactly this certificate (PEM or DER)"},
  [OPT_ALLOW_INSECURE_RPC] = {"allow-insecure-rpc", 0, 0, 0, NULL, NULL,
    NULL, F_GLOBAL, "allow plain http:// RPC to a non-loopback host"},
  [OPT_REQUIRE_PCR] = {"require-pcr", 0, 1, 1, NULL, "HASH", NULL, F_GLOBAL,
    "use only TEEs with this pcrHash (repeatable)"},
  [OPT_NETWORKS] = {"networks", 0, 1, 0, "OG_NETWORKS", "LIST",
    "eip155:8453,eip155:84532", F_GLOBAL,
    "payment networks the client may sign for"},
  [OPT_STRICT_PAYEE] = {"strict-payee", 0, 0, 0, NULL, NULL, NULL, F_GLOBAL,
    "refuse to pay a payTo other than the TEE's registry payment address"},
  [OPT_STREAM_TOOLS_FALLBACK] = {"stream-tools-fallback", 0, 0, 0, NULL,
    NULL, NULL, F_GLOBAL,
    "with --stream and tools: one non-streamed request, one final chunk"},
  [OPT_JSON] = {"json", 0, 0, 0, NULL, NULL, NULL, F_GLOBAL,
    "machine output"},
  [OPT_NO_COLOR] = {"no-color", 0, 0, 0, "NO_COLOR", NULL, NULL, F_GLOBAL,
    "no colour (default: colour only on a terminal)"},
  [OPT_VERBOSE] = {"verbose", 'v', 0, 0, NULL, NULL, NULL, F_GLOBAL,
    "progress and diagnostics on stderr"},
  [OPT_HELP] = {"help", 'h', 0, 0, NULL, NULL, NULL, F_GLOBAL,
    "show this help"},
  [OPT_VERSION] = {"version", 0, 0, 0, NULL, NULL, NULL, F_GLOBAL,
    "print the version"},
  [OPT_MAX_AGE] = {"max-age", 0, 1, 0, NULL, "SECONDS", NULL, F_GLOBAL,
    "refuse live answers signed more than SECONDS ago"},
  [OPT_PAYMENT_ASSET] = {"payment-asset", 0, 1, 1, "OG_PAYMENT_ASSETS",
    "NETWORK:ADDRESS", "eip155:8453:0xFbC2051AE2265686a469421b2C5A2D5462FbF5eB",
    F_GLOBAL, "token a payment may be signed in, per network (repeatable; "
    "given values replace the default OPG on Base)"},
  [OPT_MAX_TIME] = {"max-time", 0, 1, 0, NULL, "SECONDS", NULL, F_GLOBAL,
    "total deadline for the command's network work"},
  [OPT_RAW] = {"raw", 0, 0, 0, NULL, NULL, NULL, F_GLOBAL,
    "write the answer text to a terminal byte for byte (default: control, "
    "C1 and bidi characters from the server are made visible)"},
  [OPT_RELAY_URL] = {"relay-url", 0, 1, 0, "OG_RELAY_URL", "URL", NULL,
    F_GLOBAL, "confidential chat: seal each request to the TEE's OHTTP key "
    "and send it through this relay ('' = off; default: config relay_url)"},
  [OPT_RELAY_TOKEN_FILE] = {"relay-token-file", 0, 1, 0, NULL, "FILE", NULL,
    F_GLOBAL, "bearer token for the relay (env OG_RELAY_TOKEN holds the "
    "token itself; default: config relay_token from login)"},
  [OPT_MODEL] = {"model", 'm', 1, 0, NULL, "PROVIDER/MODEL", NULL, F_LLM,
    "model to use (required)"},
  [OPT_PROMPT] = {"prompt", 'p', 1, 0, NULL, "TEXT", NULL, F_COMPLETION,
    "prompt (required)"},
  [OPT_MAX_TOKENS] = {"max-tokens", 0, 1, 0, NULL, "N", "100", F_LLM,
    "maximum tokens to generate"},
  [OPT_STOP_SEQUENCE] = {"stop-sequence", 0, 1, 1, NULL, "S", NULL, F_LLM,
    "stop sequence (repeatable)"},
  [OPT_TEMPERATURE] = {"temperature", 0, 1, 0, NULL, "T", "0.0", F_LLM,
    "sampling temperature"},
  [OPT_SETTLEMENT_MODE] = {"x402-settlement-mode", 0, 1, 0, NULL,
    "private|batch-hashed|individual-full", "batch-hashed", F_LLM | F_SERVE,
    "settlement mode (X-SETTLEMENT-TYPE)"},
  [OPT_MESSAGES] = {"messages", 0, 1, 0, NULL, "JSON", NULL, F_CHAT,
    "chat messages as a JSON array"},
  [OPT_MESSAGES_FILE] = {"messages-file", 0, 1, 0, NULL, "FILE", NULL,
    F_CHAT, "chat messages from a JSON file"},
  [OPT_TOOLS] = {"tools", 0, 1, 0, NULL, "JSON", NULL, F_CHAT,
    "tools as a JSON array"},
  [OPT_TOOLS_FILE] = {"tools-file", 0, 1, 0, NULL, "FILE", NULL, F_CHAT,
    "tools from a JSON file"},
  [OPT_TOOL_CHOICE] = {"tool-choice", 0, 1, 0, NULL, "C", NULL, F_CHAT,
    "tool choice (default auto when tools are given)"},
  [OPT_STREAM] = {"stream", 0, 0, 0, NULL, NULL, NULL, F_CHAT,
    "stream the answer as it arrives"},
  [OPT_WEB_SEARCH] = {"web-search", 0, 0, 0, NULL, NULL, NULL, F_LLM,
    "let the gateway search the web (newer gateways; sources are shown)"},
  [OPT_IMAGE_OUTPUT_DIR] = {"image-output-dir", 0, 1, 0, NULL, "DIR", NULL,
    F_CHAT, "save generated images here as og_image_<time>[_<n>].<ext> "
    "(default: the current folder)"},
  [OPT_YES] = {"yes", 0, 0, 0, NULL, NULL, NULL, F_CLEAR,
    "confirm without asking"},
  [OPT_AMOUNT] = {"amount", 0, 1, 0, NULL, "N", NULL, F_APPROVE,
    "allowance to ensure, in base units (required)"},
  [OPT_TOKEN] = {"token", 0, 1, 0, NULL, "ADDR",
    "0xFbC2051AE2265686a469421b2C5A2D5462FbF5eB", F_APPROVE,
    "ERC-20 token to approve for Permit2"},
  [OPT_MAX_FEE_GWEI] = {"max-fee-gwei", 0, 1, 0, NULL, "G", "50", F_APPROVE,
    "refuse a maxFeePerGas above G gwei (decimals allowed)"},
  [OPT_CHAIN_ID] = {"chain-id", 0, 1, 0, NULL, "N", "8453", F_APPROVE,
    "the payment network's chain id the RPC must report"},
  [OPT_LISTEN] = {"listen", 0, 1, 0, NULL, "HOST:PORT", "127.0.0.1:8402",
    F_SERVE, "address to listen on (port 0 picks a free one)"},
  [OPT_API_KEY_FILE] = {"api-key-file", 0, 1, 0, NULL, "FILE", NULL,
    F_SERVE, "clients must send 'Authorization: Bearer <its first line>' "
    "(required off loopback)"},
  [OPT_BUDGET] = {"budget", 0, 1, 0, NULL, "N", "--max-payment x 100",
    F_SERVE, "the most this process pays in total, in base units"},
  [OPT_MAX_CONCURRENT] = {"max-concurrent", 0, 1, 0, NULL, "N", "256",
    F_SERVE, "requests in flight at once; above it: 429"},
  [OPT_DRAIN_TIMEOUT] = {"drain-timeout", 0, 1, 0, NULL, "S", "30", F_SERVE,
    "on SIGINT/SIGTERM, seconds to let in-flight requests finish"},
  [OPT_CHAT_APP_URL] = {"chat-app-url", 0, 1, 0, NULL, "URL",
    "https://chat.opengradient.ai", F_LOGIN, "the chat app to log in with"},
  [OPT_PORT] = {"port", 0, 1, 0, NULL, "N", "any free port", F_LOGIN,
    "loopback port for the login callback"},
  [OPT_NO_BROWSER] = {"no-browser", 0, 0, 0, NULL, NULL, NULL, F_LOGIN,
    "only print the URL to open"},
  [OPT_RPC_QUORUM] = {"rpc-quorum", 0, 1, 0, "OG_RPC_QUORUM", "N",
    "every --rpc-url given", F_GLOBAL,
    "registry reads need N byte-identical answers at one common block"},
  [OPT_ATTEST] = {"attest", 0, 0, 0, "OG_ATTEST", NULL, NULL, F_GLOBAL,
    "check a TEE's Nitro attestation before sending it anything"},
  [OPT_NITRO_ROOT] = {"nitro-root", 0, 1, 0, NULL, "FILE",
    "the AWS Nitro Enclaves root G1", F_GLOBAL,
    "attestation trust anchor (PEM)"},
  [OPT_DOCUMENT] = {"document", 0, 1, 0, NULL, "FILE", NULL, F_ATTEST,
    "check a saved attestation document (base64 or CBOR), no network"},
  [OPT_AT] = {"at", 0, 1, 0, NULL, "TIME", NULL, F_ATTEST,
    "check the certificate chain at TIME (RFC 3339 or unix seconds)"},
  [OPT_NONCE] = {"nonce", 0, 1, 0, NULL, "HEX", NULL, F_ATTEST,
    "with --document: the nonce the document must carry"},
  [OPT_EXPECT_PCR_HASH] = {"expect-pcr-hash", 0, 1, 0, NULL, "HASH", NULL,
    F_ATTEST, "with --document: keccak256(PCR0||PCR1||PCR2) expected"},
  [OPT_EXPECT_TLS_CERT] = {"expect-tls-cert", 0, 1, 0, NULL, "FILE", NULL,
    F_ATTEST, "with --document: the TLS certificate user_data must bind"},
  [OPT_EXPECT_SIGNING_KEY] = {"expect-signing-key", 0, 1, 0, NULL, "FILE",
    NULL, F_ATTEST, "with --document: the signing key user_data must bind"},
};

static const struct {
  const char *word1;
  const char *word2;
  cli_cmd cmd;
  const char *usage;
  const char *help;
} commands[] = {
  {"completion", NULL, CMD_COMPLETION, "completion --model M --prompt TEXT",
   "text completion from a TEE gateway"},
  {"chat", NULL, CMD_CHAT, "chat --model M --messages JSON [--stream]",
   "chat completion (streaming and tool calls)"},
  {"tee", "list", CMD_TEE_LIST, "tee list",
   "list the usable active TEEs from the registry"},
  {"tee", "show", CMD_TEE_SHOW, "tee show ID", "show one TEE"},
  {"tee", "check", CMD_TEE_CHECK, "tee check [ID]",
   "connect with the pinned certificate and ask /health"},
  {"tee", "attest", CMD_TEE_ATTEST, "tee attest [ID] | --document FILE",
   "check a TEE's Nitro attestation (live, or a saved document)"},
  {"config", "init", CMD_CONFIG_INIT, "config init",
   "write ~/.opengradient_config.json (mode 0600)"},
  {"config", "show", CMD_CONFIG_SHOW, "config show",
   "show the configuration, secrets masked"},
  {"config", "clear", CMD_CONFIG_CLEAR, "config clear [--yes]",
   "delete the configuration"},
  {"verify", NULL, CMD_VERIFY, "verify RESULT.json",
   "check a saved --json result's enclave signature"},
  {"approve", NULL, CMD_APPROVE, "approve --amount N",
   "ensure the token's allowance to Permit2"},
  {"models", NULL, CMD_MODELS, "models",
   "list the models the client knows (provider/model)"},
  {"serve", NULL, CMD_SERVE, "serve [--listen HOST:PORT]",
   "a local OpenAI-compatible endpoint in front of verified TEEs"},
  {"login", NULL, CMD_LOGIN, "login [--no-browser] [--port N]",
   "log in to the chat app for confidential chat (stores the relay token)"},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static int find_long(const char *name, size_t n)
{
  int i;
  for(i = 0; i < OPT_COUNT; i++)
    if(options[i].name && strlen(options[i].name) == n &&
       !strncmp(options[i].name, name, n))
      return i;
  return -1;
}

static int find_short(char ch)
{
  int i;
  for(i = 0; i < OPT_COUNT; i++)
    if(options[i].short_name && options[i].short_name == ch)
      return i;
  return -1;
}

static int store(cli *c, int id, const char *val, og_err *err)
{
  cli_value *v = &c->opt[id];
  if(options[id].repeatable) {
    if(v->nmulti >= CLI_MAX_MULTI) {
      og_fail(err, OG_E_USAGE, "--%s: given too many times (at most %d)",
              options[id].name, CLI_MAX_MULTI);
      return -1;
    }
    if(v->from_env) {
      v->nmulti = 0;
      v->from_env = 0;
    }
    v->multi[v->nmulti++] = val;
  }
  v->set = 1;
  v->value = val;
  return 0;
}

static int set_command(cli *c, const char *word, og_err *err)
{
  size_t i;
  if(c->cmd == CMD_NONE && !c->cmd_name) {
    int group = 0;
    for(i = 0; i < NCOMMANDS; i++) {
      if(strcmp(commands[i].word1, word))
        continue;
      if(!commands[i].word2) {
        c->cmd = commands[i].cmd;
        c->cmd_name = commands[i].word1;
        return 0;
      }
      group = 1;
    }
    if(group) {
      c->cmd_name = word; /* waiting for the sub-command */
      return 0;
    }
    og_fail(err, OG_E_USAGE, "unknown command '%s' (see --help)", word);
    return -1;
  }
  if(c->cmd == CMD_NONE) {
    for(i = 0; i < NCOMMANDS; i++) {
      if(commands[i].word2 && !strcmp(commands[i].word1, c->cmd_name) &&
         !strcmp(commands[i].word2, word)) {
        static char name[64];
        c->cmd = commands[i].cmd;
        snprintf(name, sizeof(name), "%s %s", commands[i].word1,
                 commands[i].word2);
        c->cmd_name = name;
        return 0;
      }
    }
    og_fail(err, OG_E_USAGE, "unknown command '%s %s' (see --help)",
            c->cmd_name, word);
    return -1;
  }
  if(c->npos >= CLI_MAX_POS) {
    og_fail(err, OG_E_USAGE, "too many arguments");
    return -1;
  }
  c->pos[c->npos++] = word;
  return 0;
}

int cli_parse(cli *c, int argc, char **argv, og_err *err)
{
  int i, only_pos = 0;
  for(i = 1; i < argc; i++) {
    const char *a = argv[i];
    int id;
    const char *val = NULL;
    if(only_pos || a[0] != '-' || !a[1]) {
      if(set_command(c, a, err))
        return -1;
      continue;
    }
    if(!strcmp(a, "--")) {
      only_pos = 1;
      continue;
    }
    if(a[1] == '-') {
      const char *eq = strchr(a + 2, '=');
      size_t n = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
      id = find_long(a + 2, n);
      if(id < 0) {
        og_fail(err, OG_E_USAGE, "unknown option '%.*s' (see --help)",
                (int)(n + 2), a);
        return -1;
      }
      if(eq) {
        if(!options[id].has_arg) {
          og_fail(err, OG_E_USAGE, "option --%s takes no value",
                  options[id].name);
          return -1;
        }
        val = eq + 1;
      }
    }
    else {
      if(a[2]) {
        og_fail(err, OG_E_USAGE, "unknown option '%s' (see --help)", a);
        return -1;
      }
      id = find_short(a[1]);
      if(id < 0) {
        og_fail(err, OG_E_USAGE, "unknown option '%s' (see --help)", a);
        return -1;
      }
    }
    if(options[id].has_arg && !val) {
      if(i + 1 >= argc) {
        og_fail(err, OG_E_USAGE, "option --%s needs a value (%s)",
                options[id].name, options[id].metavar);
        return -1;
      }
      val = argv[++i];
    }
    if(store(c, id, val, err))
      return -1;
  }

  if(c->opt[OPT_HELP].set || c->opt[OPT_VERSION].set)
    return 0;
  if(c->cmd == CMD_NONE) {
    if(c->cmd_name)
      og_fail(err, OG_E_USAGE, "'%s' needs a sub-command (see --help)",
              c->cmd_name);
    else
      og_fail(err, OG_E_USAGE, "no command given (see --help)");
    return -1;
  }
  /* options that do not belong to this command */
  for(i = 0; i < OPT_COUNT; i++) {
    if(c->opt[i].set && !(options[i].commands & (1u << c->cmd))) {
      og_fail(err, OG_E_USAGE, "option --%s does not apply to '%s'",
              options[i].name, c->cmd_name);
      return -1;
    }
  }
  /* environment defaults for what the command line left unset */
  for(i = 0; i < OPT_COUNT; i++) {
    const char *e;
    if(c->opt[i].set || !options[i].env)
      continue;
    e = getenv(options[i].env);
    if(!e || !*e)
      continue;
    c->opt[i].set = 1;
    c->opt[i].from_env = 1;
    c->opt[i].value = e;
  }
  return 0;
}

const char *cli_opt_str(const cli *c, cli_opt_id id, const char *dflt)
{
  if(c->opt[id].set && c->opt[id].value)
    return c->opt[id].value;
  if(dflt)
    return dflt;
  return options[id].dflt_text;
}

const char *cli_opt_name(cli_opt_id id)
{
  return id < OPT_COUNT && options[id].name ? options[id].name : "?";
}

int cli_has(const cli *c, cli_opt_id id)
{
  return c->opt[id].set;
}

static void print_opt(FILE *f, int i)
{
  char left[96];
  const cli_opt *o = &options[i];
  if(o->short_name)
    snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name,
             o->metavar ? " " : "", o->metavar ? o->metavar : "");
  else
    snprintf(left, sizeof(left), "    --%s%s%s", o->name,
             o->metavar ? " " : "", o->metavar ? o->metavar : "");
  fprintf(f, "  %-40s %s", left, o->help);
  if(o->dflt_text && strlen(o->dflt_text) < 50)
    fprintf(f, " [default: %s]", o->dflt_text);
  if(o->env)
    fprintf(f, " [env: %s]", o->env);
  fputc('\n', f);
}

void cli_print_help(const cli *c, FILE *f)
{
  size_t k;
  int i;
  if(c->cmd != CMD_NONE) {
    for(k = 0; k < NCOMMANDS; k++)
      if(commands[k].cmd == c->cmd)
        fprintf(f, "Usage: opengradient [GLOBAL OPTIONS] %s [OPTIONS]\n\n"
                "%s.\n\nOptions:\n", commands[k].usage, commands[k].help);
    for(i = 0; i < OPT_COUNT; i++)
      if(options[i].commands != F_GLOBAL &&
         (options[i].commands & (1u << c->cmd)))
        print_opt(f, i);
    fputs("\nGlobal options:\n", f);
  }
  else {
    fputs("Usage: opengradient [GLOBAL OPTIONS] COMMAND [OPTIONS]\n\n"
          "Verifiable LLM inference on OpenGradient TEE gateways: the "
          "registry on chain\nnames each enclave and its exact TLS "
          "certificate; answers are signed.\n\nCommands:\n", f);
    for(k = 0; k < NCOMMANDS; k++)
      fprintf(f, "  %-40s %s\n", commands[k].usage, commands[k].help);
    fputs("\nGlobal options (before or after the command):\n", f);
  }
  for(i = 0; i < OPT_COUNT; i++)
    if(options[i].commands == F_GLOBAL)
      print_opt(f, i);
  fputs("\nExit status: 0 ok, 1 bad usage or input, 2 registry unreadable, "
        "3 no usable TEE,\n4 no trusted connection, 5 payment refused, "
        "6 bad or unverified answer, 7 timeout.\n", f);
}
