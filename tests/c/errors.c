/*
 * Error paths: NULL pointers everywhere, bad names, invalid UTF-8, a name
 * that exists, a namespace that does not, kernel refusals with their text,
 * out-pointers left alone on failure, the thread-local last error.
 * Run in a sandbox (scripts/sandbox.sh).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "tap.h"

static char other_thread_message[256];

static void *read_last_error(void *unused)
{
    (void)unused;
    strncpy(other_thread_message, netns_last_error_message(), sizeof other_thread_message - 1);
    return NULL;
}

static int callback(void *user)
{
    (void)user;
    return 0;
}

int main(void)
{
    netns_registry *reg = NULL;
    netns_handle *h = NULL;
    netns_ns *ns = NULL;
    netns_ns *const sentinel = (netns_ns *)&ns; /* any non-NULL value to see untouched */
    netns_ns *out = sentinel;
    netns_entry_iter *entries = NULL;
    netns_addr_iter *addrs = NULL;
    netns_id_iter *ids = NULL;
    int status = 12345;
    int32_t id = 77;
    uint32_t index = 99;
    char *value = NULL;
    char long_name[300];
    const char *const argv_true[] = {"true", NULL};
    const char *const bad_names[] = {"", ".", "..", "a/b", long_name};
    struct stat st;
    size_t i;
    pthread_t thread;

    memset(long_name, 'x', 256);
    long_name[256] = '\0';

    /* NULL pointers: an error code, never a crash. */
    CHECK(netns_registry_from_env(NULL) == NETNS_NULL_ARGUMENT, "registry_from_env(NULL)");
    CHECK(netns_registry_new(NULL, "/etc/netns", (netns_registry **)&out) == NETNS_NULL_ARGUMENT,
          "registry_new(NULL run dir)");
    CHECK(CONTAINS(netns_last_error_message(), "netns_registry_new: run_dir is NULL"),
          "the message names the function and the argument");
    CHECK(netns_last_errno() == 0, "no errno behind a NULL argument");
    OK(netns_registry_from_env(&reg), "registry from the environment");
    CHECK(netns_add(NULL, "x", NULL) == NETNS_NULL_ARGUMENT, "add(NULL registry)");
    CHECK(netns_add(reg, NULL, NULL) == NETNS_NULL_ARGUMENT, "add(NULL name)");
    CHECK(netns_attach(reg, NULL, 1, NULL) == NETNS_NULL_ARGUMENT, "attach(NULL name)");
    CHECK(netns_delete(reg, NULL) == NETNS_NULL_ARGUMENT, "delete(NULL name)");
    CHECK(netns_delete_all(NULL, NULL) == NETNS_NULL_ARGUMENT, "delete_all(NULL)");
    CHECK(netns_open(reg, "x", NULL) == NETNS_NULL_ARGUMENT, "open(NULL out)");
    CHECK(netns_list(reg, NULL) == NETNS_NULL_ARGUMENT, "list(NULL out)");
    CHECK(netns_list_ids(NULL, -1, -1, NULL) == NETNS_NULL_ARGUMENT, "list_ids(NULL)");
    CHECK(netns_set_id(reg, NULL, 1) == NETNS_NULL_ARGUMENT, "set_id(NULL name)");
    CHECK(netns_get_id(reg, "x", NULL) == NETNS_NULL_ARGUMENT, "get_id(NULL out)");
    CHECK(netns_identify(reg, 0, NULL) == NETNS_NULL_ARGUMENT, "identify(NULL out)");
    CHECK(netns_pids(reg, NULL, NULL) == NETNS_NULL_ARGUMENT, "pids(NULL)");
    CHECK(netns_exec(reg, "x", NULL, &status) == NETNS_NULL_ARGUMENT && status == 12345,
          "exec(NULL argv), status untouched");
    CHECK(netns_exec(reg, "x", argv_true, NULL) == NETNS_NULL_ARGUMENT, "exec(NULL status)");
    CHECK(netns_ns_open_path(NULL, &out) == NETNS_NULL_ARGUMENT && out == sentinel,
          "ns_open_path(NULL), out untouched");
    CHECK(netns_ns_current(NULL) == NETNS_NULL_ARGUMENT, "ns_open_current(NULL)");
    CHECK(netns_ns_open_pid(1, NULL) == NETNS_NULL_ARGUMENT, "ns_open_pid(NULL out)");
    CHECK(netns_ns_new_anonymous(NULL) == NETNS_NULL_ARGUMENT, "ns_new_anonymous(NULL)");
    CHECK(netns_ns_run(NULL, callback, NULL, NULL) == NETNS_NULL_ARGUMENT, "ns_run(NULL ns)");
    CHECK(netns_ns_sysctl_get(NULL, "net.ipv4.ip_forward", &value) == NETNS_NULL_ARGUMENT &&
              value == NULL,
          "sysctl_get(NULL ns), value untouched");
    CHECK(netns_ns_sysctl_set(NULL, "k", "v") == NETNS_NULL_ARGUMENT, "sysctl_set(NULL ns)");
    CHECK(netns_ns_get_id(NULL, &id) == NETNS_NULL_ARGUMENT && id == 77, "ns_get_id(NULL)");
    CHECK(netns_ns_handle(NULL, &h) == NETNS_NULL_ARGUMENT && h == NULL, "ns_handle(NULL)");
    CHECK(netns_handle_current(NULL) == NETNS_NULL_ARGUMENT, "handle_current(NULL)");
    CHECK(netns_link_add_veth(NULL, "a", "b", NULL) == NETNS_NULL_ARGUMENT, "link_add_veth(NULL h)");
    CHECK(netns_links(NULL, NULL) == NETNS_NULL_ARGUMENT, "links(NULL)");
    CHECK(netns_addrs(NULL, NULL, 0, NULL) == NETNS_NULL_ARGUMENT, "addrs(NULL)");
    CHECK(netns_routes(NULL, 0, 0, NULL) == NETNS_NULL_ARGUMENT, "routes(NULL)");
    CHECK(netns_route_add(NULL, NULL, NULL, NULL) == NETNS_NULL_ARGUMENT, "route_add(NULL h)");
    CHECK(netns_link_index(NULL, "lo", &index) == NETNS_NULL_ARGUMENT && index == 99,
          "link_lookup(NULL h), index untouched");

    OK(netns_handle_current(&h), "handle on the sandbox's namespace");
    CHECK(netns_link_set_up(h, NULL) == NETNS_NULL_ARGUMENT, "link_set_up(NULL dev)");
    CHECK(netns_link_set_name(h, "lo", NULL) == NETNS_NULL_ARGUMENT, "link_set_name(NULL new name)");
    CHECK(netns_link_set_netns(h, "lo", NULL) == NETNS_NULL_ARGUMENT, "link_set_netns(NULL ns)");
    CHECK(netns_addr_add(h, "lo", NULL) == NETNS_NULL_ARGUMENT, "addr_add(NULL cidr)");
    CHECK(netns_link_index(h, "lo", NULL) == NETNS_NULL_ARGUMENT, "link_lookup(NULL out)");

    /* Accessors and _free take NULL quietly. */
    CHECK(netns_entry_name(NULL) == NULL && netns_entry_id(NULL) == -1 && !netns_entry_is_stale(NULL),
          "entry accessors on NULL");
    CHECK(netns_entry_iter_next(NULL) == NULL && netns_entry_iter_len(NULL) == 0, "iterator on NULL");
    CHECK(netns_link_name(NULL) == NULL && netns_link_ifindex(NULL) == 0 && netns_link_mac(NULL) == NULL,
          "link accessors on NULL");
    CHECK(netns_addr_cidr(NULL) == NULL && netns_route_dst(NULL) == NULL && netns_route_oif(NULL) == 0,
          "address and route accessors on NULL");
    CHECK(netns_link_iter_consistent(NULL) && netns_addr_iter_consistent(NULL) &&
              netns_route_iter_consistent(NULL) && netns_id_iter_consistent(NULL),
          "consistency of a NULL iterator");
    CHECK(netns_string_list_get(NULL, 0) == NULL && netns_pid_list_get(NULL, 0) == 0,
          "list accessors on NULL");
    CHECK(netns_ns_fd(NULL) == -1 && netns_ns_inode(NULL) == 0 && !netns_ns_same(NULL, NULL),
          "namespace accessors on NULL");
    CHECK(netns_registry_run_dir(NULL) == NULL, "registry accessors on NULL");
    netns_registry_free(NULL);
    netns_ns_free(NULL);
    netns_handle_free(NULL);
    netns_entry_iter_free(NULL);
    netns_id_iter_free(NULL);
    netns_link_iter_free(NULL);
    netns_addr_iter_free(NULL);
    netns_route_iter_free(NULL);
    netns_string_list_free(NULL);
    netns_pid_list_free(NULL);
    netns_string_free(NULL);
    CHECK(1, "every _free(NULL) returns");

    /* Bad names: refused before the filesystem. */
    for (i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        out = sentinel;
        CHECK(netns_add(reg, bad_names[i], &out) == NETNS_INVALID_NAME && out == sentinel,
              "add refuses a bad name, out untouched");
    }
    CHECK(CONTAINS(netns_last_error_message(), "cannot add network namespace"),
          "the bad-name message says what was refused");
    CHECK(netns_open(reg, "a/b", &out) == NETNS_INVALID_NAME, "open refuses a bad name");
    CHECK(stat("/run/netns/a", &st) != 0, "nothing was created for a bad name");
    CHECK(netns_add(reg, "\xff\xfe", NULL) == NETNS_INVALID_ARGUMENT &&
              CONTAINS(netns_last_error_message(), "not valid UTF-8"),
          "a name that is not UTF-8 is an invalid argument");

    /* A name that exists. */
    OK(netns_add(reg, "dup", NULL), "add dup");
    out = sentinel;
    CHECK(netns_add(reg, "dup", &out) == NETNS_ALREADY_EXISTS && out == sentinel, "add dup again");
    CHECK(CONTAINS(netns_last_error_message(), "cannot add network namespace \"dup\": already exists"),
          "the message names the operation, the object and the reason");

    /* The last error is per thread, and a success clears it. */
    CHECK(pthread_create(&thread, NULL, read_last_error, NULL) == 0 && pthread_join(thread, NULL) == 0,
          "another thread runs");
    CHECK(other_thread_message[0] == '\0', "another thread has no last error");
    OK(netns_list(reg, &entries), "list (a success)");
    CHECK(STREQ(netns_last_error_message(), "") && netns_last_errno() == 0, "a success clears the last error");
    netns_entry_iter_free(entries);

    /* A namespace that does not exist. */
    out = sentinel;
    CHECK(netns_open(reg, "nope", &out) == NETNS_NOT_FOUND && out == sentinel, "open nope: not found");
    CHECK(netns_last_errno() == ENOENT, "errno ENOENT");
    CHECK(netns_delete(reg, "nope") == NETNS_NOT_FOUND, "delete nope: not found");
    CHECK(netns_exec(reg, "nope", argv_true, &status) == NETNS_NOT_FOUND && status == 12345,
          "exec in nope: not found, status untouched");
    CHECK(netns_set_id(reg, "nope", 3) == NETNS_NOT_FOUND, "set_id of nope: not found");
    CHECK(netns_ns_open_pid(-5, &out) == NETNS_INVALID_ARGUMENT, "open_pid(-5): invalid argument");
    CHECK(netns_attach(reg, "p", 0, NULL) == NETNS_INVALID_ARGUMENT, "attach pid 0: invalid argument");
    CHECK(netns_set_id(reg, "dup", -7) == NETNS_INVALID_ARGUMENT, "set_id -7: invalid argument");

    /* Kernel refusals, with the kernel's own words. */
    CHECK(netns_link_add_dummy(h, "d0") == NETNS_UNSUPPORTED, "dummy link: unsupported here");
    CHECK(CONTAINS(netns_last_error_message(), "Unknown device type"),
          "the message carries the kernel's text: Unknown device type");
    CHECK(netns_last_errno() != 0, "with the kernel's errno");
    CHECK(netns_link_set_up(h, "nosuch0") == NETNS_NOT_FOUND && netns_last_errno() == ENODEV,
          "set up a missing link: not found (ENODEV)");
    OK(netns_link_set_up(h, "lo"), "lo up");
    CHECK(netns_route_add(h, "default", "10.9.9.9", NULL) == NETNS_KERNEL &&
              netns_last_errno() == ENETUNREACH,
          "default route via an unreachable gateway: refused (ENETUNREACH)");
    CHECK(CONTAINS(netns_last_error_message(), "Nexthop has invalid gateway"),
          "the message carries the kernel's text: Nexthop has invalid gateway");
    OK(netns_set_id(reg, "dup", 5), "set id 5 on dup");
    CHECK(netns_set_id(reg, "dup", 6) == NETNS_ALREADY_EXISTS &&
              CONTAINS(netns_last_error_message(), "Peer netns already has a nsid assigned"),
          "a second id is refused in the kernel's words");
    CHECK(netns_addr_add(h, "lo", "10.1.1.1/33") == NETNS_INVALID_ARGUMENT, "a /33 is an invalid argument");
    CHECK(netns_route_add(h, "10.0.0.0/8", "not-an-ip", NULL) == NETNS_INVALID_ARGUMENT &&
              CONTAINS(netns_last_error_message(), "not-an-ip"),
          "a malformed gateway is an invalid argument");
    CHECK(netns_addrs(h, NULL, 12345, &addrs) == NETNS_INVALID_ARGUMENT && addrs == NULL,
          "an unknown address family is an invalid argument");
    CHECK(netns_link_set_mac(h, "lo", "zz:zz") == NETNS_INVALID_ARGUMENT, "a malformed MAC");
    CHECK(netns_last_errno() == EINVAL, "an argument refused before the kernel: errno EINVAL");

    /* An nsid without a target is looked for among the caller's own, as
     * `ip netns list-id nsid 5` does: dup's, set above. */
    ids = NULL;
    CHECK(netns_list_ids(reg, -1, 5, &ids) == NETNS_OK && netns_id_iter_len(ids) == 1 &&
              netns_id_entry_nsid(netns_id_iter_next(ids)) == 5,
          "list_ids(nsid 5, no target): dup's entry alone");
    netns_id_iter_free(ids);
    /* A route with nothing to route through says so. */
    CHECK(netns_route_add(h, NULL, NULL, NULL) == NETNS_INVALID_ARGUMENT && netns_last_errno() == EINVAL &&
              CONTAINS(netns_last_error_message(), "cannot add route default: invalid argument: "
                                                   "a route needs a gateway (via), a device (dev)"),
          "route_add(h, NULL, NULL, NULL): needs a gateway or a device");
    /* A file that is not a namespace: one message, errno set, not "stale". */
    out = sentinel;
    CHECK(netns_ns_open_path("/proc/self/status", &out) == NETNS_INVALID_ARGUMENT && out == sentinel &&
              netns_last_errno() == EINVAL,
          "ns_open_path of a plain file: invalid argument, EINVAL");
    CHECK(STREQ(netns_last_error_message(), "cannot open network namespace file \"/proc/self/status\": "
                                            "Invalid argument: not a network namespace file"),
          "ns_open_path of a plain file: one clear message");
    /* lo cannot be a master: the message says why. */
    OK(netns_link_add_veth(h, "tm0", "tm1", NULL), "veth tm0/tm1");
    /* One rule: the kernel's EINVAL is an invalid argument too (a veth's MTU is at most 65535). */
    CHECK(netns_link_set_mtu(h, "tm0", 70000) == NETNS_INVALID_ARGUMENT && netns_last_errno() == EINVAL,
          "an MTU the kernel refuses (EINVAL): NETNS_INVALID_ARGUMENT");
    CHECK(CONTAINS(netns_last_error_message(), "cannot set link \"tm0\": Invalid argument (kernel: "),
          "naming the link as given, with the kernel's text");
    CHECK(netns_link_set_master(h, "tm0", "lo") == NETNS_UNSUPPORTED &&
              CONTAINS(netns_last_error_message(), "cannot set link \"tm0\": not supported: the master "
                                                   "cannot take ports"),
          "set_master(tm0, lo): not supported, and why");
    OK(netns_link_delete(h, "tm0"), "delete tm0");
    OK(netns_open(reg, "dup", &ns), "open dup");
    CHECK(netns_ns_sysctl_get(ns, "kernel.hostname", &value) == NETNS_INVALID_ARGUMENT && value == NULL,
          "a sysctl outside net is refused");
    CHECK(netns_ns_sysctl_get(ns, "net.no.such.key", &value) == NETNS_NOT_FOUND, "a missing sysctl");
    CHECK(netns_ns_run(ns, NULL, NULL, NULL) == NETNS_NULL_ARGUMENT, "ns_run(NULL fn)");
    netns_ns_free(ns);

    /* Result texts. */
    CHECK(STREQ(netns_result_str(NETNS_OK), "success"), "result_str(OK)");
    CHECK(STREQ(netns_result_str(NETNS_NOT_FOUND), "not found"), "result_str(NOT_FOUND)");
    CHECK(STREQ(netns_result_str(9999), "unknown result code"), "result_str(9999)");
    CHECK(NETNS_OK == 0 && NETNS_NULL_ARGUMENT == 1 && NETNS_PANIC == 2 && NETNS_OTHER == 15,
          "result codes have their fixed values");

    OK(netns_delete(reg, "dup"), "delete dup");
    netns_handle_free(h);
    netns_registry_free(reg);
    return tap_done();
}
