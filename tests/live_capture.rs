//! Live capture end to end (issue 5): tstat captures with libpcap on one end of a veth pair
//! between two network namespaces while real clients talk to real servers across it.
//!
//! * curl fetches files of known sizes from python3's http.server: each fetch must be one
//!   log_tcp_complete row whose byte counts equal what curl reports it sent and received;
//! * a DNS query and its answer (python3 on both sides) must be one log_udp_complete row with
//!   the datagram sizes and type 19 (DNS);
//! * the UDP row must be in the log while the link is idle, before tstat is stopped (quiet
//!   reads close idle flows on time; the globals make the timeouts short);
//! * SIGTERM makes tstat write out, flush, print libpcap's counters and exit 0;
//! * `--user nobody`: the folder is created by that user, after the capture opened as root,
//!   and carries its closed marker at exit;
//! * all of it with one engine and with two worker threads (`--workers 2`).
//!
//! Needs root, `ip netns`, curl and python3. Without them the test prints one line and passes,
//! unless TSTAT_REQUIRE_NETNS=1 (set by .ci/run), which makes it fail.
#![cfg(feature = "live")]

mod common;
use common::{env_is, out_folder, read_log};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const FILE_SIZES: [usize; 3] = [1_000, 70_000, 1_500_000];

/// A DNS server answering every A query with 10.0.0.1, and a client sending one query.
const DNS_PY: &str = r#"
import socket, struct, sys
def serve(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 53))
    while True:
        q, peer = s.recvfrom(2048)
        answer = q[:2] + b"\x81\x80" + q[4:6] + b"\x00\x01\x00\x00\x00\x00" + q[12:]
        answer += b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x0a\x00\x00\x01"
        s.sendto(answer, peer)
def ask(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    name = b"".join(bytes([len(l)]) + l for l in b"www.example.org".split(b".")) + b"\x00"
    q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" + name + b"\x00\x01\x00\x01"
    s.sendto(q, (addr, 53))
    r, _ = s.recvfrom(2048)
    print(s.getsockname()[1], len(q), len(r))
{"serve": serve, "ask": ask}[sys.argv[1]](sys.argv[2])
"#;

fn works(cmd: &str, args: &[&str]) -> bool {
    Command::new(cmd)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Why the test cannot run here, if it cannot.
fn missing_prerequisite() -> Option<&'static str> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Some("not running as root");
    }
    if !works("ip", &["netns", "list"]) {
        return Some("`ip netns` is unavailable");
    }
    if !works("curl", &["--version"]) {
        return Some("curl is missing");
    }
    if !works("python3", &["-c", "pass"]) {
        return Some("python3 is missing");
    }
    None
}

/// Two namespaces joined by a veth pair; removed (with everything running in them) on drop.
struct Lab {
    client_ns: String,
    server_ns: String,
    children: Vec<Child>,
}

impl Lab {
    fn new(tag: &str) -> Lab {
        let lab = Lab {
            client_ns: format!("tstat-lc-{tag}"),
            server_ns: format!("tstat-ls-{tag}"),
            children: Vec::new(),
        };
        let (c, s) = (&lab.client_ns, &lab.server_ns);
        for ns in [c, s] {
            run("ip", &["netns", "add", ns]);
        }
        run(
            "ip",
            &[
                "link", "add", "vcli", "netns", c, "type", "veth", "peer", "name", "vsrv", "netns",
                s,
            ],
        );
        run_in(c, &["ip", "addr", "add", "10.98.0.1/24", "dev", "vcli"]);
        run_in(s, &["ip", "addr", "add", "10.98.0.2/24", "dev", "vsrv"]);
        for (ns, dev) in [(c, "vcli"), (s, "vsrv")] {
            run_in(ns, &["ip", "link", "set", dev, "up"]);
            run_in(ns, &["ip", "link", "set", "lo", "up"]);
        }
        lab
    }

