/*
 * The generic link builder and spawning by handle, from C: a vxlan and a
 * macvlan built with netns_link_spec (typed setters), a bridge and ports
 * through a netns_link_batch, the refusals before the kernel (unknown
 * kind, a setter of another kind, a spec missing what its kind needs);
 * (veths stand in for dummies: this kernel may have no dummy driver)
 * netns_spawn in an anonymous namespace (no registry name), in a process's
 * namespace, with an exact environment (envp) read back from the child's
 * stdout. What was built is read back with `ip -d link show`, run by
 * netns_spawn inside the anonymous namespace. Run in a sandbox.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

static char out[8192];

/* Runs argv in `ns` (by handle: no registry name) with environment `envp`
 * (NULL: inherited) and returns its stdout, in a static buffer; `status`
 * gets its wait status. */
static const char *run_in(const netns_ns *ns, const char *const *argv, const char *const *envp,
                          int *status)
{
    netns_child *c = NULL;
    int fds[2];
    size_t got = 0;
    ssize_t n;

    out[0] = '\0';
    *status = -1;
    if (pipe(fds) != 0) {
        return out;
    }
    if (netns_spawn(NULL, NULL, ns, argv, envp, -1, fds[1], -1, &c) != NETNS_OK) {
        close(fds[0]);
        close(fds[1]);
        return out;
    }
    close(fds[1]);
    while ((n = read(fds[0], out + got, sizeof out - 1 - got)) > 0) {
        got += (size_t)n;
    }
    out[got] = '\0';
    close(fds[0]);
    if (netns_child_wait(c, status) != NETNS_OK) {
        *status = -1;
    }
    netns_child_free(c);
    return out;
}

/* `ip -d link show DEV` inside `ns`. */
static const char *ip_link(const netns_ns *ns, const char *dev)
{
    const char *argv[] = {"ip", "-d", "link", "show", dev, NULL};
    int status;
    return run_in(ns, argv, NULL, &status);
}

static netns_link_spec *spec_new(const char *kind, const char *name)
{
    netns_link_spec *s = NULL;
    OK(netns_link_spec_new(kind, name, &s), kind);
    return s;
}

