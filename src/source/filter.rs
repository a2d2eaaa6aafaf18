//! `-f` on trace files: the tcpdump-syntax filter Tstat installs on every libpcap handle,
//! offline ones included (tcpdump.c installs it for files as for live capture). libpcap
//! compiles it once per link type and runs it on each frame, with the frame's wire length
//! (so `greater`/`len` see what they see live). Needs the `live` feature (libpcap).

use std::os::raw::{c_int, c_uint};

use ::pcap::{BpfProgram, Capture, Linktype};

use super::Frame;

/// libpcap's `struct pcap_pkthdr`.
#[repr(C)]
struct PktHdr {
    ts: libc::timeval,
    caplen: c_uint,
    len: c_uint,
}

extern "C" {
    // int pcap_offline_filter(const struct bpf_program *, const struct pcap_pkthdr *,
    //                         const u_char *);
    fn pcap_offline_filter(prog: *const BpfProgram, h: *const PktHdr, pkt: *const u8) -> c_int;
}

/// A compiled filter, per link type met so far.
pub struct FrameFilter {
    expr: String,
    programs: Vec<(u32, BpfProgram)>,
    /// Frames the filter rejected.
    pub rejected: u64,
}

impl FrameFilter {
    /// Compile `expr` (for Ethernet first, so a syntax error is reported before any packet).
    pub fn new(expr: &str) -> Result<FrameFilter, String> {
        let mut f = FrameFilter {
            expr: expr.to_string(),
            programs: Vec::new(),
            rejected: 0,
        };
        f.program(1)?;
        Ok(f)
    }

    fn program(&mut self, link_type: u32) -> Result<&BpfProgram, String> {
        let at = match self.programs.iter().position(|(l, _)| *l == link_type) {
            Some(i) => i,
            None => {
                let dead = Capture::dead(Linktype(link_type as i32))
                    .map_err(|e| format!("libpcap: {e}"))?;
                let prog = dead.compile(&self.expr, true).map_err(|e| {
                    format!(
                        "the filter \"{}\" does not compile for link type {link_type}: {e}",
                        self.expr
                    )
                })?;
                self.programs.push((link_type, prog));
                self.programs.len() - 1
            }
        };
        Ok(&self.programs[at].1)
    }

    /// Whether `frame` passes; an error when the filter cannot be compiled for its link type.
    pub fn accepts(&mut self, frame: &Frame<'_>) -> Result<bool, String> {
        let prog = self.program(frame.link_type)?;
        let hdr = PktHdr {
            ts: libc::timeval {
                tv_sec: 0,
                tv_usec: 0,
            },
            caplen: frame.data.len() as c_uint,
            len: frame.wire_len.max(frame.data.len() as u32) as c_uint,
        };
        // SAFETY: `BpfProgram` is a transparent wrapper of libpcap's `struct bpf_program`,
        // alive for the call; the header and the frame's bytes are valid for `caplen` bytes.
        let ok = unsafe { pcap_offline_filter(prog, &hdr, frame.data.as_ptr()) } != 0;
        if !ok {
            self.rejected += 1;
        }
        Ok(ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Timestamp;

    fn udp_frame(dport: u16) -> Vec<u8> {
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&[0x08, 0x00]);
        f.extend_from_slice(&[
            0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ]);
        f.extend_from_slice(&1234u16.to_be_bytes());
        f.extend_from_slice(&dport.to_be_bytes());
        f.extend_from_slice(&[0, 8, 0, 0]);
        f
    }

    #[test]
    fn frames_pass_as_tcpdump_would_pass_them() {
        let mut f = FrameFilter::new("udp port 53").unwrap();
        let dns = udp_frame(53);
        let other = udp_frame(80);
        let frame = |d: &'static [u8]| Frame {
            ts: Timestamp::ZERO,
            link_type: 1,
            wire_len: d.len() as u32,
            data: d,
        };
        let (dns, other): (&'static [u8], &'static [u8]) = (
            Box::leak(dns.into_boxed_slice()),
            Box::leak(other.into_boxed_slice()),
        );
        assert!(f.accepts(&frame(dns)).unwrap());
        assert!(!f.accepts(&frame(other)).unwrap());
        assert_eq!(f.rejected, 1);
        // The wire length counts, not the captured bytes.
        let mut g = FrameFilter::new("greater 1000").unwrap();
        let cut = Frame {
            wire_len: 1500,
            ..frame(dns)
        };
        assert!(g.accepts(&cut).unwrap());
        assert!(FrameFilter::new("udp prot 53").is_err());
    }
}
