"""Re-derive log_http_complete (and http_req_cnt/http_res_cnt/http_hostname of log_tcp_complete)
from the packets and compare with the reference. Spec: docs/semantics/http-log.md.

    python3 httplog.py [--full-url N] [--verbose] TRACE [TRACE ...]     (TRACE = ndpi/1kxun.pcap, or 'all')

Flow tracking is the minimum of tcp-core.md needed here: record created by a pure SYN, duplicate
filter (same ip.id/ip.len/tcp checksum < 2 ms), half-duplex kill, closed at the first RST (after
the plugins ran) or when both FINs are acknowledged. No idle timeout.
"""
import sys, re, subprocess, glob, os
from pk import REF, ref_rows, usec, last

CNTRL = rb'\x00-\x1f\x7f'
SPACE = rb' \t\n\x0b\x0c\r'
def rx(p):
    return re.compile(p, re.S)
RE_REQUEST = rx(rb'^([A-Z]+) ([^' + CNTRL + SPACE + rb']+) ')
RE_REQUEST_LONG = rx(rb'^([A-Z]+) ([^' + CNTRL + SPACE + rb']+)')
RE_HOST = rx(rb'Host: ([^' + CNTRL + SPACE + rb']+)')
RE_REFERER = rx(rb'Referer: ([^' + CNTRL + SPACE + rb']+)')
RE_UA = rx(rb'User-Agent: ([^' + CNTRL + rb']+)')
RE_CTYPE = rx(rb'Content-Type: ([^' + CNTRL + rb']+)')
RE_CLEN = rx(rb'Content-Length: ([^' + CNTRL + rb']+)')
RE_CRANGE = rx(rb'Content-Range: ([^' + CNTRL + rb']+)')
RE_SERVER = rx(rb'Server: ([^' + CNTRL + rb']+)')
RE_LOCATION = rx(rb'Location: ([^' + CNTRL + SPACE + rb']+)')
RE_URL_PARTIAL = rx(rb'^([^?]+)')
RE_URL_CLEAN = rx(rb'^(https?://[^/]+/?)')
RE_COOKIE = rx(rb'Cookie: ([^' + CNTRL + rb']+)')
RE_SET_COOKIE = rx(rb'Set-Cookie: ([^' + CNTRL + rb']+)')
RE_DNT = rx(rb'DNT: ([^' + CNTRL + rb']+)')
RE_FRAGMENT = rx(rb'^([^' + CNTRL + rb']+)')
RE_PROTOCOL = rx(rb'([' + SPACE + rb']+HTTP/1\.[01])$')

SMALL, LARGE = 199, 1599           # buffer sizes minus the NUL
TRUNC = b'[*]'
F_NONE, F_PATH, F_UA, F_REFERER, F_COOKIE, F_SETCOOKIE, F_LOCATION = range(7)
REQ_KW = {b'GET ', b'POST', b'HEAD', b'PUT '}
LONG_KW = {b'PATC': b'PATCH ', b'DELE': b'DELETE ', b'OPTI': b'OPTIONS '}


def tcp_packets(trace):
    fields = ['frame.time_epoch', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'tcp.srcport', 'tcp.dstport',
              'tcp.flags', 'tcp.seq_raw', 'tcp.ack_raw', 'ip.id', 'ip.len', 'tcp.checksum', 'tcp.len', 'tcp.payload',
              'frame.number']
    cmd = ['tshark', '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-o', 'tcp.desegment_tcp_streams:FALSE',
           '-o', 'tcp.analyze_sequence_numbers:FALSE',
           '-r', f'{REF}/traces/{trace}', '-Y', 'tcp && !icmp && !icmpv6', '-T', 'fields', '-E', 'separator=|']
    for f in fields:
        cmd += ['-e', f]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    for line in out.splitlines():
        v = line.split('|')
        if len(v) < len(fields):
            continue
        t, s4, d4, s6, d6, sp, dp, fl, seq, ack, ipid, iplen, ck, tlen, pay, num = v
        if not last(fl) or not last(sp):
            continue
        src = last(s6) if s6 and (not s4 or line.find(s6) > line.find(s4)) else last(s4)
        dst = last(d6) if d6 and (not d4 or line.find(d6) > line.find(d4)) else last(d4)
        v6 = ':' in src
        yield dict(t=usec(t), ts=t, src=src, dst=dst, sp=int(last(sp)), dp=int(last(dp)), fl=int(last(fl), 16),
                   seq=int(last(seq) or 0), ack=int(last(ack) or 0), ipid=None if v6 else last(ipid),
                   iplen=None if v6 else last(iplen), ck=last(ck), len=int(last(tlen) or 0),
                   pay=bytes.fromhex(last(pay)) if pay else b'', num=int(num))


