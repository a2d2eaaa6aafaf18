"""Helper of seed.sh: turns tshark UDP fields (stdin) or pcap files into fuzz inputs."""
import hashlib, os, struct, sys

LINK_TYPES = [1, 101, 113, 228, 229]


def save(folder, data):
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(folder, name), 'wb') as f:
        f.write(data)


def pcaps(folder):
    for path in sys.stdin.read().split('\n'):
        if not path:
            continue
        raw = open(path, 'rb').read()
        if len(raw) < 24:
            continue
        magic = raw[:4]
        endian = '<' if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
        link = struct.unpack(endian + 'I', raw[20:24])[0] & 0xffff
        if link not in LINK_TYPES:
            continue
        out = bytearray([LINK_TYPES.index(link)])
        at = 24
        while at + 16 <= len(raw) and len(out) < 1 << 20:
            incl = struct.unpack(endian + 'I', raw[at + 8:at + 12])[0]
            frame = raw[at + 16:at + 16 + incl][:65535]
            out += struct.pack('>H', len(frame)) + frame
            at += 16 + incl
        save(folder, bytes(out))


def udp(corpus):
    flows = {}
    for line in sys.stdin:
        f = [x.split(',')[0] for x in line.rstrip('\n').split('\t')]
        if len(f) < 4 or not f[3]:
            continue
        stream, sport, dport, payload, dns_id = f[0], f[1], f[2], bytes.fromhex(f[3]), f[4] if len(f) > 4 else ''
        if dns_id:
            save(os.path.join(corpus, 'dns'), payload)
        key = (stream, min(sport, dport), max(sport, dport))
        flow = flows.setdefault(key, {'client': sport, 'pkts': []})
        flow['pkts'].append((sport == flow['client'], payload))
    for flow in flows.values():
        dpi = bytearray()
        for c2s, p in flow['pkts'][:20]:
            dpi += bytes([0 if c2s else 1]) + struct.pack('>H', len(p) + 8)
            dpi += struct.pack('>HHHH', 40000, 443, len(p) + 8, 0) + p
        save(os.path.join(corpus, 'udp_dpi'), bytes(dpi))
        client = [p for c2s, p in flow['pkts'] if c2s][:8]
        if client and client[0][:1] and client[0][0] & 0xc0 == 0xc0:
            save(os.path.join(corpus, 'quic_initial'),
                 b''.join(struct.pack('>H', len(p)) + p for p in client))


def tcp(corpus):
    streams = {}
    for line in sys.stdin:
        f = [x.split(',')[0] for x in line.rstrip('\n').split('\t')]
        if len(f) < 4 or not f[3]:
            continue
        payload = bytes.fromhex(f[3])
        if payload[:1] == b'\x16':
            save(os.path.join(corpus, 'tls'), payload)
        s = streams.setdefault(f[0], {'client': f[1], 'segs': []})
        if len(s['segs']) < 8:
            s['segs'].append((f[1] == s['client'], payload))
    for s in streams.values():
        data = bytearray([2])  # httplog_full_url 2, as the reference runs
        for client, p in s['segs']:
            data += bytes([0 if client else 1]) + struct.pack('>H', len(p)) + p
        save(os.path.join(corpus, 'http'), bytes(data))


if sys.argv[1] == '--pcaps':
    pcaps(sys.argv[2])
elif sys.argv[1] == '--tcp':
    tcp(sys.argv[2])
else:
    udp(sys.argv[1])
