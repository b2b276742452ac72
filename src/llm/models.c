/* The model table: Python SDK 1.1.3, types.py TEE_LLM, in its order.
 * Image models (billed per image, answers carry "images") are marked so. */
#include <string.h>

#include "opengradient/og_models.h"

#define M(prov, model, kind) {prov "/" model, prov, model, kind}
#define CHAT(prov, model) M(prov, model, "chat")
#define IMAGE(prov, model) M(prov, model, "image")

static const og_model_info models[] = {
  CHAT("openai", "gpt-4.1-2025-04-14"),
  CHAT("openai", "gpt-4.1-mini"),
  CHAT("openai", "gpt-4.1-nano"),
  CHAT("openai", "o3"),
  CHAT("openai", "o4-mini"),
  CHAT("openai", "gpt-5"),
  CHAT("openai", "gpt-5-mini"),
  CHAT("openai", "gpt-5.2"),
  CHAT("openai", "gpt-5.4"),
  CHAT("openai", "gpt-5.4-mini"),
  CHAT("openai", "gpt-5.4-nano"),
  CHAT("openai", "gpt-5.5"),
  IMAGE("openai", "gpt-image-2"),
  CHAT("anthropic", "claude-sonnet-4-5"),
  CHAT("anthropic", "claude-sonnet-4-6"),
  CHAT("anthropic", "claude-haiku-4-5"),
  CHAT("anthropic", "claude-opus-4-5"),
  CHAT("anthropic", "claude-opus-4-6"),
  CHAT("anthropic", "claude-opus-4-7"),
  CHAT("anthropic", "claude-opus-4-8"),
  CHAT("google", "gemini-2.5-flash"),
  CHAT("google", "gemini-2.5-pro"),
  CHAT("google", "gemini-2.5-flash-lite"),
  CHAT("google", "gemini-3-flash-preview"),
  CHAT("google", "gemini-3.1-pro-preview"),
  CHAT("google", "gemini-3.1-flash-lite-preview"),
  CHAT("google", "gemini-3.5-flash"),
  IMAGE("google", "gemini-2.5-flash-image"),
  IMAGE("google", "gemini-3.1-flash-image"),
  CHAT("x-ai", "grok-4"),
  CHAT("x-ai", "grok-4-fast"),
  CHAT("x-ai", "grok-4-1-fast"),
  CHAT("x-ai", "grok-4-1-fast-non-reasoning"),
  CHAT("x-ai", "grok-4.20-reasoning"),
  CHAT("x-ai", "grok-4.20-non-reasoning"),
  CHAT("x-ai", "grok-code-fast-1"),
  IMAGE("x-ai", "grok-2-image"),
  CHAT("bytedance", "seed-1.6"),
  CHAT("bytedance", "seed-1.8"),
  CHAT("bytedance", "seed-2.0-lite"),
  CHAT("bytedance", "deepseek-v4-flash"),
  CHAT("bytedance", "deepseek-v4-pro"),
  IMAGE("bytedance", "seedream-4.0"),
  IMAGE("bytedance", "seedance-4.5"),
  CHAT("nous", "hermes-4-405b"),
  CHAT("nous", "hermes-4-70b"),
  CHAT("zai", "glm-5.2"),
  IMAGE("zai", "glm-image"),
};

const og_model_info *og_models(size_t *count)
{
  if(count)
    *count = sizeof(models) / sizeof(models[0]);
  return models;
}

const og_model_info *og_model_find(const char *id)
{
  size_t i, n = sizeof(models) / sizeof(models[0]);
  if(!id || !*id)
    return NULL;
  for(i = 0; i < n; i++)
    if(!strcmp(models[i].id, id))
      return &models[i];
  if(strchr(id, '/'))
    return NULL;
  for(i = 0; i < n; i++)
    if(!strcmp(models[i].name, id))
      return &models[i];
  return NULL;
}
