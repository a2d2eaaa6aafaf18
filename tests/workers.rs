//! `--workers N` writes the rows a single-threaded run writes (docs/differences.md,
//! "Worker threads"): the same files, the same header lines and the same multiset of rows.
//!
//! - A trace made here exercises what couples flows across workers: DNS responses that name
//!   connections another worker owns (DN-Hunter), and flows idle past their timeout that a
//!   flow opening in another worker closes before their next packet. Its row counts and
//!   names are checked against what the trace was built to contain.
//! - With `TSTAT_REFERENCE` set, every trace of the reference corpus runs with 1 and 4
//!   workers, with the reference command and both of its net files.

mod common;

#[cfg(not(feature = "workers"))]
#[test]
fn a_build_without_workers_refuses_more_than_one() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tstat"))
        .args([
            "--workers",
            "2",
            "-s",
            "/nonexistent",
            "tests/data/sample.pcap",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("without the `workers` feature"), "{err}");
}

#[cfg(feature = "workers")]
mod with_workers {
    use super::common;
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use common::{corpus_traces, decompressor_built_in, out_folder, read_log, reference};

    /// Run the binary with `args`; returns its stdout.
    fn tstat(dir: &Path, args: &[&str]) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_tstat"))
            .current_dir(dir)
            .env("TZ", "UTC")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "tstat {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Every log file of an output folder: header line, and its rows sorted.
    fn logs_of(folder: &Path) -> BTreeMap<String, (String, Vec<String>)> {
        let mut logs = BTreeMap::new();
        for entry in std::fs::read_dir(folder).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.starts_with("log_") {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let mut lines = text.lines();
            let header = lines.next().unwrap_or("").to_string();
            let mut rows: Vec<String> = lines.map(str::to_string).collect();
            rows.sort();
            logs.insert(name, (header, rows));
        }
        logs
    }

    /// What differs between two output folders, log by log; empty when they agree.
    fn differences(one: &Path, many: &Path) -> Vec<String> {
        let (a, b) = (logs_of(one), logs_of(many));
        let mut diffs = Vec::new();
        if a.keys().ne(b.keys()) {
            diffs.push(format!(
                "log files differ: {:?} vs {:?}",
                a.keys().collect::<Vec<_>>(),
                b.keys().collect::<Vec<_>>()
            ));
        }
        for (name, (header, rows)) in &a {
            let Some((h, r)) = b.get(name) else { continue };
            if header != h {
                diffs.push(format!("{name}: header lines differ"));
            }
            if rows != r {
                let only_one = rows.iter().filter(|x| r.binary_search(x).is_err()).count();
                let only_many = r.iter().filter(|x| rows.binary_search(x).is_err()).count();
                diffs.push(format!(
                "{name}: {} vs {} rows; {only_one} only with one worker, {only_many} only with several",
                rows.len(),
                r.len()
            ));
            }
        }
        diffs
    }

    /// Every histogram file of an output folder (`STEP/NAME`) and its bytes.
    fn histogram_files(folder: &Path) -> BTreeMap<String, Vec<u8>> {
        let mut files = BTreeMap::new();
        for step in std::fs::read_dir(folder).unwrap().flatten() {
            if !step.file_type().unwrap().is_dir() {
                continue;
            }
            let step_name = step.file_name().to_string_lossy().into_owned();
            for f in std::fs::read_dir(step.path()).unwrap().flatten() {
                let name = format!("{step_name}/{}", f.file_name().to_string_lossy());
                files.insert(name, std::fs::read(f.path()).unwrap());
            }
        }
        files
    }

    /// Histogram files that differ between two output folders (or exist in one only).
    fn histogram_differences(one: &Path, many: &Path) -> Vec<String> {
        let (a, b) = (histogram_files(one), histogram_files(many));
        let mut diffs: Vec<String> = a
            .iter()
            .filter(|(name, bytes)| b.get(*name) != Some(bytes))
            .map(|(name, _)| format!("{name} differs or is missing with several workers"))
            .collect();
        diffs.extend(
            b.keys()
                .filter(|name| !a.contains_key(*name))
                .map(|name| format!("{name} only with several workers")),
        );
        diffs
    }

