//! An XMPP connection written into a pcap by hand (Ethernet, IPv4, TCP) goes through the
//! binary: log_chat_messages gets one row for the message sent after a presence, and
//! log_chat_complete one 20-field row at close (docs/semantics/chat.md §2.3, §3, §4).

use std::path::PathBuf;
use std::process::Command;

const CLIENT: [u8; 4] = [192, 168, 1, 2];
const SERVER: [u8; 4] = [10, 0, 0, 1];
/// 2020-02-06 08:35:46 UTC.
const T0: u32 = 1_580_978_146;

fn checksum(bytes: &[u8]) -> u16 {
    let mut sum: u32 = bytes
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// One frame: `from_client` picks the direction; flags are TCP's (SYN 2, ACK 16, PSH 8, FIN 1).
fn frame(from_client: bool, seq: u32, ack: u32, flags: u8, payload: &[u8]) -> Vec<u8> {
    let (src, dst, sport, dport) = if from_client {
        (CLIENT, SERVER, 40000u16, 5222u16)
    } else {
        (SERVER, CLIENT, 5222, 40000)
    };
    let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
    let total = (20 + 20 + payload.len()) as u16;
    let mut ip = vec![0x45, 0];
    ip.extend_from_slice(&total.to_be_bytes());
    ip.extend_from_slice(&[0, 1, 0x40, 0, 64, 6, 0, 0]);
    ip.extend_from_slice(&src);
    ip.extend_from_slice(&dst);
    let sum = checksum(&ip);
    ip[10..12].copy_from_slice(&sum.to_be_bytes());
    f.extend_from_slice(&ip);
    f.extend_from_slice(&sport.to_be_bytes());
    f.extend_from_slice(&dport.to_be_bytes());
    f.extend_from_slice(&seq.to_be_bytes());
    f.extend_from_slice(&ack.to_be_bytes());
    f.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
    f.extend_from_slice(payload);
    f
}

fn pcap(frames: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut p = Vec::new();
    p.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    p.extend_from_slice(&[2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    p.extend_from_slice(&65535u32.to_le_bytes());
    p.extend_from_slice(&1u32.to_le_bytes());
    for (micros, f) in frames {
        p.extend_from_slice(&(T0 + micros / 1_000_000).to_le_bytes());
        p.extend_from_slice(&(micros % 1_000_000).to_le_bytes());
        p.extend_from_slice(&(f.len() as u32).to_le_bytes());
        p.extend_from_slice(&(f.len() as u32).to_le_bytes());
        p.extend_from_slice(f);
    }
    p
}

#[test]
fn an_xmpp_chat_gets_its_rows() {
    let stream = b"<stream:stream to='example.com'>";
    let presence = b"<presence from='b@example.com'/>";
    let message = b"<message to='b@example.com'><body>hi</body></message>";
    let (mut c, mut s) = (1000u32, 5000u32);
    let mut frames = vec![(0, frame(true, c, 0, 2, b""))];
    c += 1;
    frames.push((100_000, frame(false, s, c, 18, b"")));
    s += 1;
    frames.push((200_000, frame(true, c, s, 16, b"")));
    frames.push((300_000, frame(true, c, s, 24, stream)));
    c += stream.len() as u32;
    frames.push((400_000, frame(false, s, c, 24, presence)));
    s += presence.len() as u32;
    frames.push((500_000, frame(true, c, s, 24, message)));
    c += message.len() as u32;
    frames.push((600_000, frame(true, c, s, 17, b"")));
    c += 1;
    frames.push((700_000, frame(false, s, c, 17, b"")));
    s += 1;
    frames.push((800_000, frame(true, c, s, 16, b"")));

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("chat_logs");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let trace = dir.join("xmpp.pcap");
    std::fs::write(&trace, pcap(&frames)).unwrap();
    // Only the client is internal: c_isint prints the server's flag (0), Tstat's quirk.
    let nets = dir.join("nets");
    std::fs::write(&nets, "192.168.0.0/16\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tstat"))
        .env("TZ", "UTC")
        .arg("-N")
        .arg(&nets)
        .arg("-s")
        .arg(dir.join("out"))
        .arg(&trace)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let folder = std::fs::read_dir(dir.join("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .unwrap();
    let read = |name: &str| std::fs::read_to_string(folder.join(name)).unwrap();

    let messages = read("log_chat_messages");
    let rows: Vec<&str> = messages.lines().skip(1).collect();
    if !cfg!(feature = "dpi") {
        // No classifier in this build: both logs hold their header only, as Tstat's would
        // without its chat classifiers.
        assert!(rows.is_empty(), "{messages}");
        assert_eq!(read("log_chat_complete").lines().count(), 1);
        return;
    }
    assert_eq!(
        rows,
        [format!(
            "1 MESSAGE 1 ? {} 'Thu Feb  6 08:35:46.000000 2020' 0.500 128",
            message.len()
        )]
    );
    let complete = read("log_chat_complete");
    let rows: Vec<&str> = complete.lines().skip(1).collect();
    let client_bytes = stream.len() + message.len();
    assert_eq!(
        rows,
        [format!(
            "192.168.1.2 40000 {client_bytes} 6 1 10.0.0.1 5222 {} 3 0 \
             1580978146.000000 0.800 3 UNK 0 1 T 128 0 0",
            presence.len()
        )]
    );
}
