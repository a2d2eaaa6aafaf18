"""gQUIC: recompute quic_SNI, quic_UA, quic_CHLO, quic_REJ (and which flows both sides are QUIC)."""
import sys, struct, glob
from pk import udp_packets, ref_rows

MAX_UDP_QUIC = 60
NEW_FLAGS = True   # 3.2.x machine: also 0x08/0x09/0x18 (connection id) and 0x04/0x14 (nonce)


def url_encode(b):
    out = ''
    for c in b:
        ch = chr(c)
        if (ch.isascii() and ch.isalnum()) or ch in '-_.~':
            out += ch
        elif ch == ' ':
            out += '+'
        else:
            out += '%' + '0123456789abcdef'[(c >> 4) & 15] + '0123456789abcdef'[c & 15]
    return out


def tags(base, fl):
    """base = UDP header + payload (captured)"""
    n = len(base)
    f = base[8]
    if not ((f in (0x0d, 0x0c, 0x08, 0x09) and n > 42) or (f in (0xc3, 0xd3) and n > 46)):
        return
    hs = 14 if f in (0x0d, 0x09) else (18 if f in (0xc3, 0xd3) else 10)
    bi = 8 + hs + 12 + 4
    if base[bi:bi + 4] == b'CHLO':
        tag_nb = struct.unpack('<i', base[bi + 4:bi + 8])[0]
        base_offset = 8 + hs + 24 + 8 * tag_nb
        base_tags = 8 + hs + 24
        last = 0
        fl['chlo'] = 1
        if n < base_tags + tag_nb * 8:
            return
        for i in range(tag_nb):
            t = base_tags + i * 8
            end = struct.unpack('<i', base[t + 4:t + 8])[0]
            if base[t:t + 3] == b'SNI' and last != 0:
                ln = end - last
                if n < base_offset + last + ln:
                    return
                v = base[base_offset + last: base_offset + last + min(ln, 1600)].split(b'\0')[0]
                if fl['sni'] is None:
                    fl['sni'] = v.decode('latin-1')
            if base[t:t + 4] == b'UAID' and last != 0:
                ln = end - last
                if n < base_offset + last + ln:
                    return
                v = base[base_offset + last: base_offset + last + min(ln, 1600)].split(b'\0')[0]
                if fl['ua'] is None:
                    fl['ua'] = url_encode(v)
            last = end
    elif base[bi - 2:bi + 1] == b'REJ':
        fl['rej'] = 1


def check(base, me, other, fl):
    if me['q'] and other['q']:
        return
    if len(base) < 27 or base[4:6] == b'\0\0':
        return
    f = base[8]
    if f > 0x3f:
        return  # v46+ long header path: no tags (not simulated for typing)
    V = (0x0d, 0x09) if NEW_FLAGS else (0x0d,)
    C = (0x0c, 0x08, 0x18, 0x1c) if NEW_FLAGS else (0x0c, 0x1c)
    N = (0x04, 0x14) if NEW_FLAGS else ()
    st = me['st']
    if st == 'U':
        if f in V:
            if base[17] == 0x51:
                me.update(seq=base[21], cid=base[9:17], st='OV')
                if me['seq'] == 1: me['q'] = 1
            tags(base, fl)
        elif f in C:
            me.update(seq=base[17], cid=base[9:17], st='O')
            if other['st'] != 'U' and me['cid'] == other['cid']:
                me['q'] = 1
            tags(base, fl)
        elif f in (0x00, 0x10):
            if other['st'] != 'U':
                me.update(seq=base[9], st='D')
        elif f in N:
            if other['st'] != 'U' and len(base) > 42:
                me.update(seq=base[41], st='D')
    elif st in ('OV', 'O'):
        if f in V:
            if base[17] == 0x51:
                s, cid = base[21], base[9:17]
                if cid == me['cid'] and s == me['seq'] + 1:
                    me.update(seq=s, q=1)
                else:
                    me.update(cid=cid, seq=s, st='OV')
                    if s == 1: me['q'] = 1
            tags(base, fl)
        elif f in C:
            s, cid = base[17], base[9:17]
            if cid == me['cid'] and s == me['seq'] + 1:
                me.update(seq=s, q=1)
            else:
                me.update(cid=cid, seq=s, st='O')
            tags(base, fl)
        elif f in (0x00, 0x10):
            if other['st'] != 'U':
                me.update(seq=base[9], st='D')
        elif f in N:
            if other['st'] != 'U' and len(base) > 42:
                me.update(seq=base[41], st='D')
    elif st == 'D':
        if f in V:
            if base[17] == 0x51:
                me.update(seq=base[21], cid=base[9:17], st='OV')
                if me['seq'] == 1: me['q'] = 1
            tags(base, fl)
        elif f in C:
            me.update(seq=base[17], cid=base[9:17], st='O')
            if other['st'] != 'U' and me['cid'] == other['cid']:
                me['q'] = 1
            tags(base, fl)
        elif f in (0x00, 0x10):
            s = base[9]
            if s == me['seq'] + 1: me['q'] = 1
            me['seq'] = s
            if not me['q']: me['st'] = 'D'
        elif f in N and len(base) > 42:
            s = base[41]
            if s == me['seq'] + 1: me['q'] = 1
            me['seq'] = s


def main(trace, net='netpriv', verbose=True):
    flows = {}
    for p in udp_packets(trace):
        k = (p['src'], p['sp'], p['dst'], p['dp'])
        rk = (p['dst'], p['dp'], p['src'], p['sp'])
        if k in flows:
            fl = flows[k]; me, other = fl['c'], fl['s']
        elif rk in flows:
            fl = flows[rk]; me, other = fl['s'], fl['c']
        else:
            fl = flows[k] = dict(n=0, sni=None, ua=None, chlo=0, rej=0,
                                 c=dict(st='U', q=0, seq=0, cid=b''), s=dict(st='U', q=0, seq=0, cid=b''))
            me, other = fl['c'], fl['s']
        fl['n'] += 1
        base = bytes(8) [:4] + struct.pack('>H', p['ulen']) + b'\0\0' + p['pay']
        if fl['n'] < MAX_UDP_QUIC:
            check(base, me, other, fl)
    ok = bad = 0
    for row in ref_rows(trace, 'log_udp_complete', net):
        c = row.split(' ')
        fl = flows.get((c[0], int(c[1]), c[9], int(c[10])))
        if not fl:
            continue
        exp = [fl['sni'] or '-', fl['ua'] or '-', str(fl['chlo']), str(fl['rej'])]
        both = fl['c']['q'] and fl['s']['q']
        if exp == c[19:23]:
            ok += 1
        else:
            bad += 1
            print('  MISMATCH', c[0], c[1], c[9], c[10], c[19:23], exp)
        if both and verbose:
            print('  both-QUIC flow', c[0], c[1], c[9], c[10], 'ref types', c[8], c[17])
    print(f'{trace}: quic columns ok {ok} bad {bad}')


if __name__ == '__main__':
    for t in sys.argv[1:]:
        main(t)
