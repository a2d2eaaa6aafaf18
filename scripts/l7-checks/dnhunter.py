"""DN-Hunter check: recompute fqdn/dns_rslv/req_tm/res_tm of log_tcp_complete and fqdn of
log_udp_complete from the DNS responses in the trace and compare with the reference."""
import sys, struct, ipaddress, glob
from pk import udp_packets, ref_rows

QTYPES = {1, 28, 255}       # variant: questions accepted
MIXED = False


def read_str(m, off, depth=0):
    """Tstat's read_str: returns (name_bytes_list, consumed) or None; ',' truncates."""
    if depth > 25 or off >= len(m):
        return None
    l = m[off]
    if l == 0:
        return [], 1
    if l & 0xc0 == 0xc0:
        if off + 1 >= len(m):
            return None
        ptr = ((l & 0x3f) << 8) | m[off + 1]
        r = read_str(m, ptr, depth + 1)
        # Tstat ignores the result of the recursive call (a failure still "consumes" 2)
        return (r[0] if r else []), 2
    lab = m[off + 1:off + 1 + l]
    r = read_str(m, off + 1 + l, depth + 1)
    if r is None:
        return None
    return [lab] + r[0], (1 + l + r[1]) & 0xff


def name_of(labels):
    s = b'.'.join(labels)
    s = s.split(b',')[0]   # 0x2C becomes NUL
    return s.decode('latin-1')


def process_response(p, flows, cache):
    m = p['pay']
    if not (p['sp'] == 53 or p['dp'] == 53) or len(m) < 12:
        return
    fl = m[2]
    qr = fl >> 7
    qd, an = struct.unpack('>HH', m[4:8])
    if not (qr == 1 and 0 < an <= 30):
        return
    off = 12
    qname = None
    valid = True
    for _ in range(qd):
        r = read_str(m, off)
        if r is None:
            return
        qname = name_of(r[0])
        off += r[1]
        qt, qc = struct.unpack('>HH', m[off:off + 4])
        if qt not in QTYPES or qc != 1:
            valid = False
        off += 4
    if not valid:
        return
    a, aaaa = [], []
    n = 0
    while n < an and len(a) < 30:
        n += 1
        r = read_str(m, off)
        if r is None:
            continue
        off += r[1]
        t, c = struct.unpack('>HH', m[off:off + 4]); off += 8
        rdl = struct.unpack('>H', m[off:off + 2])[0]; off += 2
        if t == 1 and c == 1:
            for i in range(rdl // 4):
                if len(a) >= 30:
                    break
                a.append(str(ipaddress.ip_address(m[off:off + 4]))); off += 4
        elif t == 28 and c == 1:
            for i in range(rdl // 16):
                aaaa.append(str(ipaddress.ip_address(m[off:off + 16]))); off += 16
        else:
            off += rdl
    fkey = flows[(p['src'], p['sp'], p['dst'], p['dp'])]
    v6 = ':' in p['src']
    entry = dict(name=qname, rslv=p['src'], req=fkey['c2s_last'], res=fkey['s2c_last'])
    if a and not v6:
        cache['v4'].setdefault(p['dst'], {}).update({s: entry for s in a})
    elif aaaa and v6:
        cache['v6'].setdefault(p['dst'], {}).update({s: entry for s in aaaa})
    elif MIXED:
        pass


def main(trace, net='netpriv'):
    pk = udp_packets(trace)
    flows = {}
    cache = {'v4': {}, 'v6': {}}
    timeline = []   # (time, cache snapshot marker)
    # per UDP 5-tuple flow direction bookkeeping (no timeouts)
    snaps = []
    lastp = {}
    for p in pk:
        k = (p['src'], p['sp'], p['dst'], p['dp'])
        prev = lastp.get(k); lastp[k] = p
        if prev and p['ipid'] and prev['ipid'] == p['ipid'] and prev['ck'] == p['ck'] and prev['iplen'] == p['iplen'] \
                and p['t'] - prev.get('tkeep', prev['t']) < 1000:
            p['tkeep'] = prev.get('tkeep', prev['t'])
            continue
        rk = (p['dst'], p['dp'], p['src'], p['sp'])
        if k in flows:
            f = flows[k]; d = 'c2s'
        elif rk in flows:
            f = flows[rk]; d = 's2c'; flows[k] = f
        else:
            f = {'c2s_last': None, 's2c_last': None}
            flows[k] = f; d = 'c2s'
            snaps.append(('udp', p['src'], p['sp'], p['dst'], p['dp'], p['t'], lookup(cache, p['src'], p['dst'])))
        f[d + '_last'] = p['t']
        process_response(p, flows, cache)
        timeline.append((p['t'], {k2: dict(v) for k2, v in cache['v4'].items()}, {k2: dict(v) for k2, v in cache['v6'].items()}))
    # TCP rows: look up with the cache state before the SYN time
    bad = good = 0
    for row in ref_rows(trace, 'log_tcp_complete', net):
        c = row.split(' ')
        cip, sip, first = c[0], c[14], float(c[28])
        t_us = round(first * 1000)
        st4, st6 = {}, {}
        for t, s4, s6 in timeline:
            if t < t_us:
                st4, st6 = s4, s6
        e = (st6 if ':' in cip else st4).get(cip, {}).get(sip)
        if e:
            exp = [e['name'], e['rslv'], '%.6f' % (e['req'] / 1000.0), '%.6f' % (e['res'] / 1000.0)]
        else:
            exp = ['-', '-', '0.0', '0.0']
        got = c[126:130]
        if got == exp:
            good += 1
        else:
            bad += 1
            print('  TCP MISMATCH', cip, c[1], sip, c[15], 'ref', got, 'sim', exp)
    ugood = ubad = 0
    sim_udp = {(s[1], s[2], s[3], s[4]): s[6] for s in snaps}
    for row in ref_rows(trace, 'log_udp_complete', net):
        c = row.split(' ')
        k = (c[0], int(c[1]), c[9], int(c[10]))
        e = sim_udp.get(k)
        exp = e['name'] if e else '-'
        if exp == c[18]:
            ugood += 1
        else:
            ubad += 1
            print('  UDP MISMATCH', k, 'ref', c[18], 'sim', exp)
    print(f'{trace} {net}: tcp ok {good} bad {bad}; udp ok {ugood} bad {ubad}')


def lookup(cache, c, s):
    return (cache['v6'] if ':' in c else cache['v4']).get(c, {}).get(s)


if __name__ == '__main__':
    for t in sys.argv[1:]:
        main(t)
