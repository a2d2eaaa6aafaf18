//! Live capture from a network interface through libpcap (the `live` feature).
//!
//! The capture is non-blocking, and libpcap hands packets over in blocks (TPACKET_V3) at least
//! every [`BATCH_MS`]: latency stays under that, and the cost per packet is that of reading a
//! file. Immediate mode, which wakes the reader for every packet, cost four times the CPU per
//! packet and, with libpcap's 2 MB default buffer, dropped 28% of a 320,000 frames/s replay
//! (bench/live.sh); in blocks with a 4 MB buffer, 444 of 3.1 million frames at 614,000/s. When no block is
//! waiting the reader sleeps in poll(2) for at most [`READ_TIMEOUT_MS`], so a quiet link still
//! wakes it (the engine then closes idle flows on time) and a signal interrupts the wait. When the
//! interface goes away the capture reports it, and the caller reopens it with backoff,
//! keeping the flow state.

use std::fmt;
use std::os::fd::AsRawFd;

use ::pcap::{Active, Capture};

use super::Frame;
use crate::time::Timestamp;

/// How long the reader sleeps without packets before reporting a quiet link.
pub const READ_TIMEOUT_MS: i32 = 250;
/// libpcap hands packets over in blocks at least this often (TPACKET_V3's block timeout).
pub const BATCH_MS: i32 = 20;
/// The kernel ring between the interface and tstat: room for a burst while a block is
/// analysed (reserved once: a router's RAM matters more than a burst beyond 600,000 frames/s).
const BUFFER_BYTES: i32 = 4 << 20;
/// Tstat's default capture length (enough for headers; DPI wants more, see the README).
pub const DEFAULT_SNAPLEN: u32 = 550;

/// What the capture asks for.
#[derive(Debug, Clone)]
pub struct LiveConfig {
    pub interface: String,
    pub snaplen: u32,
    /// A BPF filter in tcpdump syntax.
    pub filter: Option<String>,
    pub promiscuous: bool,
}

/// One read from the interface.
pub enum LiveEvent<'a> {
    Frame(Frame<'a>),
    /// Every waiting packet has been read; the next call waits for more.
    Drained,
    /// Nothing arrived within the read timeout (or a signal interrupted the wait).
    Quiet,
    /// The capture failed (interface gone, permission lost...): reopen it.
    Failed(LiveError),
}

#[derive(Debug)]
pub struct LiveError {
    pub interface: String,
    pub reason: String,
}

impl fmt::Display for LiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "capture on {}: {}", self.interface, self.reason)
    }
}

impl std::error::Error for LiveError {}

/// libpcap's own counters (pcap_stats).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LiveStats {
    pub received: u64,
    /// Dropped because tstat did not read fast enough.
    pub dropped: u64,
    /// Dropped by the interface or its driver.
    pub if_dropped: u64,
}

pub struct LiveCapture {
    cfg: LiveConfig,
    cap: Capture<Active>,
    link_type: u32,
    /// Counters of the handles closed so far (a reopened handle starts again at zero).
    past: LiveStats,
    /// The last read found nothing: wait in poll(2) before reading again.
    drained: bool,
}

impl LiveCapture {
    /// Open the interface, set the filter. Errors name the interface and what failed.
    pub fn open(cfg: &LiveConfig) -> Result<LiveCapture, LiveError> {
        let cap = open_handle(cfg)?;
        let link_type = cap.get_datalink().0 as u32;
        Ok(LiveCapture {
            cfg: cfg.clone(),
            cap,
            link_type,
            past: LiveStats::default(),
            drained: false,
        })
    }

    /// Open a new handle on the same interface after a failure.
    pub fn reopen(&mut self) -> Result<(), LiveError> {
        let cap = open_handle(&self.cfg)?;
        self.past = self.stats();
        self.link_type = cap.get_datalink().0 as u32;
        self.cap = cap;
        Ok(())
    }

    pub fn interface(&self) -> &str {
        &self.cfg.interface
    }

