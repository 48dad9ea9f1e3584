/*
 * Neighbours, rules, events, tun/tap, statistics, one link by name or
 * index, spawning in a namespace, and topologies, from C; what the library
 * says is compared with what `ip` prints for the same namespace.
 * Run in a sandbox (scripts/sandbox.sh).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sh.h"
#include "tap.h"

/* Drops the spaces iproute2 leaves at the ends of its lines. */
static char *trim_lines(char *text)
{
    char *r = text, *w = text;
    for (; *r != '\0'; r++) {
        if (*r == '\n') {
            while (w > text && w[-1] == ' ') {
                w--;
            }
        }
        *w++ = *r;
    }
    *w = '\0';
    return text;
}

/* Waits up to 5 s for an event of `group` and `kind`; NULL if none came. */
static const netns_event *wait_event(netns_subscription *sub, uint32_t group, netns_event_type kind)
{
    int i;
    for (i = 0; i < 50; i++) {
        const netns_event *e = NULL;
        if (netns_subscription_next(sub, 100, &e) != NETNS_OK) {
            return NULL;
        }
        if (e != NULL && netns_event_group(e) == group && netns_event_kind(e) == kind) {
            return e;
        }
    }
    return NULL;
}

static void neighbours(netns_handle *h)
{
    netns_neigh_iter *it = NULL;
    const netns_neigh *n;
    netns_neigh *got = NULL;
    char ours[2048] = "", theirs[2048];
    size_t flushed = 0;

    OK(netns_neigh_add(h, "10.9.0.2", "d0", "02:00:00:00:00:02", NULL, 0), "neigh add (permanent)");
    OK(netns_neigh_add(h, "10.9.0.3", "d0", "02:00:00:00:00:03", "stale", NETNS_NEIGH_ROUTER),
       "neigh add stale router");
    OK(netns_neigh_add(h, "10.9.0.9", "d0", NULL, NULL, NETNS_NEIGH_PROXY), "neigh add proxy");
    CHECK(netns_neigh_add(h, "10.9.0.2", "d0", "02:00:00:00:00:02", NULL, 0) == NETNS_ALREADY_EXISTS,
          "neigh add twice: already exists");
    CHECK(netns_neigh_add(h, "10.9.0.4", "d0", "02:zz", NULL, 0) == NETNS_INVALID_ARGUMENT,
          "neigh add with a bad mac: invalid argument");
    CHECK(netns_neigh_add(h, "10.9.0.4", "nosuch0", "02:00:00:00:00:04", NULL, 0) == NETNS_NOT_FOUND,
          "neigh add on a missing link: not found");

    OK(netns_neighs(h, AF_INET, NULL, 0, &it), "neighs");
    CHECK(netns_neigh_iter_len(it) == 2, "two IPv4 entries");
    while ((n = netns_neigh_iter_next(it)) != NULL) {
        strcat(ours, netns_neigh_line(n));
        strcat(ours, "\n");
    }
    netns_neigh_iter_free(it);
    sh("ip -4 neigh show", theirs, sizeof theirs);
    trim_lines(theirs);
    CHECK(strcmp(ours, theirs) == 0, "neighs' lines are ip -4 neigh show's");
    if (strcmp(ours, theirs) != 0) {
        printf("#   ours:\n%s#   ip:\n%s", ours, theirs);
    }

    OK(netns_neigh_get(h, "10.9.0.2", "d0", 0, &got), "neigh get");
    CHECK(STREQ(netns_neigh_mac(got), "02:00:00:00:00:02") && netns_neigh_state(got) == 0x80 &&
              STREQ(netns_neigh_dev(got), "d0") && STREQ(netns_neigh_dst(got), "10.9.0.2") &&
              netns_neigh_family(got) == AF_INET,
          "neigh get: mac, state, dev, dst, family");
    sh("ip neigh get 10.9.0.2 dev d0", theirs, sizeof theirs);
    CHECK(strncmp(theirs, netns_neigh_line(got), strlen(netns_neigh_line(got))) == 0,
          "neigh get's line is ip neigh get's");
    netns_neigh_free(got);

    OK(netns_neighs(h, 0, "d0", NETNS_NEIGH_PROXY, &it), "neighs proxy");
    n = netns_neigh_iter_next(it);
    CHECK(n != NULL && STREQ(netns_neigh_dst(n), "10.9.0.9") && (netns_neigh_flags(n) & 0x08),
          "the proxy entry");
    netns_neigh_iter_free(it);

    OK(netns_neigh_replace(h, "10.9.0.2", "d0", "02:00:00:00:00:22", "reachable", 0), "neigh replace");
    CHECK(CONTAINS(sh("ip neigh show 10.9.0.2", theirs, sizeof theirs), "02:00:00:00:00:22 REACHABLE"),
          "replaced, as ip shows");
    OK(netns_neigh_del(h, "10.9.0.9", "d0", NETNS_NEIGH_PROXY), "neigh del proxy");
    OK(netns_neigh_del(h, "10.9.0.3", "d0", 0), "neigh del");
    CHECK(netns_neigh_del(h, "10.9.0.3", "d0", 0) == NETNS_NOT_FOUND, "neigh del twice: not found");
    OK(netns_neigh_flush(h, 0, "d0", NETNS_NEIGH_ALL_STATES, &flushed), "neigh flush");
    CHECK(flushed == 1, "flushed one entry");
    CHECK(sh("ip neigh show dev d0", theirs, sizeof theirs)[0] == '\0', "ip shows none left");
}

