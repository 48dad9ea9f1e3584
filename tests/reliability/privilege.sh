#!/usr/bin/env bash
# Privilege and path safety of the netns CLI ($NETNS), in the sandbox:
#  - with CAP_SYS_ADMIN, CAP_NET_ADMIN or every capability dropped (setpriv,
#    bounding set: root loses it at exec), each operation fails, its message
#    names the missing capability, and nothing is half-done;
#  - the run directory is 0755, a namespace file 0 before its mount; a
#    symlink planted in the run directory is never followed (open refuses it,
#    delete refuses it and leaves both the link and the mount it points at).
set -uo pipefail
cd "$(dirname "$0")/../.."
NETNS=${NETNS:-target/debug/netns}
[ -r /run/netns-sandbox.net ] && [ "$(readlink /proc/self/ns/net)" = "$(cat /run/netns-sandbox.net)" ] ||
    { echo "refusing to run outside scripts/sandbox.sh"; exit 2; }
export NETNS_RUN_DIR=/run/netns
passed=0 failed=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
bad() { echo "FAILED - $*"; failed=$((failed + 1)); }

# without CAPS CAP-NAMED -- netns ARGS: fails naming CAP-NAMED.
without() {
    local drop=$1 named=$2
    shift 3
    local err status
    err=$(setpriv --inh-caps=-all --bounding-set="$drop" -- "$NETNS" "$@" 2>&1 >/dev/null)
    status=$?
    if [ "$status" -ne 0 ] && [[ $err == *"$named"* ]] && [[ $err != *panicked* ]]; then
        ok "without ${drop}: netns $* -> $status: $err"
    else
        bad "without ${drop}: netns $* -> $status: $err (expected a failure naming $named)"
    fi
}

state() { echo "$(ls -A /run/netns | tr '\n' ' ')|$(ip -o link show | cut -d: -f2 | tr '\n' ' ')|$(ip -o addr show | wc -l)"; }

"$NETNS" add keep || exit 1
before=$(state)
without -sys_admin CAP_SYS_ADMIN -- add x
without -sys_admin CAP_SYS_ADMIN -- delete keep
without -sys_admin CAP_SYS_ADMIN -- exec keep true
without -sys_admin CAP_SYS_ADMIN -- -n keep link add br0 type bridge
without -all CAP_SYS_ADMIN -- add y
without -all CAP_NET_ADMIN -- link add br1 type bridge
without -net_admin CAP_NET_ADMIN -- link add br2 type bridge
without -net_admin CAP_NET_ADMIN -- link set dev lo up
without -net_admin CAP_NET_ADMIN -- addr add 10.0.0.1/24 dev lo
without -net_admin CAP_NET_ADMIN -- route add 10.1.0.0/16 dev lo
without -net_admin CAP_NET_ADMIN -- set keep 7
after=$(state)
[ "$before" = "$after" ] && ok "nothing half-done: $after" || bad "state changed: $before -> $after"
grep -q . <(setpriv --bounding-set=-sys_admin -- grep CapEff /proc/self/status) &&
    setpriv --bounding-set=-sys_admin -- "$NETNS" list >/dev/null 2>&1 && ok "list needs no capability" ||
    bad "list without CAP_SYS_ADMIN failed"

mode=$(stat -c %a /run/netns)
[ "$mode" = 755 ] && ok "run directory mode 0755" || bad "run directory mode $mode"
# A namespace file under its mount is the nsfs inode; the file itself was
# created mode 0 (O_CREAT|O_EXCL|O_NOFOLLOW): seen once the mount is gone.
umount /run/netns/keep
mode=$(stat -c %a /run/netns/keep)
[ "$mode" = 0 ] && ok "namespace file created with mode 0" || bad "namespace file mode $mode"
"$NETNS" delete keep

# Path escapes: a symlink in the run directory to a mount point elsewhere.
mkdir -p /run/elsewhere && mount -t tmpfs none /run/elsewhere && touch /run/elsewhere/marker
ln -s /run/elsewhere /run/netns/escape
err=$("$NETNS" exec escape true 2>&1); status=$?
[ "$status" -ne 0 ] && [[ $err == *"symbolic link"* ]] && ok "exec refuses a symlink entry: $err" ||
    bad "exec of a symlink entry: $status $err"
err=$("$NETNS" delete escape 2>&1); status=$?
if [ "$status" = 1 ] && [[ $err == *"symbolic link"* ]] && [ -L /run/netns/escape ] &&
    [ -e /run/elsewhere/marker ] && mountpoint -q /run/elsewhere; then
    ok "delete refuses the symlink and leaves it and the mount it points to: $err"
else
    bad "delete of a symlink entry: $status $err"
fi
rm /run/netns/escape
umount /run/elsewhere
ln -s /proc/1/ns/net /run/netns/hostlike
out=$("$NETNS" list 2>&1)
"$NETNS" identify 1 | grep -qx hostlike && bad "identify followed a symlink" || ok "identify does not follow a symlink entry"
rm -f /run/netns/hostlike
echo "privilege: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
