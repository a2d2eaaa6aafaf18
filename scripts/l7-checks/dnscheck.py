"""Re-derive log_dns_complete from the packets and compare with the reference."""
import sys, struct, socket, ipaddress
from pk import udp_packets, ref_rows

TYPES = {1: 'A', 28: 'AAAA', 5: 'CNAME', 12: 'PTR', 6: 'SOA', 2: 'NS', 15: 'MX', 16: 'TXT', 13: 'HINFO',
         44: 'SSHFP', 27: 'GPOS', 29: 'LOC', 48: 'DNSKEY', 51: 'NSEC3PARAM', 50: 'NSEC3', 47: 'NSEC', 46: 'RRSIG',
         43: 'DS', 39: 'DNAME', 35: 'NAPTR', 17: 'RP', 33: 'SRV', 99: 'SPF', 32: 'NB'}
CLASSES = {1: 'IN', 3: 'CH', 4: 'HS', 254: 'NONE', 255: 'ANY'}
RCODES = {0: 'NO_ERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMPL', 5: 'REFUSED', 6: 'YXDOMAIN',
          7: 'YXRRSET', 8: 'NXRRSET', 9: 'NOTAUTH', 10: 'NOTZONE'}
LDNS_TYPES = dict(TYPES); LDNS_TYPES.update({32: 'NIMLOC', 41: 'OPT', 64: 'SVCB', 65: 'HTTPS', 255: 'ANY'})


class Bad(Exception):
    pass


def read_name(m, pos, depth=0):
    """wire name -> (list of label bytes, next pos)"""
    labels = []
    end = None
    jumps = 0
    while True:
        if pos >= len(m):
            raise Bad('name past end')
        l = m[pos]
        if l == 0:
            pos += 1
            break
        if l & 0xc0 == 0xc0:
            if pos + 1 >= len(m):
                raise Bad('ptr')
            if end is None:
                end = pos + 2
            pos = ((l & 0x3f) << 8) | m[pos + 1]
            jumps += 1
            if jumps > 100:
                raise Bad('loop')
            continue
        if l & 0xc0:
            raise Bad('label type')
        if pos + 1 + l > len(m):
            raise Bad('label past end')
        labels.append(m[pos + 1:pos + 1 + l])
        pos += 1 + l
    if sum(len(x) + 1 for x in labels) + 1 > 255:
        raise Bad('name too long')
    return labels, (end if end is not None else pos)


def raw_qname(labels):
    # Tstat's own rendering: length bytes replaced with '.', leading '.' dropped
    s = b''.join(b'.' + l for l in labels) + b'.'
    s = s[1:]
    if s == b'':
        s = b'-'
    return s.decode('latin-1')


def ldns_dname(labels):
    if not labels:
        return '.'
    out = ''
    for l in labels:
        for c in l:
            ch = chr(c)
            if ch in '.;()\\':
                out += '\\' + ch
            elif not (33 <= c <= 126):
                out += '\\%03d' % c
            else:
                out += ch
        out += '.'
    return out


def ldns_str(b):
    out = '"'
    for c in b:
        ch = chr(c)
        if ch in '"\\':
            out += '\\' + ch
        elif 32 <= c <= 126 or c == 9:
            out += ch
        else:
            out += '\\%03d' % c
    return out + '"'


def rdata_str(m, t, start, rdlen):
    r = m[start:start + rdlen]
    if t == 1 and rdlen == 4:
        return socket.inet_ntop(socket.AF_INET, r)
    if t == 28 and rdlen == 16:
        return socket.inet_ntop(socket.AF_INET6, r)
    if t in (2, 5, 12, 39):
        return ldns_dname(read_name(m, start)[0])
    if t == 15:
        return '%d %s' % (struct.unpack('>H', r[:2])[0], ldns_dname(read_name(m, start + 2)[0]))
    if t in (16, 99):
        out = []
        i = 0
        while i < len(r):
            l = r[i]
            out.append(ldns_str(r[i + 1:i + 1 + l]))
            i += 1 + l
        return ' '.join(out)
    if t == 6:
        a, p = read_name(m, start)
        b, p = read_name(m, p)
        nums = struct.unpack('>5I', m[p:p + 20])
        return '%s %s %s' % (ldns_dname(a), ldns_dname(b), ' '.join(str(x) for x in nums))
    return '\\# %d %s' % (rdlen, r.hex().upper())


