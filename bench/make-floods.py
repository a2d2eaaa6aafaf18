#!/usr/bin/env python3
"""Flood traces that fill each of tstat's tables and pools (issue 14, item 8).

    bench/make-floods.py OUTDIR [PACKETS] [USEC_APART]

Writes one classic pcap (Ethernet, microsecond times, USEC_APART apart: 100 by default, so
300,000 packets span 30 s of packet time, three times the 10 s after which lone packets'
flows end, and the tables fill, empty and fill again) per flood into OUTDIR:

  syn.pcap   TCP SYNs, every one a new 5-tuple (the TCP flow table, the segment pool)
  udp.pcap   UDP datagrams, every one a new 5-tuple (the UDP flow table)
  dns.pcap   DNS responses, each with a new name and A/AAAA answers at new addresses
             (DN-Hunter's caches)
  rtp.pcap   RTP flows of 8 packets, each with up to 32 sources (the RTP stream pool)
  http.pcap  TCP handshakes, then an HTTP request with a new Host (the HTTP name state)
  tls.pcap   TCP handshakes, then a TLS ClientHello with a new SNI (the TLS name pool)

Addresses come from a fixed-seed generator, so the files are the same on every run.
"""
import random
import struct
import sys

T0 = 1_700_000_000


class Pcap:
    def __init__(self, path, usec_apart):
        self.usec_apart = usec_apart
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.n = 0

    def frame(self, ip):
        eth = b"\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x01"
        eth += b"\x86\xdd" if ip[0] >> 4 == 6 else b"\x08\x00"
        data = eth + ip
        usec = self.n * self.usec_apart
        self.f.write(struct.pack("<IIII", T0 + usec // 1_000_000, usec % 1_000_000, len(data), len(data)))
        self.f.write(data)
        self.n += 1

    def close(self):
        self.f.close()


def csum(b):
    if len(b) % 2:
        b += b"\x00"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s > 0xFFFF:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto, 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def ipv6(src, dst, proto, payload):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), proto, 64, src, dst) + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport, dport, seq, ack, flags, payload=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload


SYN, ACK, PSH = 0x02, 0x10, 0x08


def addr4(rng, first):
    return bytes([first, rng.randrange(256), rng.randrange(256), rng.randrange(1, 255)])


def dns_name(i):
    return "h%d.n%d.example.com" % (i, i % 977)


def dns_response(qid, name, answers):
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\x00"
    msg = struct.pack("!HHHHHH", qid, 0x8180, 1, len(answers), 0, 0) + q + b"\x00\x01\x00\x01"
    for kind, addr in answers:
        rtype, rdata = (1, addr) if kind == 4 else (28, addr)
        msg += b"\xc0\x0c" + struct.pack("!HHIH", rtype, 1, 300, len(rdata)) + rdata
    return msg


def client_hello(sni):
    name = sni.encode()
    ext_sni = struct.pack("!HHHBH", 0, len(name) + 5, len(name) + 3, 0, len(name)) + name
    body = b"\x03\x03" + bytes(32) + b"\x00" + struct.pack("!H", 2) + b"\x13\x01" + b"\x01\x00"
    body += struct.pack("!H", len(ext_sni)) + ext_sni
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def handshakes(out, rng, packets, first_payload):
    i = 0
    while out.n < packets:
        c, s = addr4(rng, 10), addr4(rng, 172)
        cp, sp = rng.randrange(1024, 65535), 80
        payload = first_payload(i)
        out.frame(ipv4(c, s, 6, tcp(cp, sp, 1000, 0, SYN)))
        out.frame(ipv4(s, c, 6, tcp(sp, cp, 5000, 1001, SYN | ACK)))
        out.frame(ipv4(c, s, 6, tcp(cp, sp, 1001, 5001, ACK)))
        out.frame(ipv4(c, s, 6, tcp(cp, sp, 1001, 5001, ACK | PSH, payload)))
        i += 1


def main():
    outdir = sys.argv[1]
    packets = int(sys.argv[2]) if len(sys.argv) > 2 else 300_000
    apart = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    rng = random.Random(14)

    out = Pcap(outdir + "/syn.pcap", apart)
    while out.n < packets:
        out.frame(ipv4(addr4(rng, 10), addr4(rng, 172), 6, tcp(rng.randrange(1024, 65535), 443, 1, 0, SYN)))
    out.close()

    out = Pcap(outdir + "/udp.pcap", apart)
    while out.n < packets:
        out.frame(ipv4(addr4(rng, 10), addr4(rng, 172), 17, udp(rng.randrange(1024, 65535), rng.randrange(1, 65535), b"x" * 32)))
    out.close()

    out = Pcap(outdir + "/dns.pcap", apart)
    i = 0
    while out.n < packets:
        answers = [(4, addr4(rng, 172)) for _ in range(4)] + [(6, b"\x20\x01" + bytes(rng.randrange(256) for _ in range(14)))]
        resolver, client = bytes([10, 0, 0, 53]), addr4(rng, 10)
        out.frame(ipv4(resolver, client, 17, udp(53, rng.randrange(1024, 65535), dns_response(i & 0xFFFF, dns_name(i), answers))))
        i += 1
    out.close()

    out = Pcap(outdir + "/rtp.pcap", apart)
    while out.n < packets:
        c, s = addr4(rng, 10), addr4(rng, 172)
        cp, sp = rng.randrange(1024, 65534) & ~1, rng.randrange(1024, 65534) & ~1
        sources = [rng.randrange(1 << 32) for _ in range(rng.randrange(1, 33))]
        for k in range(8):
            for ssrc in sources:
                rtp = struct.pack("!BBHII", 0x80, 0, 100 + k, 160 * k, ssrc) + b"\x00" * 160
                out.frame(ipv4(c, s, 17, udp(cp, sp, rtp)))
    out.close()

    out = Pcap(outdir + "/http.pcap", apart)
    handshakes(out, rng, packets, lambda i: ("GET /x HTTP/1.1\r\nHost: www%d.example.org\r\nUser-Agent: flood\r\n\r\n" % i).encode())
    out.close()

    out = Pcap(outdir + "/tls.pcap", apart)
    handshakes(out, rng, packets, lambda i: client_hello("s%d.tls.example.net" % i))
    out.close()


if __name__ == "__main__":
    main()
