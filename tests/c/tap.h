/* Tiny TAP-like reporting for the C tests: `ok N - what` / `not ok N - what`. */
#ifndef NETNS_TEST_TAP_H
#define NETNS_TEST_TAP_H

#include <stdio.h>
#include <string.h>

#include "netns.h"

static int tap_count;
static int tap_failed;

/* Records one check; prints the thread's last libnetns error when it fails. */
static void tap_check(int ok, const char *what, int line)
{
    tap_count++;
    if (ok) {
        printf("ok %d - %s\n", tap_count, what);
    } else {
        tap_failed++;
        printf("not ok %d - %s (line %d)\n#   last error: %s (errno %d)\n", tap_count, what, line,
               netns_last_error_message(), netns_last_errno());
    }
    fflush(stdout);
}

#define CHECK(cond, what) tap_check((cond) ? 1 : 0, (what), __LINE__)
/* A libnetns call that must succeed. */
#define OK(call, what) CHECK((call) == NETNS_OK, (what))
/* Whether string s contains part (NULL never does). */
#define CONTAINS(s, part) ((s) != NULL && strstr((s), (part)) != NULL)
#define STREQ(a, b) ((a) != NULL && (b) != NULL && strcmp((a), (b)) == 0)
/* Whether string s starts with prefix. */
#define STARTS(s, prefix) ((s) != NULL && strncmp((s), (prefix), strlen(prefix)) == 0)

/* Ends the program: status 1 if anything failed. */
static int tap_done(void)
{
    printf("# %d checks, %d failed\n", tap_count, tap_failed);
    return tap_failed == 0 ? 0 : 1;
}

#endif
