#!/usr/bin/env bash
# Usage: scripts/sandbox.sh env NETNS_CNI=target/debug/netns-cni tests/cni/compare.sh
#
# The same configurations through the reference plugins (bridge, ptp and
# host-local from Debian's containernetworking-plugins, in /usr/lib/cni) and
# through netns-cni as a drop-in (the same configuration, type bridge or ptp;
# ipam host-local served by its built-in allocator), IPv4 and dual stack: the JSON results must be equal modulo MAC
# addresses and host veth names; the pods' addresses and routes, and the
# host's routes, equal modulo veth names; the pods must reach each other and
# the host; DEL twice must succeed and leave no pod link, no host veth and
# no allocation. Runs only inside the sandbox (it creates links).
set -euo pipefail

fail() { echo "compare: FAIL: $*" >&2; exit 1; }
[ -r /run/netns-sandbox.net ] && [ "$(readlink /proc/self/ns/net)" = "$(cat /run/netns-sandbox.net)" ] \
    || fail "not inside scripts/sandbox.sh: refusing to touch this namespace"
: "${NETNS_CNI:?set NETNS_CNI to the netns-cni binary}"
NETNS_CNI=$(readlink -f "$NETNS_CNI")
REF=/usr/lib/cni
for p in bridge ptp host-local; do
    [ -x "$REF/$p" ] || fail "$REF/$p missing: run scripts/setup.sh (containernetworking-plugins)"
done
DATA=/run/cni-compare
ip link set lo up

# plugin COMMAND ID POD CONF -> stdout; exit status kept.
call() {
    local plugin=$1 cmd=$2 id=$3 pod=$4 conf=$5
    printf '%s' "$conf" | env CNI_COMMAND="$cmd" CNI_CONTAINERID="$id" CNI_NETNS="/run/netns/$pod" \
        CNI_IFNAME=eth0 CNI_PATH="$REF" "$plugin"
}

# A result without MACs, host veth names as VETH, sorted keys.
norm_result() {
    jq -S 'del(.interfaces[]?.mac)
           | if .interfaces then .interfaces |= map(if (.name | startswith("veth")) then .name = "VETH" else . end) else . end'
}

# A pod's eth0 addresses and routes (veth names as VETH).
pod_state() {
    local pod=$1
    {
        ip -n "$pod" -j addr show dev eth0 | jq -S '[.[] | {mtu, operstate,
            addrs: [.addr_info[] | select(.family == "inet" or (.family == "inet6" and .scope != "link"))
                    | {family, local, prefixlen, broadcast, scope}]}]'
        ip -n "$pod" -j route show table main | jq -S 'map({dst, gateway, dev, scope, prefsrc, protocol})'
        ip -n "$pod" -6 -j route show table main | jq -S 'map(select(.dst | startswith("fe80") | not) | {dst, gateway, dev, prefsrc, metric, pref})'
    } | sed 's/"veth[0-9a-f]*"/"VETH"/g'
}

# The host's routes and the bridge's addresses (veth names as VETH).
host_state() {
    {
        ip -j route show table main | jq -S 'map({dst, gateway, dev, scope, prefsrc}) | sort_by(.dst)'
        ip -6 -j route show table main | jq -S 'map(select(.dst | startswith("fe80") | not) | {dst, gateway, dev, prefsrc}) | sort_by(.dst)'
        if ip link show cni0 >/dev/null 2>&1; then
            ip -j addr show dev cni0 | jq -S '[.[].addr_info[] | select(.family == "inet" or (.family == "inet6" and .scope != "link")) | {family, local, prefixlen, broadcast}]'
        fi
    } | sed 's/"veth[0-9a-f]*"/"VETH"/g'
}

ping_ok() { ip netns exec "$1" ping -c1 -W2 "$2" >/dev/null || fail "$3: ping from $1 to $2"; }
# IPv6: up to 5 s (one echo a second), for a gateway address still in DAD
# (the reference adds the bridge's with DAD; netns-cni adds it without).
ping6_ok() { ip netns exec "$1" ping -c1 -w5 "$2" >/dev/null || fail "$3: ping from $1 to $2"; }