    /// The next frame; after [`LiveEvent::Drained`], first wait up to [`READ_TIMEOUT_MS`].
    pub fn next_event(&mut self) -> LiveEvent<'_> {
        if self.drained {
            self.drained = false;
            if !wait_readable(self.cap.as_raw_fd(), READ_TIMEOUT_MS) {
                return LiveEvent::Quiet;
            }
        }
        match self.cap.next_packet() {
            // time_t and suseconds_t are 32-bit on some targets, hence the casts.
            #[allow(clippy::unnecessary_cast)]
            Ok(p) => LiveEvent::Frame(Frame {
                ts: Timestamp::from_secs_micros(
                    p.header.ts.tv_sec as i64,
                    p.header.ts.tv_usec as i64,
                ),
                link_type: self.link_type,
                wire_len: p.header.len,
                data: p.data,
            }),
            Err(::pcap::Error::TimeoutExpired) => {
                self.drained = true;
                LiveEvent::Drained
            }
            Err(e) => LiveEvent::Failed(LiveError {
                interface: self.cfg.interface.clone(),
                reason: e.to_string(),
            }),
        }
    }

    /// libpcap's counters over every handle this capture has used.
    pub fn stats(&mut self) -> LiveStats {
        let now = self.cap.stats().unwrap_or(::pcap::Stat {
            received: 0,
            dropped: 0,
            if_dropped: 0,
        });
        LiveStats {
            received: self.past.received + u64::from(now.received),
            dropped: self.past.dropped + u64::from(now.dropped),
            if_dropped: self.past.if_dropped + u64::from(now.if_dropped),
        }
    }
}

/// The names of the interfaces libpcap can capture on (empty when it cannot list them).
pub fn interface_names() -> Vec<String> {
    ::pcap::Device::list()
        .map(|list| list.into_iter().map(|d| d.name).collect())
        .unwrap_or_default()
}

/// libpcap's default interface, which Tstat uses when `-l` comes without `-i`.
pub fn default_interface() -> Option<String> {
    ::pcap::Device::lookup().ok().flatten().map(|d| d.name)
}

/// Sleep until `fd` is readable or `timeout_ms` passes; false on timeout or a signal.
fn wait_readable(fd: std::os::fd::RawFd, timeout_ms: i32) -> bool {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd for the duration of the call.
    let n = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
    n > 0
}

fn open_handle(cfg: &LiveConfig) -> Result<Capture<Active>, LiveError> {
    let fail = |what: &str, e: ::pcap::Error| LiveError {
        interface: cfg.interface.clone(),
        reason: format!("{what}: {e}"),
    };
    let snaplen = i32::try_from(cfg.snaplen).unwrap_or(i32::MAX);
    let mut cap = Capture::from_device(cfg.interface.as_str())
        .map_err(|e| fail("cannot use the interface", e))?
        .promisc(cfg.promiscuous)
        .snaplen(snaplen)
        .buffer_size(BUFFER_BYTES)
        .timeout(BATCH_MS)
        .open()
        .map_err(|e| {
            let text = e.to_string();
            let denied = text.contains("ermission") || text.contains("not permitted");
            let what = if denied {
                "cannot open the capture (root or CAP_NET_RAW needed)"
            } else {
                "cannot open the capture"
            };
            fail(what, e)
        })?
        .setnonblock()
        .map_err(|e| fail("cannot make the capture non-blocking", e))?;
    // Always a filter, the empty expression when none is asked for, as tcpdump does: it
    // compiles to "accept, snaplen bytes", which the kernel runs on each packet and so copies
    // only snaplen bytes into the ring. Without a socket filter the kernel copies whole
    // packets, GSO/GRO packets of up to 64 KB on veth and loopback: a burst of a few
    // hundred filled the 4 MB ring while tcpdump, on the same traffic, lost nothing.
    let expr = cfg.filter.as_deref().unwrap_or("");
    cap.filter(expr, true)
        .map_err(|e| fail(&format!("the filter \"{expr}\" does not compile"), e))?;
    Ok(cap)
}