static void links(netns_handle *h, const netns_ns *ns)
{
    netns_link_spec *s;
    netns_link_batch *b = NULL;
    uint32_t ifindex = 0, looked_up = 0;
    const char *text;

    /* The underlay: a veth (this kernel may have no dummy driver). */
    s = spec_new("veth", "under0");
    OK(netns_link_spec_peer(s, "under1"), "peer under1");
    OK(netns_link_spec_up(s, true), "under0 up");
    OK(netns_link_add_spec(h, s, NULL), "add veth under0 by spec");
    netns_link_spec_free(s);
    OK(netns_addr_add(h, "under0", "10.0.0.1/24"), "10.0.0.1/24 on under0");

    /* A vxlan with every typed option. */
    s = spec_new("vxlan", "vx0");
    OK(netns_link_spec_vxlan_id(s, 42), "vxlan id 42");
    OK(netns_link_spec_vxlan_remote(s, "10.0.0.2"), "remote 10.0.0.2");
    OK(netns_link_spec_vxlan_local(s, "10.0.0.1"), "local 10.0.0.1");
    OK(netns_link_spec_parent(s, "under0"), "parent under0");
    OK(netns_link_spec_vxlan_dstport(s, 4789), "dstport 4789");
    OK(netns_link_spec_vxlan_learning(s, false), "nolearning");
    OK(netns_link_spec_vxlan_ttl(s, 5), "ttl 5");
    OK(netns_link_spec_mtu(s, 1400), "mtu 1400");
    OK(netns_link_spec_up(s, true), "up");
    OK(netns_link_add_spec(h, s, &ifindex), "add vx0");
    OK(netns_link_index(h, "vx0", &looked_up), "index of vx0");
    CHECK(ifindex != 0 && ifindex == looked_up, "add_spec wrote the index the kernel gave");
    CHECK(netns_link_add_spec(h, s, NULL) == NETNS_ALREADY_EXISTS, "the same spec again: exists");
    {
        bool added = true, deleted = false;
        OK(netns_link_add_spec_exist_ok(h, s, &added), "the same spec, exist_ok");
        CHECK(!added, "... accepted, nothing added");
        OK(netns_link_delete_missing_ok(h, "nosuch9", &deleted), "delete of a missing link, missing_ok");
        CHECK(!deleted, "... nothing deleted");
    }
    netns_link_spec_free(s);
    text = ip_link(ns, "vx0");
    CHECK(CONTAINS(text, "vxlan id 42 remote 10.0.0.2 local 10.0.0.1 dev under0"),
          "ip -d shows id, remote, local, dev");
    CHECK(CONTAINS(text, "dstport 4789"), "ip -d shows dstport 4789");
    CHECK(CONTAINS(text, "nolearning"), "ip -d shows nolearning");
    CHECK(CONTAINS(text, "ttl 5"), "ip -d shows ttl 5");
    CHECK(CONTAINS(text, "mtu 1400"), "ip shows mtu 1400");
    if (!CONTAINS(text, "vxlan id 42")) {
        printf("# ip -d link show vx0:\n%s", text);
    }

    /* A multicast vxlan: group. */
    s = spec_new("vxlan", "vx1");
    OK(netns_link_spec_vxlan_id(s, 7), "vxlan id 7");
    CHECK(netns_link_spec_vxlan_group(s, "10.0.0.2") == NETNS_INVALID_ARGUMENT,
          "group: a unicast address is refused");
    CHECK(netns_link_spec_vxlan_remote(s, "239.1.1.1") == NETNS_INVALID_ARGUMENT,
          "remote: a multicast address is refused");
    OK(netns_link_spec_vxlan_group(s, "239.1.1.1"), "group 239.1.1.1");
    OK(netns_link_spec_parent(s, "under0"), "parent under0");
    OK(netns_link_add_spec(h, s, NULL), "add vx1");
    netns_link_spec_free(s);
    CHECK(CONTAINS(ip_link(ns, "vx1"), "vxlan id 7 group 239.1.1.1 dev under0"),
          "ip -d shows the group");

    /* A macvlan. */
    s = spec_new("macvlan", "mv0");
    OK(netns_link_spec_parent(s, "under0"), "macvlan parent under0");
    OK(netns_link_spec_macvlan_mode(s, "private"), "mode private");
    OK(netns_link_spec_mac(s, "02:00:00:00:00:aa"), "mac");
    OK(netns_link_add_spec(h, s, NULL), "add mv0");
    netns_link_spec_free(s);
    text = ip_link(ns, "mv0");
    CHECK(CONTAINS(text, "mv0@under0"), "mv0 sits on under0");
    CHECK(CONTAINS(text, "macvlan mode private"), "ip -d shows mode private");
    CHECK(CONTAINS(text, "link/ether 02:00:00:00:00:aa"), "ip shows the mac");

    /* A bridge, then two veths as its ports in one batch. */
    s = spec_new("bridge", "br0");
    OK(netns_link_add_spec(h, s, NULL), "add br0");
    netns_link_spec_free(s);
    OK(netns_link_batch_new(&b), "batch");
    s = spec_new("veth", "va");
    OK(netns_link_spec_peer(s, "vb"), "peer vb");
    OK(netns_link_spec_peer_mtu(s, 1300), "peer mtu");
    OK(netns_link_spec_master(s, "br0"), "master br0");
    OK(netns_link_batch_add_spec(b, s), "batch: veth va");
    netns_link_spec_free(s); /* the batch keeps its copy */
    s = spec_new("veth", "d9");
    OK(netns_link_spec_master(s, "br0"), "master br0");
    OK(netns_link_batch_add_spec(b, s), "batch: veth d9 (peer named by the kernel)");
    netns_link_spec_free(s);
    OK(netns_link_batch_send(h, b, NULL), "send the batch");
    OK(netns_link_index(h, "d9", &looked_up), "index of d9");
    CHECK(netns_link_batch_ifindex(b, 1) == looked_up, "the batch knows d9's index");
    netns_link_batch_free(b);
    CHECK(CONTAINS(ip_link(ns, "va"), "master br0"), "va is a port of br0");
    CHECK(CONTAINS(ip_link(ns, "vb"), "mtu 1300"), "vb has mtu 1300");
    CHECK(CONTAINS(ip_link(ns, "d9"), "master br0"), "d9 is a port of br0");

    /* Refusals before the kernel. */
    s = NULL;
    CHECK(netns_link_spec_new("bond", "b0", &s) == NETNS_INVALID_ARGUMENT && s == NULL,
          "an unknown kind is refused");
    CHECK(CONTAINS(netns_last_error_message(), "unknown link kind"), "... and says so");
    CHECK(netns_link_spec_new("ifb", "a/b", &s) == NETNS_INVALID_ARGUMENT, "a bad name is refused");
    s = spec_new("bridge", "br1");
    CHECK(netns_link_spec_vxlan_id(s, 5) == NETNS_INVALID_ARGUMENT, "vxlan id on a bridge: refused");
    CHECK(CONTAINS(netns_last_error_message(), "not an option of a bridge link"), "... and says so");
    CHECK(netns_link_spec_peer(s, "x") == NETNS_INVALID_ARGUMENT, "peer on a bridge: refused");
    CHECK(netns_link_spec_parent(s, "under0") == NETNS_INVALID_ARGUMENT, "parent on a bridge: refused");
    CHECK(netns_link_spec_mac(s, "01:00:5e:00:00:01") == NETNS_INVALID_ARGUMENT,
          "a multicast mac: refused");
    netns_link_spec_free(s);
    s = spec_new("vxlan", "vx9");
    CHECK(netns_link_spec_vxlan_id(s, 1u << 24) == NETNS_INVALID_ARGUMENT, "a 25-bit VNI: refused");
    CHECK(netns_link_add_spec(h, s, NULL) == NETNS_INVALID_ARGUMENT, "a vxlan without id: refused");
    CHECK(CONTAINS(netns_last_error_message(), "missing virtual network identifier"), "... and says so");
    netns_link_spec_free(s);
    s = spec_new("macvlan", "mv9");
    CHECK(netns_link_spec_macvlan_mode(s, "fast") == NETNS_INVALID_ARGUMENT, "an unknown mode: refused");
    CHECK(netns_link_add_spec(h, s, NULL) == NETNS_INVALID_ARGUMENT, "a macvlan without parent: refused");
    netns_link_spec_free(s);
    s = spec_new("macvlan", "mv9");
    OK(netns_link_spec_parent(s, "nosuch0"), "parent nosuch0 (looked up when sent)");
    CHECK(netns_link_add_spec(h, s, NULL) == NETNS_NOT_FOUND, "a missing lower device: not found");
    netns_link_spec_free(s);
    CHECK(netns_link_add_spec(h, NULL, NULL) == NETNS_NULL_ARGUMENT, "NULL spec");
    netns_link_spec_free(NULL);
}

