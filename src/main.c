/* main.c - placeholder until the capture loop lands. */
#include <stdio.h>
int main(void) { fputs("otsentry: not built yet\n", stderr); return 1; }
