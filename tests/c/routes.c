/*
 * Routes with every attribute from C: the netns_route_spec builder (table,
 * metric, src, scope, protocol, type, mtu, advmss, onlink, multipath
 * nexthops), add/replace/del by spec, route types in iproute2's tables,
 * netns_route_get (from/iif/oif/mark/fibmatch), netns_route_flush, and the
 * accessors of the new fields; each result compared with what `ip` shows in
 * the same namespace. Run in a sandbox (scripts/sandbox.sh).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "sh.h"
#include "tap.h"

static char out[8192];

/* The output of `ip -n rt ARGS` (stderr too), in a static buffer. */
static const char *ip(const char *args)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ip -n rt %s 2>&1", args);
    return sh(cmd, out, sizeof out);
}

/* A builder for `dst`, or NULL after a failed check. */
static netns_route_spec *spec_new(const char *dst)
{
    netns_route_spec *s = NULL;
    OK(netns_route_spec_new(dst, &s), "route_spec_new");
    return s;
}

/* The one route of a netns_route_get answer (the iterator keeps it). */
static const netns_route *only(netns_route_iter *it)
{
    return it != NULL && netns_route_iter_len(it) == 1 ? netns_route_iter_next(it) : NULL;
}

int main(void)
{
    netns_registry *reg = NULL;
    netns_ns *ns = NULL;
    netns_handle *h = NULL;
    netns_route_spec *s = NULL;
    netns_route_iter *it = NULL;
    const netns_route *r;
    uint32_t veth0 = 0, veth2 = 0;
    size_t removed = 99;
    int found;

    OK(netns_registry_from_env(&reg), "registry from the environment");
    OK(netns_add_with_handle(reg, "rt", &ns, &h), "namespace rt with its handle");
    OK(netns_link_set_up(h, "lo"), "lo up");
    OK(netns_link_add_veth(h, "veth0", "veth1", NULL), "veth0/veth1");
    OK(netns_link_add_veth(h, "veth2", "veth3", NULL), "veth2/veth3");
    OK(netns_link_set_up(h, "veth0"), "veth0 up");
    OK(netns_link_set_up(h, "veth1"), "veth1 up");
    OK(netns_link_set_up(h, "veth2"), "veth2 up");
    OK(netns_link_set_up(h, "veth3"), "veth3 up");
    OK(netns_addr_add(h, "veth0", "10.1.1.1/24"), "10.1.1.1/24 on veth0");
    OK(netns_addr_add(h, "veth2", "10.2.2.1/24"), "10.2.2.1/24 on veth2");
    OK(netns_link_index(h, "veth0", &veth0), "index of veth0");
    OK(netns_link_index(h, "veth2", &veth2), "index of veth2");

    /* Every attribute of a unicast route. */
    s = spec_new("10.6.0.0/16");
    OK(netns_route_spec_via(s, "10.1.1.2"), "via");
    OK(netns_route_spec_table(s, 100), "table 100");
    OK(netns_route_spec_metric(s, 7), "metric 7");
    OK(netns_route_spec_src(s, "10.1.1.1"), "src");
    OK(netns_route_spec_protocol(s, "static"), "proto static");
    OK(netns_route_spec_scope(s, "global"), "scope global");
    OK(netns_route_spec_mtu(s, 1400), "mtu");
    OK(netns_route_spec_advmss(s, 1360), "advmss");
    OK(netns_route_add_spec(h, s), "add the route");
    CHECK(STREQ(ip("route show table 100"),
                "10.6.0.0/16 via 10.1.1.2 dev veth0 proto static src 10.1.1.1 metric 7 mtu 1400 advmss 1360 \n"),
          "ip shows every attribute as given");
    CHECK(netns_route_add_spec(h, s) == NETNS_ALREADY_EXISTS, "adding it again: already exists");
    OK(netns_routes(h, AF_INET, 100, &it), "list table 100");
    r = netns_route_iter_next(it);
    CHECK(r != NULL && STREQ(netns_route_dst(r), "10.6.0.0/16") && netns_route_mtu(r) == 1400 &&
              netns_route_advmss(r) == 1360 && netns_route_metric(r) == 7 && netns_route_protocol(r) == 4 &&
              netns_route_table(r) == 100 && STREQ(netns_route_prefsrc(r), "10.1.1.1") &&
              netns_route_nexthop_count(r) == 0 && netns_route_nhid(r) == 0,
          "the listing reads them back");
    netns_route_iter_free(it);
    it = NULL;
    /* replace: the same route, another metric value set. */
    OK(netns_route_spec_mtu(s, 1300), "mtu 1300");
    OK(netns_route_replace_spec(h, s), "replace it");
    CHECK(CONTAINS(ip("route show table 100"), "mtu 1300 advmss 1360"), "ip shows the new mtu");
    OK(netns_route_del_spec(h, s), "delete it by the same spec");
    CHECK(STREQ(ip("route show table 100"), ""), "table 100 is empty");
    netns_route_spec_free(s);

    /* A local route goes to table local, as ip puts it. */
    s = spec_new("10.77.0.1");
    OK(netns_route_spec_dev(s, "veth0"), "dev veth0");
    OK(netns_route_spec_type(s, "local"), "type local");
    OK(netns_route_add_spec(h, s), "add local 10.77.0.1 dev veth0");
    CHECK(!CONTAINS(ip("route show"), "10.77.0.1"), "not in main");
    CHECK(CONTAINS(ip("route show table local"), "local 10.77.0.1 dev veth0 scope host"),
          "in table local, as ip shows");
    OK(netns_route_del_spec(h, s), "delete it (found in table local)");
    CHECK(!CONTAINS(ip("route show table local"), "10.77.0.1 "), "gone from table local");
    netns_route_spec_free(s);

    /* Multipath. */
    s = spec_new("10.9.0.0/16");
    OK(netns_route_spec_nexthop(s, "10.1.1.2", "veth0", 2, false), "nexthop via 10.1.1.2 weight 2");
    OK(netns_route_spec_nexthop(s, "10.2.2.2", "veth2", 0, false), "nexthop via 10.2.2.2");
    OK(netns_route_add_spec(h, s), "add the multipath route");
    netns_route_spec_free(s);
    CHECK(STREQ(ip("route show 10.9.0.0/16"), "10.9.0.0/16 \n\tnexthop via 10.1.1.2 dev veth0 weight 2 "
                                               "\n\tnexthop via 10.2.2.2 dev veth2 weight 1 \n"),
          "ip shows both paths");
    OK(netns_routes(h, AF_INET, 254, &it), "list main");
    found = 0;
    while ((r = netns_route_iter_next(it)) != NULL) {
        if (STREQ(netns_route_dst(r), "10.9.0.0/16")) {
            found = netns_route_nexthop_count(r) == 2 && netns_route_gateway(r) == NULL &&
                    STREQ(netns_route_nexthop_gateway(r, 0), "10.1.1.2") &&
                    netns_route_nexthop_oif(r, 0) == veth0 && netns_route_nexthop_weight(r, 0) == 2 &&
                    STREQ(netns_route_nexthop_gateway(r, 1), "10.2.2.2") &&
                    netns_route_nexthop_oif(r, 1) == veth2 && netns_route_nexthop_weight(r, 1) == 1 &&
                    netns_route_nexthop_gateway(r, 2) == NULL && netns_route_nexthop_weight(r, 2) == 0;
        }
    }
    CHECK(found, "the listing reads both paths back, and no third");
    netns_route_iter_free(it);
    it = NULL;
    s = spec_new("10.7.0.0/16");
    OK(netns_route_spec_nexthop(s, "10.1.1.2", NULL, 257, false), "a weight of 257 is stored");
    CHECK(netns_route_add_spec(h, s) == NETNS_INVALID_ARGUMENT &&
              CONTAINS(netns_last_error_message(), "weight 257"),
          "and refused before the kernel");
    netns_route_spec_free(s);

    /* onlink: a gateway no route reaches. */
    s = spec_new("10.5.0.0/16");
    OK(netns_route_spec_via(s, "192.0.2.1"), "via 192.0.2.1");
    OK(netns_route_spec_dev(s, "veth2"), "dev veth2");
    CHECK(netns_route_add_spec(h, s) != NETNS_OK && CONTAINS(netns_last_error_message(), "kernel:"),
          "refused by the kernel without onlink");
    OK(netns_route_spec_onlink(s, true), "onlink");
    OK(netns_route_add_spec(h, s), "accepted with onlink");
    netns_route_spec_free(s);
    CHECK(STREQ(ip("route show 10.5.0.0/16"), "10.5.0.0/16 via 192.0.2.1 dev veth2 onlink \n"),
          "ip shows it onlink");

    /* An IPv6 default route without a gateway: the family says which. */
    s = spec_new(NULL);
    OK(netns_route_spec_dev(s, "veth2"), "dev veth2");
    OK(netns_route_spec_family(s, AF_INET6), "family inet6");
    OK(netns_route_spec_table(s, 101), "table 101");
    OK(netns_route_add_spec(h, s), "add default dev veth2 (IPv6)");
    netns_route_spec_free(s);
    CHECK(CONTAINS(ip("-6 route show table 101"), "default dev veth2 metric 1024 "),
          "ip -6 shows it");

    /* route get. */
    s = spec_new("10.6.0.0/16");
    OK(netns_route_spec_via(s, "10.1.1.2"), "via");
    OK(netns_route_add_spec(h, s), "10.6.0.0/16 via 10.1.1.2 in main");
    netns_route_spec_free(s);
    OK(netns_route_get(h, "10.6.1.1", NULL, NULL, NULL, 0, false, &it), "route get 10.6.1.1");
    r = only(it);
    CHECK(r != NULL && STREQ(netns_route_gateway(r), "10.1.1.2") && netns_route_oif(r) == veth0 &&
              STREQ(netns_route_prefsrc(r), "10.1.1.1") && STREQ(netns_route_dst(r), "10.6.1.1/32"),
          "the answer: via 10.1.1.2 dev veth0 src 10.1.1.1");
    CHECK(CONTAINS(ip("route get 10.6.1.1"), "10.6.1.1 via 10.1.1.2 dev veth0 src 10.1.1.1 "),
          "ip route get says the same");
    netns_route_iter_free(it);
    it = NULL;
    OK(netns_route_get(h, "10.6.1.1", NULL, NULL, NULL, 0, true, &it), "route get fibmatch");
    r = only(it);
    CHECK(r != NULL && STREQ(netns_route_dst(r), "10.6.0.0/16"), "fibmatch gives the FIB entry");
    netns_route_iter_free(it);
    it = NULL;
    OK(netns_route_get(h, "10.6.1.1", NULL, NULL, "veth2", 0, false, &it), "route get oif veth2");
    r = only(it);
    CHECK(r != NULL && netns_route_oif(r) == veth2, "oif picks the way out");
    CHECK(CONTAINS(ip("route get 10.6.1.1 oif veth2"), "10.6.1.1 dev veth2 "), "as ip's");
    netns_route_iter_free(it);
    it = NULL;
    OK(netns_route_get(h, "10.2.2.9", "10.2.2.1", NULL, NULL, 5, false, &it), "route get from, mark");
    r = only(it);
    CHECK(r != NULL && netns_route_oif(r) == veth2 && netns_route_gateway(r) == NULL, "dev veth2, no gateway");
    CHECK(CONTAINS(ip("route get 10.2.2.9 from 10.2.2.1 mark 5"), "10.2.2.9 from 10.2.2.1 dev veth2 "), "as ip's");
    netns_route_iter_free(it);
    it = NULL;
    OK(netns_route_get(h, "10.1.1.1", "10.2.2.2", "veth2", NULL, 0, false, &it), "route get from, iif veth2");
    r = only(it);
    CHECK(r != NULL && netns_route_iif(r) == veth2 && netns_route_type(r) == 2, "a local delivery, in from veth2");
    CHECK(CONTAINS(ip("route get 10.1.1.1 from 10.2.2.2 iif veth2"), "local 10.1.1.1 from 10.2.2.2 dev lo "),
          "as ip's");
    netns_route_iter_free(it);
    it = NULL;
    CHECK(netns_route_get(h, "10.6.1.1", NULL, NULL, "nosuch0", 0, false, &it) == NETNS_NOT_FOUND && it == NULL,
          "a missing oif: not found, nothing written");
    CHECK(netns_route_get(h, "10.6.0.0/16", NULL, NULL, NULL, 0, false, &it) == NETNS_INVALID_ARGUMENT,
          "a prefix is not an address");
    CHECK(netns_route_get(h, NULL, NULL, NULL, NULL, 0, false, &it) == NETNS_NULL_ARGUMENT, "dst NULL");
    CHECK(netns_route_get(h, "10.6.1.1", NULL, NULL, NULL, 0, false, NULL) == NETNS_NULL_ARGUMENT,
          "out NULL");

    /* flush. */
    s = spec_new("10.11.0.0/16");
    OK(netns_route_spec_dev(s, "veth0"), "dev veth0");
    OK(netns_route_add_spec(h, s), "10.11.0.0/16 dev veth0");
    netns_route_spec_free(s);
    s = spec_new("10.13.0.0/16");
    OK(netns_route_spec_dev(s, "veth2"), "dev veth2");
    OK(netns_route_spec_table(s, 100), "table 100");
    OK(netns_route_add_spec(h, s), "10.13.0.0/16 dev veth2 table 100");
    netns_route_spec_free(s);
    CHECK(netns_route_flush(h, 254, "nosuch0", AF_INET, NULL, NULL, &removed) == NETNS_NOT_FOUND && removed == 99,
          "flush of a missing device: not found, nothing written");
    OK(netns_route_flush(h, 254, "veth0", AF_INET, NULL, NULL, &removed), "flush dev veth0 (main)");
    /* As `ip route flush dev veth0`: the routes whose own device is veth0;
     * the multipath 10.9/16 (one path on veth0) stays, as ip leaves it. */
    CHECK(removed == 3, "3 routes: 10.11/16, 10.6/16 and the prefix route");
    CHECK(STARTS(ip("route show"), "10.2.2.0/24 dev veth2 proto kernel scope link src 10.2.2.1 \n"
                                   "10.5.0.0/16 via 192.0.2.1 dev veth2 onlink \n"
                                   "10.9.0.0/16 \n"),
          "ip shows veth2's routes and the multipath route left");
    CHECK(STREQ(ip("route show table 100"), "10.13.0.0/16 dev veth2 scope link \n"), "table 100 untouched");
    OK(netns_route_flush(h, 100, NULL, 0, NULL, NULL, NULL), "flush table 100 (no count wanted)");
    CHECK(STREQ(ip("route show table 100"), ""), "table 100 empty");
    OK(netns_route_flush(h, 0, NULL, AF_INET, NULL, NULL, &removed), "flush every IPv4 table");
    CHECK(removed > 0 && STREQ(ip("-4 route show table all"), ""), "ip -4 shows no route in any table");

    /* NULLs and bad input. */
    CHECK(netns_route_spec_new("10.0.0.0/33", &s) == NETNS_INVALID_ARGUMENT, "a bad prefix");
    CHECK(netns_route_spec_new("10.0.0.0/8", NULL) == NETNS_NULL_ARGUMENT, "out NULL");
    CHECK(netns_route_spec_via(NULL, "10.1.1.2") == NETNS_NULL_ARGUMENT, "via on NULL");
    s = spec_new("10.0.0.0/8");
    CHECK(netns_route_spec_via(s, "nope") == NETNS_INVALID_ARGUMENT, "a bad gateway");
    CHECK(netns_route_spec_type(s, "teleport") == NETNS_INVALID_ARGUMENT &&
              CONTAINS(netns_last_error_message(), "teleport"),
          "an unknown type, named in the message");
    CHECK(netns_route_spec_scope(s, "nowhere-near") == NETNS_INVALID_ARGUMENT, "an unknown scope");
    CHECK(netns_route_spec_protocol(s, NULL) == NETNS_NULL_ARGUMENT, "protocol NULL");
    CHECK(netns_route_spec_table(s, 0) == NETNS_INVALID_ARGUMENT, "table 0");
    CHECK(netns_route_spec_family(s, 99) == NETNS_INVALID_ARGUMENT, "family 99");
    CHECK(netns_route_spec_nexthop(s, "bad", NULL, 0, false) == NETNS_INVALID_ARGUMENT, "a bad nexthop gateway");
    CHECK(netns_route_add_spec(h, NULL) == NETNS_NULL_ARGUMENT && netns_route_add_spec(NULL, s) == NETNS_NULL_ARGUMENT,
          "add_spec with NULLs");
    netns_route_spec_free(s);
    netns_route_spec_free(NULL);
    CHECK(netns_route_mtu(NULL) == 0 && netns_route_nexthop_count(NULL) == 0 &&
              netns_route_nexthop_gateway(NULL, 0) == NULL && netns_route_nexthop_oif(NULL, 0) == 0,
          "accessors on NULL");
    CHECK(netns_route_flush(NULL, 254, NULL, 0, NULL, NULL, NULL) == NETNS_NULL_ARGUMENT, "flush(NULL h)");

    netns_handle_free(h);
    netns_ns_free(ns);
    OK(netns_delete(reg, "rt"), "delete rt");
    netns_registry_free(reg);
    return tap_done();
}
