/*
 * og_models: the models a TEE gateway serves, as the Python SDK's TEE_LLM
 * lists them. One table in the library (src/llm/models.c); the CLI's
 * `models` command and `serve`'s /v1/models read it. To follow a new SDK
 * release, edit that table only.
 */
#ifndef OPENGRADIENT_OG_MODELS_H
#define OPENGRADIENT_OG_MODELS_H

#include <stddef.h>

#include "og_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct og_model_info {
  const char *id;       /* "openai/gpt-5" */
  const char *provider; /* "openai" */
  const char *name;     /* "gpt-5" */
  const char *kind;     /* "chat" or "image" */
} og_model_info;

/* The table, kept current with the Python SDK 1.1.3's TEE_LLM; *count
 * receives its length. Static storage. */
OG_API const og_model_info *og_models(size_t *count);

/* Look up "provider/model" or a bare "model" name; NULL if unknown. */
OG_API const og_model_info *og_model_find(const char *id);

#ifdef __cplusplus
}
#endif

#endif
