/* Leaks through the C ABI: NETNS_CYCLES (default 200; `make soak` runs
 * 10,000) cycles of add, handle, link dump, run, delete; the process's fd and
 * thread counts are the same after as after the first cycles, the run
 * directory is empty, and (under valgrind, as tests/c/run.sh runs every
 * program) no byte is leaked. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdlib.h>

#include "tap.h"

static int entries(const char *dir)
{
    int count = 0;
    struct dirent *e;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            count++;
    closedir(d);
    return count;
}

static int touch(void *user)
{
    (*(int *)user)++;
    return 0;
}

static int cycle(const netns_registry *reg, int i)
{
    char name[32];
    netns_ns *ns = NULL;
    netns_handle *h = NULL;
    netns_link_iter *it = NULL;
    int ok = 1, calls = 0, ret = -1;
    snprintf(name, sizeof name, "cyc%d", i % 5);
    if (netns_add(reg, name, &ns) != NETNS_OK)
        return 0;
    ok &= netns_ns_handle(ns, &h) == NETNS_OK;
    ok &= h && netns_links(h, &it) == NETNS_OK && netns_link_iter_len(it) == 1;
    netns_link_iter_free(it);
    netns_handle_free(h);
    ok &= netns_ns_run(ns, touch, &calls, &ret) == NETNS_OK && calls == 1 && ret == 0;
    netns_ns_free(ns);
    ok &= netns_delete(reg, name) == NETNS_OK;
    return ok;
}

int main(void)
{
    netns_registry *reg = NULL;
    const char *env = getenv("NETNS_CYCLES");
    int cycles = env ? atoi(env) : 200, i, failures = 0, fds, threads;
    char msg[160];
    OK(netns_registry_new("/run/netns", "/run/netns-test-etc", &reg), "registry");
    for (i = 0; i < 10; i++)
        failures += !cycle(reg, i);
    fds = entries("/proc/self/fd");
    threads = entries("/proc/self/task");
    for (i = 10; i < cycles; i++)
        failures += !cycle(reg, i);
    snprintf(msg, sizeof msg, "%d cycles of add/handle/links/run/delete succeed", cycles);
    CHECK(failures == 0, msg);
    snprintf(msg, sizeof msg, "fds flat: %d -> %d", fds, entries("/proc/self/fd"));
    CHECK(entries("/proc/self/fd") == fds, msg);
    snprintf(msg, sizeof msg, "threads flat: %d -> %d", threads, entries("/proc/self/task"));
    CHECK(entries("/proc/self/task") == threads, msg);
    CHECK(entries("/run/netns") == 0, "run directory empty");
    netns_registry_free(reg);
    return tap_done();
}
