#!/usr/bin/env bash
# Usage: scripts/sandbox.sh env NETNS_CNI=target/debug/netns-cni tests/cni/podman.sh
#
# netns-cni under a real container runtime: podman (Debian 12's 4.3) with its
# CNI network backend, the same scenarios twice in one run — once with the
# reference plugins of /usr/lib/cni, once with netns-cni installed under the
# reference names `bridge` and `ptp` in a copy of that directory (host-local,
# portmap, firewall, tuning … stay the reference's) — to show equal
# behaviour:
#   - two containers on a network (one with `--mac-address`): ping both
#     ways, to the gateway, from the host; `-p` port mapping (portmap)
#     reached through the gateway address;
#   - `podman network connect` to a second network (both give a default
#     route) and `disconnect`;
#   - `podman restart` with the same address (`--ip`) and a new veth: the
#     peer that talked to it before reaches it again within 1 s (netns-cni
#     announces the address on ADD; the reference's gap is printed);
#   - 20 parallel `podman run` get 20 distinct addresses;
#   - start+rm latency (median of 7) and the 20 parallel starts, printed;
#   - after `rm` and `network rm`: no veth, no network namespace, no address
#     allocation, no firewall or NAT rule of a container left.
# Everything lives in the sandbox (scripts/sandbox.sh: private network, mount
# and pid namespaces, /run a tmpfs): podman's storage, run and temporary
# directories under /run, the CNI configuration directory under /run, a
# tmpfs over /var/lib (host-local's /var/lib/cni) and over /etc/cni; the
# host's cgroup v2 mount is detached in the sandbox's mount namespace and
# containers run with cgroups disabled (crun refuses the host's hybrid
# layout otherwise). Images come from a local busybox-static rootfs
# (`podman import`): no registry is needed.
set -euo pipefail

fail() { echo "podman: FAIL: $*" >&2; exit 1; }
say() { echo "podman: $*"; }
[ -r /run/netns-sandbox.net ] && [ "$(readlink /proc/self/ns/net)" = "$(cat /run/netns-sandbox.net)" ] \
    || fail "not inside scripts/sandbox.sh: refusing to touch this namespace"
: "${NETNS_CNI:?set NETNS_CNI to the netns-cni binary}"
NETNS_CNI=$(readlink -f "$NETNS_CNI")
INSTALL=$(dirname "$(readlink -f "$0")")/../../netns-cni/install.sh
REF=/usr/lib/cni
for p in bridge ptp host-local portmap firewall tuning; do
    [ -x "$REF/$p" ] || fail "$REF/$p missing: run scripts/setup.sh (containernetworking-plugins)"
done
for c in podman crun conmon iptables-save; do
    command -v "$c" >/dev/null || fail "$c missing: run scripts/setup.sh (podman)"
done
BUSYBOX=/bin/busybox
file_is_static() { ! LC_ALL=C ldd "$1" >/dev/null 2>&1; }
[ -x "$BUSYBOX" ] && file_is_static "$BUSYBOX" || fail "$BUSYBOX (static) missing: run scripts/setup.sh (busybox-static)"

T=/run/podman-test
# The sandbox's own mount namespace: nothing here reaches the host.
mount -t tmpfs -o mode=0755 podman-test-var-lib /var/lib
mount -t tmpfs -o mode=0755 podman-test-etc-cni /etc/cni
if mountpoint -q /sys/fs/cgroup/unified; then umount -l /sys/fs/cgroup/unified; fi
ip link set lo up

# The image: busybox-static and its applets, an index page for httpd.
mkdir -p "$T/rootfs/bin" "$T/rootfs/www"
cp "$BUSYBOX" "$T/rootfs/bin/busybox"
for a in sh ping sleep ip cat httpd true; do ln -s busybox "$T/rootfs/bin/$a"; done
mkdir -p "$T"/rootfs/{etc,proc,sys,dev,tmp,run}
echo netns-cni-podman-test >"$T/rootfs/www/index.html"
tar -C "$T/rootfs" -cf "$T/rootfs.tar" .

