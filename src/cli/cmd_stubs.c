/* Commands not built yet; each is replaced by its own file. */
#include "cli.h"

int cmd_llm(cli *c)
{
  return cli_error(c, OG_E_INTERNAL, "'%s' is not available yet", c->cmd_name);
}

int cmd_verify(cli *c)
{
  return cli_error(c, OG_E_INTERNAL, "'%s' is not available yet", c->cmd_name);
}

