/*
 * The LWN walk-through, from C: a namespace, its loopback, a veth pair with
 * one end born inside, addresses, ping both ways, the namespace's routes,
 * delete. Run in a sandbox (scripts/sandbox.sh): the "root" namespace here is
 * the sandbox's own.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <sys/socket.h>

#include "tap.h"

static int run(const netns_registry *reg, const char *ns, const char *const *argv)
{
    int status = -1;
    if (netns_exec(reg, ns, argv, &status) != NETNS_OK) {
        return -1;
    }
    return status;
}

int main(void)
{
    netns_registry *reg = NULL;
    netns_ns *ns1 = NULL;
    netns_handle *h0 = NULL, *h1 = NULL;
    netns_entry_iter *entries = NULL;
    netns_link_iter *links = NULL;
    netns_addr_iter *addrs = NULL;
    netns_route_iter *routes = NULL;
    const netns_entry *e;
    const netns_link *l;
    const netns_addr *a;
    const netns_route *r;
    uint32_t veth1 = 0;
    int32_t id = -2;
    size_t n;
    const char *const ping_lo[] = {"ping", "-c", "1", "-W", "1", "127.0.0.1", NULL};
    const char *const ping_in[] = {"ping", "-c", "1", "-W", "2", "10.1.1.2", NULL};

    OK(netns_registry_from_env(&reg), "registry from the environment");
    OK(netns_add(reg, "netns1", &ns1), "add netns1");
    OK(netns_list(reg, &entries), "list");
    e = netns_entry_iter_next(entries);
    CHECK(netns_entry_iter_len(entries) == 1 && STREQ(netns_entry_name(e), "netns1") &&
              !netns_entry_is_stale(e),
          "list shows netns1, not stale");
    CHECK(netns_entry_iter_next(entries) == NULL, "the listing ends");
    netns_entry_iter_free(entries);
    entries = NULL;

    OK(netns_ns_handle(ns1, &h1), "handle on netns1");
    OK(netns_links(h1, &links), "list netns1's links");
    l = netns_link_iter_next(links);
    CHECK(netns_link_iter_len(links) == 1 && STREQ(netns_link_name(l), "lo") && !netns_link_is_up(l),
          "netns1 has only lo, and lo is down");
    netns_link_iter_free(links);
    links = NULL;
    CHECK(run(reg, "netns1", ping_lo) > 0, "ping 127.0.0.1 fails while lo is down");
    OK(netns_link_set_up(h1, "lo"), "lo up in netns1");
    CHECK(run(reg, "netns1", ping_lo) == 0, "ping 127.0.0.1 in netns1 answers");

    OK(netns_handle_current(&h0), "handle on the caller's namespace");
    OK(netns_link_add_veth(h0, "veth0", "veth1", ns1), "veth0 here, peer veth1 born in netns1");
    OK(netns_link_index(h1, "veth1", &veth1), "veth1 is in netns1");
    OK(netns_addr_add(h1, "veth1", "10.1.1.1/24"), "10.1.1.1/24 on veth1 (netns1)");
    OK(netns_link_set_up(h1, "veth1"), "veth1 up");
    OK(netns_addr_add(h0, "veth0", "10.1.1.2/24"), "10.1.1.2/24 on veth0");
    OK(netns_link_set_up(h0, "veth0"), "veth0 up");

    /* The caller's own namespace (the sandbox's "root") needs no library call. */
    CHECK(system("ping -c 1 -W 2 10.1.1.1 >/dev/null") == 0, "ping 10.1.1.1 from the root namespace answers");
    CHECK(run(reg, "netns1", ping_in) == 0, "ping 10.1.1.2 from netns1 answers");

    OK(netns_addrs(h1, "veth1", AF_INET, &addrs), "list veth1's addresses");
    a = netns_addr_iter_next(addrs);
    CHECK(netns_addr_iter_len(addrs) == 1 && STREQ(netns_addr_cidr(a), "10.1.1.1/24") &&
              netns_addr_ifindex(a) == veth1,
          "veth1 has 10.1.1.1/24");
    netns_addr_iter_free(addrs);
    addrs = NULL;

    OK(netns_routes(h1, AF_INET, 254, &routes), "list netns1's main routes");
    n = netns_route_iter_len(routes);
    r = netns_route_iter_next(routes);
    CHECK(n == 1 && STREQ(netns_route_dst(r), "10.1.1.0/24") && netns_route_oif(r) == veth1 &&
              netns_route_gateway(r) == NULL,
          "netns1's only route is 10.1.1.0/24 dev veth1");
    netns_route_iter_free(routes);
    routes = NULL;

    OK(netns_get_id(reg, "netns1", &id), "nsid of netns1");
    OK(netns_list(reg, &entries), "list again");
    n = 0;
    while ((e = netns_entry_iter_next(entries)) != NULL) {
        if (STREQ(netns_entry_name(e), "netns1")) {
            n = netns_entry_id(e) == id ? 1 : 0;
        }
    }
    CHECK(netns_entry_iter_len(entries) == 1 && n == 1, "list shows netns1 with its id");
    netns_entry_iter_free(entries);
    entries = NULL;

    netns_handle_free(h1);
    netns_ns_free(ns1);
    OK(netns_delete(reg, "netns1"), "delete netns1");
    OK(netns_list(reg, &entries), "list after delete");
    CHECK(netns_entry_iter_len(entries) == 0, "the registry is empty");
    netns_entry_iter_free(entries);
    netns_handle_free(h0);
    netns_registry_free(reg);
    return tap_done();
}