    /// The summary lines of a run's stdout that count things (not the folder names).
    fn counters(stdout: &str) -> Vec<&str> {
        stdout
            .lines()
            .filter(|l| !l.contains("outdir") && !l.contains("output folder:"))
            .collect()
    }

    // ---- A trace made for the purpose -------------------------------------------------------

    struct Pcap(Vec<u8>);

    impl Pcap {
        fn new() -> Pcap {
            let mut b = Vec::new();
            for v in [
                0xa1b2_c3d4u32.to_le_bytes().as_slice(),
                &2u16.to_le_bytes(),
                &4u16.to_le_bytes(),
            ] {
                b.extend_from_slice(v);
            }
            b.extend_from_slice(&[0; 8]);
            b.extend_from_slice(&65535u32.to_le_bytes());
            b.extend_from_slice(&1u32.to_le_bytes()); // Ethernet
            Pcap(b)
        }

        /// An Ethernet/IPv4 frame at `t` seconds carrying `proto` (6 or 17) with `l4` (a TCP or
        /// UDP header and payload).
        fn ipv4(&mut self, t: f64, src: [u8; 4], dst: [u8; 4], proto: u8, l4: &[u8]) {
            let mut f = vec![0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00];
            let total = (20 + l4.len()) as u16;
            f.extend_from_slice(&[0x45, 0]);
            f.extend_from_slice(&total.to_be_bytes());
            f.extend_from_slice(&[0, 1, 0x40, 0, 64, proto, 0, 0]);
            f.extend_from_slice(&src);
            f.extend_from_slice(&dst);
            f.extend_from_slice(l4);
            let secs = t.floor() as u32;
            let micros = ((t - t.floor()) * 1e6).round() as u32;
            for v in [secs, micros, f.len() as u32, f.len() as u32] {
                self.0.extend_from_slice(&v.to_le_bytes());
            }
            self.0.extend_from_slice(&f);
        }

        fn udp(&mut self, t: f64, src: ([u8; 4], u16), dst: ([u8; 4], u16), payload: &[u8]) {
            let mut l4 = Vec::new();
            l4.extend_from_slice(&src.1.to_be_bytes());
            l4.extend_from_slice(&dst.1.to_be_bytes());
            l4.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
            l4.extend_from_slice(&[0, 0]);
            l4.extend_from_slice(payload);
            self.ipv4(t, src.0, dst.0, 17, &l4);
        }

        #[allow(clippy::too_many_arguments)]
        fn tcp(
            &mut self,
            t: f64,
            src: ([u8; 4], u16),
            dst: ([u8; 4], u16),
            seq: u32,
            ack: u32,
            flags: u8,
            payload_len: usize,
        ) {
            let mut l4 = Vec::new();
            l4.extend_from_slice(&src.1.to_be_bytes());
            l4.extend_from_slice(&dst.1.to_be_bytes());
            l4.extend_from_slice(&seq.to_be_bytes());
            l4.extend_from_slice(&ack.to_be_bytes());
            l4.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
            l4.extend(std::iter::repeat_n(b'x', payload_len));
            self.ipv4(t, src.0, dst.0, 6, &l4);
        }
    }

    const SYN: u8 = 0x02;
    const ACK: u8 = 0x10;
    const FIN: u8 = 0x01;
    const PSH: u8 = 0x08;
    const RESOLVER: [u8; 4] = [8, 8, 8, 8];

