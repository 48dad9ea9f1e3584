/* The C tests' one way to run a shell command and read what it prints. */
#ifndef NETNS_TEST_SH_H
#define NETNS_TEST_SH_H

#include <stdio.h>

/* The standard output of shell command `cmd`, NUL-terminated, in `buf`
 * (`size` bytes); empty when it cannot be run. */
static char *sh(const char *cmd, char *buf, size_t size)
{
    FILE *p = popen(cmd, "r");
    size_t n;
    buf[0] = '\0';
    if (p == NULL) {
        return buf;
    }
    n = fread(buf, 1, size - 1, p);
    buf[n] = '\0';
    pclose(p);
    return buf;
}

#endif
