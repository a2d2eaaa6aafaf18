"""http_t check (tcp-dpi.md §4): list every flow of log_tcp_complete whose con_t has the HTTP bit, with its
reference http_t and its request targets (from log_http_complete, which logs them as sent at
httplog_full_url = 2), and test each target against the literal prefixes written in tcp-dpi.md §4.2
(every backticked string starting with '/') and the structural tail rules F1, F2, M1, M2.
A hit means a Web-2.0 rule might fire, so http_t should then be > 2.

    python3 webclass.py [netpriv|netall]
"""
import sys, re, os, collections
from pk import ref_rows
from httplog import all_traces

DOC = os.path.join(os.path.dirname(__file__), '../../docs/semantics/tcp-dpi.md')


def doc_prefixes():
    s = open(DOC).read()
    sec = s[s.index('### 4.2'):s.index('### 4.3')]
    sec = re.sub(r'\{[^}]*\}', '', sec)            # continuation lists: P + {...}
    sec = re.sub(r'\([^)]*\)', '', sec)            # (A > n), (a | b) alternatives after a prefix
    sec = re.sub(r'`[^`]+`( or `[^`]+`)* at T\+', '', sec)   # strings tested at an offset, not prefixes
    return sorted({p for p in re.findall(r'`(/[^`]+)`', sec)})


def tail_rules(t):
    A = len(t)
    g = lambda i: t[i:i + 1]
    if A > 14 and any(t[i:i + 4] == '-ak-' for i in (6, 7, 8, 9)):
        return 'F1'
    if A > 14 and g(3) == '_' and t[6:13] == '/all.js':
        return 'F2'
    if A > 36 and g(12) == 'g' and g(13) == '/' and (g(25) == '/' or g(29) == '/'):
        L = 25 if g(25) == '/' else 29
        if not any(c in '/_' for c in t[1:12]) and not any(c in '/ ' for c in t[14:L]):
            rest = t[L + 1:]
            m = re.search(r'[/ ]', rest)
            if not m or m.group(0) == ' ':
                return 'M1'
        return None
    if A > 43 and g(41) == ' ' and re.fullmatch(r'[0-9a-f]{40}', t[1:41]):
        return 'M2'
    return None


def main(net='netpriv'):
    prefixes = doc_prefixes()
    table = collections.Counter()
    hits = 0
    for tr in all_traces():
        reqs = collections.defaultdict(list)
        for r in ref_rows(tr, 'log_http_complete', net):
            v = r.split('\t')
            if v[5] not in ('HTTP', 'RES2', 'REQ2', '-'):
                reqs[tuple(v[:4])].append((v[5], v[8]))
        for r in ref_rows(tr, 'log_tcp_complete', net):
            v = r.split(' ')
            con_t, http_t = int(v[41]), v[43]
            if not con_t & 1:
                continue
            k = (v[0], v[1], v[14], v[15])
            table[(tr, http_t)] += 1
            for method, target in reqs.get(k, []):
                # the classifier sees the target followed by " HTTP/1.x"
                t = target + ' HTTP/1.1'
                why = [p for p in prefixes if t.startswith(p)]
                tr_rule = tail_rules(t) if method == 'GET' else None
                if why or tr_rule:
                    hits += 1
                    print('possible rule:', tr, k[1], method, target[:80], why, tr_rule, 'ref http_t', http_t)
    for (tr, h), n in sorted(table.items()):
        print(f'{net} {tr}: http_t {h}: {n} flows')
    print(f'{len(prefixes)} prefixes from the spec; {hits} request(s) hit a rule')


if __name__ == '__main__':
    main(*sys.argv[1:])