# side NAME: podman's configuration for one side, its plugin directory.
setup_side() {
    local side=$1 d=$T/$1
    mkdir -p "$d/bin" "$d/net.d" "$d/tmp"
    # The reference plugins: bridge and ptp copied (install.sh refuses to
    # replace a symlink), the rest linked.
    for p in "$REF"/*; do
        case ${p##*/} in bridge | ptp) cp "$p" "$d/bin/" ;; *) ln -s "$p" "$d/bin/" ;; esac
    done
    if [ "$side" = netns-cni ]; then
        # `make install-cni AS=reference`'s script, with the debug build.
        "$INSTALL" install reference "$NETNS_CNI" "$d/bin" 2>/dev/null
        cmp -s "$d/bin/bridge" "$NETNS_CNI" && cmp -s "$d/bin/ptp" "$NETNS_CNI" \
            && cmp -s "$d/bin/bridge.reference" "$REF/bridge" && [ -L "$d/bin/host-local" ] \
            || fail "install.sh install reference: $(ls -l "$d/bin")"
    fi
    cat >"$d/containers.conf" <<EOF
[containers]
cgroups = "disabled"
log_driver = "k8s-file"
default_sysctls = ["net.ipv4.ping_group_range=0 0"]
[network]
network_backend = "cni"
cni_plugin_dirs = ["$d/bin"]
network_config_dir = "$d/net.d"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$d/events.log"
tmp_dir = "$d/tmp"
image_copy_tmp_dir = "$d/tmp"
runtime = "crun"
EOF
    cat >"$d/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$d/root"
runroot = "$d/runroot"
EOF
    # TMPDIR too: podman import stages the image in /var/tmp otherwise.
    export CONTAINERS_CONF=$d/containers.conf CONTAINERS_STORAGE_CONF=$d/storage.conf TMPDIR=$d/tmp
    podman import -q "$T/rootfs.tar" localhost/bb:latest >/dev/null
}

