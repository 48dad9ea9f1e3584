/*
 * Routes from C: an IPv4 route via an IPv6 gateway (RTA_VIA, `ip route add
 * 10.0.0.0/24 via inet6 fe80::1 dev v0`) built with netns_route_spec and
 * read back (netns_route_gateway, paths), compared with `ip route`; and
 * netns_route_flush's protocol and type filters, compared with what `ip`
 * shows is left. Run in a sandbox (scripts/sandbox.sh).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "sh.h"
#include "tap.h"

static char out[8192];

/* The output of `ip ARGS` (stderr too), in a static buffer. */
static const char *ip(const char *args)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ip %s 2>&1", args);
    return sh(cmd, out, sizeof out);
}

/* The listed route to `dst` (main table, IPv4), or NULL; the iterator is
 * returned in *it (free it). */
static const netns_route *find(netns_handle *h, const char *dst, netns_route_iter **it)
{
    const netns_route *r;
    *it = NULL;
    if (netns_routes(h, AF_INET, 254, it) != NETNS_OK) {
        return NULL;
    }
    while ((r = netns_route_iter_next(*it)) != NULL) {
        if (STREQ(netns_route_dst(r), dst)) {
            return r;
        }
    }
    return NULL;
}

static void via_inet6(netns_handle *h)
{
    netns_route_spec *s = NULL;
    netns_route_iter *it = NULL;
    const netns_route *r;

    OK(netns_route_spec_new("10.0.0.0/24", &s), "spec 10.0.0.0/24");
    OK(netns_route_spec_via(s, "fe80::1"), "via fe80::1 (IPv6 gateway of an IPv4 route)");
    OK(netns_route_spec_dev(s, "v0"), "dev v0");
    OK(netns_route_add_spec(h, s), "add: RTA_VIA");
    netns_route_spec_free(s);
    CHECK(STREQ(ip("route show 10.0.0.0/24"), "10.0.0.0/24 via inet6 fe80::1 dev v0 \n"),
          "ip shows via inet6 fe80::1");

    ip("route add 10.0.1.0/24 nexthop via inet6 fe80::2 dev v0 nexthop via inet6 fe80::3 dev v1");
    r = find(h, "10.0.0.0/24", &it);
    CHECK(r != NULL && STREQ(netns_route_gateway(r), "fe80::1") && netns_route_family(r) == AF_INET,
          "read back: an IPv4 route whose gateway is fe80::1");
    netns_route_iter_free(it);
    r = find(h, "10.0.1.0/24", &it);
    CHECK(r != NULL && netns_route_nexthop_count(r) == 2 &&
              STREQ(netns_route_nexthop_gateway(r, 0), "fe80::2") &&
              STREQ(netns_route_nexthop_gateway(r, 1), "fe80::3"),
          "read back: the paths' IPv6 gateways");
    netns_route_iter_free(it);

    OK(netns_route_spec_new("2001:db8::/64", &s), "spec 2001:db8::/64");
    OK(netns_route_spec_via(s, "10.0.0.1"), "via 10.0.0.1");
    OK(netns_route_spec_dev(s, "v0"), "dev v0");
    CHECK(netns_route_add_spec(h, s) == NETNS_INVALID_ARGUMENT, "an IPv6 route via IPv4: refused");
    CHECK(CONTAINS(netns_last_error_message(), "RTA_VIA"), "... and says why");
    netns_route_spec_free(s);
}

static void flush_filters(netns_handle *h)
{
    size_t removed = 99;

    ip("route add 10.5.1.0/24 dev v0 proto static");
    ip("route add 10.5.2.0/24 dev v0 proto static");
    ip("route add 10.5.3.0/24 dev v0 proto bird");
    ip("route add blackhole 10.5.4.0/24");
    ip("route add blackhole 10.5.5.0/24 proto static");

    CHECK(netns_route_flush(h, 254, NULL, AF_INET, "nosuchproto", NULL, &removed) ==
                  NETNS_INVALID_ARGUMENT &&
              removed == 99,
          "an unknown protocol name: refused, nothing written");
    CHECK(netns_route_flush(h, 254, NULL, AF_INET, NULL, "nosuchtype", NULL) == NETNS_INVALID_ARGUMENT,
          "an unknown type name: refused");

    OK(netns_route_flush(h, 254, NULL, AF_INET, "static", "unicast", &removed),
       "flush proto static type unicast");
    CHECK(removed == 2, "two static unicast routes removed");
    ip("route show");
    CHECK(!CONTAINS(out, "10.5.1.0/24") && !CONTAINS(out, "10.5.2.0/24"), "the static ones are gone");
    CHECK(CONTAINS(out, "10.5.3.0/24 dev v0 proto bird"), "the bird one is left");
    CHECK(CONTAINS(out, "blackhole 10.5.5.0/24 proto static"), "the static blackhole is left");

    OK(netns_route_flush(h, 254, NULL, AF_INET, NULL, "blackhole", &removed), "flush type blackhole");
    CHECK(removed == 2, "both blackholes removed");
    OK(netns_route_flush(h, 254, NULL, AF_INET, "12", NULL, &removed), "flush proto 12 (bird, by number)");
    CHECK(removed == 1, "the bird route removed");
    ip("route show");
    CHECK(!CONTAINS(out, "10.5."), "nothing of 10.5.0.0/16 left");
    CHECK(CONTAINS(out, "10.0.0.0/24 via inet6 fe80::1 dev v0"), "the RTA_VIA route untouched");
    OK(netns_route_flush(h, 254, "v0", AF_INET, NULL, NULL, &removed), "flush dev v0");
    CHECK(removed == 1, "the RTA_VIA route flushed (sent back as dumped)");
    ip("route show");
    CHECK(!CONTAINS(out, "10.0.0.0/24") && CONTAINS(out, "10.0.1.0/24"),
          "... and the multipath one left, as ip route flush dev v0 leaves it");
    OK(netns_route_flush(h, 254, NULL, AF_INET, NULL, NULL, &removed), "flush table main");
    CHECK(!CONTAINS(ip("route show"), "10.0.1.0/24"), "the RTA_VIA paths flushed (sent back as dumped)");
}

int main(void)
{
    netns_handle *h = NULL;

    OK(netns_handle_current(&h), "handle on the sandbox");
    ip("link add v0 type veth peer name v1");
    OK(netns_link_set_up(h, "v0"), "v0 up");
    OK(netns_link_set_up(h, "v1"), "v1 up");
    via_inet6(h);
    flush_filters(h);
    netns_handle_free(h);
    return tap_done();
}
