/*
 * The fast path: namespaces with their handle from one thread
 * (netns_add_with_handle, netns_ns_new_anonymous_with_handle), a
 * link batch (lo up + veth with its peer born in root, one send) and the
 * indexes the kernel gave, link changes by index, batched addresses, and
 * the failure paths of a batch (the failing entry's index; what came before it applied).
 * Run in a sandbox (scripts/sandbox.sh).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tap.h"

/* Index, up state and whether link `name` is in a fresh listing of `h`. */
static int find(netns_handle *h, const char *name, uint32_t *index, int *up)
{
    netns_link_iter *it = NULL;
    const netns_link *l;
    int found = 0;
    if (netns_links(h, &it) != NETNS_OK) {
        return 0;
    }
    while ((l = netns_link_iter_next(it)) != NULL) {
        if (STREQ(netns_link_name(l), name)) {
            found = 1;
            *index = netns_link_ifindex(l);
            *up = netns_link_is_up(l);
        }
    }
    netns_link_iter_free(it);
    return found;
}

/* How many addresses link `ifindex` of `h` has, and whether `cidr` is one. */
static size_t addrs_of(netns_handle *h, uint32_t ifindex, const char *cidr, int *has)
{
    netns_addr_iter *it = NULL;
    const netns_addr *a;
    size_t n = 0;
    *has = 0;
    if (netns_addrs(h, NULL, AF_INET, &it) != NETNS_OK) {
        return 0;
    }
    while ((a = netns_addr_iter_next(it)) != NULL) {
        if (netns_addr_ifindex(a) == ifindex) {
            n++;
            *has |= STREQ(netns_addr_cidr(a), cidr);
        }
    }
    netns_addr_iter_free(it);
    return n;
}

