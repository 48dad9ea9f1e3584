/*
 * Bridge fdb entries, addresses with a peer and lifetimes, and the
 * idempotent adds and deletes (exist_ok / missing_ok), from C; what the
 * library says is compared with what `bridge` and `ip` print for the same
 * namespace. Run in a sandbox (scripts/sandbox.sh).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <sys/socket.h>

#include "sh.h"
#include "tap.h"

static void fdb(netns_handle *h)
{
    netns_fdb_spec *s = NULL;
    netns_fdb_iter *it = NULL;
    const netns_fdb *e;
    netns_fdb *got = NULL;
    char ours[4096] = "", theirs[4096];
    bool changed = false;

    CHECK(system("ip link add br0 type bridge && ip link add p0 type veth peer name p1 && "
                 "ip link set p0 master br0 && ip link set p0 type bridge_slave learning off && ip link set br0 up && ip link set p0 up && "
                 "ip link add vx0 type vxlan id 42 dstport 4789 local 10.0.0.1 nolearning && "
                 "ip link set vx0 up") == 0,
          "bridge, port and vxlan made with ip");

    OK(netns_fdb_spec_new("00:11:22:33:44:55", "vx0", &s), "fdb spec");
    OK(netns_fdb_spec_set_dst(s, "10.0.0.2"), "dst");
    OK(netns_fdb_add(h, s), "fdb add (vxlan remote)");
    CHECK(netns_fdb_add(h, s) == NETNS_ALREADY_EXISTS, "fdb add twice: already exists");
    OK(netns_fdb_add_exist_ok(h, s, &changed), "fdb add exist_ok of the same entry");
    CHECK(!changed, "exist_ok: nothing added");
    OK(netns_fdb_spec_set_dst(s, "10.0.0.3"), "another dst");
    CHECK(netns_fdb_add_exist_ok(h, s, &changed) == NETNS_ALREADY_EXISTS,
          "exist_ok of a different entry: already exists");
    CHECK(CONTAINS(netns_last_error_message(), "it exists with dst 10.0.0.2, not 10.0.0.3"),
          "the message names the field that differs");
    netns_fdb_spec_free(s);

    OK(netns_fdb_spec_new("00:00:00:00:00:00", "vx0", &s), "flood spec");
    OK(netns_fdb_spec_set_dst(s, "10.0.0.4"), "flood dst");
    OK(netns_fdb_spec_set_vni(s, 100), "vni");
    OK(netns_fdb_spec_set_port(s, 4790), "port");
    OK(netns_fdb_append(h, s), "fdb append");
    netns_fdb_spec_free(s);

    OK(netns_fdb_spec_new("02:00:00:00:00:01", "p0", &s), "bridge spec");
    OK(netns_fdb_spec_set_flags(s, NETNS_FDB_MASTER), "master");
    OK(netns_fdb_spec_set_state(s, "static"), "static");
    CHECK(netns_fdb_spec_set_state(s, "soon") == NETNS_INVALID_ARGUMENT, "bad state refused");
    OK(netns_fdb_add(h, s), "fdb add master static");
    netns_fdb_spec_free(s);
    CHECK(netns_fdb_spec_new("02:zz", "p0", &s) == NETNS_INVALID_ARGUMENT, "bad mac refused");

    OK(netns_fdbs(h, NULL, NULL, &it), "fdbs");
    while ((e = netns_fdb_iter_next(it)) != NULL) {
        strcat(ours, netns_fdb_line(e));
        strcat(ours, "\n");
    }
    netns_fdb_iter_free(it);
    sh("bridge fdb show", theirs, sizeof theirs);
    CHECK(strcmp(ours, theirs) == 0, "fdbs' lines are bridge fdb show's");
    if (strcmp(ours, theirs) != 0) {
        printf("#   ours:\n%s#   bridge:\n%s", ours, theirs);
    }

    OK(netns_fdbs(h, "br0", "p0", &it), "fdbs of br0's port p0");
    while ((e = netns_fdb_iter_next(it)) != NULL) {
        if (STREQ(netns_fdb_mac(e), "02:00:00:00:00:01")) {
            CHECK(STREQ(netns_fdb_dev(e), "p0") && STREQ(netns_fdb_master(e), "br0") &&
                      STREQ(netns_fdb_state(e), "static"),
                  "the master entry: dev, master, state");
        }
    }
    netns_fdb_iter_free(it);

    OK(netns_fdb_get(h, "00:11:22:33:44:55", NULL, "vx0", NETNS_FDB_SELF, &got), "fdb get");
    CHECK(STREQ(netns_fdb_dst(got), "10.0.0.2") && STREQ(netns_fdb_state(got), "permanent") &&
              (netns_fdb_flags(got) & 0x02),
          "fdb get: dst, state, self");
    CHECK(STREQ(netns_fdb_line(got), "00:11:22:33:44:55 dev vx0 dst 10.0.0.2 self permanent"),
          "fdb get's line is bridge fdb get's");
    netns_fdb_free(got);
    got = NULL;
    CHECK(netns_fdb_get(h, "02:00:00:00:00:09", "br0", NULL, 0, &got) == NETNS_NOT_FOUND,
          "fdb get of nothing: not found");

    OK(netns_fdb_spec_new("00:11:22:33:44:55", "vx0", &s), "del spec");
    OK(netns_fdb_del_missing_ok(h, s, &changed), "fdb del missing_ok");
    CHECK(changed, "deleted");
    OK(netns_fdb_del_missing_ok(h, s, &changed), "fdb del missing_ok again");
    CHECK(!changed, "nothing to delete");
    CHECK(netns_fdb_del(h, s) == NETNS_NOT_FOUND, "fdb del of nothing: not found");
    netns_fdb_spec_free(s);

    OK(netns_fdb_flush(h, "br0", "p0", 0), "fdb flush of br0's port p0");
    CHECK(!CONTAINS(sh("bridge fdb show br br0", theirs, sizeof theirs), "master br0"),
          "bridge shows no master entry left");
}

static void addresses(netns_handle *h)
{
    netns_addr_spec *s = NULL;
    netns_addr_iter *it = NULL;
    const netns_addr *a;
    char theirs[4096];
    bool changed = false;
    int seen = 0;

    OK(netns_addr_spec_new("p1", "10.0.0.1", &s), "addr spec");
    OK(netns_addr_spec_set_peer(s, "10.0.0.2/32"), "peer");
    OK(netns_addr_add_spec(h, s), "addr add with a peer");
    OK(netns_addr_add_exist_ok(h, s, &changed), "addr add exist_ok of the same");
    CHECK(!changed, "exist_ok: nothing added");
    OK(netns_addr_spec_set_scope(s, 253), "scope link");
    CHECK(netns_addr_add_exist_ok(h, s, &changed) == NETNS_ALREADY_EXISTS,
          "exist_ok of another scope: already exists");
    CHECK(CONTAINS(netns_last_error_message(), "it exists with scope global, not link"),
          "the message names the scope");
    netns_addr_spec_free(s);

    OK(netns_addr_spec_new("p1", "10.1.0.1/24", &s), "timed spec");
    OK(netns_addr_spec_set_lifetimes(s, 100, 50), "lifetimes");
    OK(netns_addr_add_spec(h, s), "addr add with lifetimes");
    netns_addr_spec_free(s);
    OK(netns_addr_spec_new("p1", "10.2.0.1/24", &s), "bad spec");
    OK(netns_addr_spec_set_lifetimes(s, 10, 20), "lifetimes 10 20");
    CHECK(netns_addr_add_spec(h, s) == NETNS_INVALID_ARGUMENT, "preferred above valid refused");
    netns_addr_spec_free(s);

    sh("ip -4 addr show dev p1", theirs, sizeof theirs);
    CHECK(CONTAINS(theirs, "inet 10.0.0.1 peer 10.0.0.2/32 scope global p1"), "ip shows the peer");
    CHECK(CONTAINS(theirs, "preferred_lft 50sec") || CONTAINS(theirs, "preferred_lft 49sec"),
          "ip shows the lifetimes");
    OK(netns_addrs(h, "p1", AF_INET, &it), "addrs");
    while ((a = netns_addr_iter_next(it)) != NULL) {
        if (STREQ(netns_addr_ip(a), "10.0.0.1")) {
            CHECK(STREQ(netns_addr_peer(a), "10.0.0.2") && netns_addr_prefix_len(a) == 32 &&
                      netns_addr_valid_lft(a) == NETNS_LIFETIME_FOREVER,
                  "the peer address: peer, prefix, forever");
            seen++;
        }
        if (STREQ(netns_addr_ip(a), "10.1.0.1")) {
            CHECK(netns_addr_peer(a) == NULL && netns_addr_valid_lft(a) <= 100 &&
                      netns_addr_valid_lft(a) >= 99 && netns_addr_preferred_lft(a) <= 50,
                  "the timed address: lifetimes");
            seen++;
        }
    }
    netns_addr_iter_free(it);
    CHECK(seen == 2, "both addresses listed");

    OK(netns_addr_spec_new("p1", "10.0.0.1", &s), "del spec");
    OK(netns_addr_spec_set_peer(s, "10.0.0.2/32"), "del peer");
    OK(netns_addr_del_missing_ok(h, s, &changed), "addr del missing_ok");
    CHECK(changed, "deleted");
    OK(netns_addr_del_missing_ok(h, s, &changed), "addr del missing_ok again");
    CHECK(!changed, "nothing to delete");
    CHECK(netns_addr_del_spec(h, s) == NETNS_NOT_FOUND, "addr del of nothing: not found");
    netns_addr_spec_free(s);
}

static void idempotent_routes_rules_neighbours(netns_handle *h)
{
    netns_route_spec *r = NULL;
    netns_rule_spec *u = NULL;
    bool changed = false;

    OK(netns_link_set_up(h, "p1"), "p1 up");
    OK(netns_addr_add(h, "p1", "10.5.0.1/24"), "p1 address");
    OK(netns_route_spec_new("10.9.0.0/16", &r), "route spec");
    OK(netns_route_spec_via(r, "10.5.0.2"), "via");
    OK(netns_route_add_exist_ok(h, r, &changed), "route add exist_ok");
    CHECK(changed, "route added");
    OK(netns_route_add_exist_ok(h, r, &changed), "route add exist_ok again");
    CHECK(!changed, "route already there");
    OK(netns_route_spec_via(r, "10.5.0.3"), "another via");
    CHECK(netns_route_add_exist_ok(h, r, &changed) == NETNS_ALREADY_EXISTS,
          "exist_ok of another gateway: already exists");
    OK(netns_route_del_missing_ok(h, r, &changed), "route del missing_ok (other gateway)");
    CHECK(!changed, "no route through 10.5.0.3 to delete");
    OK(netns_route_spec_via(r, "10.5.0.2"), "the gateway again");
    OK(netns_route_del_missing_ok(h, r, &changed), "route del missing_ok");
    CHECK(changed, "route deleted");
    netns_route_spec_free(r);

    OK(netns_rule_spec_new(&u), "rule spec");
    OK(netns_rule_spec_set_priority(u, 500), "priority");
    OK(netns_rule_spec_set_from(u, "10.7.0.0/16"), "from");
    OK(netns_rule_add_exist_ok(h, u, &changed), "rule add exist_ok");
    CHECK(changed, "rule added");
    OK(netns_rule_add_exist_ok(h, u, &changed), "rule add exist_ok again");
    CHECK(!changed, "rule already there");
    OK(netns_rule_del_missing_ok(h, u, &changed), "rule del missing_ok");
    CHECK(changed, "rule deleted");
    OK(netns_rule_del_missing_ok(h, u, &changed), "rule del missing_ok again");
    CHECK(!changed, "no rule to delete");
    netns_rule_spec_free(u);

    OK(netns_neigh_add_exist_ok(h, "10.5.0.9", "p1", "02:00:00:00:00:09", NULL, 0, &changed),
       "neigh add exist_ok");
    CHECK(changed, "neighbour added");
    OK(netns_neigh_add_exist_ok(h, "10.5.0.9", "p1", "02:00:00:00:00:09", NULL, 0, &changed),
       "neigh add exist_ok again");
    CHECK(!changed, "neighbour already there");
    CHECK(netns_neigh_add_exist_ok(h, "10.5.0.9", "p1", "02:00:00:00:00:08", NULL, 0, NULL) ==
              NETNS_ALREADY_EXISTS,
          "exist_ok of another lladdr: already exists");
    OK(netns_neigh_del_missing_ok(h, "10.5.0.9", "p1", 0, &changed), "neigh del missing_ok");
    CHECK(changed, "neighbour deleted");
    OK(netns_neigh_del_missing_ok(h, "10.5.0.9", "p1", 0, NULL), "neigh del missing_ok again");
}

int main(void)
{
    netns_handle *h = NULL;

    OK(netns_handle_current(&h), "handle on the sandbox");
    fdb(h);
    addresses(h);
    idempotent_routes_rules_neighbours(h);
    netns_handle_free(h);
    return tap_done();
}