class Dir:
    def __init__(self):
        self.syn = self.fin = 0
        self.fin_seq = 0
        self.closed = False
        self.last_time = 0
        self.mem = None


class Flow:
    def __init__(self, p):
        self.c = (p['src'], p['sp']); self.s = (p['dst'], p['dp'])
        self.d = {0: Dir(), 1: Dir()}
        self.req_cnt = self.res_cnt = 0
        self.hostname = None
        self.req_status = self.res_status = False
        self.req_frag = self.res_frag = F_NONE
        self.first = p['t']


class Http:
    """The log writer with Tstat's global scratch buffers (they survive across packets and flows)."""
    def __init__(self, full_url):
        self.full = full_url
        self.rows = []
        self.g = dict(url=b'-', referer=b'-', ua=b'-', cookie=b'-', host=b'-')

    def grab(self, r, s, cap):
        m = r.search(s)
        if not m:
            return None, 0
        return m.group(1)[:cap], m.end(1)

    def pkt(self, f, p, c2s):
        data = p['pay']
        if p['len'] == 0 or len(data) < 5:         # needs 5 captured bytes (pdata+4 <= plast)
            return
        kw = data[:4]
        req = kw in REQ_KW or (kw in LONG_KW and data.startswith(LONG_KW[kw]))
        if req and c2s:
            f.req_cnt += 1
        elif kw == b'HTTP' and not c2s:
            f.res_cnt += 1
        s = data.split(b'\0', 1)[0]               # regexec sees a C string
        n = len(data)
        trunc = lambda end: end >= n - 1          # base + rm_eo >= plast
        if kw in LONG_KW and not req:
            return                                 # unverified PATC/DELE/OPTI: break
        if req or kw == b'HTTP':
            if req and c2s:
                self.request(f, p, s, trunc)
            elif kw == b'HTTP' and not c2s:
                self.response(f, p, data, s, trunc)
            return
        if c2s and f.req_status:
            self.req2(f, p, s, n)
        elif not c2s and f.res_status:
            self.res2(f, p, s, n)

    def head(self, f, p):
        return [f.c[0], str(f.c[1]), f.s[0], str(f.s[1]), '%d.%06d' % divmod(p['t'], 1000000)]

    def request(self, f, p, s, trunc):
        g = self.g
        f.req_status = True; f.req_frag = F_NONE
        empty = True; t_url = t_ref = t_ua = t_ck = b''
        base = 0
        m = RE_REQUEST.search(s)
        if m:
            method, g['url'] = m.group(1)[:9], m.group(2)[:LARGE]; base = m.end(2); empty = False
        else:
            m = RE_REQUEST_LONG.search(s)
            if m:
                method, g['url'] = m.group(1)[:9], m.group(2)[:LARGE]; empty = False
                if trunc(m.end(2)):
                    t_url = TRUNC; f.req_frag = F_PATH
            else:
                method, g['url'] = b'-', b'-'
        b = s[base:]
        v, e = self.grab(RE_HOST, b, SMALL)
        if v is not None:
            g['host'] = v; empty = False
            if f.hostname is None:
                f.hostname = v
        else:
            g['host'] = b'-'
        v, e = self.grab(RE_REFERER, b, LARGE)
        if v is not None:
            g['referer'] = v; empty = False
            if trunc(base + e):
                t_ref = TRUNC; f.req_frag = F_REFERER
        else:
            g['referer'] = b'-'
        v, e = self.grab(RE_UA, b, LARGE)
        if v is not None:
            g['ua'] = v; empty = False
            if trunc(base + e):
                t_ua = TRUNC; f.req_frag = F_UA
        else:
            g['ua'] = b'-'
        v, e = self.grab(RE_COOKIE, b, LARGE) if self.full == 2 else (None, 0)
        if v is not None:
            g['cookie'] = v; empty = False
            if trunc(base + e):
                t_ck = TRUNC; f.req_frag = F_COOKIE
        else:
            g['cookie'] = b'-'
        v, e = self.grab(RE_DNT, b, SMALL)
        dnt = v if v is not None else b'-'
        if v is not None:
            empty = False
        url, ref = self.privacy_req(g)
        if self.full != 2:
            if self.full == 0 and ref != b'-':
                empty = False
            t_url = t_ref = b''
            if f.req_frag in (F_PATH, F_REFERER):
                f.req_frag = F_NONE
        if not empty:
            self.rows.append(self.head(f, p) + [method, g['host'], '?', url + t_url, ref + t_ref, g['ua'] + t_ua,
                                                g['cookie'] + t_ck, dnt])

    def privacy_req(self, g):
        if self.full == 0:
            m = RE_URL_CLEAN.search(g['referer'])
            return b'-', (m.group(1) if m else b'-')
        if self.full == 1:
            m = RE_URL_PARTIAL.search(g['url']); u = m.group(1) if m else g['url']
            m = RE_URL_PARTIAL.search(g['referer']); r = m.group(1) if m else g['referer']
            return u, r
        if self.full == 2:
            return g['url'], g['referer']
        return b'-', b'-'

    def response(self, f, p, data, s, trunc):
        g = self.g
        f.res_status = True; f.res_frag = F_NONE
        empty = True; t_url = t_ck = b''
        if data[4:5] != b'/':
            return
        if len(data) >= 14:
            code = b''
            for ch in data[9:12]:
                if not (48 <= ch <= 57):
                    break
                code += bytes([ch])
            if code:
                empty = False
            else:
                code = b'-'
        else:
            code = b'-'
        vals = []
        for r in (RE_CTYPE, RE_CLEN, RE_CRANGE, RE_SERVER):
            v, e = self.grab(r, s, SMALL)
            if v is not None:
                empty = False
            vals.append(v if v is not None else b'-')
        ctype, clen, crange, server = vals
        v, e = self.grab(RE_SET_COOKIE, s, LARGE) if self.full == 2 else (None, 0)
        if v is not None:
            g['cookie'] = v; empty = False
            if trunc(e):
                t_ck = TRUNC; f.res_frag = F_SETCOOKIE
        else:
            g['cookie'] = b'-'
        v, e = self.grab(RE_LOCATION, s, LARGE)
        if v is not None:
            g['url'] = v; empty = False
            if trunc(e):
                t_url = TRUNC; f.res_frag = F_LOCATION
        else:
            g['url'] = b'-'
        loc, e2 = self.privacy_loc(g['url'])
        if e2:
            empty = False
        if self.full != 2:
            t_url = b''
            if f.res_frag == F_LOCATION:
                f.res_frag = F_NONE
        if not empty:
            self.rows.append(self.head(f, p) + [b'HTTP', code, clen, ctype, server, crange, loc + t_url,
                                                g['cookie'] + t_ck])

    def privacy_loc(self, url):
        if self.full == 0:
            m = RE_URL_CLEAN.search(url)
            return (m.group(1), True) if m else (b'-', False)
        if self.full == 1:
            m = RE_URL_PARTIAL.search(url)
            return (m.group(1) if m else url), False
        if self.full == 2:
            return url, False
        return b'-', False

    def req2(self, f, p, s, n):
        g = self.g
        f.req_status = False
        empty = True
        h = {k: b'' for k in ('url', 'referer', 'ua', 'cookie')}
        t = dict(h)
        if f.req_frag != F_NONE:
            m = RE_FRAGMENT.search(s)
            if m:
                frag = m.group(1)[:LARGE]
                whole = (n == len(frag))
                if f.req_frag == F_PATH:
                    mp = RE_PROTOCOL.search(frag)
                    if mp:
                        frag = frag[:mp.start(1)]
                    key = 'url'
                else:
                    key = {F_REFERER: 'referer', F_UA: 'ua', F_COOKIE: 'cookie'}.get(f.req_frag)
                if key:
                    g[key] = frag; h[key] = TRUNC; empty = False
                    if whole:
                        t[key] = TRUNC
        if f.req_frag != F_PATH:
            g['url'] = b'-'
        v, e = self.grab(RE_HOST, s, SMALL)
        if v is not None:
            g['host'] = v; empty = False
            if f.hostname is None:
                f.hostname = v
        else:
            g['host'] = b'-'
        for key, r, fr, cap in (('referer', RE_REFERER, F_REFERER, LARGE), ('ua', RE_UA, F_UA, LARGE),
                                ('cookie', RE_COOKIE, F_COOKIE, LARGE)):
            v, e = self.grab(r, s, cap) if (key != 'cookie' or self.full == 2) else (None, 0)
            if v is not None:
                g[key] = v; h[key] = b''; empty = False
                if e >= n - 1:
                    t[key] = TRUNC
            elif f.req_frag != fr:
                g[key] = b'-'
        v, e = self.grab(RE_DNT, s, SMALL)
        dnt = v if v is not None else b'-'
        if v is not None:
            empty = False
        if self.full == 0:
            m = RE_URL_CLEAN.search(g['referer'])
            url, ref = b'-', (m.group(1) if m else b'-')
            if m:
                empty = False
            h['referer'] = h['url'] = t['referer'] = t['url'] = b''
        elif self.full == 1:
            m = RE_URL_PARTIAL.search(g['url'])
            url = m.group(1) if m else g['url']
            if m:
                h['url'] = b''
            m = RE_URL_PARTIAL.search(g['referer'])
            ref = m.group(1) if m else g['referer']
            if m:
                h['referer'] = b''
            t['referer'] = t['url'] = b''
        elif self.full == 2:
            url, ref = g['url'], g['referer']
        else:
            url = ref = b'-'
            h['referer'] = h['url'] = t['referer'] = t['url'] = b''
        if not empty:
            self.rows.append(self.head(f, p) + [b'REQ2', g['host'], '?', h['url'] + url + t['url'],
                                                h['referer'] + ref + t['referer'], h['ua'] + g['ua'] + t['ua'],
                                                h['cookie'] + g['cookie'] + t['cookie'], dnt])

    def res2(self, f, p, s, n):
        g = self.g
        f.res_status = False
        empty = True
        h_url = t_url = h_ck = t_ck = b''
        if f.res_frag != F_NONE:
            m = RE_FRAGMENT.search(s)
            if m:
                frag = m.group(1)[:LARGE]
                whole = (n == len(frag))
                if f.res_frag == F_LOCATION:
                    g['url'] = frag; h_url = TRUNC; empty = False
                    if whole:
                        t_url = TRUNC
                elif f.res_frag == F_SETCOOKIE:
                    g['cookie'] = frag; h_ck = TRUNC; empty = False
                    if whole:
                        t_ck = TRUNC
        vals = []
        for r in (RE_CTYPE, RE_CLEN, RE_CRANGE, RE_SERVER):
            v, e = self.grab(r, s, SMALL)
            if v is not None:
                empty = False
            vals.append(v if v is not None else b'-')
        ctype, clen, crange, server = vals
        v, e = self.grab(RE_SET_COOKIE, s, LARGE) if self.full == 2 else (None, 0)
        if v is not None:
            g['cookie'] = v; h_ck = b''; empty = False
            if e >= n - 1:
                t_ck = TRUNC
        elif f.res_frag != F_SETCOOKIE:
            g['cookie'] = b'-'
        v, e = self.grab(RE_LOCATION, s, LARGE)
        if v is not None:
            g['url'] = v; empty = False
            if e >= n - 1:
                t_url = TRUNC
        elif f.res_frag != F_LOCATION:
            g['url'] = b'-'
        if self.full == 0:
            m = RE_URL_CLEAN.search(g['url']); loc = m.group(1) if m else b'-'
            if m:
                empty = False
            h_url = t_url = b''
        elif self.full == 1:
            m = RE_URL_PARTIAL.search(g['url']); loc = m.group(1) if m else g['url']
            if m:
                h_url = b''
            t_url = b''
        elif self.full == 2:
            loc = g['url']
        else:
            loc = b'-'; h_url = t_url = b''
        if not empty:
            self.rows.append(self.head(f, p) + [b'RES2', b'-', clen, ctype, server, crange, h_url + loc + t_url,
                                                h_ck + g['cookie'] + t_ck])