int main(void)
{
    netns_registry *reg = NULL;
    netns_ns *root = NULL, *ns = NULL, *anon = NULL;
    netns_handle *h = NULL, *hroot = NULL, *hanon = NULL, *unused = NULL;
    netns_link_batch *b = NULL;
    uint32_t idx = 0, eth0 = 0, host = 0, br = 0;
    int up = 0, has = 0;
    size_t failed = 99;
    netns_result r;

    OK(netns_registry_from_env(&reg), "registry");
    OK(netns_ns_current(&root), "the root namespace");
    OK(netns_handle_current(&hroot), "a handle on root");

    /* A namespace and its handle, from one thread. */
    OK(netns_add_with_handle(reg, "fast1", &ns, &h), "add_with_handle");
    CHECK(access("/run/netns/fast1", F_OK) == 0, "the name is registered");
    CHECK(find(h, "lo", &idx, &up) && !up, "the handle lists the new namespace's lo, down");
    r = netns_add_with_handle(reg, "fast1", NULL, &unused);
    CHECK(r == NETNS_ALREADY_EXISTS && netns_last_errno() == EEXIST && unused == NULL,
          "a taken name: NETNS_ALREADY_EXISTS, no handle written");
    CHECK(netns_add_with_handle(reg, "a/b", NULL, &unused) == NETNS_INVALID_NAME,
          "a bad name is refused");
    CHECK(netns_add_with_handle(reg, "fast2", NULL, NULL) == NETNS_NULL_ARGUMENT &&
              access("/run/netns/fast2", F_OK) != 0,
          "h_out NULL: refused before anything is created");

    /* One batch: lo up, a veth with eth0 up inside and its peer born in root. */
    OK(netns_link_batch_new(&b), "a batch");
    CHECK(netns_link_batch_len(b) == 0 && netns_link_batch_ifindex(b, 0) == 0, "it starts empty");
    OK(netns_link_batch_set_up(b, "lo", true), "batch: lo up");
    OK(netns_link_batch_add_veth(b, "eth0", "hv1", root, true), "batch: veth eth0 (up) / hv1 in root");
    OK(netns_link_batch_add_bridge(b, "br0", false), "batch: a bridge");
    CHECK(netns_link_batch_len(b) == 3, "three entries");
    OK(netns_link_batch_send(h, b, &failed), "send the batch");
    CHECK(failed == 99, "failed_at untouched on success");
    CHECK(find(h, "lo", &idx, &up) && up, "lo is up");
    CHECK(find(h, "eth0", &eth0, &up) && up, "eth0 is up, inside");
    CHECK(netns_link_batch_ifindex(b, 1) == eth0, "the batch gives eth0's index (kernel echo)");
    CHECK(find(hroot, "hv1", &host, &up) && !up, "hv1 was born in root, down");
    CHECK(netns_link_batch_peer_ifindex(b, 1) == host, "the batch gives hv1's index in root");
    CHECK(find(h, "br0", &br, &up) && netns_link_batch_ifindex(b, 2) == br &&
              netns_link_batch_peer_ifindex(b, 2) == 0,
          "the bridge's index; no peer");
    CHECK(netns_link_batch_ifindex(b, 0) == 0 && netns_link_batch_ifindex(b, 3) == 0,
          "0 for a change and out of range");

    /* By index: up, address, down. */
    OK(netns_link_set_up_index(hroot, host), "hv1 up by index");
    CHECK(find(hroot, "hv1", &idx, &up) && up, "hv1 is up");
    OK(netns_addr_add_index(hroot, host, "10.9.0.1/32"), "an address by index");
    CHECK(addrs_of(hroot, host, "10.9.0.1/32", &has) == 1 && has, "hv1 has it");
    CHECK(netns_link_set_up_index(hroot, 0) == NETNS_INVALID_ARGUMENT, "index 0 is refused");
    CHECK(netns_link_set_up_index(hroot, 999999) == NETNS_NOT_FOUND, "no such index");
    CHECK(netns_addr_add_index(hroot, host, "10.9.0.1/33") == NETNS_INVALID_ARGUMENT,
          "a malformed address is refused");

    /* Many addresses at once. */
    {
        const uint32_t ifs[3] = {host, host, host};
        const char *const cidrs[3] = {"10.9.0.2/32", "10.9.0.3/32", "fd00::9/128"};
        const char *const bad[3] = {"10.9.0.4/32", "nonsense", "10.9.0.5/32"};
        const char *const dup[3] = {"10.9.0.6/32", "10.9.0.2/32", "10.9.0.7/32"};
        const uint32_t zero[2] = {host, 0};
        OK(netns_addrs_add(hroot, ifs, cidrs, 3, NULL), "three addresses in one batch");
        CHECK(addrs_of(hroot, host, "10.9.0.3/32", &has) == 3 && has, "hv1 has three IPv4 now");
        failed = 99;
        CHECK(netns_addrs_add(hroot, ifs, bad, 3, &failed) == NETNS_INVALID_ARGUMENT && failed == 1,
              "a malformed entry: refused, with its index");
        CHECK(addrs_of(hroot, host, "10.9.0.4/32", &has) == 3 && !has,
              "nothing was sent (entry 0 not added)");
        failed = 99;
        CHECK(netns_addrs_add(hroot, zero, cidrs, 2, &failed) == NETNS_INVALID_ARGUMENT && failed == 1,
              "index 0 in the array is refused with its index");
        failed = 99;
        r = netns_addrs_add(hroot, ifs, dup, 3, &failed);
        CHECK(r == NETNS_ALREADY_EXISTS && failed == 1 && netns_last_errno() == EEXIST,
              "a duplicate: NETNS_ALREADY_EXISTS at index 1");
        CHECK(CONTAINS(netns_last_error_message(), "10.9.0.2"), "the message names the address");
        CHECK(addrs_of(hroot, host, "10.9.0.6/32", &has) >= 4 && has, "the entry before it was added");
        CHECK(netns_addrs_add(hroot, NULL, NULL, 0, NULL) == NETNS_OK, "an empty batch");
        CHECK(netns_addrs_add(hroot, NULL, cidrs, 1, NULL) == NETNS_NULL_ARGUMENT,
              "a NULL array with n > 0");
    }

    /* A batch that fails half-way: the index, what was applied, the rest not. */
    netns_link_batch_clear(b);
    CHECK(netns_link_batch_len(b) == 0 && netns_link_batch_ifindex(b, 1) == 0,
          "clear empties the batch and its indexes");
    OK(netns_link_batch_add_bridge(b, "br1", false), "batch: br1");
    OK(netns_link_batch_add_veth(b, "eth0", "hv2", root, false), "batch: eth0 again");
    OK(netns_link_batch_set_up_index(b, eth0, false), "batch: eth0 down");
    failed = 99;
    r = netns_link_batch_send(h, b, &failed);
    CHECK(r == NETNS_ALREADY_EXISTS && failed == 1, "the second entry fails: its index");
    CHECK(CONTAINS(netns_last_error_message(), "eth0"), "the message names the link");
    CHECK(find(h, "br1", &idx, &up) && netns_link_batch_ifindex(b, 0) == idx,
          "the first was applied, with its index");
    CHECK(!find(hroot, "hv2", &idx, &up), "no hv2 in root");

    /* Bad input refused at the call that adds it, nothing appended. */
    netns_link_batch_clear(b);
    CHECK(netns_link_batch_add_veth(b, "this-name-is-too-long", "p", NULL, false) ==
              NETNS_INVALID_ARGUMENT,
          "a too-long name is refused when added");
    CHECK(netns_link_batch_add_veth(b, "ok0", "peer/x", NULL, false) == NETNS_INVALID_ARGUMENT &&
              CONTAINS(netns_last_error_message(), "peer"),
          "a bad peer name is refused and named");
    CHECK(netns_link_batch_set_up_index(b, 0, true) == NETNS_INVALID_ARGUMENT, "index 0 is refused");
    CHECK(netns_link_batch_set_up(b, NULL, true) == NETNS_NULL_ARGUMENT, "NULL dev");
    CHECK(netns_link_batch_add_bridge(NULL, "x", false) == NETNS_NULL_ARGUMENT, "NULL batch");
    CHECK(netns_link_batch_len(b) == 0, "nothing was appended");
    CHECK(netns_link_batch_send(h, b, NULL) == NETNS_OK, "an empty batch sends nothing");
    CHECK(netns_link_batch_send(NULL, b, NULL) == NETNS_NULL_ARGUMENT, "NULL handle");
    CHECK(netns_link_batch_len(NULL) == 0 && netns_link_batch_ifindex(NULL, 0) == 0 &&
              netns_link_batch_peer_ifindex(NULL, 0) == 0,
          "accessors take NULL");
    netns_link_batch_clear(NULL);

    /* The peer namespace's descriptor is the batch's own: free ns before the send. */
    OK(netns_ns_new_anonymous_with_handle(&anon, &hanon), "an anonymous namespace with its handle");
    OK(netns_link_batch_add_veth(b, "in0", "out0", anon, false), "batch: veth with its peer in anon");
    netns_ns_free(anon);
    anon = NULL;
    OK(netns_link_batch_send(h, b, NULL), "sent after the namespace handle was freed");
    CHECK(find(hanon, "out0", &idx, &up) && netns_link_batch_peer_ifindex(b, 0) == idx,
          "out0 was born in the anonymous namespace, with the index the batch gives");
    CHECK(netns_ns_new_anonymous_with_handle(NULL, &hanon) == NETNS_NULL_ARGUMENT, "NULL ns_out");

    netns_link_batch_free(b);
    netns_link_batch_free(NULL);
    netns_handle_free(hanon);
    netns_handle_free(h);
    netns_ns_free(ns);
    OK(netns_delete(reg, "fast1"), "delete fast1");
    netns_handle_free(hroot);
    netns_ns_free(root);
    netns_registry_free(reg);
    return tap_done();
}
