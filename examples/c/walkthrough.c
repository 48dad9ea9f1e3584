/*
 * The LWN "network namespaces" walk-through with libnetns:
 *
 *   netns1 with its loopback up, a veth pair whose peer is born inside it,
 *   10.1.1.1/24 inside and 10.1.1.2/24 outside, ping both ways, the routes
 *   inside, then delete.
 *
 * Build against an installed libnetns:  make        (uses pkg-config netns)
 * Run as root, ideally in a throwaway namespace:  unshare -n -m ./walkthrough
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netns.h>

/* Stops the program with the library's message when a call fails. */
static void check(netns_result r, const char *what)
{
    if (r != NETNS_OK) {
        fprintf(stderr, "walkthrough: %s: %s [%s]\n", what, netns_last_error_message(),
                netns_result_str(r));
        exit(1);
    }
    printf("%s\n", what);
}

static void ping(const netns_registry *reg, const char *ns, const char *addr)
{
    const char *const argv[] = {"ping", "-c", "1", "-W", "2", addr, NULL};
    int status = -1;
    check(netns_exec(reg, ns, argv, &status), "exec ping");
    if (status != 0) {
        fprintf(stderr, "walkthrough: ping %s from %s: exit status %d\n", addr, ns, status);
        exit(1);
    }
}

int main(void)
{
    netns_registry *reg;
    netns_ns *ns1;
    netns_handle *here, *inside;
    netns_route_iter *routes;
    const netns_route *r;
    int seen = 0;

    printf("libnetns %s\n", netns_version());
    check(netns_registry_from_env(&reg), "registry");
    check(netns_add(reg, "netns1", &ns1), "netns add netns1");
    check(netns_ns_handle(ns1, &inside), "handle on netns1");
    check(netns_link_set_up(inside, "lo"), "netns1: link set dev lo up");
    check(netns_handle_current(&here), "handle on this namespace");
    check(netns_link_add_veth(here, "veth0", "veth1", ns1), "link add veth0 type veth peer veth1 (in netns1)");
    check(netns_addr_add(inside, "veth1", "10.1.1.1/24"), "netns1: addr add 10.1.1.1/24 dev veth1");
    check(netns_link_set_up(inside, "veth1"), "netns1: link set veth1 up");
    check(netns_addr_add(here, "veth0", "10.1.1.2/24"), "addr add 10.1.1.2/24 dev veth0");
    check(netns_link_set_up(here, "veth0"), "link set veth0 up");

    /* This namespace gets a name too, so that ping can be exec'd in it. */
    check(netns_attach(reg, "here", (int32_t)getpid(), NULL), "netns attach here PID");
    ping(reg, "here", "10.1.1.1");
    ping(reg, "netns1", "10.1.1.2");

    check(netns_routes(inside, AF_INET, 254, &routes), "netns1: route");
    while ((r = netns_route_iter_next(routes)) != NULL) {
        printf("  %s dev #%u\n", netns_route_dst(r), netns_route_oif(r));
        seen++;
    }
    netns_route_iter_free(routes);
    if (seen != 1) {
        fprintf(stderr, "walkthrough: expected one route in netns1, saw %d\n", seen);
        return 1;
    }

    netns_handle_free(inside);
    netns_handle_free(here);
    netns_ns_free(ns1);
    check(netns_delete(reg, "here"), "netns delete here");
    check(netns_delete(reg, "netns1"), "netns delete netns1");
    netns_registry_free(reg);
    printf("walk-through done\n");
    return 0;
}
