#!/usr/bin/env python3
"""Controlled TCP experiment between two network namespaces (issue 3).

    sudo python3 tests/netns/experiment.py OUTDIR [--delay-ms 20] [--loss 0.02] ...

Needs root, `ip netns`, /dev/net/tun and tcpdump; python3 standard library only.

Topology (no netem needed):

    nsA: tapA 10.77.<r>.1/24  <--fd-->  forwarder  <--fd-->  tapB 10.77.<r>.2/24 :nsB

The forwarder (a child process of this script) holds the file descriptors of two TAP
devices, moved into two fresh namespaces, and copies Ethernet frames between them like a
two-port bridge. Every frame waits a fixed one-way delay (FIFO per direction, so no
reordering). In the A->B direction it drops a seeded pseudo-random fraction of the TCP
segments that carry *new* data: never SYN/FIN/RST, never pure ACKs, never a segment whose
bytes were already sent (a retransmission). Each drop therefore costs the sender exactly
one retransmission, and "retransmissions counted" must equal "frames dropped".

tcpdump captures on tapA inside nsA, i.e. before the forwarder: the dropped originals and
their retransmissions are both in the capture. N parallel Linux TCP connections each send
a fixed number of bytes from nsA to nsB.

OUTDIR receives capture.pcap, net.internal (the subnet, for tstat -N) and result.json:
the imposed delay, per connection (keyed by client port) the frames dropped, the
retransmitted segments found in the capture by this script's own pcap reader, the min
SYN->SYN/ACK and data->ACK times, plus health counters (tcpdump drops, tap queue drops).
The caller (tests/netns_experiment.rs) runs tstat on the capture and compares.
"""

import argparse
import fcntl
import json
import os
import random
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections import deque

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
PORT = 5001


def log(*a):
    print("[netns]", *a, file=sys.stderr, flush=True)


def sh(*cmd, check=True, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}")
    return r


# --------------------------------------------------------------------------------------
# Frame inspection shared by the forwarder and the pcap reader.


def tcp_fields(frame):
    """(src, dst, sport, dport, seq, ack, flags, payload_len) of an Ethernet/IPv4/TCP frame."""
    if len(frame) < 14 + 20 or frame[12:14] != b"\x08\x00":
        return None
    ip = 14
    if frame[ip] >> 4 != 4 or frame[ip + 9] != 6:
        return None
    ihl = (frame[ip] & 15) * 4
    total = struct.unpack_from("!H", frame, ip + 2)[0]
    t = ip + ihl
    if len(frame) < t + 20:
        return None
    sport, dport, seq, ack, off = struct.unpack_from("!HHIIB", frame, t)
    flags = frame[t + 13]
    plen = total - ihl - (off >> 4) * 4
    return frame[ip + 12 : ip + 16], frame[ip + 16 : ip + 20], sport, dport, seq, ack, flags, plen


FIN, SYN, RST, ACK = 0x01, 0x02, 0x04, 0x10


def after(a, b):
    """a > b in 32-bit sequence space."""
    return 0 < ((a - b) & 0xFFFFFFFF) < 0x80000000


# --------------------------------------------------------------------------------------
# Forwarder


