#!/usr/bin/env python3
"""Captures real kernel replies as seeds for the netlink_reply fuzz target.

Run inside the sandbox (scripts/sandbox.sh fuzz/seeds/capture.py OUTDIR): it
builds a few links, addresses and routes in the sandbox's namespace, then
sends requests on a raw NETLINK_ROUTE socket with NETLINK_EXT_ACK and writes
each answer as the datagrams the socket received, in the encoding of
netns_core::fuzzing::datagrams (u16 little-endian length, bytes). Every
request has sequence number 1, as the first request of a netns Socket.
"""
import os
import socket
import struct
import subprocess
import sys

NETLINK_EXT_ACK = 11
NETLINK_GET_STRICT_CHK = 12
SOL_NETLINK = 270
NLM_F_REQUEST, NLM_F_ACK, NLM_F_EXCL, NLM_F_CREATE, NLM_F_DUMP = 1, 4, 0x200, 0x400, 0x300
RTM_NEWLINK, RTM_GETLINK, RTM_GETADDR, RTM_NEWROUTE, RTM_GETROUTE, RTM_GETNSID = 16, 18, 22, 24, 26, 90
NLMSG_ERROR, NLMSG_DONE = 2, 3


def sh(cmd):
    subprocess.run(cmd, shell=True, check=True)


def request(kind, flags, payload):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, socket.NETLINK_ROUTE)
    s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    s.setsockopt(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1)
    s.bind((0, 0))
    s.send(struct.pack("=IHHII", 16 + len(payload), kind, flags, 1, 0) + payload)
    grams = []
    while True:
        g = s.recv(1 << 16)
        grams.append(g)
        off, end = 0, False
        while off + 16 <= len(g):
            length, typ = struct.unpack_from("=IH", g, off)
            if typ in (NLMSG_ERROR, NLMSG_DONE):
                end = True
            off += (length + 3) & ~3
        if end:
            return grams


def encode(grams):
    out = b""
    for g in grams:
        g = g[:0xFFFF]
        out += struct.pack("<H", len(g)) + g
    return out


def attr(kind, value):
    a = struct.pack("=HH", 4 + len(value), kind) + value
    return a + b"\0" * ((4 - len(a) % 4) % 4)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    sh("ip link set lo up; ip link add br0 type bridge; ip link add v0 type veth peer name v1;"
       "ip link set v0 master br0; ip link set br0 up; ip link set v0 up; ip link set v1 up;"
       "ip addr add 10.9.0.1/24 dev br0; ip addr add fd00::1/64 dev br0 nodad;"
       "ip addr add 10.9.1.1/24 brd + dev v1 label v1:x; ip route add 10.20.0.0/16 via 10.9.0.2;"
       "ip route add default via 10.9.0.254 metric 50")
    ifinfo = struct.pack("=BxHiII", 0, 0, 0, 0, 0)
    ifaddr = struct.pack("=BBBBI", 0, 0, 0, 0, 0)
    rtmsg = struct.pack("=BBBBBBBBI", 0, 0, 0, 0, 0, 0, 0, 0, 0)
    seeds = {
        "dump_links": request(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, ifinfo),
        "dump_addrs": request(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, ifaddr),
        "dump_routes": request(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, struct.pack("=BBBBBBBBI", 2, 0, 0, 0, 0, 0, 0, 0, 0)),
        "dump_nsids": request(RTM_GETNSID, NLM_F_REQUEST | NLM_F_DUMP, struct.pack("=Bxxx", 0)),
        # Refusals with extended-ack text: an existing name, a bad gateway,
        # a dump with a filter the strict check refuses.
        "error_exists": request(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
                                ifinfo + attr(3, b"br0\0") + attr(18, attr(1, b"bridge\0"))),
        "error_gateway": request(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE,
                                 struct.pack("=BBBBBBBBI", 2, 24, 0, 0, 254, 3, 0, 1, 0)
                                 + attr(1, bytes([10, 77, 0, 0])) + attr(5, bytes([192, 0, 2, 1]))),
        "error_strict_dump": request(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, struct.pack("=BxHiII", 0, 0, 5, 0, 0)),
        "ack": request(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, struct.pack("=BxHiII", 0, 0, 1, 0, 0)),
    }
    for name, grams in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(encode(grams))
        print(f"{name}: {len(grams)} datagram(s), {sum(map(len, grams))} bytes")


main()
