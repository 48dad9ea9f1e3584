/*
 * Alternative names, interface flags, kind changes, bridge port settings
 * and ip's counters block from C; what the library says is compared with
 * what `ip` and `bridge` print for the same namespace.
 * Run in a sandbox (scripts/sandbox.sh).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>

#include "sh.h"
#include "tap.h"

static void altnames(netns_handle *h)
{
    char out[4096];
    char *names = NULL;
    uint32_t a = 0, b = 0;
    OK(netns_link_altname_add(h, "p0", "an-alternative-name-for-p0"), "altname add");
    OK(netns_link_altname_add(h, "p0", "alt0"), "second altname");
    sh("ip link show dev p0", out, sizeof out);
    CHECK(CONTAINS(out, "altname an-alternative-name-for-p0\n    altname alt0"), "ip shows both altnames");
    OK(netns_link_index(h, "an-alternative-name-for-p0", &a), "lookup by the long altname");
    OK(netns_link_index(h, "p0", &b), "lookup by name");
    CHECK(a == b && a != 0, "the same link");
    OK(netns_link_set_mtu(h, "an-alternative-name-for-p0", 1400), "set by altname");
    sh("ip link show dev p0", out, sizeof out);
    CHECK(CONTAINS(out, "mtu 1400"), "ip sees the change");
    OK(netns_link_altnames(h, "p0", &names), "altnames of p0");
    CHECK(STREQ(names, "an-alternative-name-for-p0\nalt0\n"), "altnames listed in order");
    netns_string_free(names);
    OK(netns_link_altname_del(h, "p0", "alt0"), "altname del");
    CHECK(netns_link_altname_del(h, "p0", "alt0") == NETNS_NOT_FOUND, "del of a name it lacks");
    CHECK(netns_link_altname_add(h, "p1", "an-alternative-name-for-p0") == NETNS_ALREADY_EXISTS,
          "a taken altname");
    CHECK(netns_link_altname_add(h, "p0", "a b") == NETNS_INVALID_ARGUMENT, "a bad altname");
    CHECK(netns_link_altname_add(h, "nosuch0", "x1") == NETNS_NOT_FOUND, "a missing link");
}

static void flags(netns_handle *h)
{
    char out[4096];
    OK(netns_link_set_arp(h, "p1", false), "arp off");
    OK(netns_link_set_multicast(h, "p1", false), "multicast off");
    OK(netns_link_set_allmulticast(h, "p1", true), "allmulticast on");
    OK(netns_link_set_dynamic(h, "p1", true), "dynamic on");
    OK(netns_link_set_trailers(h, "p1", false), "trailers off");
    OK(netns_link_set_promisc(h, "p1", true), "promisc on");
    sh("ip link show dev p1", out, sizeof out);
    CHECK(CONTAINS(out, "<BROADCAST,NOARP,ALLMULTI,PROMISC,DYNAMIC,NOTRAILERS,M-DOWN>"), "ip shows the flags");
    OK(netns_link_set_arp(h, "p1", true), "arp on");
    OK(netns_link_set_promisc(h, "p1", false), "promisc off");
    sh("ip link show dev p1", out, sizeof out);
    CHECK(CONTAINS(out, "<BROADCAST,ALLMULTI,DYNAMIC,NOTRAILERS,M-DOWN>"), "ip shows them cleared");
    CHECK(netns_link_set_arp(h, "nosuch0", true) == NETNS_NOT_FOUND, "flags of a missing link");
}

static void kinds(netns_handle *h)
{
    char out[8192];
    const char *ttl[] = {"ttl", "9", "nolearning", NULL};
    const char *vni[] = {"id", "6", NULL};
    const char *bogus[] = {"bogus", NULL};
    const char *stp[] = {"stp_state", "1", "forward_delay", "400", NULL};
    if (system("ip link add vx0 type vxlan id 5 dstport 4789") != 0) {
        CHECK(0, "vxlan for the kind changes");
        return;
    }
    OK(netns_link_set_type(h, "vx0", "vxlan", ttl), "vxlan ttl 9 nolearning");
    sh("ip -d link show vx0", out, sizeof out);
    CHECK(CONTAINS(out, "ttl 9") && CONTAINS(out, "nolearning"), "ip shows the vxlan change");
    CHECK(netns_link_set_type(h, "vx0", "vxlan", vni) == NETNS_UNSUPPORTED, "a VNI change is refused");
    CHECK(CONTAINS(netns_last_error_message(), "Cannot change VNI"), "with the kernel's text");
    CHECK(netns_link_set_type(h, "vx0", "vxlan", bogus) == NETNS_INVALID_ARGUMENT, "an unknown option");
    CHECK(netns_link_set_type(h, "vx0", "geneve", bogus + 1) == NETNS_UNSUPPORTED, "an unknown kind");
    OK(netns_link_set_type(h, "br0", "bridge", stp), "bridge stp_state 1 forward_delay 400");
    sh("ip -d link show br0", out, sizeof out);
    CHECK(CONTAINS(out, "forward_delay 400") && CONTAINS(out, "stp_state 1"), "ip shows the bridge change");
}

static void bridge_ports(netns_handle *h)
{
    char out[4096];
    uint64_t v = 99;
    const char *set[] = {"learning", "off", "cost", "7", "priority", "3", "isolated", "on", NULL};
    const char *odd[] = {"learning", NULL};
    const char *bad[] = {"learning", "maybe", NULL};
    const char *slave[] = {"learning", "on", "cost", "9", NULL};
    OK(netns_bridge_port_set(h, "p0", set), "bridge link set");
    sh("bridge -d link show dev p0", out, sizeof out);
    CHECK(CONTAINS(out, "priority 3 cost 7") && CONTAINS(out, "learning off") && CONTAINS(out, "isolated on"),
          "bridge shows the settings");
    OK(netns_bridge_port_get(h, "p0", "cost", &v), "cost read back");
    CHECK(v == 7, "cost 7");
    OK(netns_bridge_port_get(h, "p0", "learning", &v), "learning read back");
    CHECK(v == 0, "learning off");
    CHECK(netns_bridge_port_get(h, "p1", "cost", &v) == NETNS_NOT_FOUND, "p1 is no port");
    CHECK(netns_bridge_port_set(h, "p0", odd) == NETNS_INVALID_ARGUMENT, "a setting without a value");
    CHECK(netns_bridge_port_set(h, "p0", bad) == NETNS_INVALID_ARGUMENT, "on/off refused before the kernel");
    CHECK(netns_bridge_port_set(h, "p1", set) == NETNS_UNSUPPORTED, "not a port");
    OK(netns_link_set_type(h, "p0", "bridge_slave", slave), "type bridge_slave");
    OK(netns_bridge_port_get(h, "p0", "cost", &v), "cost again");
    CHECK(v == 9, "cost 9");
}

static void stats(netns_handle *h)
{
    char out[4096];
    char *text = NULL;
    OK(netns_link_stats_text(h, "lo", 2, &text), "ip -s -s block of lo");
    sh("ip -s -s link show lo | tail -n +3", out, sizeof out);
    if (text != NULL) {
        size_t n = strlen(text);
        CHECK(strncmp(out, text, n) == 0 && out[n] == '\n' && out[n + 1] == '\0', "the same as ip's");
    }
    netns_string_free(text);
    CHECK(netns_link_stats_text(h, "nosuch0", 1, &text) == NETNS_NOT_FOUND, "a missing link");
}

int main(void)
{
    netns_handle *h = NULL;
    OK(netns_handle_current(&h), "handle on the sandbox");
    OK(netns_link_add_bridge(h, "br0"), "bridge br0");
    OK(netns_link_add_veth(h, "p0", "p1", NULL), "veth p0");
    OK(netns_link_set_master(h, "p0", "br0"), "p0 in br0");
    altnames(h);
    flags(h);
    kinds(h);
    bridge_ports(h);
    stats(h);
    netns_handle_free(h);
    return tap_done();
}