def run(trace, full_url=2):
    flows = {}
    http = Http(full_url)
    done = []
    for p in tcp_packets(trace):
        a, b = (p['src'], p['sp']), (p['dst'], p['dp'])
        key = (min(a, b), max(a, b))
        f = flows.get(key)
        syn, ack, fin, rst = p['fl'] & 2, p['fl'] & 16, p['fl'] & 1, p['fl'] & 4
        if f is None:
            if not (syn and not ack):
                continue
            f = flows[key] = Flow(p)
        c2s = (a == f.c)
        d, o = f.d[0 if c2s else 1], f.d[1 if c2s else 0]
        mem = (p['ipid'], p['iplen'], p['ck'])
        dup = p['ipid'] is not None and d.mem == mem and (p['t'] - d.last_time) < 2000 and d.last_time
        d.mem = mem
        if dup:
            continue
        if syn:
            d.syn += 1
        if fin:
            d.fin += 1; d.fin_seq = (p['seq'] + p['len']) % 2**32
        if c2s and not syn and f.d[1].syn == 0 and p['len'] != 0:
            done.append(f); del flows[key]; continue
        if ack and o.fin >= 1 and p['ack'] >= (o.fin_seq + 1) % 2**32:
            o.closed = True
        d.last_time = p['t']
        http.pkt(f, p, c2s)
        if rst:
            done.append(f); del flows[key]; continue
        if f.d[0].closed and f.d[1].closed:
            done.append(f); del flows[key]
    done.extend(flows.values())
    return http.rows, done


