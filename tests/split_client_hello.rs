//! A real TLS ClientHello split over several TCP segments (our addition: Tstat reads only the
//! first segment, docs/differences.md). OpenSSL's s_client connects to s_server over the
//! loopback of a network namespace whose MTU is 150 bytes (and segmentation offload off), so
//! every segment carries at most 110 bytes and the ClientHello (about 350 bytes) takes four;
//! its server_name and ALPN extensions lie past the first. tcpdump records it; tstat must print the name and the ALPN
//! protocols s_client was given, and the supported_versions list OpenSSL sends.
//!
//! Needs root, `ip netns`, openssl and tcpdump; without them it says it did not run, unless
//! TSTAT_REQUIRE_NETNS=1 (CI) makes that a failure.

mod common;

use common::{env_is, out_folder, read_log};
use std::path::{Path, PathBuf};
use std::process::Command;

const SERVER_NAME: &str = "split-hello.example.org";

const CAPTURE: &str = r#"
set -eu
ns=$1; dir=$2; name=$3
cleanup() { kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$ns"
# One segment per packet: without this, the loopback hands tcpdump GSO super-packets.
ip netns exec "$ns" ip link set lo mtu 150 gso_max_segs 1 up
cd "$dir"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout key.pem \
    -out cert.pem -subj "/CN=$name" -days 1 2>/dev/null
ip netns exec "$ns" tcpdump -i lo -U -w hello.pcap tcp port 4433 2>/dev/null &
ip netns exec "$ns" openssl s_server -accept 4433 -cert cert.pem -key key.pem -quiet >/dev/null 2>&1 &
sleep 1
echo | ip netns exec "$ns" timeout 10 openssl s_client -connect 127.0.0.1:4433 \
    -servername "$name" -alpn h2,http/1.1 >/dev/null 2>&1
sleep 1
"#;

fn missing_prerequisite() -> Option<&'static str> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Some("not running as root");
    }
    for (tool, arg) in [
        ("ip", "-V"),
        ("openssl", "version"),
        ("tcpdump", "--version"),
    ] {
        let ok = Command::new(tool)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            return Some("ip, openssl or tcpdump is missing");
        }
    }
    None
}

fn capture(work: &Path) -> PathBuf {
    let ns = format!("tstat-hello-{}", std::process::id());
    let status = Command::new("bash")
        .args(["-c", CAPTURE, "capture", &ns])
        .arg(work)
        .arg(SERVER_NAME)
        .status()
        .unwrap();
    assert!(status.success(), "the capture script failed");
    work.join("hello.pcap")
}

#[test]
fn a_real_split_client_hello_is_read_whole() {
    if let Some(why) = missing_prerequisite() {
        assert!(
            !env_is("TSTAT_REQUIRE_NETNS"),
            "split ClientHello test required but {why}"
        );
        println!("split ClientHello: did not run ({why})");
        return;
    }
    if !cfg!(feature = "dpi") {
        return;
    }
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("split-hello");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let trace = capture(&work);
    std::fs::write(
        work.join("runtime.conf"),
        "[log]\nlog_tcp_complete = 1\n[options]\ntcplog_layer7 = 1\n",
    )
    .unwrap();
    let out = work.join("out");
    let status = Command::new(env!("CARGO_BIN_EXE_tstat"))
        .arg("-T")
        .arg(work.join("runtime.conf"))
        .arg("-s")
        .arg(&out)
        .arg(&trace)
        .output()
        .unwrap();
    assert!(status.status.success());
    let rows = read_log(&out_folder(&out).unwrap().join("log_tcp_complete"));
    assert_eq!(rows.len(), 1, "one connection");
    let row = &rows[0];
    // The ClientHello took several segments: more client data packets than the two or three
    // records that follow it.
    let data_packets: u32 = row["c_pkts_data"].parse().unwrap();
    assert!(data_packets >= 3, "ClientHello not split? {row:?}");
    assert_eq!(row["con_t"], "8192", "TLS");
    assert_eq!(row["c_tls_SNI"], SERVER_NAME);
    assert_eq!(row["c_npnalpn"], "160", "ALPN h2 (128) and http/1.1 (32)");
    // Wireshark reads this trace's supported_versions as 0x0304,0x0303,0x0302,0x0301.
    assert_eq!(row["c_TLSvers"], "0304,0303,0302,0301");
}
