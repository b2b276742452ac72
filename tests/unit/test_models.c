/* The model table (og_models): SDK 1.1.3's TEE_LLM, well formed, and
 * og_model_find by full id or bare name. */
#include "testutil.h"

#include <string.h>

#include "opengradient/og_models.h"

static void test_table_shape(void **state)
{
  size_t i, j, n = 0;
  const og_model_info *m = og_models(&n);
  size_t images = 0;
  (void)state;
  assert_non_null(m);
  assert_int_equal(n, 48); /* TEE_LLM of SDK 1.1.3 has 48 members */
  for(i = 0; i < n; i++) {
    char id[128];
    snprintf(id, sizeof(id), "%s/%s", m[i].provider, m[i].name);
    assert_string_equal(id, m[i].id);
    assert_true(!strcmp(m[i].kind, "chat") || !strcmp(m[i].kind, "image"));
    if(!strcmp(m[i].kind, "image"))
      images++;
    for(j = 0; j < i; j++)
      assert_true(strcmp(m[i].id, m[j].id) != 0);
  }
  assert_int_equal(images, 7);
  assert_string_equal(m[0].id, "openai/gpt-4.1-2025-04-14");
  assert_string_equal(m[n - 1].id, "zai/glm-image");
}

static void test_find(void **state)
{
  const og_model_info *m;
  (void)state;
  m = og_model_find("openai/gpt-5");
  assert_non_null(m);
  assert_string_equal(m->name, "gpt-5");
  assert_string_equal(m->kind, "chat");
  assert_ptr_equal(og_model_find("gpt-5"), m);
  m = og_model_find("x-ai/grok-2-image");
  assert_non_null(m);
  assert_string_equal(m->kind, "image");
  assert_string_equal(m->provider, "x-ai");
  assert_non_null(og_model_find("claude-opus-4-8"));
  assert_null(og_model_find("google/gemini-3-pro-preview")); /* removed */
  assert_null(og_model_find("anthropic/gpt-5")); /* wrong provider */
  assert_null(og_model_find("gpt"));
  assert_null(og_model_find(""));
  assert_null(og_model_find(NULL));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_table_shape),
    cmocka_unit_test(test_find),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
