"""IPP2P over TCP (tcp-dpi.md §5): recompute con_t bit 256, p2p_t, p2p_st and ed2k_* of log_tcp_complete
and compare with the reference, for every flow of the given traces ('all' = the whole corpus).

    python3 p2ptcp.py [--net netall] all
"""
import sys
from pk import ref_rows
from httplog import tcp_packets, all_traces

EDK, BIT = 1, 12     # IPP2P codes (IPP2P_EDK, IPP2P_BIT)

C2C = {0xe3: {0x01} | set(range(0x46, 0x5a)) | set(range(0x5b, 0x62)),
       0xd4: {0x01, 0x02, 0x40, 0x60} | set(range(0x81, 0x88)) | set(range(0x90, 0xa9))}
C2C[0xc5] = C2C[0xd4]
C2S = {0xe3: {0x01, 0x05, 0x14, 0x15, 0x16, 0x18, 0x19, 0x1a, 0x1c, 0x1d, 0x1e, 0x1f, 0x21, 0x23}
       | set(range(0x32, 0x37)) | set(range(0x38, 0x3e)) | set(range(0x40, 0x45)),
       0xd4: {0x15}}
E3_LONG = ({0x01, 0x05, 0x14, 0x15, 0x16, 0x18, 0x19, 0x1a, 0x1c, 0x1d, 0x1e, 0x1f, 0x21, 0x23}
           | set(range(0x32, 0x37)) | set(range(0x38, 0x3e)) | set(range(0x40, 0x45))
           | set(range(0x47, 0x5a)) | set(range(0x5b, 0x62)))
C5_LONG = {0x01, 0x02, 0x60} | set(range(0x81, 0x88)) | set(range(0x90, 0xa5))


def all_edk(p, plen, n, st):
    if p[0] not in (0xe3, 0xc5, 0xd4):
        return 0
    st['type'], st['sub'] = p[0], p[5]
    cmd = p[1] | (p[2] << 8)
    if cmd == plen - 5:
        s = p[5]
        if s == 0x01:
            return EDK * 100 + 1
        if s == 0x4c:
            return EDK * 100 + 9
        if s == 0x40 and p[0] in (0xc5, 0xd4):
            return EDK * 100 + 3
        if s == 0x46 and p[0] == 0xe3:
            return EDK * 100 + 4
        return EDK * 100 + s % 100
    if p[3] == 0 and p[4] == 0:
        s = p[5]
        if p[0] == 0xe3:
            if s in E3_LONG:
                return EDK * 100 + s % 100
            return EDK * 100 + 4 if s == 0x46 else 0
        if p[0] == 0xd4 and s == 0x15:
            return EDK * 100 + s % 100
        # 0xd4 falls through into the 0xc5 table
        if s in C5_LONG:
            return EDK * 100 + s % 100
        return EDK * 100 + 3 if s == 0x40 else 0
    return 0


def bittorrent(p, plen, n, st):
    if plen > 20 and n > 6:
        if p[0] == 0x13 and p[1:1 + min(n - 1, 19)] == b'BitTorrent protocol'[:min(n - 1, 19)]:
            return BIT * 100
        if p[:5] == b'GET /':
            for off in ((5,) if p[5:6] in (b'a', b's') else (38,) if n > 45 and p[38:39] in (b'a', b's') else ()):
                for i, kw in enumerate([b'scrape?info_hash=', b'announce?info_hash=', b'announce.php?info_hash=',
                                        b'announce.php?passkey=', b'announce.php?pid=']):
                    k = min(n - off, len(kw))
                    if p[off:off + k] == kw[:k]:
                        return BIT * 100 + 1 + i
    elif plen == 17 and n == plen and p[:4] == b'\0\0\0\x0d' and p[4] == 6 and p[13:17] == b'\0\0\x40\0':
        return BIT * 100 + 3
    return 0


MATCHERS = [(20, all_edk), (20, bittorrent)]


class F:
    def __init__(self, p):
        self.c = (p['src'], p['sp']); self.s = (p['dst'], p['dp']); self.first = p['t']
        self.syn = [0, 0]; self.fin = [0, 0]; self.fin_seq = [0, 0]; self.closed = [False, False]
        self.last = [0, 0]; self.mem = [None, None]
        self.packets = 0; self.ignore = False
        self.con = 0; self.ptype = 0; self.cnt = dict(data=0, sig=0, c2s=0, c2c=0, msg=0)