def open_tap(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    os.set_blocking(fd, False)
    return fd


def forward(fd_a, fd_b, delay, loss, seed, stop_r, stats_path):
    """Copy frames between the two taps until stop_r becomes readable; write stats_path."""
    rng = random.Random(seed)
    queues = {fd_a: deque(), fd_b: deque()}  # frames read from fd, waiting to go out
    peer = {fd_a: fd_b, fd_b: fd_a}
    sent_end = {}  # A->B flow -> highest sequence number sent so far (end of data)
    dropped = {}  # client port -> [seq of each dropped segment]
    frames = {fd_a: 0, fd_b: 0}
    retx_seen = {}  # client port -> retransmissions that passed through
    late_max = 0.0  # worst lateness of a release versus its due time
    write_errors = 0
    while True:
        now = time.monotonic()
        due = [q[0][0] for q in queues.values() if q]
        timeout = max(0.0, min(due) - now) if due else 0.5
        r, _, _ = select.select([fd_a, fd_b, stop_r], [], [], timeout)
        if stop_r in r:
            break
        for fd in r:
            while True:
                try:
                    frame = os.read(fd, 65536)
                except BlockingIOError:
                    break
                frames[fd] += 1
                if fd == fd_a:
                    f = tcp_fields(frame)
                    if f is not None and f[7] > 0 and not f[6] & (SYN | FIN | RST):
                        key = f[:4]
                        end = (f[4] + f[7]) & 0xFFFFFFFF
                        prev = sent_end.get(key)
                        if prev is not None and not after(end, prev):
                            retx_seen[f[2]] = retx_seen.get(f[2], 0) + 1
                        else:
                            sent_end[key] = end
                            if rng.random() < loss:
                                dropped.setdefault(f[2], []).append(f[4])
                                continue
                    elif f is not None and f[6] & SYN:
                        sent_end[f[:4]] = (f[4] + 1) & 0xFFFFFFFF
                # Stamp each frame when it is read: frames keep arriving while this loop
                # drains the tap, and an earlier stamp would release them too soon.
                queues[fd].append((time.monotonic() + delay, frame))
        now = time.monotonic()
        for fd, q in queues.items():
            while q and q[0][0] <= now:
                t, frame = q.popleft()
                late_max = max(late_max, now - t)
                try:
                    os.write(peer[fd], frame)
                except OSError:
                    write_errors += 1
    with open(stats_path, "w") as f:
        json.dump(
            {
                "dropped": {str(k): v for k, v in dropped.items()},
                "retx_seen_by_forwarder": {str(k): v for k, v in retx_seen.items()},
                "frames_a_to_b": frames[fd_a],
                "frames_b_to_a": frames[fd_b],
                "max_release_lateness_ms": late_max * 1000,
                "write_errors": write_errors,
            },
            f,
        )


# --------------------------------------------------------------------------------------
# Endpoints, run inside the namespaces with `ip netns exec ... experiment.py --role ...`


def receiver(addr, conns):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, PORT))
    srv.listen(conns)
    print("ready", flush=True)
    totals = []

    def drain(c):
        n = 0
        while True:
            b = c.recv(1 << 20)
            if not b:
                break
            n += len(b)
        c.close()
        totals.append(n)

    threads = []
    for _ in range(conns):
        c, _ = srv.accept()
        t = threading.Thread(target=drain, args=(c,))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    print(json.dumps(sorted(totals)), flush=True)


def sender(addr, conns, nbytes):
    chunk = bytes(range(256)) * 256  # 64 KiB

    def run(i):
        s = socket.create_connection((addr, PORT), timeout=30)
        left = nbytes
        while left:
            left -= s.send(chunk[: min(left, len(chunk))])
        s.shutdown(socket.SHUT_WR)
        while s.recv(4096):
            pass
        s.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(conns)]
    for t in threads:
        t.start()
        time.sleep(0.01)  # distinct SYN times, so rows are easy to tell apart
    for t in threads:
        t.join()


# --------------------------------------------------------------------------------------
# Independent reading of the capture


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise RuntimeError(f"{path}: not a classic pcap")
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack_from(endian + "I", data, 20)[0]
    if linktype != 1:
        raise RuntimeError(f"{path}: link type {linktype}, expected Ethernet")
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack_from(endian + "IIII", data, off)
        off += 16
        yield sec + frac / (1e9 if nano else 1e6), data[off : off + incl]
        off += incl


def analyse(pcap, client_ip):
    """Per client port: retransmitted data segments, min SYN->SYN/ACK, min data->ACK (s)."""
    conns = {}
    for ts, frame in read_pcap(pcap):
        f = tcp_fields(frame)
        if f is None:
            continue
        src, dst, sport, dport, seq, ack, flags, plen = f
        if src == client_ip:
            c = conns.setdefault(
                sport,
                {"syn": None, "synack_rtt": None, "end": None, "retx": [], "out": deque(),
                 "rtts": [], "data_pkts": 0},
            )
            if flags & SYN:
                c["syn"] = ts
                c["end"] = (seq + 1) & 0xFFFFFFFF
                continue
            if plen <= 0 or c["end"] is None:
                continue
            c["data_pkts"] += 1
            end = (seq + plen) & 0xFFFFFFFF
            if not after(end, c["end"]):
                c["retx"].append(seq)
                # Karn: a retransmitted range gives no RTT sample.
                for o in c["out"]:
                    if after(o[0], seq):
                        o[2] = False
            else:
                c["end"] = end
                c["out"].append([end, ts, True])
        elif dst == client_ip and dport in conns:
            c = conns[dport]
            if flags & SYN and flags & ACK and c["syn"] is not None and c["synack_rtt"] is None:
                c["synack_rtt"] = ts - c["syn"]
            if flags & ACK:
                while c["out"] and not after(c["out"][0][0], ack):
                    end, sent, valid = c["out"].popleft()
                    if valid and end == ack:
                        c["rtts"].append(ts - sent)
    out = {}
    for port, c in conns.items():
        out[str(port)] = {
            "retx_in_capture": c["retx"],
            "data_pkts": c["data_pkts"],
            "synack_rtt_ms": None if c["synack_rtt"] is None else c["synack_rtt"] * 1000,
            "min_data_ack_rtt_ms": min(c["rtts"]) * 1000 if c["rtts"] else None,
            "rtt_samples": len(c["rtts"]),
        }
    return out


