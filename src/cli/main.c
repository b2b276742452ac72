#include <stdio.h>
#include "opengradient/og_common.h"
int main(void) { printf("opengradient %s\n", OG_VERSION); return 0; }