def parse(m):
    if len(m) < 12:
        raise Bad('short')
    pid, fl, qd, an, ns, ar = struct.unpack('>6H', m[:12])
    pos = 12
    qs = []
    for _ in range(qd):
        labels, pos = read_name(m, pos)
        if pos + 4 > len(m):
            raise Bad('q')
        qt, qc = struct.unpack('>HH', m[pos:pos + 4]); pos += 4
        qs.append((labels, qt, qc))
    rrs = []
    edns = 0
    for sec, cnt in (('an', an), ('ns', ns), ('ar', ar)):
        for _ in range(cnt):
            labels, pos = read_name(m, pos)
            if pos + 10 > len(m):
                raise Bad('rr')
            t, c, ttl, rdl = struct.unpack('>HHIH', m[pos:pos + 10]); pos += 10
            if pos + rdl > len(m):
                raise Bad('rdata')
            if sec == 'an':
                rrs.append((labels, t, c, ttl, pos, rdl))
            if sec == 'ar' and t == 41:
                edns += 1
            pos += rdl
    return dict(id=pid, fl=fl, qd=qd, an=an, ns=ns, ar=ar - edns, qs=qs, rrs=rrs)


def is_mcast(a):
    ip = ipaddress.ip_address(a)
    return ip.is_multicast


def rows_for(p, internal):
    try:
        d = parse(p['pay'])
    except (Bad, struct.error) as e:
        return []
    fl = d['fl']
    qr = fl >> 15
    rcode = fl & 15
    aa, tc, rd, ra, ad, cd = (fl >> 10) & 1, (fl >> 9) & 1, (fl >> 8) & 1, (fl >> 7) & 1, (fl >> 5) & 1, (fl >> 4) & 1
    flags = cd + (ad << 1) + (ra << 2) + (rd << 3) + (tc << 4) + (aa << 5)
    if qr:
        cl, sv, cp, sp = p['dst'], p['src'], p['dp'], p['sp']
    else:
        cl, sv, cp, sp = p['src'], p['dst'], p['sp'], p['dp']
    head = '%s %d %d 0 %s %d %d 0 %.6f' % (cl, cp, internal(cl), sv, sp, internal(sv), p['t'] / 1000.0)
    tail = '0x%02x %d %d %d %d %d' % (flags, d['qd'], d['an'], d['ns'], d['ar'], len(p['pay']))
    m = p['pay']
    out = []
    if qr and rcode != 0:
        if d['qs']:
            l, qt, qc = d['qs'][0]
            q, c, t = raw_qname(l), CLASSES.get(qc, 'OTHER'), TYPES.get(qt, 'OTHER')
        else:
            q, c, t = '-', '-', '-'
        out.append('%s RESP_ERR 0x%04x %s - %s %s %s %s' % (head, d['id'], q, c, t, RCODES.get(rcode, 'UNKNOWN-ERROR'), tail))
    elif not qr:
        for l, qt, qc in d['qs']:
            out.append('%s REQ 0x%04x %s - %s %s - %s' % (head, d['id'], raw_qname(l), CLASSES.get(qc, 'OTHER'),
                                                          TYPES.get(qt, 'OTHER'), tail))
    else:
        for l, t, c, ttl, st, rdl in d['rrs']:
            rd_s = rdata_str(m, t, st, rdl).replace(' ', '\t')
            cs = CLASSES.get(c, 'CLASS%d' % c) if c in (1, 3, 4, 254, 255) else 'CLASS%d' % c
            ts = LDNS_TYPES.get(t, 'TYPE%d' % t)
            out.append('%s RESP 0x%04x %s %d %s %s %s %s' % (head, d['id'], ldns_dname(l), ttl, cs, ts, rd_s, tail))
    return out


def main(trace, net='netpriv'):
    ref = ref_rows(trace, 'log_dns_complete', net)
    if net == 'netpriv':
        priv = [ipaddress.ip_network(n) for n in ('10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7', 'fe80::/10')]
        internal = lambda a: int(any(ipaddress.ip_address(a) in n for n in priv if n.version == ipaddress.ip_address(a).version))
    else:
        internal = lambda a: 1
    sim = []
    last = {}
    for p in udp_packets(trace):
        if is_mcast(p['src']) or is_mcast(p['dst']):
            continue
        # UDP duplicate filter (IPv4 only): same id, checksum, ip len within 1000us of previous in same direction
        k = (p['src'], p['sp'], p['dst'], p['dp'])
        prev = last.get(k)
        last[k] = p
        if prev and p['ipid'] and prev['ipid'] == p['ipid'] and prev['ck'] == p['ck'] and prev['iplen'] == p['iplen'] \
                and p['t'] - prev.get('tkeep', prev['t']) < 1000:
            p['tkeep'] = prev.get('tkeep', prev['t'])
            continue
        sim += rows_for(p, internal)
    ok = sum(1 for a, b in zip(sim, ref) if a == b)
    print(f'{trace} {net}: ref {len(ref)} sim {len(sim)} equal-in-order {ok}')
    if ok != len(ref) or len(sim) != len(ref):
        import difflib
        for l in list(difflib.unified_diff(ref, sim, lineterm='', n=0))[:12]:
            print('   ', l[:300])


if __name__ == '__main__':
    for t in sys.argv[1:]:
        main(t)
