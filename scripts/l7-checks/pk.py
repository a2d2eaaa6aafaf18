"""Shared helpers: read UDP/TCP packets of a trace through tshark."""
import subprocess, os, glob
REF = '/work/shared/reference'

def ref_dir(trace, net='netpriv'):
    d = glob.glob(f'{REF}/tstat-3.2.1/{trace}/{net}/tstat_out/*.out')
    return d[0] if d else None

def ref_rows(trace, log, net='netpriv'):
    d = ref_dir(trace, net)
    if not d or not os.path.exists(f'{d}/{log}'):
        return []
    return [l.rstrip('\n') for l in open(f'{d}/{log}', errors='surrogateescape') if not l.startswith('#')]

def usec(ts):
    s, _, f = ts.partition('.')
    f = (f + '000000')[:6]
    return int(s) * 1000000 + int(f)

def last(v):
    return v.split(',')[-1] if v else ''

def udp_packets(trace):
    fields = ['frame.time_epoch', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'udp.srcport', 'udp.dstport',
              'ip.id', 'udp.checksum', 'ip.len', 'udp.length', 'udp.payload', 'frame.number']
    cmd = ['tshark', '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-r', f'{REF}/traces/{trace}', '-Y', 'udp && !icmp && !icmpv6', '-T', 'fields', '-E', 'separator=|']
    for f in fields:
        cmd += ['-e', f]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    pk = []
    for line in out.splitlines():
        v = line.split('|')
        if len(v) < len(fields):
            continue
        t, s4, d4, s6, d6, sp, dp, ipid, ck, iplen, ulen, pay, num = v
        if s6 and (not s4 or len(s6.split(',')) >= 1 and ',' not in s4 and False):
            pass
        # take innermost addresses (last value); prefer the family of the innermost header
        src = last(s6) if s6 and (not s4 or line.find(s6) > line.find(s4)) else last(s4)
        dst = last(d6) if d6 and (not d4 or line.find(d6) > line.find(d4)) else last(d4)
        if ',' in sp:
            sp, dp, ulen, ck, pay = last(sp), last(dp), last(ulen), last(ck), last(pay)
        pk.append(dict(t=usec(t), src=src, dst=dst, sp=int(sp), dp=int(dp), ipid=last(ipid), ck=ck,
                       iplen=last(iplen), ulen=int(ulen), pay=bytes.fromhex(pay) if pay else b'', num=int(num)))
    return pk