    fn spawn_in(&mut self, ns: &str, args: &[&str], dir: &Path, log: &Path) -> usize {
        let child = Command::new("ip")
            .args(["netns", "exec", ns])
            .args(args)
            .current_dir(dir)
            .stdout(std::fs::File::create(log.with_extension("out")).unwrap())
            .stderr(std::fs::File::create(log.with_extension("err")).unwrap())
            .spawn()
            .unwrap();
        self.children.push(child);
        self.children.len() - 1
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        for ns in [&self.client_ns, &self.server_ns] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

fn run(cmd: &str, args: &[&str]) {
    let out = Command::new(cmd).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn run_in(ns: &str, args: &[&str]) -> String {
    let out = Command::new("ip")
        .args(["netns", "exec", ns])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?} in {ns}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn wait_for(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn live_capture_logs_real_connections() {
    capture_and_check(1);
}

/// The same with two worker threads: rows come back through the pipeline, on a quiet link
/// too, and SIGTERM still writes every flow out.
#[cfg(feature = "workers")]
#[test]
fn live_capture_with_worker_threads() {
    capture_and_check(2);
}

fn capture_and_check(workers: usize) {
    if let Some(why) = missing_prerequisite() {
        assert!(
            !env_is("TSTAT_REQUIRE_NETNS"),
            "live capture test required but {why}"
        );
        println!("live capture: did not run ({why})");
        return;
    }
    let tag = format!("{}-{workers}", std::process::id());
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("live-{tag}"));
    let _ = std::fs::remove_dir_all(&work);
    let www = work.join("www");
    std::fs::create_dir_all(&www).unwrap();
    for size in FILE_SIZES {
        std::fs::write(www.join(format!("f{size}")), vec![b'x'; size]).unwrap();
    }
    std::fs::write(work.join("dns.py"), DNS_PY).unwrap();
    // Short timeouts, so the idle UDP flow is due while the test waits.
    std::fs::write(
        work.join("globals.conf"),
        "[globals]\nUDP_Idle_Time = 2\nUDP_Singleton_Time = 1\nTCP_Idle_Time = 30\n",
    )
    .unwrap();
    let mut lab = Lab::new(&tag);
    let (cns, sns) = (lab.client_ns.clone(), lab.server_ns.clone());
    lab.spawn_in(
        &sns,
        &[
            "python3",
            "-m",
            "http.server",
            "8080",
            "--bind",
            "10.98.0.2",
        ],
        &www,
        &work.join("http"),
    );
    lab.spawn_in(
        &sns,
        &["python3", "dns.py", "serve", "10.98.0.2"],
        &work,
        &work.join("dnsd"),
    );
    // tstat drops to `nobody` once the capture is open (--user): the output folder must be
    // writable by that user.
    let out = work.join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::set_permissions(&out, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    let tstat = env!("CARGO_BIN_EXE_tstat");
    let t = lab.spawn_in(
        &cns,
        &[
            tstat,
            "--workers",
            &workers.to_string(),
            "-l",
            "-i",
            "vcli",
            "-G",
            "globals.conf",
            "--user",
            "nobody",
            "-s",
            out.to_str().unwrap(),
        ],
        &work,
        &work.join("tstat"),
    );
    wait_for("tstat to start capturing", Duration::from_secs(10), || {
        std::fs::read_to_string(work.join("tstat.err"))
            .is_ok_and(|e| e.contains("capturing on vcli"))
    });
    wait_for("the web server", Duration::from_secs(10), || {
        works(
            "ip",
            &[
                "netns",
                "exec",
                &cns,
                "curl",
                "-s",
                "-o",
                "/dev/null",
                "http://10.98.0.2:8080/",
            ],
        )
    });

    // Each fetch: local port, bytes sent, header and body bytes received.
    let mut fetches = Vec::new();
    for size in FILE_SIZES {
        let w = run_in(
            &cns,
            &[
                "curl",
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{local_port} %{size_request} %{size_header} %{size_download}",
                &format!("http://10.98.0.2:8080/f{size}"),
            ],
        );
        let v: Vec<u64> = w.split_whitespace().map(|x| x.parse().unwrap()).collect();
        assert_eq!(v[3], size as u64, "curl got the whole file");
        fetches.push(v);
    }
    let dns = run_in(
        &cns,
        &[
            "python3",
            work.join("dns.py").to_str().unwrap(),
            "ask",
            "10.98.0.2",
        ],
    );
    let dns: Vec<u64> = dns.split_whitespace().map(|x| x.parse().unwrap()).collect();

    // The link is now idle: the DNS flow must reach the log before any signal.
    let udp_log = || {
        out_folder(&out)
            .map(|d| read_log(&d.join("log_udp_complete")))
            .unwrap_or_default()
    };
    wait_for(
        "the idle DNS flow in log_udp_complete",
        Duration::from_secs(8),
        || {
            udp_log()
                .iter()
                .any(|r| r["c_port"] == dns[0].to_string() && r["s_port"] == "53")
        },
    );

    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(lab.children[t].id() as i32, libc::SIGTERM) };
    let status = lab.children[t].wait().unwrap();
    let stdout = std::fs::read_to_string(work.join("tstat.out")).unwrap();
    assert!(
        status.success(),
        "tstat exit {status:?}: {}",
        std::fs::read_to_string(work.join("tstat.err")).unwrap()
    );
    assert!(
        stdout.contains("libpcap: "),
        "summary has libpcap's counters:\n{stdout}"
    );

    let dir = out_folder(&out).expect("an output folder");
    let stderr = std::fs::read_to_string(work.join("tstat.err")).unwrap();
    assert!(stderr.contains("running as user nobody"), "{stderr}");
    let owner = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&dir).unwrap());
    assert_ne!(owner, 0, "the folder is created after dropping root");
    assert!(dir.join(".closed").is_file(), "closed at exit");
    let tcp = read_log(&dir.join("log_tcp_complete"));
    for f in &fetches {
        let row = tcp
            .iter()
            .find(|r| r["c_port"] == f[0].to_string() && r["s_port"] == "8080")
            .unwrap_or_else(|| panic!("no log_tcp_complete row for client port {}", f[0]));
        assert_eq!(row["c_ip"], "10.98.0.1");
        assert_eq!(
            row["c_bytes_uniq"],
            f[1].to_string(),
            "request bytes of port {}",
            f[0]
        );
        assert_eq!(
            row["s_bytes_uniq"],
            (f[2] + f[3]).to_string(),
            "response bytes of port {}",
            f[0]
        );
        assert_eq!(row["c_pkts_retx"], "0");
    }
    let udp = read_log(&dir.join("log_udp_complete"));
    let row = udp
        .iter()
        .find(|r| r["c_port"] == dns[0].to_string())
        .expect("the DNS row");
    assert_eq!(row["c_bytes_all"], dns[1].to_string());
    assert_eq!(row["s_bytes_all"], dns[2].to_string());
    assert_eq!(
        (row["c_pkts_all"].as_str(), row["s_pkts_all"].as_str()),
        ("1", "1")
    );
    if cfg!(feature = "dpi") {
        assert_eq!(
            (row["c_type"].as_str(), row["s_type"].as_str()),
            ("19", "19")
        );
    }
    drop(lab);
    let _ = std::fs::remove_dir_all(&work);
}
