/*
 * Nexthop objects from C (`ip nexthop`): a gateway, a blackhole, groups
 * with weights and a resilient group built with the spec setters; the
 * lines the library formats are compared with what `ip nexthop show`
 * prints for the same namespace; a route through a nexthop id; get, the
 * refusals (errno and the kernel's words), delete and flush.
 * Run in a sandbox (scripts/sandbox.sh).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>

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

/* Builds and adds one nexthop; `build` sets it up. */
static netns_result add(netns_handle *h, uint32_t id, netns_result (*build)(netns_nexthop_spec *))
{
    netns_nexthop_spec *s = NULL;
    netns_result r = netns_nexthop_spec_new(id, &s);
    if (r == NETNS_OK) {
        r = build(s);
    }
    if (r == NETNS_OK) {
        r = netns_nexthop_add(h, s);
    }
    netns_nexthop_spec_free(s);
    return r;
}

static netns_result gateway(netns_nexthop_spec *s)
{
    netns_result r = netns_nexthop_spec_via(s, "10.9.0.2");
    return r != NETNS_OK ? r : netns_nexthop_spec_dev(s, "d0");
}

static netns_result gateway_onlink(netns_nexthop_spec *s)
{
    netns_result r = netns_nexthop_spec_via(s, "10.9.0.3");
    r = r != NETNS_OK ? r : netns_nexthop_spec_dev(s, "d0");
    return r != NETNS_OK ? r : netns_nexthop_spec_onlink(s, true);
}

static netns_result blackhole(netns_nexthop_spec *s)
{
    netns_result r = netns_nexthop_spec_blackhole(s);
    return r != NETNS_OK ? r : netns_nexthop_spec_protocol(s, "static");
}

static netns_result group(netns_nexthop_spec *s)
{
    return netns_nexthop_spec_group(s, "1/2");
}

static netns_result weighted(netns_nexthop_spec *s)
{
    netns_result r = netns_nexthop_spec_member(s, 1, 10);
    return r != NETNS_OK ? r : netns_nexthop_spec_member(s, 2, 20);
}

static netns_result resilient(netns_nexthop_spec *s)
{
    netns_result r = netns_nexthop_spec_group(s, "1/2");
    r = r != NETNS_OK ? r : netns_nexthop_spec_buckets(s, 8);
    return r != NETNS_OK ? r : netns_nexthop_spec_timers(s, 120, 0);
}

static netns_result missing_member(netns_nexthop_spec *s)
{
    return netns_nexthop_spec_group(s, "1/42");
}

static netns_result bad_blackhole(netns_nexthop_spec *s)
{
    netns_result r = netns_nexthop_spec_blackhole(s);
    return r != NETNS_OK ? r : netns_nexthop_spec_dev(s, "d0");
}

static netns_result no_such_dev(netns_nexthop_spec *s)
{
    netns_result r = netns_nexthop_spec_via(s, "10.9.0.2");
    return r != NETNS_OK ? r : netns_nexthop_spec_dev(s, "nosuch");
}