# scenario NAME PLUGIN CONF PING_HOST [PING_HOST_IPV6]
scenario() {
    local name=$1 ref_plugin=$2 conf=$3 host_ip=$4 host_ip6=${5-} side
    for side in ref ours; do
        local plugin c
        if [ "$side" = ref ]; then
            plugin="$REF/$ref_plugin"
            c=$(jq -c '.type = "'"$ref_plugin"'"' <<<"$conf")
        else
            # The drop-in: the reference's type, no mode ("netns-cni" with
            # "mode" is the same code, see netns-cni's tests).
            plugin=$NETNS_CNI
            c=$(jq -c '.type = "'"$ref_plugin"'"' <<<"$conf")
        fi
        ip netns add "${side}1"; ip netns add "${side}2"
        call "$plugin" ADD c1 "${side}1" "$c" >"/run/$name.$side.r1" || fail "$name $side ADD c1: $(cat "/run/$name.$side.r1")"
        call "$plugin" ADD c2 "${side}2" "$c" >"/run/$name.$side.r2" || fail "$name $side ADD c2: $(cat "/run/$name.$side.r2")"
        local ip2
        ip2=$(jq -r '.ips[0].address | split("/")[0]' "/run/$name.$side.r2")
        ping_ok "${side}1" "$ip2" "$name $side pod to pod"
        ping_ok "${side}2" "$host_ip" "$name $side pod to host"
        # Dual stack: the IPv6 address of each pod too.
        if [ -n "$host_ip6" ]; then
            local ip2v6
            ip2v6=$(jq -r '.ips[] | .address | select(contains(":")) | split("/")[0]' "/run/$name.$side.r2")
            [ -n "$ip2v6" ] || fail "$name $side: no IPv6 address in $(cat "/run/$name.$side.r2")"
            ping6_ok "${side}1" "$ip2v6" "$name $side pod to pod (IPv6)"
            ping6_ok "${side}2" "$host_ip6" "$name $side pod to host (IPv6)"
        fi
        for n in 1 2; do
            norm_result <"/run/$name.$side.r$n" | sed "s|/run/netns/${side}$n|SANDBOX|" >"/run/$name.$side.n$n"
            pod_state "${side}$n" >"/run/$name.$side.pod$n"
        done
        host_state >"/run/$name.$side.host"
        for n in 1 2 1 2; do
            out=$(call "$plugin" DEL "c$n" "${side}$n" "$c") || fail "$name $side DEL c$n: $out"
            [ -z "$out" ] || fail "$name $side DEL c$n printed $out"
        done
        [ "$(ip -n "${side}1" -o link | wc -l)" -eq 1 ] || fail "$name $side: pod link left"
        ! ip -o link | grep -q ' veth' || fail "$name $side: host veth left: $(ip -o link)"
        [ -z "$(find "$DATA" -type f -name '[0-9]*' 2>/dev/null)" ] || fail "$name $side: allocations left"
        ip netns del "${side}1"; ip netns del "${side}2"
        ip link del cni0 2>/dev/null || true
        rm -rf "$DATA"
    done
    for f in n1 n2 pod1 pod2 host; do
        [ -s "/run/$name.ref.$f" ] || fail "$name: nothing recorded for $f"
        diff -u "/run/$name.ref.$f" "/run/$name.ours.$f" >&2 || fail "$name: $f differs (reference first)"
    done
    echo "compare: $name: results, pod and host state equal; pings ok; DEL twice ok"
}

scenario bridge bridge '{"cniVersion":"1.0.0","name":"cmp1","bridge":"cni0","isGateway":true,"isDefaultGateway":true,"hairpinMode":true,"mtu":1450,
  "dns":{"nameservers":["10.40.0.1"],"search":["svc.local"]},
  "ipam":{"type":"host-local","subnet":"10.40.0.0/24","gateway":"10.40.0.1","dataDir":"'"$DATA"'","routes":[{"dst":"10.96.0.0/12"}]}}' 10.40.0.1

scenario bridge-0.4.0 bridge '{"cniVersion":"0.4.0","name":"cmp2","isGateway":true,
  "ipam":{"type":"host-local","ranges":[[{"subnet":"10.41.0.0/24","rangeStart":"10.41.0.100","rangeEnd":"10.41.0.120"}]],"dataDir":"'"$DATA"'"}}' 10.41.0.1

scenario ptp ptp '{"cniVersion":"1.0.0","name":"cmp3","mtu":1400,"dns":{"nameservers":["10.42.0.1"]},
  "ipam":{"type":"host-local","ranges":[[{"subnet":"10.42.0.0/24","rangeStart":"10.42.0.10"}]],"dataDir":"'"$DATA"'","routes":[{"dst":"0.0.0.0/0"}]}}' 10.42.0.1

# Dual stack: an IPv4 and an IPv6 range in one IPAM configuration, a
# default route of each family (isDefaultGateway), the gateways on the
# bridge. IPv6 set up here, not taken from the host.
sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
scenario bridge-dual bridge '{"cniVersion":"1.0.0","name":"cmp4","bridge":"cni0","isGateway":true,"isDefaultGateway":true,
  "ipam":{"type":"host-local","ranges":[[{"subnet":"10.43.0.0/24"}],[{"subnet":"fd00:43::/64"}]],"dataDir":"'"$DATA"'"}}' 10.43.0.1 fd00:43::1

scenario ptp-dual ptp '{"cniVersion":"1.0.0","name":"cmp5",
  "ipam":{"type":"host-local","ranges":[[{"subnet":"10.44.0.0/24"}],[{"subnet":"fd00:44::/64"}]],"dataDir":"'"$DATA"'",
          "routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0"}]}}' 10.44.0.1 fd00:44::1

[ -z "${CNI_COMPARE_SHOW-}" ] || cat /run/ptp.ours.n1 /run/ptp.ours.pod1 /run/ptp.ours.host
echo "compare: ok"
