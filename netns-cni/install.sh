#!/usr/bin/env bash
# Usage: netns-cni/install.sh install|uninstall AS BINARY DIR
#
# Installs the netns-cni binary BINARY into the CNI plugin directory DIR
# (`make install-cni`, `make uninstall-cni`; docs/cni.md):
#   AS=netns-cni   as DIR/netns-cni (configurations say "type": "netns-cni");
#   AS=reference   as DIR/bridge and DIR/ptp, the names runtimes (podman,
#                  containerd's and CRI-O's default conflists) already write.
# Only those names are touched: host-local, portmap, firewall, tuning and the
# rest of DIR stay as they are. A reference plugin found under one of the
# names is kept as NAME.reference (never overwritten nor deleted), and
# `uninstall reference` puts it back. What was installed is listed in
# DIR/.netns-cni-installed; uninstall removes only what that list names (and
# is still a regular file). A symlink under one of the names is refused.
set -euo pipefail

die() { echo "install-cni: $*" >&2; exit 1; }
[ $# -eq 4 ] || die "usage: $0 install|uninstall AS BINARY DIR"
action=$1 as=$2 binary=$3 dir=$4
case "$as" in
netns-cni) names=(netns-cni) ;;
reference) names=(bridge ptp) ;;
*) die "AS must be netns-cni or reference, not \"$as\"" ;;
esac
record=$dir/.netns-cni-installed

recorded() { [ -f "$record" ] && grep -qxF "$1" "$record"; }

case "$action" in
install)
    [ -x "$binary" ] || die "$binary: not built"
    install -d -m 0755 "$dir"
    for n in "${names[@]}"; do
        target=$dir/$n
        if [ -L "$target" ]; then
            die "$target is a symlink: not replacing it (remove it or install elsewhere)"
        elif [ -e "$target" ] && ! recorded "$n"; then
            [ ! -e "$target.reference" ] || die "$target.reference exists: not overwriting it"
            mv -- "$target" "$target.reference"
            echo "install-cni: kept the plugin that was $target as $target.reference" >&2
            echo "$n.reference" >>"$record"
        fi
        install -m 0755 "$binary" "$target.netns-cni-tmp"
        mv -f -- "$target.netns-cni-tmp" "$target"
        recorded "$n" || echo "$n" >>"$record"
        echo "install-cni: $target (netns-cni)" >&2
    done
    ;;
uninstall)
    for n in "${names[@]}"; do
        target=$dir/$n
        if recorded "$n" && [ -f "$target" ] && [ ! -L "$target" ]; then
            rm -- "$target"
            echo "install-cni: removed $target" >&2
        elif [ -e "$target" ]; then
            echo "install-cni: $target was not installed here: left alone" >&2
            continue
        fi
        if recorded "$n.reference" && [ -e "$target.reference" ] && [ ! -e "$target" ]; then
            mv -- "$target.reference" "$target"
            echo "install-cni: restored $target" >&2
        fi
        if [ -f "$record" ]; then
            grep -vxF -e "$n" -e "$n.reference" "$record" >"$record.tmp" || true
            mv -f -- "$record.tmp" "$record"
            [ -s "$record" ] || rm -f -- "$record"
        fi
    done
    ;;
*) die "usage: $0 install|uninstall AS BINARY DIR" ;;
esac