static void rules(netns_handle *h)
{
    netns_rule_spec *s = NULL;
    netns_rule_iter *it = NULL;
    const netns_rule *r;
    char ours[2048] = "", theirs[2048];
    size_t flushed = 0;

    OK(netns_rule_spec_new(&s), "rule spec");
    OK(netns_rule_spec_set_priority(s, 100), "priority");
    OK(netns_rule_spec_set_from(s, "10.0.0.0/8"), "from");
    OK(netns_rule_spec_set_table(s, 100), "table");
    OK(netns_rule_add(h, s), "rule add");
    CHECK(netns_rule_add(h, s) == NETNS_ALREADY_EXISTS, "rule add twice: already exists");
    netns_rule_spec_free(s);
    OK(netns_rule_spec_new(&s), "rule spec 2");
    OK(netns_rule_spec_set_priority(s, 200), "priority 200");
    OK(netns_rule_spec_set_to(s, "192.0.2.0/24"), "to");
    OK(netns_rule_spec_set_fwmark(s, 1, 0xff), "fwmark");
    OK(netns_rule_spec_set_iif(s, "d0"), "iif");
    OK(netns_rule_spec_set_not(s, true), "not");
    OK(netns_rule_spec_set_action(s, "blackhole"), "blackhole");
    OK(netns_rule_add(h, s), "rule add 2");
    netns_rule_spec_free(s);
    CHECK(netns_rule_spec_set_from(NULL, "10.0.0.0/8") == NETNS_NULL_ARGUMENT, "NULL spec refused");
    OK(netns_rule_spec_new(&s), "rule spec 3");
    CHECK(netns_rule_spec_set_from(s, "10.0.0.0/99") == NETNS_INVALID_ARGUMENT, "bad prefix refused");
    CHECK(netns_rule_spec_set_action(s, "dance") == NETNS_INVALID_ARGUMENT, "bad action refused");
    netns_rule_spec_free(s);

    OK(netns_rules(h, AF_INET, &it), "rules");
    while ((r = netns_rule_iter_next(it)) != NULL) {
        strcat(ours, netns_rule_line(r));
        strcat(ours, "\n");
        if (netns_rule_priority(r) == 100) {
            CHECK(STREQ(netns_rule_from(r), "10.0.0.0/8") && netns_rule_table(r) == 100 &&
                      netns_rule_action(r) == 1 && !netns_rule_not(r),
                  "rule 100's fields");
        }
        if (netns_rule_priority(r) == 200) {
            CHECK(STREQ(netns_rule_to(r), "192.0.2.0/24") && netns_rule_fwmark(r) == 1 &&
                      netns_rule_fwmask(r) == 0xff && STREQ(netns_rule_iif(r), "d0") &&
                      netns_rule_not(r) && netns_rule_action(r) == 6,
                  "rule 200's fields");
        }
    }
    CHECK(netns_rule_iter_len(it) == 5, "five rules");
    netns_rule_iter_free(it);
    sh("ip rule show", theirs, sizeof theirs);
    CHECK(strcmp(ours, theirs) == 0, "rules' lines are ip rule show's");
    if (strcmp(ours, theirs) != 0) {
        printf("#   ours:\n%s#   ip:\n%s", ours, theirs);
    }

    OK(netns_rule_spec_new(&s), "rule spec del");
    OK(netns_rule_spec_set_priority(s, 200), "priority del");
    OK(netns_rule_del(h, s), "rule del");
    CHECK(netns_rule_del(h, s) == NETNS_NOT_FOUND, "rule del twice: not found");
    netns_rule_spec_free(s);
    OK(netns_rule_flush(h, AF_INET, &flushed), "rule flush");
    CHECK(flushed == 3, "flushed 100, 32766, 32767");
    CHECK(STREQ(sh("ip rule show", theirs, sizeof theirs), "0:\tfrom all lookup local\n"),
          "ip rule show: only priority 0 left");
}

