/*
 * libnetns (the C library, include/netns.h): W(N), the dump and per-call
 * latency with its public API. W(N) takes the fast path the header
 * documents, as the Rust runner (bench/rust/src/w.rs) does: one thread per
 * core creates namespaces with netns_add_with_handle (namespace
 * and rtnetlink socket from one thread) and sends, in one netns_link_batch,
 * lo up and the veth (eth0 up inside, its peer bvI born in root); the
 * kernel's echo gives each peer's index. Then in root one batch brings the
 * host ends up by index and one netns_addrs_add adds their addresses.
 *
 * Usage (inside scripts/sandbox.sh): netns-bench-c w N | dump NS | latency K
 * Prints one JSON line.
 */
#define _GNU_SOURCE
#include <netns.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* User + system CPU seconds of the process (every thread) so far. */
static double cpu(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void die(const char *what, netns_result r) {
    fprintf(stderr, "netns-bench-c: %s: %s: %s\n", what, netns_result_str(r), netns_last_error_message());
    exit(1);
}

#define CHECK(call, what)                     \
    do {                                      \
        netns_result r_ = (call);             \
        if (r_ != NETNS_OK) die((what), r_);  \
    } while (0)

static void host_addr(size_t i, char *buf, size_t len) {
    size_t k = i + 1;
    snprintf(buf, len, "10.77.%zu.%zu/32", k >> 8, k & 255);
}

struct work {
    const netns_registry *reg;
    const netns_ns *root;
    uint32_t *host_index; /* out: the peer's index in root, per namespace */
    size_t n, first, step;
};

static void *worker(void *arg) {
    struct work *w = arg;
    char name[32], host[32];
    netns_link_batch *b = NULL;
    CHECK(netns_link_batch_new(&b), "batch");
    for (size_t i = w->first; i < w->n; i += w->step) {
        snprintf(name, sizeof name, "bns%zu", i);
        snprintf(host, sizeof host, "bv%zu", i);
        netns_handle *h;
        CHECK(netns_add_with_handle(w->reg, name, NULL, &h), "add");
        netns_link_batch_clear(b);
        CHECK(netns_link_batch_set_up(b, "lo", true), "lo up");
        CHECK(netns_link_batch_add_veth(b, "eth0", host, w->root, true), "veth");
        CHECK(netns_link_batch_send(h, b, NULL), "lo up + veth");
        w->host_index[i] = netns_link_batch_peer_ifindex(b, 1);
        netns_handle_free(h);
    }
    netns_link_batch_free(b);
    return NULL;
}

static void on_all_cores(const netns_registry *reg, const netns_ns *root, uint32_t *host_index, size_t n) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t t = cores < 1 ? 1 : (size_t)cores;
    if (t > n) t = n ? n : 1;
    pthread_t th[256];
    struct work w[256];
    if (t > 256) t = 256;
    for (size_t k = 0; k < t; k++) {
        w[k] = (struct work){reg, root, host_index, n, k, t};
        if (pthread_create(&th[k], NULL, worker, &w[k]) != 0) {
            fprintf(stderr, "netns-bench-c: pthread_create failed\n");
            exit(1);
        }
    }
    for (size_t k = 0; k < t; k++) pthread_join(th[k], NULL);
}

static int w_run(size_t n) {
    double t0 = now(), c0 = cpu();
    netns_registry *reg;
    netns_ns *root;
    netns_handle *h;
    uint32_t *host_index = calloc(n ? n : 1, sizeof *host_index);
    char (*cidr)[32] = calloc(n ? n : 1, sizeof *cidr);
    const char **cidrs = calloc(n ? n : 1, sizeof *cidrs);
    if (!host_index || !cidr || !cidrs) return 1;
    CHECK(netns_registry_from_env(&reg), "registry");
    CHECK(netns_ns_current(&root), "root");
    on_all_cores(reg, root, host_index, n);
    double created = now(), c1 = cpu();
    CHECK(netns_handle_current(&h), "handle");
    netns_link_batch *up;
    CHECK(netns_link_batch_new(&up), "batch");
    for (size_t i = 0; i < n; i++) {
        CHECK(netns_link_batch_set_up_index(up, host_index[i], true), "host up");
        host_addr(i, cidr[i], sizeof cidr[i]);
        cidrs[i] = cidr[i];
    }
    CHECK(netns_link_batch_send(h, up, NULL), "host ends up");
    netns_link_batch_free(up);
    CHECK(netns_addrs_add(h, host_index, cidrs, n, NULL), "addresses");
    double configured = now(), c2 = cpu();
    netns_link_iter *links;
    netns_addr_iter *addrs;
    CHECK(netns_links(h, &links), "links");
    size_t nlinks = netns_link_iter_len(links), naddrs = 0, ipv4 = 0;
    bool consistent = netns_link_iter_consistent(links);
    netns_link_iter_free(links);
    CHECK(netns_addrs(h, NULL, 0, &addrs), "addresses");
    for (const netns_addr *a; (a = netns_addr_iter_next(addrs));) {
        naddrs++;
        if (netns_addr_family(a) == AF_INET && strncmp(netns_addr_ip(a), "127.", 4) != 0) ipv4++;
    }
    consistent = consistent && netns_addr_iter_consistent(addrs);
    netns_addr_iter_free(addrs);
    double dumped = now(), c3 = cpu();
    {
        char (*nm)[32] = calloc(n ? n : 1, sizeof *nm);
        const char **names = calloc(n ? n : 1, sizeof *names);
        if (!nm || !names) return 1;
        for (size_t i = 0; i < n; i++) {
            snprintf(nm[i], sizeof nm[i], "bns%zu", i);
            names[i] = nm[i];
        }
        CHECK(netns_delete_many(reg, names, n, NULL), "delete_many");
        free(names);
        free(nm);
    }
    double seconds = now() - t0, c4 = cpu();
    netns_handle_free(h);
    netns_ns_free(root);
    netns_registry_free(reg);
    free(host_index);
    free(cidr);
    free(cidrs);
    if (nlinks != n + 1 || ipv4 != n) {
        fprintf(stderr, "netns-bench-c: wrong counts: %zu links, %zu IPv4\n", nlinks, ipv4);
        return 1;
    }
    /* The phases as the Rust runner times them (bench/run.py --sweep). */
    printf("{\"impl\": \"libnetns\", \"n\": %zu, \"links\": %zu, \"ipv4\": %zu, \"addresses\": %zu, "
           "\"consistent\": %s, \"seconds\": %.6f, \"phases\": {\"create\": %.6f, \"configure\": %.6f, "
           "\"dump\": %.6f, \"delete\": %.6f}, \"phases_cpu\": {\"create\": %.6f, \"configure\": %.6f, "
           "\"dump\": %.6f, \"delete\": %.6f}}\n",
           n, nlinks, ipv4, naddrs, consistent ? "true" : "false", seconds, created - t0, configured - created,
           dumped - configured, seconds - (dumped - t0), c1 - c0, c2 - c1, c3 - c2, c4 - c3);
    return 0;
}

