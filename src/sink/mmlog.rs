//! log_mm_complete rows: one per RTP or RTCP stream of a flow, in Tstat 3.2.1's columns and
//! number formats (docs/semantics/mm-log.md).

use crate::dpi::udp::kind;
use crate::dpi::udp::rtp::{Sources, Streams};
use crate::dpi::udp::rtpstats::{Jitter, RtcpStream, RtpStream, TypeCounts};
use crate::engine::udp::{UdpFlow, UdpHalf};

use super::text::Line;

/// The NaN x86 produces for 0/0 (sign bit set: printf shows `-nan`).
const NEG_NAN: f64 = f64::from_bits(0xfff8_0000_0000_0000);

/// `a / b` in doubles, with 0/0 giving x86's negative NaN as Tstat's divisions do.
fn div(a: f64, b: f64) -> f64 {
    if b == 0.0 && (a == 0.0 || a.is_nan()) {
        NEG_NAN
    } else {
        a / b
    }
}

/// `(float) a / (float) b`, widened back for printing.
fn div_f32(a: f64, b: f64) -> f64 {
    let (a, b) = (a as f32, b as f32);
    if b == 0.0 && (a == 0.0 || a.is_nan()) {
        NEG_NAN
    } else {
        f64::from(a / b)
    }
}

/// Whether a closing flow has rows: one of its directions is RTP (type 29).
pub fn has_rows(flow: &UdpFlow) -> bool {
    flow.class.c2s.kind == kind::RTP_PLUS || flow.class.s2c.kind == kind::RTP_PLUS
}

/// Write every row of `flow`, calling `emit` with each finished line.
pub fn rows(line: &mut Line, flow: &UdpFlow, streams: &Streams<'_>, mut emit: impl FnMut(&Line)) {
    if !has_rows(flow) {
        return;
    }
    for (side, lists, half) in [("C", streams.c2s, &flow.c2s), ("S", streams.s2c, &flow.s2c)] {
        let Some(lists) = lists else {
            continue;
        };
        direction_rows(line, flow, side, lists, half, &mut emit);
    }
}

/// Tstat lists the newest stream first; ours are kept oldest first.
fn direction_rows(
    line: &mut Line,
    flow: &UdpFlow,
    side: &str,
    lists: &Sources,
    half: &UdpHalf,
    emit: &mut impl FnMut(&Line),
) {
    for s in lists.rtp.iter().rev() {
        line.clear();
        head(line, flow, "R", side);
        rtp_columns(line, s, half);
        line.end();
        emit(line);
    }
    for s in lists.rtcp.iter().rev() {
        line.clear();
        head(line, flow, "T", side);
        rtcp_columns(line, s, half);
        line.end();
        emit(line);
    }
}

/// Columns 1–14.
fn head(l: &mut Line, f: &UdpFlow, proto: &str, side: &str) {
    l.text(proto);
    l.text(side);
    for (state, end, internal) in [
        (&f.class.c2s, &f.client, f.client_internal),
        (&f.class.s2c, &f.server, f.server_internal),
    ] {
        l.uint(u64::from(state.kind));
        let crypto = l.endpoint(&end.addr);
        l.uint(u64::from(end.port));
        l.flag(internal);
        l.flag(crypto);
        l.uint(u64::from(state.mux));
    }
}

/// Columns 20–22 (the direction's TTLs) and 23 (the stream's start in seconds).
fn ttl_and_start(l: &mut Line, half: &UdpHalf, first_us: i64) {
    l.g(div(half.ttl_sum as f64, half.packets as f64));
    l.uint(u64::from(half.ttl_max));
    l.uint(u64::from(half.ttl_min));
    let secs = first_us.div_euclid(1_000_000);
    let usecs = first_us.rem_euclid(1_000_000);
    l.float6(secs as f64 + usecs as f64 / 1_000_000.0);
}

fn types(l: &mut Line, t: &TypeCounts) {
    let mut ids = l.field();
    let mut first = true;
    for (id, _) in t.iter() {
        if !first {
            ids.push(b',');
        }
        first = false;
        let _ = std::io::Write::write_fmt(&mut ids, format_args!("{id}"));
    }
    if first {
        ids.push(b'-');
    }
    ids = l.field();
    let mut first = true;
    for (_, n) in t.iter() {
        if !first {
            ids.push(b',');
        }
        first = false;
        let _ = std::io::Write::write_fmt(&mut ids, format_args!("{n}"));
    }
    if first {
        ids.push(b'-');
    }
}

fn jitter(l: &mut Line, j: &Jitter) {
    l.g(j.value);
    l.g(f64::from(j.max));
    l.g(f64::from(j.min.unwrap_or(0.0)));
}

/// Columns 15–53 of an RTP stream.
fn rtp_columns(l: &mut Line, s: &RtpStream, half: &UdpHalf) {
    let span_ms = (s.last_us - s.first_us) as f64 / 1000.0;
    l.uint(s.packets);
    l.g(div(s.ipg_sum_ms, f64::from(s.ipg_samples)));
    jitter(l, &s.jitter);
    ttl_and_start(l, half, s.first_us);
    l.float6(span_ms / 1000.0);
    l.uint(s.bytes);
    l.g(div(s.bytes as f64, span_ms / 1000.0) * 8.0);
    l.hex(s.ssrc);
    for n in [s.losses, s.out_of_seq, s.dup, s.late] {
        l.uint(n);
    }
    types(l, &s.types);
    l.flag(s.bogus_reset);
    for _ in 35..=43 {
        l.uint(0);
    }
    l.int(i64::from(s.max_payload));
    l.int(i64::from(s.min_payload));
    let n = s.packets as f64;
    l.float6(s.bytes as f64 / n);
    let spread = if s.packets > 1 {
        (s.squares as f64 - s.bytes as f64 * s.bytes as f64 / n).sqrt() / (n - 1.0)
    } else {
        0.0
    };
    l.float6(spread);
    jitter(l, &s.jitter8k);
    jitter(l, &s.jitter90k);
}

/// Columns 15–53 of an RTCP stream. Its duration prints in ms, its speed in bits per ms
/// (Tstat's units for RTCP rows).
fn rtcp_columns(l: &mut Line, s: &RtcpStream, half: &UdpHalf) {
    let span_ms = (s.last_us - s.first_us) as f64 / 1000.0;
    l.uint(s.packets);
    l.g(div_f32(s.ipg_sum_ms, s.packets as f64));
    l.g(div_f32(s.jitter_sum, f64::from(s.jitter_samples)));
    l.g(s.jitter_max);
    l.g(s.jitter_min);
    ttl_and_start(l, half, s.first_us);
    l.float6(span_ms);
    l.uint(s.bytes);
    l.g(div(s.bytes as f64, span_ms) * 8.0);
    l.hex(s.ssrc);
    for _ in 28..=31 {
        l.uint(0);
    }
    types(l, &s.types);
    l.uint(0);
    l.int(i64::from(s.cumulative_lost));
    l.g(div_f32(s.fraction_lost_sum, f64::from(s.jitter_samples)) * 100.0 / 256.0);
    l.uint(u64::from(s.sr_packets));
    l.uint(u64::from(s.sr_octets));
    l.g(div_f32(s.rtt_sum, f64::from(s.rtt_samples)));
    l.g(s.rtt_max);
    l.g(s.rtt_min);
    l.uint(u64::from(s.rtt_samples));
    l.uint(u64::from(s.flags));
    l.text("0 0 0.0 0.0 0.0 0.0 0.0 0.0 0.0 0.0");
}