static void spawning(const netns_ns *ns)
{
    const char *env_argv[] = {"env", NULL};
    const char *envp[] = {"FOO=bar baz", "ONLY=1", NULL};
    const char *empty[] = {NULL};
    const char *bad[] = {"NOEQUALS", NULL};
    const char *netns_argv[] = {"readlink", "/proc/self/ns/net", NULL};
    const char *sleeper[] = {"sleep", "30", NULL};
    char want[64];
    netns_child *c = NULL;
    netns_ns *by_pid = NULL;
    int status;

    CHECK(STREQ(run_in(ns, env_argv, envp, &status), "FOO=bar baz\nONLY=1\n"),
          "envp is exactly the child's environment");
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "env exited 0");
    CHECK(STREQ(run_in(ns, env_argv, empty, &status), ""), "an empty envp: no environment");
    setenv("NETNS_C_TEST_INHERITED", "yes", 1);
    CHECK(CONTAINS(run_in(ns, env_argv, NULL, &status), "NETNS_C_TEST_INHERITED=yes"),
          "NULL envp inherits the caller's");
    CHECK(netns_spawn(NULL, NULL, ns, env_argv, bad, -1, -1, -1, &c) == NETNS_INVALID_ARGUMENT,
          "an envp entry without '=' is refused");

    snprintf(want, sizeof want, "net:[%llu]\n", (unsigned long long)netns_ns_inode(ns));
    CHECK(STREQ(run_in(ns, netns_argv, NULL, &status), want), "spawned in the anonymous namespace");

    /* A process's namespace, opened by pid, then spawned in by handle. */
    OK(netns_spawn(NULL, NULL, ns, sleeper, NULL, -1, -1, -1, &c), "a sleeper in the namespace");
    OK(netns_ns_open_pid(netns_child_pid(c), &by_pid), "open the sleeper's namespace");
    CHECK(STREQ(run_in(by_pid, netns_argv, NULL, &status), want), "spawned in a pid's namespace");
    netns_ns_free(by_pid);
    OK(netns_child_kill(c, SIGKILL), "kill the sleeper");
    OK(netns_child_wait(c, &status), "wait");
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "ended by SIGKILL");
    netns_child_free(c);

    CHECK(netns_spawn(NULL, NULL, NULL, env_argv, NULL, -1, -1, -1, &c) == NETNS_NULL_ARGUMENT,
          "neither ns nor name: refused");
}

int main(void)
{
    netns_ns *ns = NULL;
    netns_handle *h = NULL;

    OK(netns_ns_new_anonymous_with_handle(&ns, &h), "an anonymous namespace with its handle");
    OK(netns_link_set_up(h, "lo"), "lo up");
    links(h, ns);
    spawning(ns);
    netns_handle_free(h);
    netns_ns_free(ns);
    return tap_done();
}