static int dump_run(const char *name) {
    double t0 = now();
    netns_registry *reg;
    netns_ns *ns;
    netns_handle *h;
    CHECK(netns_registry_from_env(&reg), "registry");
    CHECK(netns_open(reg, name, &ns), "open");
    CHECK(netns_ns_handle(ns, &h), "handle");
    netns_link_iter *links;
    netns_addr_iter *addrs;
    unsigned long long sum = 0;
    size_t nlinks = 0, naddrs = 0;
    CHECK(netns_links(h, &links), "links");
    for (const netns_link *l; (l = netns_link_iter_next(links));) {
        nlinks++;
        sum += netns_link_ifindex(l) + strlen(netns_link_name(l));
    }
    netns_link_iter_free(links);
    CHECK(netns_addrs(h, NULL, 0, &addrs), "addresses");
    for (const netns_addr *a; (a = netns_addr_iter_next(addrs));) {
        naddrs++;
        sum += netns_addr_ifindex(a);
    }
    netns_addr_iter_free(addrs);
    double seconds = now() - t0;
    netns_handle_free(h);
    netns_ns_free(ns);
    netns_registry_free(reg);
    printf("{\"impl\": \"libnetns\", \"links\": %zu, \"addresses\": %zu, \"seconds\": %.6f, \"checksum\": %llu}\n",
           nlinks, naddrs, seconds, sum);
    return 0;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void stats(const char *key, double *v, size_t k, int last) {
    qsort(v, k, sizeof *v, cmp);
    printf("\"%s\": {\"median_us\": %.1f, \"p90_us\": %.1f, \"min_us\": %.1f}%s", key, v[k / 2],
           v[(size_t)((double)(k - 1) * 0.9 + 0.5)], v[0], last ? "" : ", ");
}

static int latency_run(size_t k) {
    netns_registry *reg;
    netns_handle *h;
    CHECK(netns_registry_from_env(&reg), "registry");
    CHECK(netns_handle_current(&h), "handle");
    double *ns_add = calloc(k, sizeof(double)), *veth = calloc(k, sizeof(double)),
           *addr = calloc(k, sizeof(double));
    if (!ns_add || !veth || !addr) return 1;
    char name[32], host[32], cidr[32];
    for (size_t i = 0; i < k; i++) {
        snprintf(name, sizeof name, "lat%zu", i);
        snprintf(host, sizeof host, "lv%zu", i);
        host_addr(i, cidr, sizeof cidr);
        netns_ns *ns;
        double t = now();
        CHECK(netns_add(reg, name, &ns), "add");
        ns_add[i] = (now() - t) * 1e6;
        t = now();
        CHECK(netns_link_add_veth(h, host, "eth0", ns), "veth");
        veth[i] = (now() - t) * 1e6;
        t = now();
        CHECK(netns_addr_add(h, host, cidr), "address");
        addr[i] = (now() - t) * 1e6;
        netns_ns_free(ns);
    }
    for (size_t i = 0; i < k; i++) {
        snprintf(name, sizeof name, "lat%zu", i);
        CHECK(netns_delete(reg, name), "delete");
    }
    printf("{\"impl\": \"libnetns\", \"k\": %zu, ", k);
    stats("ns_add", ns_add, k, 0);
    stats("veth_add", veth, k, 0);
    stats("addr_add", addr, k, 1);
    printf("}\n");
    free(ns_add);
    free(veth);
    free(addr);
    netns_handle_free(h);
    netns_registry_free(reg);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: netns-bench-c w N | dump NS | latency K\n");
        return 2;
    }
    if (strcmp(argv[1], "w") == 0) return w_run(strtoul(argv[2], NULL, 10));
    if (strcmp(argv[1], "dump") == 0) return dump_run(argv[2]);
    if (strcmp(argv[1], "latency") == 0) return latency_run(strtoul(argv[2], NULL, 10));
    fprintf(stderr, "usage: netns-bench-c w N | dump NS | latency K\n");
    return 2;
}