# --------------------------------------------------------------------------------------
# Orchestration


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir", nargs="?")
    ap.add_argument("--role", choices=["sender", "receiver"])
    ap.add_argument("--addr")
    ap.add_argument("--delay-ms", type=float, default=20.0, help="one-way delay, each direction")
    ap.add_argument("--loss", type=float, default=0.02, help="fraction of new A->B data dropped")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--conns", type=int, default=8)
    ap.add_argument("--bytes", type=int, default=2_000_000, help="per connection")
    ap.add_argument("--timeout", type=float, default=60.0)
    a = ap.parse_args()
    if a.role == "receiver":
        return receiver(a.addr, a.conns)
    if a.role == "sender":
        return sender(a.addr, a.conns, a.bytes)

    os.makedirs(a.outdir, exist_ok=True)
    tag = f"{os.getpid() % 100000}"
    ns_a, ns_b = f"tstatA{tag}", f"tstatB{tag}"
    tap_a, tap_b = f"tstA{tag}", f"tstB{tag}"
    subnet = 10 + os.getpid() % 200
    ip_a, ip_b = f"10.77.{subnet}.1", f"10.77.{subnet}.2"
    procs = []
    made_ns = []
    fwd_pid = None
    stop_w = None

    def on_alarm(*_):
        raise TimeoutError(f"experiment took longer than {a.timeout} s")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(int(a.timeout))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    t0 = time.monotonic()
    try:
        for ns in (ns_a, ns_b):
            sh("ip", "netns", "add", ns)
            made_ns.append(ns)
        fd_a, fd_b = open_tap(tap_a), open_tap(tap_b)
        for ns, tap, ip in ((ns_a, tap_a, ip_a), (ns_b, tap_b, ip_b)):
            sh("ip", "link", "set", tap, "netns", ns)
            x = ("ip", "netns", "exec", ns)
            # No IPv6 chatter (router solicitations, MLD) on the link. /proc/sys/net is the
            # namespace's own; procps' sysctl may be missing on a fresh machine.
            sh(*x, "sh", "-c", "for f in all default; do echo 1 >"
               " /proc/sys/net/ipv6/conf/$f/disable_ipv6; done", check=False)
            sh(*x, "ip", "link", "set", "lo", "up")
            # A long tap queue: frames the forwarder has not read yet must not be dropped
            # by the kernel after tcpdump saw them (checked below through tx_dropped).
            sh(*x, "ip", "link", "set", tap, "txqueuelen", "10000")
            sh(*x, "ip", "addr", "add", f"{ip}/24", "dev", tap)
            sh(*x, "ip", "link", "set", tap, "up")

        stop_r, stop_w = os.pipe()
        stats_path = os.path.join(a.outdir, "forwarder.json")
        fwd_pid = os.fork()
        if fwd_pid == 0:
            code = 0
            try:
                os.close(stop_w)
                signal.alarm(0)
                forward(fd_a, fd_b, a.delay_ms / 1000, a.loss, a.seed, stop_r, stats_path)
            except BaseException as e:  # noqa: BLE001 - report anything, then leave
                print("[netns] forwarder:", repr(e), file=sys.stderr)
                code = 1
            os._exit(code)
        os.close(stop_r)
        os.close(fd_a)
        os.close(fd_b)

        pcap = os.path.join(a.outdir, "capture.pcap")
        dump_err = open(os.path.join(a.outdir, "tcpdump.err"), "w+")
        dump = subprocess.Popen(
            ["ip", "netns", "exec", ns_a, "tcpdump", "-i", tap_a, "-n", "-U", "--immediate-mode", "-Z", "root",
             "-B", "16384", "-s", "200", "-w", pcap, "tcp"],
            stderr=dump_err,
        )
        procs.append(dump)
        while "listening on" not in open(dump_err.name).read():
            if dump.poll() is not None:
                raise RuntimeError("tcpdump failed: " + open(dump_err.name).read())
            time.sleep(0.05)

        me = os.path.abspath(__file__)
        recv = subprocess.Popen(
            ["ip", "netns", "exec", ns_b, sys.executable, me, "--role", "receiver",
             "--addr", ip_b, "--conns", str(a.conns)],
            stdout=subprocess.PIPE, text=True,
        )
        procs.append(recv)
        if recv.stdout.readline().strip() != "ready":
            raise RuntimeError("receiver did not start")
        t_send = time.monotonic()
        send = subprocess.Popen(
            ["ip", "netns", "exec", ns_a, sys.executable, me, "--role", "sender",
             "--addr", ip_b, "--conns", str(a.conns), "--bytes", str(a.bytes)],
        )
        procs.append(send)
        if send.wait() != 0:
            raise RuntimeError(f"sender exited with {send.returncode}")
        transfer_s = time.monotonic() - t_send
        received = json.loads(recv.stdout.readline())
        recv.wait()
        if received != [a.bytes] * a.conns:
            raise RuntimeError(f"receiver got {received}, expected {a.conns} x {a.bytes}")
        # The last ACK of each close crosses the delay line, and tcpdump may lag behind
        # the traffic: wait until the capture file stops growing. Packets still in
        # tcpdump's ring when it gets SIGINT would be lost ("received by filter" but not
        # "captured"), which is checked below. Without --immediate-mode the kernel hands
        # packets over in blocks, the last one only after a timeout of up to 1 s.
        time.sleep(2 * a.delay_ms / 1000 + 0.1)
        size, still = -1, 0
        while still < 3:
            time.sleep(0.1)
            new = os.path.getsize(pcap)
            still = still + 1 if new == size else 0
            size = new
        tx_dropped = int(
            sh("ip", "netns", "exec", ns_a, "cat",
               f"/sys/class/net/{tap_a}/statistics/tx_dropped").stdout
        )
        dump.send_signal(signal.SIGINT)
        dump.wait(timeout=10)
        dump_err.seek(0)
        dump_text = dump_err.read()
        def dump_count(what):
            return next(
                (int(l.split()[0]) for l in dump_text.splitlines() if what in l), None
            )

        captured, seen, kernel_drops = (
            dump_count(w) for w in ("packets captured", "received by filter", "dropped by kernel")
        )
        if captured is None or captured != seen or kernel_drops != 0:
            raise RuntimeError(f"incomplete capture (tcpdump said: {dump_text.strip()!r})")
        os.close(stop_w)
        stop_w = None
        _, status = os.waitpid(fwd_pid, 0)
        fwd_pid = None
        if status != 0:
            raise RuntimeError("forwarder failed")
        with open(stats_path) as f:
            fwd = json.load(f)

        conns = analyse(pcap, socket.inet_aton(ip_a))
        for port, c in conns.items():
            c["dropped"] = fwd["dropped"].get(port, [])
            c["retx_seen_by_forwarder"] = fwd["retx_seen_by_forwarder"].get(port, 0)
        with open(os.path.join(a.outdir, "net.internal"), "w") as f:
            f.write(f"10.77.{subnet}.0/24\n")
        result = {
            "imposed_rtt_ms": 2 * a.delay_ms,
            "loss": a.loss,
            "seed": a.seed,
            "client_ip": ip_a,
            "server_ip": ip_b,
            "bytes_per_conn": a.bytes,
            "transfer_s": transfer_s,
            "total_s": time.monotonic() - t0,
            "frames_captured": captured,
            "tap_tx_dropped": tx_dropped,
            "forwarder": {k: v for k, v in fwd.items() if k not in ("dropped", "retx_seen_by_forwarder")},
            "conns": conns,
        }
        with open(os.path.join(a.outdir, "result.json"), "w") as f:
            json.dump(result, f, indent=1)
        # The same, line by line for the Rust test (no JSON parser there):
        #   <key> <value>            one per scalar figure
        #   conn <client port> <key> <value> <key> <value> ...
        with open(os.path.join(a.outdir, "result.txt"), "w") as f:
            for k in ("imposed_rtt_ms", "loss", "seed", "client_ip", "server_ip", "frames_captured",
                      "tap_tx_dropped", "transfer_s", "total_s"):
                f.write(f"{k} {result[k]}\n")
            f.write(f"max_release_lateness_ms {fwd['max_release_lateness_ms']:.3f}\n")
            for port, c in sorted(conns.items()):
                rtt = c["min_data_ack_rtt_ms"]
                f.write(
                    f"conn {port} dropped {len(c['dropped'])}"
                    f" retx_in_capture {len(c['retx_in_capture'])}"
                    f" spurious {len(set(c['retx_in_capture']) - set(c['dropped']))}"
                    f" unrepaired {len(set(c['dropped']) - set(c['retx_in_capture']))}"
                    f" data_pkts {c['data_pkts']}"
                    f" synack_rtt_ms {c['synack_rtt_ms'] if c['synack_rtt_ms'] is not None else -1:.3f}"
                    f" data_ack_rtt_ms {rtt if rtt is not None else -1:.3f}\n"
                )
        log(f"done in {result['total_s']:.1f} s (transfer {transfer_s:.1f} s)")
    finally:
        signal.alarm(0)
        if stop_w is not None:
            os.close(stop_w)
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if fwd_pid is not None:
            try:
                os.kill(fwd_pid, signal.SIGKILL)
                os.waitpid(fwd_pid, 0)
            except OSError:
                pass
        for ns in made_ns:
            sh("ip", "netns", "del", ns, check=False)


if __name__ == "__main__":
    main()