ip_of() { podman inspect -f "{{(index .NetworkSettings.Networks \"$2\").IPAddress}}" "$1"; }
mac_of() { podman inspect -f "{{(index .NetworkSettings.Networks \"$2\").MacAddress}}" "$1"; }
ms() { date +%s%3N; }
# http_get ADDRESS PORT: the response to GET / (bash's /dev/tcp; the static
# busybox's wget cannot resolve on the host), a few tries while httpd starts.
http_get() {
    local try
    for try in 1 2 3 4 5; do
        if timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" && printf "GET / HTTP/1.0\r\n\r\n" >&3 && cat <&3' _ "$1" "$2" 2>/dev/null; then
            return 0
        fi
        sleep 0.2
    done
    return 1
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# ping_in CONTAINER ADDRESS WHAT
ping_in() { podman exec "$1" ping -c1 -W2 "$2" >/dev/null || fail "$side: $3: ping from $1 to $2"; }

scenarios() {
    local side=$1
    setup_side "$side"
    podman network create --subnet 10.89.1.0/24 n1 >/dev/null
    podman network create --subnet 10.89.2.0/24 n2 >/dev/null
    jq -e '.plugins[0].type == "bridge"' "$T/$side/net.d/n1.conflist" >/dev/null \
        || fail "$side: podman did not write a bridge network"
    [ "$(podman network inspect -f '{{.Driver}}' n1)" = bridge ] || fail "$side: driver of n1"
    [ "$(podman network inspect -f '{{range .Subnets}}{{.Subnet}}{{end}}' n1)" = 10.89.1.0/24 ] \
        || fail "$side: subnets of n1: $(podman network inspect n1)"
    local br1 br2
    br1=$(jq -r '.plugins[0].bridge' "$T/$side/net.d/n1.conflist")
    br2=$(jq -r '.plugins[0].bridge' "$T/$side/net.d/n2.conflist")

    # Two containers, pings, the gateway, the host, port mapping.
    podman run -d --name c1 --network n1 --ip 10.89.1.10 -p 18080:8080 localhost/bb \
        httpd -f -p 8080 -h /www >/dev/null
    podman run -d --name c2 --network n1 --mac-address 02:42:0a:59:01:42 localhost/bb sleep 1000 >/dev/null
    local ip1 ip2
    ip1=$(ip_of c1 n1) ip2=$(ip_of c2 n1)
    [ "$(podman exec c2 cat /sys/class/net/eth0/address)" = 02:42:0a:59:01:42 ] \
        && [ "$(mac_of c2 n1)" = 02:42:0a:59:01:42 ] \
        || fail "$side: --mac-address: eth0 has $(podman exec c2 cat /sys/class/net/eth0/address), podman says $(mac_of c2 n1)"
    [ "$ip1" = 10.89.1.10 ] || fail "$side: c1 has $ip1, not the --ip 10.89.1.10"
    [ -n "$ip2" ] && [ "$ip2" != "$ip1" ] || fail "$side: c2's address $ip2"
    # Which plugin wired them: netns-cni marks its host ends with an alias.
    local ours
    ours=$(ip -j link show type veth | jq '[.[] | select((.ifalias // "") | startswith("netns-cni/"))] | length')
    if [ "$side" = netns-cni ]; then
        [ "$ours" -eq 2 ] || fail "$side: $ours host ends made by netns-cni, not 2"
    else
        [ "$ours" -eq 0 ] || fail "$side: netns-cni made $ours host ends"
    fi
    ping_in c1 "$ip2" "container to container"
    ping_in c2 "$ip1" "container to container"
    ping_in c1 10.89.1.1 "container to gateway"
    ping -c1 -W2 "$ip2" >/dev/null || fail "$side: host to c2"
    local page
    page=$(http_get 10.89.1.1 18080) || fail "$side: -p 18080:8080 through 10.89.1.1"
    grep -q '^netns-cni-podman-test' <<<"$page" || fail "$side: port mapping served: $page"
    say "$side: c1 $ip1, c2 $ip2 (--mac-address kept): pings both ways, to the gateway and from the host; -p mapping ok"

    # A second network on c1 (both networks give a default route).
    podman network connect n2 c1 || fail "$side: network connect n2 c1"
    local ip1b
    ip1b=$(ip_of c1 n2)
    case "$ip1b" in 10.89.2.*) ;; *) fail "$side: c1 on n2 has ${ip1b:-nothing}" ;; esac
    ping_in c1 10.89.2.1 "second network's gateway"
    ping -c1 -W2 "$ip1b" >/dev/null || fail "$side: host to c1 on n2"
    podman exec c1 ip route | grep -q '^default via 10.89.1.1 dev eth0' \
        || fail "$side: c1's first default route: $(podman exec c1 ip route)"
    podman network disconnect n2 c1 || fail "$side: network disconnect n2 c1"
    ! podman exec c1 ip link show eth1 >/dev/null 2>&1 || fail "$side: eth1 left after disconnect"
    ping_in c1 "$ip2" "after disconnect"
    say "$side: network connect n2 ($ip1b, eth1) and disconnect ok"

    # Restart: the same address, a new veth and MAC. c2 and the host have
    # entries for c1's old MAC (they just talked to it).
    ping_in c2 "$ip1" "before restart"
    ping -c1 -W2 "$ip1" >/dev/null || fail "$side: host to c1 before restart"
    local mac_before mac_after t0 gap
    mac_before=$(mac_of c1 n1)
    podman restart -t 0 c1 >/dev/null
    mac_after=$(mac_of c1 n1)
    [ "$(ip_of c1 n1)" = "$ip1" ] || fail "$side: c1's address after restart"
    [ "$mac_before" != "$mac_after" ] || fail "$side: the MAC did not change on restart"
    t0=$(ms)
    if podman exec c2 ping -c1 -W1 "$ip1" >/dev/null; then
        gap=$(($(ms) - t0))
        say "$side: restart: c2 reaches c1 at once (new MAC $mac_after; ping answered in ${gap} ms)"
    elif [ "$side" = netns-cni ]; then
        fail "$side: c2 cannot reach c1 within 1 s of its restart (stale neighbour entry)"
    else
        say "$side: restart: c2 does NOT reach c1 within 1 s (stale neighbour entry for $mac_before; the gap of issue 18)"
    fi
    ip neigh show "$ip1" dev "$br1" | grep -qi "$mac_after" \
        || [ "$side" != netns-cni ] || fail "$side: the host's neighbour entry for c1: $(ip neigh show "$ip1")"
    podman rm -f -t 0 c1 c2 >/dev/null

    # Start+rm latency, one container at a time.
    local i t times=()
    for i in 1 2 3 4 5 6 7; do
        t=$(ms)
        podman run -d --name "l$i" --network n1 localhost/bb sleep 1000 >/dev/null
        podman rm -f -t 0 "l$i" >/dev/null
        times+=($(($(ms) - t)))
    done
    local lat
    lat=$(printf '%s\n' "${times[@]}" | median)

    # 20 parallel starts: 20 distinct addresses.
    t=$(ms)
    for i in $(seq 1 20); do
        podman run -d --name "p$i" --network n1 localhost/bb sleep 1000 >"$T/$side/p$i.out" 2>&1 &
    done
    wait
    local par=$(($(ms) - t))
    for i in $(seq 1 20); do
        podman inspect "p$i" >/dev/null 2>&1 || fail "$side: parallel run p$i: $(cat "$T/$side/p$i.out")"
    done
    local addrs
    addrs=$(for i in $(seq 1 20); do ip_of "p$i" n1; done | sort -u | grep -c '^10\.89\.1\.')
    [ "$addrs" -eq 20 ] || fail "$side: 20 parallel runs got $addrs distinct addresses"
    ping_in p20 "$(ip_of p1 n1)" "between parallel containers"
    podman rm -f -t 0 $(seq -f 'p%g' 1 20) >/dev/null
    say "$side: start+rm median ${lat} ms (of ${times[*]}); 20 parallel starts in ${par} ms, 20 distinct addresses"
    echo "$side $lat $par" >>"$T/figures"

    # Nothing left.
    podman network rm -f n1 n2 >/dev/null
    [ -z "$(podman ps -aq)" ] || fail "$side: containers left"
    if ip -o link show type veth | grep -q .; then fail "$side: veth left: $(ip -o link show type veth)"; fi
    [ -z "$(ls /run/netns 2>/dev/null)" ] || fail "$side: network namespaces left: $(ls /run/netns)"
    local left
    left=$(find /var/lib/cni/networks -type f -name '10.*' 2>/dev/null)
    [ -z "$left" ] || fail "$side: address allocations left: $left"
    # The firewall, portmap and (reference) ipMasq rules of a container
    # name its address; netns-cni's masquerade tables are netns-cni-*.
    if iptables-save | grep -q '10\.89\.'; then
        fail "$side: iptables rules for a container left: $(iptables-save | grep '10\.89\.')"
    fi
    if nft list tables 2>/dev/null | grep -q 'netns-cni-'; then
        fail "$side: netns-cni NAT tables left: $(nft list tables)"
    fi
    say "$side: after rm: no container, veth, namespace, allocation or per-container rule left"

    if [ "$side" = netns-cni ]; then
        "$INSTALL" uninstall reference "$NETNS_CNI" "$T/$side/bin" 2>/dev/null
        cmp -s "$T/$side/bin/bridge" "$REF/bridge" && cmp -s "$T/$side/bin/ptp" "$REF/ptp" \
            && [ ! -e "$T/$side/bin/bridge.reference" ] && [ ! -e "$T/$side/bin/.netns-cni-installed" ] \
            || fail "install.sh uninstall reference: $(ls -la "$T/$side/bin")"
        say "$side: install.sh install/uninstall reference ok"
    fi
    # The bridges stay, as podman leaves them; the next side makes its own.
    ip link del "$br1" 2>/dev/null || true
    ip link del "$br2" 2>/dev/null || true
    rm -rf /var/lib/cni/*
}

scenarios reference
scenarios netns-cni
say "figures (side, start+rm median ms, 20 parallel starts ms):"
sed 's/^/podman:   /' "$T/figures"
say "ok"