static void events(netns_handle *h)
{
    netns_subscription *sub = NULL;
    netns_event_iter *it = NULL;
    const netns_event *e = NULL;
    struct pollfd pfd;
    size_t links = 0;

    CHECK(netns_subscribe(NULL, 0, &sub) == NETNS_INVALID_ARGUMENT, "no group: invalid argument");
    CHECK(netns_subscribe(NULL, 1u << 9, &sub) == NETNS_INVALID_ARGUMENT, "unknown group refused");
    OK(netns_subscribe(NULL, NETNS_EVENT_ALL, &sub), "subscribe to everything");
    pfd.fd = netns_subscription_fd(sub);
    pfd.events = POLLIN;
    CHECK(pfd.fd >= 0 && poll(&pfd, 1, 0) == 0, "nothing to read yet");
    OK(netns_subscription_next(sub, 0, &e), "next with no wait");
    CHECK(e == NULL, "no event");

    OK(netns_link_add_veth(h, "d1", "d1p", NULL), "veth d1");
    CHECK(poll(&pfd, 1, 5000) == 1, "the descriptor becomes readable");
    do { /* the peer d1p comes first */
        e = wait_event(sub, NETNS_EVENT_LINK, NETNS_EVENT_NEW);
    } while (e != NULL && !STREQ(netns_link_name(netns_event_link(e)), "d1"));
    CHECK(e != NULL && STREQ(netns_link_name(netns_event_link(e)), "d1"), "link event for d1");
    CHECK(e != NULL && netns_event_addr(e) == NULL && netns_event_nsid(e) == -1,
          "a link event has no address");
    OK(netns_addr_add(h, "d1", "10.8.0.1/24"), "address on d1");
    e = wait_event(sub, NETNS_EVENT_ADDRESS, NETNS_EVENT_NEW);
    CHECK(e != NULL && STREQ(netns_addr_cidr(netns_event_addr(e)), "10.8.0.1/24"), "address event");
    OK(netns_link_set_up(h, "d1"), "d1 up");
    e = wait_event(sub, NETNS_EVENT_ROUTE, NETNS_EVENT_NEW);
    CHECK(e != NULL && netns_route_type(netns_event_route(e)) != 0, "route event");
    OK(netns_neigh_add(h, "10.8.0.2", "d1", "02:00:00:00:00:02", NULL, 0), "neigh on d1");
    e = wait_event(sub, NETNS_EVENT_NEIGH, NETNS_EVENT_NEW);
    CHECK(e != NULL &&
              STREQ(netns_neigh_line(netns_event_neigh(e)), "10.8.0.2 dev d1 lladdr 02:00:00:00:00:02 PERMANENT"),
          "neighbour event, as ip monitor prints it");
    OK(netns_link_delete(h, "d1"), "delete d1");
    do {
        e = wait_event(sub, NETNS_EVENT_LINK, NETNS_EVENT_DEL);
    } while (e != NULL && !STREQ(netns_link_name(netns_event_link(e)), "d1"));
    CHECK(e != NULL && STREQ(netns_link_name(netns_event_link(e)), "d1"), "link deleted event");

    OK(netns_subscription_resync(sub, &it), "resync");
    while ((e = netns_event_iter_next(it)) != NULL) {
        CHECK(netns_event_kind(e) == NETNS_EVENT_NEW, "resync events are new");
        if (netns_event_group(e) == NETNS_EVENT_LINK) {
            links++;
        }
    }
    CHECK(links == 3, "resync: lo, d0 and d0p");
    netns_event_iter_free(it);
    CHECK(netns_event_kind(NULL) == NETNS_EVENT_OVERRUN && netns_event_link(NULL) == NULL,
          "accessors take NULL");
    netns_subscription_free(sub);
    netns_subscription_free(NULL);
}

