/*
 * An LD_PRELOAD library for scripts/sandbox.sh NETNS_SANDBOX_SYSCTLS=PROFILE:
 * every network namespace created under it starts with the sysctls of a host
 * configured otherwise than this one (a Docker or Kubernetes node forwards),
 * without touching the host's sysctls.
 *
 * Why a preload: a new network namespace copies its IPv4 devconf
 * (conf/all/..., conf/default/..., ip_forward) from the *initial* namespace
 * (net.core.devconf_inherit_init_net=0, the default). That sysctl exists only
 * in the initial namespace, so a sandbox cannot ask for "inherit from the
 * creator" (mode 3) without changing the host. Instead this library wraps
 * unshare(2): after a successful unshare(CLONE_NEWNET) it writes each
 * `PATH=VALUE` of $NETNS_SANDBOX_NEWNET_SYSCTLS (PATH relative to /proc/sys,
 * space-separated) in the new namespace, before the caller can read anything,
 * as if the host held those values. Every namespace maker the tests use
 * (unshare(1), ip netns add, netns-core through libc) calls unshare(2).
 *
 * A write that fails is reported on stderr and leaves unshare's result alone
 * (scripts/sandbox.sh checks that its own namespace got every value).
 * No allocation: unshare may be called between fork and exec.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ENV_NAME "NETNS_SANDBOX_NEWNET_SYSCTLS"

typedef int (*unshare_fn)(int);

static void say(const char *a, const char *b, const char *c)
{
    const char *parts[4];
    size_t i;
    parts[0] = "sandbox-sysctls: ";
    parts[1] = a;
    parts[2] = b;
    parts[3] = c;
    for (i = 0; i < 4; i++) {
        if (write(STDERR_FILENO, parts[i], strlen(parts[i])) < 0) {
            return;
        }
    }
}

/* Writes VALUE to /proc/sys/PATH (PATH and VALUE given by length). */
static void set_one(const char *path, size_t path_len, const char *value, size_t value_len)
{
    char file[256];
    char shown[256];
    const char *prefix = "/proc/sys/";
    size_t prefix_len = strlen(prefix);
    int fd;
    ssize_t n;

    if (prefix_len + path_len + 1 > sizeof file) {
        say("key too long, not set: ", ENV_NAME, "\n");
        return;
    }
    memcpy(file, prefix, prefix_len);
    memcpy(file + prefix_len, path, path_len);
    file[prefix_len + path_len] = '\0';
    memcpy(shown, file, prefix_len + path_len + 1);

    fd = open(file, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        say("cannot open ", shown, " in the new network namespace\n");
        return;
    }
    n = write(fd, value, value_len);
    if (n < 0 || (size_t)n != value_len) {
        say("cannot write ", shown, " in the new network namespace\n");
    }
    close(fd);
}

/* Applies every PATH=VALUE of $NETNS_SANDBOX_NEWNET_SYSCTLS. */
static void apply_profile(void)
{
    const char *p = getenv(ENV_NAME);
    if (p == NULL) {
        return;
    }
    while (*p != '\0') {
        const char *start, *eq, *end;
        while (*p == ' ') {
            p++;
        }
        start = p;
        while (*p != '\0' && *p != ' ') {
            p++;
        }
        end = p;
        if (start == end) {
            continue;
        }
        eq = memchr(start, '=', (size_t)(end - start));
        if (eq == NULL || eq == start) {
            say("malformed entry (want PATH=VALUE) in ", ENV_NAME, "\n");
            continue;
        }
        set_one(start, (size_t)(eq - start), eq + 1, (size_t)(end - eq - 1));
    }
}

int unshare(int flags)
{
    static unshare_fn real;
    int saved, r;

    if (real == NULL) {
        /* POSIX blesses this conversion for dlsym's result. */
        *(void **)&real = dlsym(RTLD_NEXT, "unshare");
        if (real == NULL) {
            errno = ENOSYS;
            return -1;
        }
    }
    r = real(flags);
    if (r == 0 && (flags & CLONE_NEWNET) != 0) {
        saved = errno;
        apply_profile();
        errno = saved;
    }
    return r;
}
