//! The counters block printed at the end of a run and on SIGUSR1.

use super::output::Output;
use crate::decode::SkipReason;
use crate::engine::figures::Figures;

/// The counters block printed at the end of a run (stdout) and on SIGUSR1 (stderr).
pub(super) fn summary(fig: &Figures, out: &Output, filtered_out: u64) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    // Writing into a String cannot fail.
    macro_rules! line {
        ($($arg:tt)*) => { let _ = writeln!(s, $($arg)*); };
    }
    let c = &fig.engine;
    let t = &fig.tcp;
    let u = &fig.udp;
    line!("---");
    line!("frames read: {}", c.frames + filtered_out);
    if filtered_out > 0 {
        line!("frames not passing the -f filter: {filtered_out}");
    }
    line!("IP packets analysed: {}", c.ip_packets);
    line!(
        "TCP packets: {} (trash {}, duplicates {}, truncated {})",
        t.packets,
        t.trash,
        t.duplicates,
        t.truncated
    );
    line!(
        "UDP packets: {} (duplicates {}, truncated {})",
        u.packets,
        u.duplicates,
        u.truncated
    );
    line!(
        "TCP flows: {} (refused, table full: {})",
        t.flows,
        t.table_full
    );
    line!(
        "UDP flows: {} (refused, table full: {})",
        u.flows,
        u.table_full
    );
    line!("flows not logged, both ends external: {}", c.external_flows);
    if fig.segments_evicted > 0 || fig.segments_refused > 0 {
        line!(
            "TCP segments forgotten: {} past max_seg_per_quad, {} with the segment pool full",
            fig.segments_evicted,
            fig.segments_refused
        );
    }
    if fig.rtp_untracked > 0 {
        line!(
            "UDP directions not typed as RTP, source pool full: {}",
            fig.rtp_untracked
        );
    }
    if fig.quic_names_untracked > 0 {
        line!(
            "gQUIC flows without names, name pool full: {}",
            fig.quic_names_untracked
        );
    }
    if fig.quic_hellos_untracked > 0 {
        line!(
            "IETF QUIC flows without a server name, ClientHello buffers all in use: {}",
            fig.quic_hellos_untracked
        );
    }
    if fig.tls_exhausted > 0 {
        line!(
            "TLS connections without names, TLS pool full: {}",
            fig.tls_exhausted
        );
    }
    if fig.hellos_cut > 0 || fig.hellos_exhausted > 0 {
        line!(
            "split TLS ClientHellos: {} longer than the 4 KB buffer (read in part), {} not gathered (buffers all in use)",
            fig.hellos_cut,
            fig.hellos_exhausted
        );
    }
    if c.later_fragments > 0 {
        line!(
            "later IP fragments (no transport header): {}",
            c.later_fragments
        );
    }
    if c.zero_time_frames > 0 {
        line!(
            "leading frames stamped at the epoch, skipped: {}",
            c.zero_time_frames
        );
    }
    for r in SkipReason::ALL {
        let n = c.skipped[r as usize];
        if n > 0 {
            line!("frames skipped, {}: {n}", r.label());
        }
    }
    line!(
        "log rows written: {} in {} output folder(s)",
        out.rows(),
        out.folders
    );
    if out.lost() > 0 {
        line!(
            "log rows lost, not written (disk full or write errors): {}",
            out.lost()
        );
    }
    if out.budget.deleted > 0 {
        line!(
            "output folders deleted by the disk budget (Max_Disk_Usage): {}",
            out.budget.deleted
        );
    }
    line!(
        "{} packets seen, {} TCP packets traced, {} UDP packets traced",
        c.ip_packets,
        t.packets,
        u.packets
    );
    s
}