static void tuntap_and_links(netns_handle *h, const netns_ns *ns)
{
    char *name = NULL, out[4096];
    int fd = 0;
    netns_link *l = NULL;
    netns_link_stats st;

    OK(netns_tuntap_add(ns, "tap0", "tap", 1000, -1, NETNS_TUNTAP_MULTI_QUEUE, &name, &fd), "tap0");
    CHECK(STREQ(name, "tap0") && fd == -1, "persistent: a name, no descriptor");
    netns_string_free(name);
    /* (`ip tuntap show` reads /sys, which is the host's in the sandbox.) */
    CHECK(CONTAINS(sh("ip -d link show tap0", out, sizeof out), "tun type tap") &&
              CONTAINS(out, " user ") && CONTAINS(out, "multi_queue") && CONTAINS(out, "persist on"),
          "ip -d link shows tap0 as made");
    CHECK(netns_tuntap_add(ns, "tap0", "tap", -1, -1, 0, NULL, NULL) == NETNS_ALREADY_EXISTS,
          "tap0 twice: already exists");
    CHECK(netns_tuntap_add(ns, "tap1", "bogus", -1, -1, 0, NULL, NULL) == NETNS_INVALID_ARGUMENT,
          "a bad mode: invalid argument");
    OK(netns_tuntap_add(ns, "tun9", "tun", -1, -1, NETNS_TUNTAP_NO_PERSIST, NULL, &fd), "tun9");
    CHECK(fd >= 0, "not persistent: a descriptor");
    OK(netns_link_get(h, "tun9", &l), "link get tun9");
    CHECK(STREQ(netns_link_kind(l), "tun"), "tun9's kind is tun");
    netns_link_free(l);
    close(fd);
    CHECK(netns_link_get(h, "tun9", &l) == NETNS_NOT_FOUND, "tun9 went with its descriptor");
    CHECK(netns_tuntap_del(h, "d0") == NETNS_INVALID_ARGUMENT, "tuntap del of a veth refused");
    OK(netns_tuntap_del(h, "tap0"), "tuntap del");
    CHECK(!CONTAINS(sh("ip link show 2>&1", out, sizeof out), "tap0"), "tap0 gone");

    OK(netns_link_get_by_index(h, 1, &l), "link get by index 1");
    CHECK(STREQ(netns_link_name(l), "lo"), "index 1 is lo");
    netns_link_free(l);
    OK(netns_link_name_by_index(h, 1, &name), "name of index 1");
    CHECK(STREQ(name, "lo"), "lo");
    netns_string_free(name);
    CHECK(netns_link_name_by_index(h, 999, &name) == NETNS_NOT_FOUND, "index 999: not found");
    CHECK(netns_link_name_by_index(h, 0, &name) == NETNS_INVALID_ARGUMENT, "index 0 refused");

    sh("ping -c2 -i0.2 -W1 127.0.0.1 >/dev/null 2>&1", out, sizeof out);
    OK(netns_link_stats_get(h, "lo", &st), "stats of lo");
    {
        char cmd[128], want[64];
        unsigned long long rx = 0;
        sh("ip -s -j link show lo | sed -n 's/.*\"stats64\":{\"rx\":{\"bytes\":[0-9]*,\"packets\":\\([0-9]*\\).*/\\1/p'",
           out, sizeof out);
        rx = strtoull(out, NULL, 10);
        CHECK(st.rx_packets == rx && rx >= 4, "rx packets as ip -s shows");
        (void)cmd;
        (void)want;
    }
    CHECK(netns_link_stats_get(h, "nosuch0", &st) == NETNS_NOT_FOUND, "stats of a missing link");
}