def dec(x):
    return x.decode('latin-1') if isinstance(x, bytes) else x


def compare(trace, full_url=2, verbose=False, net='netpriv'):
    rows, flows = run(trace, full_url)
    mine = ['\t'.join(dec(x) for x in r) for r in rows]
    ref = ref_rows(trace, 'log_http_complete', net)
    # fqdn (col 8) comes from DN-Hunter (dns.md): take it from the reference row for the comparison
    ok = bad = 0
    for i in range(max(len(mine), len(ref))):
        m = mine[i].split('\t') if i < len(mine) else None
        r = ref[i].split('\t') if i < len(ref) else None
        if m and r and m[5] not in ('HTTP', 'RES2') and len(m) == len(r):
            m[7] = r[7]          # fqdn of request rows: DN-Hunter (dns.md), checked separately
        if m == r:
            ok += 1
        else:
            bad += 1
            if verbose:
                print('  ref ', r and '\t'.join(r)[:300]); print('  mine', m and '\t'.join(m)[:300])
    # log_tcp_complete: http_req_cnt 111, http_res_cnt 112, http_hostname 131
    tok = tbad = 0
    byflow = {}
    for f in flows:
        byflow.setdefault((f.c[0], str(f.c[1]), f.s[0], str(f.s[1])), []).append(f)
    for row in ref_rows(trace, 'log_tcp_complete', net):
        v = row.split(' ')
        k = (v[0], v[1], v[14], v[15])
        cand = byflow.get(k)
        if not cand:
            continue
        first = round(float(v[28]) * 1000)
        cand.sort(key=lambda f: abs(f.first - first))
        f = cand.pop(0)
        exp = (v[110], v[111], v[130])
        got = (str(f.req_cnt), str(f.res_cnt), dec(f.hostname) if f.hostname is not None else '-')
        if exp == got:
            tok += 1
        else:
            tbad += 1
            if verbose:
                print('  tcp', k, 'ref', exp, 'mine', got)
    print(f'{trace} {net}: http rows ok {ok} bad {bad} (ref {len(ref)}, mine {len(mine)}); '
          f'tcp req/res/hostname ok {tok} bad {tbad}')
    return ok, bad, tok, tbad


def all_traces():
    out = []
    for d in sorted(glob.glob(f'{REF}/tstat-3.2.1/*/*/netpriv/tstat_out/*.out')):
        parts = d.split('/')
        i = parts.index('tstat-3.2.1')
        out.append(parts[i + 1] + '/' + parts[i + 2])
    return out


if __name__ == '__main__':
    args = sys.argv[1:]
    verbose = '--verbose' in args
    args = [a for a in args if a != '--verbose']
    full = 2
    net = 'netpriv'
    if '--net' in args:
        i = args.index('--net'); net = args[i + 1]; del args[i:i + 2]
    if '--full-url' in args:
        i = args.index('--full-url'); full = int(args[i + 1]); del args[i:i + 2]
    if args == ['all']:
        args = all_traces()
    tot = [0, 0, 0, 0]
    for t in args:
        r = compare(t, full, verbose, net)
        tot = [x + y for x, y in zip(tot, r)]
    print('TOTAL http rows ok %d bad %d; tcp ok %d bad %d' % tuple(tot))