    /// A DNS response for `name`, one A record `addr`.
    fn dns_response(id: u16, name: &str, addr: [u8; 4]) -> Vec<u8> {
        let mut m = Vec::new();
        m.extend_from_slice(&id.to_be_bytes());
        m.extend_from_slice(&[0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]);
        for label in name.split('.') {
            m.push(label.len() as u8);
            m.extend_from_slice(label.as_bytes());
        }
        m.extend_from_slice(&[0, 0, 1, 0, 1]);
        m.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4]);
        m.extend_from_slice(&addr);
        m
    }

    fn dns_query(id: u16, name: &str) -> Vec<u8> {
        let mut m = dns_response(id, name, [0; 4]);
        m.truncate(12 + name.len() + 2 + 4);
        m[2] = 0x01;
        m[3] = 0x00;
        m[7] = 0; // no answer
        m
    }

    /// What the made trace holds.
    struct Made {
        clients: usize,
        /// UDP tuples and SYN-only connections used again after their idle timeout.
        reused_udp: usize,
        reused_syn: usize,
    }

    fn reuses_udp(i: usize) -> bool {
        i >= 300 && i % 3 == 0
    }

    fn reuses_syn(i: usize) -> bool {
        i >= 300 && i % 5 == 0
    }

    fn client(i: usize) -> [u8; 4] {
        [10, 1, (i / 200) as u8, (i % 200 + 1) as u8]
    }

    fn server(i: usize) -> [u8; 4] {
        [93, 184, (i / 200) as u8, (i % 200 + 1) as u8]
    }

    /// `clients` clients each resolve a name and fetch from its address over one complete TCP
    /// connection. In the last quarter, every third client also sends one UDP datagram, and
    /// every fifth one bare SYN, to fixed peers: flows too recent for the other openings to close
    /// them (the singleton timeouts are 10 s). All are quiet for two minutes; then one new UDP
    /// flow opens (in one worker) and every such tuple sends again. One engine has closed them
    /// all at that opening, so each is a new flow; a worker that did not see the opening must
    /// learn of it from its peers.
    fn make_trace(path: &Path) -> Made {
        let clients = 400;
        let mut p = Pcap::new();
        let t0 = 1_600_000_000.0;
        let (mut reused_udp, mut reused_syn) = (0, 0);
        for i in 0..clients {
            let t = t0 + i as f64 * 0.05;
            let (c, s) = (client(i), server(i));
            let name = format!("h{i}.example.com");
            let port = 20_000 + i as u16;
            p.udp(t, (c, port), (RESOLVER, 53), &dns_query(i as u16, &name));
            p.udp(
                t + 0.005,
                (RESOLVER, 53),
                (c, port),
                &dns_response(i as u16, &name, s),
            );
            let (cp, sp) = ((c, 40_000 + i as u16), (s, 80));
            let (a, b) = (1000u32, 5000u32);
            p.tcp(t + 0.010, cp, sp, a, 0, SYN, 0);
            p.tcp(t + 0.011, sp, cp, b, a + 1, SYN | ACK, 0);
            p.tcp(t + 0.012, cp, sp, a + 1, b + 1, ACK, 0);
            p.tcp(t + 0.013, cp, sp, a + 1, b + 1, ACK | PSH, 100);
            p.tcp(t + 0.014, sp, cp, b + 1, a + 101, ACK | PSH, 500);
            p.tcp(t + 0.015, cp, sp, a + 101, b + 501, ACK | FIN, 0);
            p.tcp(t + 0.016, sp, cp, b + 501, a + 102, ACK | FIN, 0);
            p.tcp(t + 0.017, cp, sp, a + 102, b + 502, ACK, 0);
            if reuses_udp(i) {
                p.udp(t + 0.020, (c, 6000), ([198, 51, 100, 7], 9999), b"ping");
                reused_udp += 1;
            }
            if reuses_syn(i) {
                p.tcp(t + 0.021, (c, 7000), ([198, 51, 100, 8], 443), 1, 0, SYN, 0);
                reused_syn += 1;
            }
        }
        let late = t0 + 150.0;
        p.udp(
            late,
            ([10, 9, 9, 9], 1234),
            ([198, 51, 100, 9], 4321),
            b"hello",
        );
        for i in 0..clients {
            let t = late + 1.0 + i as f64 * 0.001;
            let c = client(i);
            if reuses_udp(i) {
                p.udp(t, (c, 6000), ([198, 51, 100, 7], 9999), b"again");
            }
            if reuses_syn(i) {
                p.tcp(t, (c, 7000), ([198, 51, 100, 8], 443), 1, 0, SYN, 0);
            }
        }
        std::fs::write(path, p.0).unwrap();
        Made {
            clients,
            reused_udp,
            reused_syn,
        }
    }

    const EVERY_SET: &str =
        "[log]\nlog_tcp_complete = 1\nlog_tcp_nocomplete = 1\nlog_udp_complete = 1\n\
log_dns_complete = 1\nlog_http_complete = 1\n[options]\ntcplog_end_to_end = 1\ntcplog_layer7 = 1\n\
tcplog_p2p = 1\ntcplog_options = 1\ntcplog_advanced = 1\n";

    fn run_made(dir: &Path, workers: usize, tag: &str) -> (PathBuf, String) {
        let out = dir.join(tag);
        let n = workers.to_string();
        let stdout = tstat(
            dir,
            &[
                "--workers",
                &n,
                "-T",
                "runtime.conf",
                "-s",
                tag,
                "made.pcap",
            ],
        );
        (out_folder(&out).expect("an output folder"), stdout)
    }

    #[test]
    fn workers_write_the_rows_of_one_engine_on_a_made_trace() {
        let dir = tempdir("made");
        std::fs::write(dir.join("runtime.conf"), EVERY_SET).unwrap();
        let made = make_trace(&dir.join("made.pcap"));
        let (one, one_stdout) = run_made(&dir, 1, "one");

        // The trace holds what it was made to hold, as one engine sees it.
        let tcp = read_log(&one.join("log_tcp_complete"));
        assert_eq!(tcp.len(), made.clients);
        for row in &tcp {
            let i = tcp_client_index(&row["c_ip"]);
            assert_eq!(
                row["fqdn"],
                format!("h{i}.example.com"),
                "DN-Hunter names {row:?}"
            );
        }
        let udp = read_log(&one.join("log_udp_complete"));
        assert_eq!(udp.len(), made.clients + 1 + 2 * made.reused_udp);
        let nocomplete = read_log(&one.join("log_tcp_nocomplete"));
        assert_eq!(nocomplete.len(), 2 * made.reused_syn);

        for workers in [2, 3, 4] {
            let (many, stdout) = run_made(&dir, workers, &format!("w{workers}"));
            let diffs = differences(&one, &many);
            assert!(diffs.is_empty(), "--workers {workers}: {diffs:#?}");
            assert_eq!(
                counters(&one_stdout),
                counters(&stdout),
                "--workers {workers}"
            );
        }
        // The same input and worker count give the same files, byte for byte.
        let (again, _) = run_made(&dir, 4, "w4-again");
        for (name, _) in logs_of(&again) {
            let a = std::fs::read(dir.join("w4").join(out_name(&again)).join(&name)).unwrap();
            let b = std::fs::read(again.join(&name)).unwrap();
            assert!(a == b, "{name} differs between two runs with 4 workers");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn out_name(folder: &Path) -> PathBuf {
        PathBuf::from(folder.file_name().unwrap())
    }

    fn tcp_client_index(ip: &str) -> usize {
        let o: Vec<usize> = ip.split('.').map(|x| x.parse().unwrap()).collect();
        o[2] * 200 + o[3] - 1
    }

    fn tempdir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tstat-workers-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    // ---- Histograms ----------------------------------------------------------------------------

    /// Steps of 10 s and idle timeouts of 4 to 6 s, so that idle closes fall on both sides of
    /// step boundaries; `Dirs` folders of a stream.
    const SHORT_STEPS: &str = "[globals]\nMax_Time_Step = 10\nDirs = 2\nUDP_Idle_Time = 5\n\
        UDP_Singleton_Time = 4\nTCP_Idle_Time = 6\nTCP_Singleton_Time = 4\n";

    /// 90 s of flows, one opening every 0.7 s: each a UDP exchange, a TCP connection left
    /// open (no FIN), or a bare SYN, from 120 clients, with ICMP echoes between (which only
    /// the histograms count). Every flow goes idle and a lone engine closes it at whichever
    /// flow opens next after its timeout, in whatever worker: with four workers the close
    /// belongs to another worker's opening, often in the step before the one where its own
    /// worker next opens a flow.
    fn make_idle_trace(path: &Path) {
        let mut p = Pcap::new();
        let t0 = 1_600_000_003.0;
        for k in 0..128usize {
            let t = t0 + k as f64 * 0.7;
            let c = [10, 2, (k / 100) as u8, (k % 100 + 1) as u8];
            let s = [203, 0, 113, (k % 50 + 1) as u8];
            match k % 3 {
                0 => {
                    p.udp(t, (c, 3000 + k as u16), (s, 5000), b"request");
                    p.udp(t + 0.2, (s, 5000), (c, 3000 + k as u16), b"response!");
                }
                1 => {
                    let (cp, sp) = ((c, 41_000 + k as u16), (s, 443));
                    p.tcp(t, cp, sp, 10, 0, SYN, 0);
                    p.tcp(t + 0.05, sp, cp, 90, 11, SYN | ACK, 0);
                    p.tcp(t + 0.1, cp, sp, 11, 91, ACK | PSH, 200);
                    p.tcp(t + 0.3, sp, cp, 91, 211, ACK | PSH, 1400);
                }
                _ => p.tcp(t, (c, 42_000 + k as u16), (s, 22), 1, 0, SYN, 0),
            }
            if k % 4 == 0 {
                let mut echo = vec![8, 0, 0, 0, 0, 1, 0, k as u8];
                echo.extend_from_slice(&[0x61; 24]);
                p.ipv4(t + 0.4, c, s, 1, &echo);
            }
        }
        std::fs::write(path, p.0).unwrap();
    }

    /// Run the idle trace with histograms; `stdin`: fed as a stream (folders rotate every
    /// `Dirs` steps) rather than read as a file.
    fn run_idle(dir: &Path, workers: usize, tag: &str, stdin: bool) -> Vec<PathBuf> {
        let n = workers.to_string();
        let input = if stdin { "-" } else { "idle.pcap" };
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tstat"));
        cmd.current_dir(dir)
            .env("TZ", "UTC")
            .args([
                "--workers",
                &n,
                "-G",
                "globals.conf",
                "-H",
                "histo.conf",
                "-g",
            ])
            .args(["-N", "net.private", "-s", tag, input]);
        if stdin {
            cmd.stdin(std::fs::File::open(dir.join("idle.pcap")).unwrap());
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "tstat --workers {n}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut folders: Vec<PathBuf> = std::fs::read_dir(dir.join(tag))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        folders.sort();
        folders
    }

    /// A folder of its own for each test (`tag`), which run at the same time.
    fn idle_lab(tag: &str) -> PathBuf {
        let dir = tempdir(tag);
        std::fs::write(dir.join("globals.conf"), SHORT_STEPS).unwrap();
        std::fs::write(dir.join("histo.conf"), "include ALL\n").unwrap();
        std::fs::write(dir.join("net.private"), "10.0.0.0/8\n").unwrap();
        make_idle_trace(&dir.join("idle.pcap"));
        dir
    }

    #[test]
    fn workers_keep_one_engines_histograms_when_idle_closes_cross_steps() {
        let dir = idle_lab("idle-file");
        let one = run_idle(&dir, 1, "one", false);
        let four = run_idle(&dir, 4, "four", false);
        assert_eq!(one.len(), 1);
        assert_eq!(four.len(), 1);
        // The trace does what it was made for: eight steps of 10 s, and UDP flows that close
        // (idle) in each from the second on (udp_cl_p_in counts them at close).
        for i in 1..8 {
            let s = format!("{i:03}");
            let closed = super::common::histogram_samples(&one[0].join(&s).join("udp_cl_p_in"));
            assert!(closed > 0, "step {s}: no UDP flow closed");
        }
        let diffs = histogram_differences(&one[0], &four[0]);
        assert!(diffs.is_empty(), "{diffs:#?}");
        assert!(histogram_files(&one[0]).len() > 9 * 300);
    }

    #[test]
    fn workers_rotate_a_streams_histogram_folders_where_one_engine_does() {
        let dir = idle_lab("idle-stream");
        let one = run_idle(&dir, 1, "one", true);
        let four = run_idle(&dir, 4, "four", true);
        let names = |f: &[PathBuf]| -> Vec<String> {
            f.iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect()
        };
        // Ten steps of 10 s (the last one LAST), two per folder.
        assert_eq!(names(&one).len(), 5, "{:?}", names(&one));
        assert_eq!(names(&one), names(&four));
        for (a, b) in one.iter().zip(&four) {
            let diffs = histogram_differences(a, b);
            assert!(diffs.is_empty(), "{}: {diffs:#?}", a.display());
        }
    }

    // ---- The reference corpus ------------------------------------------------------------------

    fn run_reference(
        reference: &Path,
        trace: &str,
        net: &str,
        workers: usize,
        out: &Path,
    ) -> String {
        let n = workers.to_string();
        let out = out.to_string_lossy();
        let trace = format!("traces/{trace}");
        tstat(
            reference,
            &[
                "--workers",
                &n,
                "-N",
                net,
                "-T",
                "conf/runtime.conf",
                "-H",
                "conf/histo.conf",
                "-B",
                "conf/bayes",
                "-g",
                "-s",
                &out,
                &trace,
            ],
        )
    }

    #[test]
    fn workers_write_the_rows_of_one_engine_on_the_corpus() {
        let Some(reference) = reference() else {
            use std::io::Write;
            let _ = writeln!(
            std::io::stderr(),
            "workers: TSTAT_REFERENCE is not set, so the corpus run with 1 and 4 workers did not run"
        );
            return;
        };
        let dir = tempdir("corpus");
        let mut failures = Vec::new();
        let traces: Vec<String> = corpus_traces(&reference)
            .into_iter()
            .filter(|t| decompressor_built_in(t))
            .collect();
        let mut rows = 0;
        let mut histogram_files_compared = 0;
        let runs = traces
            .iter()
            .flat_map(|t| ["conf/net.private", "conf/net.all"].map(|net| (t, net)));
        for (i, (trace, net)) in runs.enumerate() {
            let (a, b) = (dir.join(format!("{i}-one")), dir.join(format!("{i}-four")));
            let one_stdout = run_reference(&reference, trace, net, 1, &a);
            let four_stdout = run_reference(&reference, trace, net, 4, &b);
            let (Some(one), Some(four)) = (out_folder(&a), out_folder(&b)) else {
                failures.push(format!("{trace} {net}: an output folder is missing"));
                continue;
            };
            rows += logs_of(&one).values().map(|(_, r)| r.len()).sum::<usize>();
            for d in differences(&one, &four) {
                failures.push(format!("{trace} {net}: {d}"));
            }
            // The histograms of the four workers' events, put back in order, are the lone
            // engine's, byte for byte.
            histogram_files_compared += histogram_files(&one).len();
            for d in histogram_differences(&one, &four).into_iter().take(5) {
                failures.push(format!("{trace} {net}: {d}"));
            }
            if counters(&one_stdout) != counters(&four_stdout) {
                failures.push(format!("{trace} {net}: the summaries differ"));
            }
        }
        eprintln!(
            "workers: {} traces with net.private and net.all, {rows} rows and \
             {histogram_files_compared} histogram files, the same with 1 and 4 workers",
            traces.len()
        );
        assert!(failures.is_empty(), "{failures:#?}");
        assert!(rows > 15_000, "the corpus gave only {rows} rows");
        assert!(
            histogram_files_compared > 40_000,
            "the corpus gave only {histogram_files_compared} histogram files"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
