/* The `c` rows of tests/reliability/bad_inputs.tsv (read from the repository
 * root, the working directory of tests/c/run.sh): each call returns the
 * expected netns_result, the thread's last error message contains the
 * expected text, and nothing is created (no run-directory entry, no link but
 * lo). Run in the sandbox, also under valgrind. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include "tap.h"

static const char *RUN_DIR = "/run/netns";

/* The result names of the table's expect column. */
static const char *const RESULT_NAMES[] = {
    "NETNS_OK",           "NETNS_NULL_ARGUMENT",  "NETNS_PANIC",  "NETNS_INVALID_ARGUMENT",
    "NETNS_INVALID_NAME", "NETNS_NOT_FOUND",      "NETNS_ALREADY_EXISTS",
    "NETNS_PERMISSION_DENIED", "NETNS_BUSY",      "NETNS_UNSUPPORTED", "NETNS_KERNEL",
    "NETNS_STALE",        "NETNS_INTERRUPTED",    "NETNS_PROTOCOL", "NETNS_IO", "NETNS_OTHER",
};

static const char *result_name(netns_result r)
{
    return (size_t)r < sizeof RESULT_NAMES / sizeof RESULT_NAMES[0] ? RESULT_NAMES[r] : "?";
}

/* A word of the table: {N} is N times 'a', \xHH a byte, NULL the NULL pointer. */
static char *decode(const char *w, char *buf, size_t size)
{
    size_t n = 0;
    if (strcmp(w, "NULL") == 0)
        return NULL;
    if (w[0] == '{') {
        size_t count = (size_t)atoi(w + 1);
        for (n = 0; n < count && n + 1 < size; n++)
            buf[n] = 'a';
    } else {
        while (*w && n + 1 < size) {
            if (w[0] == '\\' && w[1] == 'x') {
                char hex[3] = {w[2], w[3], 0};
                buf[n++] = (char)strtol(hex, NULL, 16);
                w += 4;
            } else {
                buf[n++] = *w++;
            }
        }
    }
    buf[n] = 0;
    return buf;
}

static int run_dir_entries(void)
{
    int count = 0;
    struct dirent *e;
    DIR *d = opendir(RUN_DIR);
    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            count++;
    closedir(d);
    return count;
}

static size_t link_count(void)
{
    netns_handle *h = NULL;
    netns_link_iter *it = NULL;
    size_t n = 0;
    if (netns_handle_current(&h) != NETNS_OK)
        return 0;
    if (netns_links(h, &it) == NETNS_OK) {
        n = netns_link_iter_len(it);
        netns_link_iter_free(it);
    }
    netns_handle_free(h);
    return n;
}

static netns_result run_op(const netns_registry *reg, const char *op, char *a0, char *a1)
{
    netns_ns *ns = NULL;
    netns_handle *h = NULL;
    netns_result r;
    if (strcmp(op, "add_null_registry") == 0)
        return netns_add(NULL, "x", &ns);
    if (strcmp(op, "add") == 0) {
        r = netns_add(reg, a0, &ns);
        netns_ns_free(ns);
        return r;
    }
    if (strcmp(op, "open") == 0) {
        r = netns_open(reg, a0, &ns);
        netns_ns_free(ns);
        return r;
    }
    if (strcmp(op, "open_pid") == 0) {
        r = netns_ns_open_pid(atoi(a0), &ns);
        netns_ns_free(ns);
        return r;
    }
    if (strcmp(op, "open_path") == 0) {
        r = netns_ns_open_path(a0, &ns);
        netns_ns_free(ns);
        return r;
    }
    if (strcmp(op, "exec") == 0) {
        int status = 0;
        return netns_exec(reg, a0, NULL, &status);
    }
    if (netns_handle_current(&h) != NETNS_OK)
        return NETNS_OTHER;
    if (strcmp(op, "addr_add") == 0)
        r = netns_addr_add(h, a0, a1);
    else if (strcmp(op, "set_mac") == 0)
        r = netns_link_set_mac(h, a0, a1);
    else if (strcmp(op, "bridge") == 0)
        r = netns_link_add_bridge(h, a0);
    else
        r = NETNS_OTHER;
    netns_handle_free(h);
    return r;
}

int main(void)
{
    char line[1024], b0[512], b1[512], want[512], msg[1200];
    int rows = 0;
    netns_registry *reg = NULL;
    FILE *table = fopen("tests/reliability/bad_inputs.tsv", "r");
    CHECK(table != NULL, "open tests/reliability/bad_inputs.tsv");
    if (!table)
        return tap_done();
    OK(netns_registry_new(RUN_DIR, "/run/netns-test-etc", &reg), "registry");
    while (fgets(line, sizeof line, table)) {
        char *cols[6] = {0}, *save = NULL, *a0, *a1 = NULL, *space;
        int i;
        netns_result r;
        const char *expect_name;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\n")] = 0;
        for (i = 0; i < 6; i++)
            cols[i] = strtok_r(i ? NULL : line, "\t", &save);
        if (!cols[5] || strcmp(cols[1], "c") != 0)
            continue;
        rows++;
        space = strchr(cols[3], ' ');
        if (space) {
            *space = 0;
            a1 = decode(space + 1, b1, sizeof b1);
        }
        a0 = strcmp(cols[3], "-") == 0 ? b0 : decode(cols[3], b0, sizeof b0);
        if (a0 == b0 && strcmp(cols[3], "-") == 0)
            b0[0] = 0;
        decode(cols[5], want, sizeof want);
        if (symlink("/proc/1/ns/net", "/run/netns/symlink") != 0)
            perror("symlink");
        r = run_op(reg, cols[2], a0, a1);
        unlink("/run/netns/symlink");
        expect_name = cols[4];
        snprintf(msg, sizeof msg, "%s: %s -> %s (%s)", cols[0], cols[2], result_name(r),
                 netns_last_error_message() ? netns_last_error_message() : "");
        CHECK(strcmp(result_name(r), expect_name) == 0, msg);
        snprintf(msg, sizeof msg, "%s: message contains \"%.60s\"", cols[0], want);
        CHECK(strcmp(want, "-") == 0 || CONTAINS(netns_last_error_message(), want), msg);
        snprintf(msg, sizeof msg, "%s: nothing created", cols[0]);
        CHECK(run_dir_entries() == 0 && link_count() == 1, msg);
    }
    fclose(table);
    netns_registry_free(reg);
    CHECK(rows >= 10, "at least 10 c rows");
    return tap_done();
}
