//! Host-side test of the live-capture entry point (`--features live`): capture on the
//! loopback interface while this test sends UDP datagrams across it, stop, and find the flow
//! in log_udp_complete with the datagrams counted. Capturing needs root; without it the test
//! says it did not run, unless TSTAT_REQUIRE_NETNS=1 (CI) makes that a failure.
#![cfg(feature = "live")]

use std::net::UdpSocket;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const DATAGRAMS: usize = 20;

#[test]
fn live_capture_on_loopback_logs_the_flow() {
    // SAFETY: geteuid only reads the process's credentials.
    if unsafe { libc_geteuid() } != 0 {
        assert!(
            std::env::var("TSTAT_REQUIRE_NETNS").as_deref() != Ok("1"),
            "the live test is required but needs root"
        );
        println!("android live capture: did not run (needs root)");
        return;
    }
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("live_out");
    let _ = std::fs::remove_dir_all(&out);
    tstat_android::session::start_live_capture("lo", &out, &[]).expect("starts");
    // The capture handle opens on tstat's thread; send once it is up (the folder appears
    // with the first packet, so send until it does).
    let server = UdpSocket::bind("127.0.0.1:0").unwrap();
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(500));
    for _ in 0..DATAGRAMS {
        client
            .send_to(b"tstat live test", server.local_addr().unwrap())
            .unwrap();
        std::thread::sleep(Duration::from_millis(10));
    }
    while tstat_android::session::output_folder().is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no output folder"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    tstat_android::session::stop();
    assert_eq!(tstat_android::session::wait(), Some(0));
    let folder = tstat_android::session::output_folder().unwrap();
    let log = std::fs::read_to_string(folder.join("log_udp_complete")).unwrap();
    let (cport, sport) = (
        client.local_addr().unwrap().port().to_string(),
        server.local_addr().unwrap().port().to_string(),
    );
    let row = log
        .lines()
        .map(|l| l.split(' ').collect::<Vec<_>>())
        .find(|f| f.get(1) == Some(&cport.as_str()) && f.get(10) == Some(&sport.as_str()))
        .unwrap_or_else(|| panic!("no row for {cport} -> {sport} in\n{log}"));
    // c_pkts_all (column 6): every datagram sent.
    assert_eq!(row[5], DATAGRAMS.to_string(), "{row:?}");
}

extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid() -> u32;
}
