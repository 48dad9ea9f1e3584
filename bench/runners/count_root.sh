# Sourced by the shell runners. count_root N [TOOL]: one `TOOL -j addr show`
# (TOOL is ip or a netns binary; a link dump and an address dump in one
# process), counted with jq: prints the counts' JSON fields and fails unless
# there are N+1 links and N IPv4 addresses outside 127.0.0.0/8.
count_root() {
    local n=$1 tool=${2:-ip} counts
    counts=$("$tool" -j addr show | jq -c '{links: length,
        ipv4: (map(.addr_info[] | select(.family == "inet" and (.local | startswith("127.") | not))) | length),
        addresses: (map(.addr_info | length) | add)}')
    jq -e --argjson n "$n" '.links == $n + 1 and .ipv4 == $n' <<<"$counts" >/dev/null || {
        echo "wrong counts: $counts (want $((n + 1)) links, $n IPv4 addresses)" >&2
        return 1
    }
    counts=${counts#\{}
    printf '%s' "${counts%\}}"
}

# 10.77.x.y for pair i (x.y = i + 1), as the Rust runner.
host_addr() {
    local k=$(($1 + 1))
    printf '10.77.%d.%d' $((k >> 8)) $((k & 255))
}

now() { date +%s.%N; }