def p2p(f, p, st):
    if f.ignore:
        return
    data, plen = p['pay'], p['len']
    if plen and data:
        for thr, fn in MATCHERS:
            if plen > thr:
                pad = data + b'\0' * 64          # matchers may read a few bytes past a short capture
                r = fn(pad, plen, len(data), st)
                if r:
                    f.con |= 256
                    if not (f.ptype and f.ptype // 100 != r // 100):
                        f.ptype = r
                    if r // 100 == EDK:
                        t, s = st['type'], st['sub']
                        if (t, s) in ((0xe3, 0x46), (0xd4, 0x40), (0xc5, 0x40)):
                            f.cnt['data'] += 1
                        else:
                            f.cnt['sig'] += 1
                        if s != 0x01:
                            if s in C2S.get(t, ()):
                                f.cnt['c2s'] += 1
                            else:
                                f.cnt['c2c'] += 1
                        if t == 0xe3 and s == 0x4e:
                            f.cnt['msg'] += 1
                    st['type'] = st['sub'] = 0
                    break
    if f.ptype // 100 != EDK and f.packets > 50:
        f.ignore = True


def run(trace):
    flows, done, st = {}, [], dict(type=0, sub=0)
    for p in tcp_packets(trace):
        a, b = (p['src'], p['sp']), (p['dst'], p['dp'])
        key = (min(a, b), max(a, b))
        f = flows.get(key)
        syn, ack, fin, rst = p['fl'] & 2, p['fl'] & 16, p['fl'] & 1, p['fl'] & 4
        if f is None:
            if not (syn and not ack):
                continue
            f = flows[key] = F(p)
        d = 0 if a == f.c else 1
        mem = (p['ipid'], p['iplen'], p['ck'])
        dup = p['ipid'] is not None and f.mem[d] == mem and f.last[d] and (p['t'] - f.last[d]) < 2000
        f.mem[d] = mem
        if dup:
            continue
        if syn:
            f.syn[d] += 1
        if fin:
            f.fin[d] += 1; f.fin_seq[d] = (p['seq'] + p['len']) % 2**32
        if d == 0 and not syn and f.syn[1] == 0 and p['len'] != 0:
            done.append(f); del flows[key]; continue
        if ack and f.fin[1 - d] >= 1 and p['ack'] >= (f.fin_seq[1 - d] + 1) % 2**32:
            f.closed[1 - d] = True
        f.last[d] = p['t']
        f.packets += 1
        p2p(f, p, st)
        if rst or (f.closed[0] and f.closed[1]):
            done.append(f); del flows[key]
    return done + list(flows.values())


def compare(trace, net):
    flows = run(trace)
    by = {}
    for f in flows:
        by.setdefault((f.c[0], str(f.c[1]), f.s[0], str(f.s[1])), []).append(f)
    ok = bad = p2p_rows = 0
    for row in ref_rows(trace, 'log_tcp_complete', net):
        v = row.split(' ')
        cand = by.get((v[0], v[1], v[14], v[15]))
        if not cand:
            continue
        first = round(float(v[28]) * 1000)
        cand.sort(key=lambda f: abs(f.first - first))
        f = cand.pop(0)
        exp = (int(v[41]) & 256, v[42], v[58], v[59], v[60], v[61], v[62], v[63])
        c = f.cnt
        got = (f.con, str(f.ptype // 100), str(f.ptype % 100), str(c['data']), str(c['sig']), str(c['c2s']),
               str(c['c2c']), str(c['msg']))
        if exp[0] or f.con:
            p2p_rows += 1
            print(f'  {trace} {v[1]}: ref {exp} mine {got}')
        if exp == got:
            ok += 1
        else:
            bad += 1
    return ok, bad, p2p_rows


if __name__ == '__main__':
    args = sys.argv[1:]
    net = 'netpriv'
    if '--net' in args:
        i = args.index('--net'); net = args[i + 1]; del args[i:i + 2]
    if args == ['all']:
        args = all_traces()
    tot = [0, 0, 0]
    for t in args:
        tot = [x + y for x, y in zip(tot, compare(t, net))]
    print('TOTAL %s: rows ok %d bad %d (rows with a P2P match: %d)' % (net, *tot))