int main(void)
{
    netns_handle *h = NULL;
    netns_nexthop_iter *it = NULL;
    const netns_nexthop *n;
    netns_nexthop *got = NULL;
    netns_nexthop_spec *s = NULL;
    netns_route_spec *route = NULL;
    char ours[4096] = "", theirs[4096];
    size_t flushed = 0;

    OK(netns_handle_current(&h), "handle on the sandbox");
    OK(netns_link_add_veth(h, "d0", "d0p", NULL), "veth d0");
    OK(netns_addr_add(h, "d0", "10.9.0.1/24"), "address on d0");
    OK(netns_link_set_up(h, "d0"), "d0 up");
    OK(netns_link_set_up(h, "d0p"), "d0p up (carrier)");
    OK(netns_link_set_up(h, "lo"), "lo up (blackholes need it)");

    OK(add(h, 1, gateway), "nexthop 1 via 10.9.0.2 dev d0");
    OK(add(h, 2, gateway_onlink), "nexthop 2 via 10.9.0.3 dev d0 onlink");
    OK(add(h, 3, group), "nexthop 3 group 1/2");
    OK(add(h, 4, blackhole), "nexthop 4 blackhole proto static");
    OK(add(h, 5, weighted), "nexthop 5 group 1,10/2,20");
    OK(add(h, 8, resilient), "nexthop 8 resilient group");

    /* Our lines are ip's lines. */
    OK(netns_nexthops(h, 0, NULL, 0, &it), "list nexthops");
    CHECK(netns_nexthop_iter_len(it) == 6, "six nexthops");
    while ((n = netns_nexthop_iter_next(it)) != NULL) {
        strcat(ours, netns_nexthop_line(n));
        strcat(ours, "\n");
    }
    netns_nexthop_iter_free(it);
    it = NULL;
    trim_lines(sh("ip nexthop show", theirs, sizeof theirs));
    CHECK(STREQ(ours, theirs), "lines as ip nexthop show prints them");
    if (!STREQ(ours, theirs)) {
        printf("# ours:\n%s# ip:\n%s", ours, theirs);
    }
    CHECK(CONTAINS(ours, "id 5 group 1,10/2,20\n"), "weights as ip prints them");
    CHECK(CONTAINS(ours, "id 4 blackhole proto static\n"), "blackhole line");

    /* Kernel-side filters. */
    OK(netns_nexthops(h, 0, NULL, NETNS_NEXTHOP_GROUPS, &it), "list groups");
    CHECK(netns_nexthop_iter_len(it) == 3, "three groups");
    netns_nexthop_iter_free(it);
    it = NULL;
    OK(netns_nexthops(h, 0, "d0", 0, &it), "list nexthops of d0");
    CHECK(netns_nexthop_iter_len(it) == 2, "two out of d0");
    n = netns_nexthop_iter_next(it);
    CHECK(n != NULL && STREQ(netns_nexthop_dev(n), "d0") && netns_nexthop_oif(n) != 0, "device named");
    netns_nexthop_iter_free(it);
    it = NULL;

    /* get */
    OK(netns_nexthop_get(h, 5, &got), "get nexthop 5");
    CHECK(netns_nexthop_group_count(got) == 2 && netns_nexthop_group_id(got, 1) == 2 &&
              netns_nexthop_group_weight(got, 1) == 20 && netns_nexthop_group_weight(got, 2) == 0,
          "members and weights");
    netns_nexthop_free(got);
    got = NULL;
    OK(netns_nexthop_get(h, 2, &got), "get nexthop 2");
    CHECK(STREQ(netns_nexthop_gateway(got), "10.9.0.3") && (netns_nexthop_flags(got) & 0x4) != 0 &&
              netns_nexthop_family(got) == 2,
          "gateway, onlink, AF_INET");
    netns_nexthop_free(got);
    got = NULL;
    OK(netns_nexthop_get(h, 8, &got), "get nexthop 8");
    CHECK(netns_nexthop_group_type(got) == 1, "resilient");
    netns_nexthop_free(got);
    got = NULL;
    OK(netns_nexthop_get(h, 4, &got), "get nexthop 4");
    CHECK(netns_nexthop_is_blackhole(got) && netns_nexthop_protocol(got) == 4, "blackhole, static");
    netns_nexthop_free(got);
    got = NULL;

    /* A route through nexthop 3. */
    OK(netns_route_spec_new("10.50.0.0/16", &route), "route spec");
    OK(netns_route_spec_nhid(route, 3), "nhid 3");
    OK(netns_route_add_spec(h, route), "route 10.50.0.0/16 nhid 3");
    netns_route_spec_free(route);
    CHECK(CONTAINS(sh("ip route show 10.50.0.0/16", theirs, sizeof theirs), "nhid 3"), "ip sees the route");

    /* Refusals: errno and the kernel's words. */
    CHECK(add(h, 1, gateway) == NETNS_ALREADY_EXISTS, "add twice: already exists");
    CHECK(netns_last_errno() == EEXIST, "errno EEXIST");
    CHECK(add(h, 6, missing_member) == NETNS_INVALID_ARGUMENT, "a member that does not exist");
    CHECK(CONTAINS(netns_last_error_message(), "Invalid nexthop id"), "the kernel's words");
    CHECK(add(h, 7, bad_blackhole) == NETNS_INVALID_ARGUMENT, "blackhole with a device: before the kernel");
    CHECK(add(h, 7, no_such_dev) == NETNS_NOT_FOUND, "no such device");
    CHECK(CONTAINS(netns_last_error_message(), "nosuch"), "named in the caller's words");
    CHECK(netns_nexthop_get(h, 99, &got) == NETNS_NOT_FOUND && got == NULL, "get of nothing");
    CHECK(netns_nexthop_del(h, 99) == NETNS_NOT_FOUND, "delete of nothing");
    CHECK(netns_nexthop_spec_new(1, &s) == NETNS_OK && netns_nexthop_spec_group(s, "1,0") == NETNS_INVALID_ARGUMENT,
          "weight 0 refused by the setter");
    CHECK(netns_nexthop_spec_group_type(s, "bogus") == NETNS_INVALID_ARGUMENT, "unknown group type");
    CHECK(netns_nexthop_spec_via(s, "10.0.0.x") == NETNS_INVALID_ARGUMENT, "bad gateway");
    netns_nexthop_spec_free(s);
    CHECK(netns_nexthops(NULL, 0, NULL, 0, &it) == NETNS_NULL_ARGUMENT, "NULL handle");
    CHECK(netns_nexthop_line(NULL) == NULL && netns_nexthop_id(NULL) == 0, "NULL nexthop");
    netns_nexthop_free(NULL);
    netns_nexthop_iter_free(NULL);
    netns_nexthop_spec_free(NULL);

    /* Delete, then flush the rest (groups first). */
    OK(netns_nexthop_del(h, 2), "delete nexthop 2");
    CHECK(STREQ(trim_lines(sh("ip nexthop show id 3", theirs, sizeof theirs)), "id 3 group 1\n"),
          "group 3 without member 2");
    OK(netns_nexthop_flush(h, 0, NULL, 0, &flushed), "flush");
    CHECK(flushed == 5, "five flushed");
    CHECK(STREQ(sh("ip nexthop show", theirs, sizeof theirs), ""), "none left");
    OK(netns_nexthop_flush(h, 0, NULL, 0, &flushed), "flush of nothing");
    CHECK(flushed == 0, "nothing flushed");

    netns_handle_free(h);
    return tap_done();
}
