/*
 * Routes from C as `ip route show|flush` selects them (netns_route_filter,
 * netns_routes_matching, netns_route_flush_matching) and `ip route change |
 * append | prepend` (netns_route_{change,append,prepend}_spec), each
 * compared with what `ip` lists for the same selector. Selector semantics
 * from ip-route(8). Run in a sandbox (scripts/sandbox.sh).
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

/* How many lines `ip route show WORDS` prints that start a route (not a
 * multipath route's `\tnexthop` lines). */
static size_t ip_count(const char *words)
{
    char args[256];
    size_t n = 0;
    const char *p;
    snprintf(args, sizeof args, "-4 route show %s", words);
    ip(args);
    for (p = out; *p != '\0';) {
        if (*p != '\t' && *p != '\n') {
            n++;
        }
        p = strchr(p, '\n');
        if (p == NULL) {
            break;
        }
        p++;
    }
    return n;
}

/* How many routes netns_routes_matching lists with `filter` (IPv4). */
static size_t netns_count(netns_handle *h, netns_route_filter *f)
{
    netns_route_iter *it = NULL;
    size_t n;
    if (netns_route_filter_family(f, AF_INET) != NETNS_OK || netns_routes_matching(h, f, &it) != NETNS_OK) {
        return (size_t)-1;
    }
    n = netns_route_iter_len(it);
    netns_route_iter_free(it);
    return n;
}

static void selectors(netns_handle *h)
{
    static const struct {
        const char *how, *prefix, *words;
    } prefixes[] = {
        {"root", "10.5.0.0/16", "root 10.5.0.0/16"},
        {"match", "10.5.1.0/24", "match 10.5.1.0/24"},
        {"exact", "10.5.0.0/16", "exact 10.5.0.0/16"},
        {"exact", "default", "exact default"},
        {"src", "10.2.2.0/24", "src 10.2.2.0/24"},
    };
    netns_route_filter *f = NULL;
    size_t i;

    ip("route add default via 10.1.1.2");
    ip("route add 10.0.0.0/8 via 10.1.1.3 proto static");
    ip("route add 10.5.0.0/16 via 10.2.2.2 src 10.2.2.1");
    ip("route add 10.5.1.0/24 dev v2 scope link metric 7");

    for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        OK(netns_route_filter_new(&f), "filter");
        OK(netns_route_filter_prefix(f, prefixes[i].how, prefixes[i].prefix), prefixes[i].words);
        CHECK(netns_count(h, f) == ip_count(prefixes[i].words), prefixes[i].words);
        netns_route_filter_free(f);
    }
    OK(netns_route_filter_new(&f), "filter");
    OK(netns_route_filter_via(f, "10.2.2.2"), "via 10.2.2.2");
    CHECK(netns_count(h, f) == 1 && ip_count("via 10.2.2.2") == 1, "via: one route, as ip");
    netns_route_filter_free(f);

    OK(netns_route_filter_new(&f), "filter");
    OK(netns_route_filter_set(f, "protocol", "static"), "proto static");
    CHECK(netns_count(h, f) == ip_count("proto static"), "proto static, as ip");
    CHECK(netns_route_filter_set(f, "colour", "red") == NETNS_INVALID_ARGUMENT, "an unknown field: refused");
    netns_route_filter_free(f);

    OK(netns_route_filter_new(&f), "filter");
    OK(netns_route_filter_dev(f, "v2"), "dev v2");
    OK(netns_route_filter_set(f, "scope", "link"), "scope link");
    CHECK(netns_count(h, f) == ip_count("dev v2 scope link"), "dev v2 scope link, as ip");
    OK(netns_route_filter_metric(f, 7), "metric 7");
    CHECK(netns_count(h, f) == 1, "metric 7: one");
    netns_route_filter_free(f);

    OK(netns_route_filter_new(&f), "filter");
    CHECK(netns_route_filter_prefix(f, "root", "10.0.0.0/33") == NETNS_INVALID_ARGUMENT, "a bad prefix: refused");
    CHECK(netns_route_filter_prefix(f, "under", "10.0.0.0/8") == NETNS_INVALID_ARGUMENT, "a bad selector: refused");
    OK(netns_route_filter_prefix(f, "root", "10.5.0.0/16"), "root 10.5.0.0/16");
    {
        size_t removed = 0;
        OK(netns_route_flush_matching(h, f, &removed), "flush root 10.5.0.0/16");
        CHECK(removed == 2 && ip_count("root 10.5.0.0/16") == 0, "both routes inside it removed");
        CHECK(ip_count("") == 4, "the rest left (default, 10/8, two connected)");
    }
    netns_route_filter_free(f);
}

static void change_append_prepend(netns_handle *h)
{
    netns_route_spec *s = NULL;
    const char *order;

    OK(netns_route_spec_new("10.50.0.0/16", &s), "spec");
    OK(netns_route_spec_via(s, "10.1.1.3"), "via 10.1.1.3");
    CHECK(netns_route_change_spec(h, s) == NETNS_NOT_FOUND, "change of a missing route: not found");
    netns_route_spec_free(s);
    ip("route add 10.50.0.0/16 via 10.1.1.2");
    OK(netns_route_spec_new("10.50.0.0/16", &s), "spec");
    OK(netns_route_spec_via(s, "10.1.1.3"), "via 10.1.1.3");
    OK(netns_route_change_spec(h, s), "change to via 10.1.1.3");
    netns_route_spec_free(s);
    CHECK(STREQ(ip("route show 10.50.0.0/16"), "10.50.0.0/16 via 10.1.1.3 dev v0 \n"), "changed, as ip shows");

    OK(netns_route_spec_new("10.50.0.0/16", &s), "spec");
    OK(netns_route_spec_via(s, "10.1.1.4"), "via 10.1.1.4");
    OK(netns_route_append_spec(h, s), "append via 10.1.1.4");
    CHECK(netns_route_append_spec(h, s) == NETNS_ALREADY_EXISTS, "the same again: exists");
    netns_route_spec_free(s);
    OK(netns_route_spec_new("10.50.0.0/16", &s), "spec");
    OK(netns_route_spec_via(s, "10.1.1.5"), "via 10.1.1.5");
    OK(netns_route_prepend_spec(h, s), "prepend via 10.1.1.5");
    netns_route_spec_free(s);
    order = ip("route show 10.50.0.0/16");
    CHECK(STREQ(order, "10.50.0.0/16 via 10.1.1.5 dev v0 \n10.50.0.0/16 via 10.1.1.3 dev v0 \n"
                       "10.50.0.0/16 via 10.1.1.4 dev v0 \n"),
          "prepended first, appended last");
}

int main(void)
{
    netns_handle *h = NULL;

    OK(netns_handle_current(&h), "handle on the sandbox");
    ip("link add v0 type veth peer name v1");
    ip("link add v2 type veth peer name v3");
    ip("link set v0 up");
    ip("link set v1 up");
    ip("link set v2 up");
    ip("link set v3 up");
    ip("addr add 10.1.1.1/24 dev v0");
    ip("addr add 10.2.2.1/24 dev v2");
    selectors(h);
    change_append_prepend(h);
    netns_handle_free(h);
    return tap_done();
}
