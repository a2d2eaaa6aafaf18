#!/usr/bin/env python3
"""A TCP connection whose both sides open with the BitTorrent handshake (0x13 "BitTorrent
protocol", BEP 3): the IPP2P matcher's code 9 in p2p_t, con_t P2P (256). Written with the
frame helpers of bench/make-floods.py:  python3 make.py trace.pcap"""
import importlib.util
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("floods", os.path.join(here, "../../../../bench/make-floods.py"))
f = importlib.util.module_from_spec(spec)
spec.loader.exec_module(f)
out = f.Pcap(sys.argv[1], 1000)
c, s = bytes([10, 0, 0, 1]), bytes([93, 184, 216, 34])
hs = b"\x13BitTorrent protocol" + bytes(8) + bytes(range(20)) + bytes(range(20, 40))


def seg(src, dst, sp, dp, seq, ack, flags, payload=b""):
    out.frame(f.ipv4(src, dst, 6, f.tcp(sp, dp, seq, ack, flags, payload)))


seg(c, s, 40000, 6881, 1000, 0, f.SYN)
seg(s, c, 6881, 40000, 5000, 1001, f.SYN | f.ACK)
seg(c, s, 40000, 6881, 1001, 5001, f.ACK)
seg(c, s, 40000, 6881, 1001, 5001, f.ACK | f.PSH, hs)
seg(s, c, 6881, 40000, 5001, 1001 + len(hs), f.ACK | f.PSH, hs)
seg(c, s, 40000, 6881, 1001 + len(hs), 5001 + len(hs), f.ACK | 0x01)
seg(s, c, 6881, 40000, 5001 + len(hs), 1002 + len(hs), f.ACK | 0x01)
seg(c, s, 40000, 6881, 1002 + len(hs), 5002 + len(hs), f.ACK)
out.close()