static void spawn(netns_registry *reg, const netns_ns *ns)
{
    netns_child *c = NULL;
    int pipefd[2], status = -1;
    char buf[256] = "";
    ssize_t n;
    const char *argv[] = {"sh", "-c", "readlink /proc/self/ns/net; exit 7", NULL};
    const char *sleeper[] = {"sleep", "30", NULL};
    const char *env[] = {"NOEQUALS", NULL};
    char want[64];

    CHECK(pipe(pipefd) == 0, "pipe");
    OK(netns_spawn(reg, "cspawn", NULL, argv, NULL, -1, pipefd[1], -1, &c), "spawn in a named namespace");
    close(pipefd[1]);
    CHECK(netns_child_pid(c) > 0, "a pid");
    /* pidfd_open(2) is missing under valgrind 3.19 (ENOSYS): only there may
     * the pidfd be absent (tests/c/run.sh refuses a SKIP outside valgrind). */
    if (netns_child_pidfd(c) >= 0) {
        CHECK(1, "a pidfd");
    } else {
        printf("# SKIP pidfd check: pidfd_open is not available here\n");
    }
    n = read(pipefd[0], buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    close(pipefd[0]);
    OK(netns_child_wait(c, &status), "wait");
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7, "exit status 7");
    CHECK(netns_child_wait(c, &status) == NETNS_INVALID_ARGUMENT, "a second wait is refused");
    netns_child_free(c);
    sh("ip netns exec cspawn readlink /proc/self/ns/net", want, sizeof want);
    CHECK(strcmp(buf, want) == 0, "the child ran in the namespace");

    OK(netns_spawn(reg, "cspawn", ns, sleeper, NULL, -1, -1, -1, &c), "spawn by netns_ns");
    OK(netns_child_kill(c, SIGTERM), "kill");
    OK(netns_child_wait(c, &status), "wait after kill");
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "ended by SIGTERM");
    netns_child_free(c);
    CHECK(netns_spawn(reg, "cspawn", NULL, sleeper, env, -1, -1, -1, &c) == NETNS_INVALID_ARGUMENT,
          "envp: an entry that is not KEY=VALUE is refused");
    CHECK(netns_spawn(reg, "nosuch", NULL, sleeper, NULL, -1, -1, -1, &c) == NETNS_NOT_FOUND,
          "spawn in a missing namespace: not found");
}

static void topology(void)
{
    const char *path = "/tmp/netns-c-topology.toml";
    FILE *f = fopen(path, "w");
    char *report = NULL, out[4096];
    bool clean = false, ok = false;

    if (f == NULL) {
        CHECK(0, "write the topology file");
        return;
    }
    fputs("name = \"clab\"\n[[namespace]]\nname = \"cta\"\n[[namespace]]\nname = \"ctb\"\n"
          "[[link]]\na = { netns = \"cta\", name = \"eth0\", address = \"10.66.0.1/24\" }\n"
          "b = { netns = \"ctb\", name = \"eth0\", address = \"10.66.0.2/24\" }\n",
          f);
    fclose(f);
    OK(netns_topology_apply(path, 0, &report), "topology apply");
    CHECK(CONTAINS(report, "\"topology\":\"clab\"") && CONTAINS(report, "\"changes\":["), "apply report");
    netns_string_free(report);
    CHECK(CONTAINS(sh("ip -n cta addr show eth0", out, sizeof out), "10.66.0.1/24"), "ip sees cta's address");
    OK(netns_topology_status(path, 0, &clean, NULL), "topology status");
    CHECK(clean, "in sync");
    OK(netns_topology_check(path, 0, &ok, &report), "topology check");
    CHECK(ok && CONTAINS(report, "10.66.0.2"), "every probe answered");
    netns_string_free(report);
    OK(netns_topology_destroy(path, 0, NULL), "topology destroy");
    CHECK(!CONTAINS(sh("ip netns list", out, sizeof out), "cta"), "cta gone");
    CHECK(netns_topology_apply("/nonexistent.toml", 0, NULL) == NETNS_NOT_FOUND, "missing file: not found");
    CHECK(netns_topology_apply(path, 99, NULL) == NETNS_INVALID_ARGUMENT, "unknown flags refused");
    unlink(path);
}

int main(void)
{
    netns_handle *h = NULL;
    netns_registry *reg = NULL;
    netns_ns *ns = NULL;

    OK(netns_handle_current(&h), "handle on the sandbox");
    OK(netns_link_add_veth(h, "d0", "d0p", NULL), "veth d0");
    OK(netns_addr_add(h, "d0", "10.9.0.1/24"), "address on d0");
    OK(netns_link_set_up(h, "d0"), "d0 up");
    OK(netns_link_set_up(h, "lo"), "lo up");
    neighbours(h);
    rules(h);
    events(h);
    OK(netns_ns_current(&ns), "the current namespace");
    tuntap_and_links(h, ns);
    netns_ns_free(ns);
    ns = NULL;

    OK(netns_registry_from_env(&reg), "registry");
    OK(netns_add(reg, "cspawn", &ns), "namespace cspawn");
    spawn(reg, ns);
    netns_ns_free(ns);
    OK(netns_delete(reg, "cspawn"), "delete cspawn");
    netns_registry_free(reg);
    topology();
    netns_handle_free(h);
    return tap_done();
}
