/* `models`: the model table of the library (og_models), one id per line,
 * or a JSON array of {"id","provider","kind"}. No network. */
#include <string.h>

#include "cli.h"
#include "opengradient/og_models.h"

int cmd_models(cli *c)
{
  size_t i, n = 0;
  const og_model_info *m = og_models(&n);
  if(c->npos)
    return cli_error(c, OG_E_USAGE, "'models' takes no arguments (got '%s')",
                     c->pos[0]);
  if(c->json) {
    json_t *arr = json_array();
    if(!arr)
      return cli_error(c, OG_E_NOMEM, "out of memory");
    for(i = 0; i < n; i++)
      if(json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "id", m[i].id,
                                              "provider", m[i].provider,
                                              "kind", m[i].kind))) {
        json_decref(arr);
        return cli_error(c, OG_E_NOMEM, "out of memory");
      }
    return cli_print_json(c, arr);
  }
  for(i = 0; i < n; i++)
    fprintf(c->out, "%s\n", m[i].id);
  return 0;
}
