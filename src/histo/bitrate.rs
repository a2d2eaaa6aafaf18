//! The byte counters behind the 44 fake bitrate histograms, and their conversion to bit/s at
//! every step end with the `g_*` feed (docs/semantics/histograms.md §1.4, §1.5, §5.12).

use super::defs::Hid;
use super::store::Store;
use crate::engine::observe::Way;

/// A per-packet direction with the cloud split of its external end: `c_in`/`nc_in` by the
/// source's cloud flag, `c_out`/`nc_out` by the destination's; loc has no split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dir {
    pub way: Way,
    /// The external end is a cloud address (meaningless for `Loc`).
    pub cloud: bool,
}

/// Counters of one family in seven directions: in, out, loc, c_in, c_out, nc_in, nc_out.
#[derive(Debug, Clone, Copy)]
pub struct Seven<const N: usize>(pub [[u64; N]; 7]);

/// Counters of one family in three directions: in, out, loc.
#[derive(Debug, Clone, Copy)]
pub struct Three<const N: usize>(pub [[u64; N]; 3]);

/// Add `bytes` at `label` with C's unsigned wrap (a negative `short` length wraps too).
fn bump(row: &mut [u64], label: usize, bytes: i64) {
    if let Some(c) = row.get_mut(label) {
        *c = c.wrapping_add(bytes as u64);
    }
}

impl<const N: usize> Seven<N> {
    const ZERO: Self = Seven([[0; N]; 7]);

    /// The in/out/loc row and the cloud row of `d` get `bytes`.
    pub fn add(&mut self, d: Dir, label: usize, bytes: i64) {
        let rows: &[usize] = match (d.way, d.cloud) {
            (Way::In, true) => &[0, 3],
            (Way::In, false) => &[0, 5],
            (Way::Out, true) => &[1, 4],
            (Way::Out, false) => &[1, 6],
            (Way::Loc, _) => &[2],
        };
        for &r in rows {
            bump(&mut self.0[r], label, bytes);
        }
    }
}

impl<const N: usize> Three<N> {
    const ZERO: Self = Three([[0; N]; 3]);

    pub fn add(&mut self, way: Way, label: usize, bytes: i64) {
        let r = match way {
            Way::In => 0,
            Way::Out => 1,
            Way::Loc => 2,
        };
        bump(&mut self.0[r], label, bytes);
    }
}

/// The eight accumulators of §5.12.
#[derive(Debug, Clone)]
pub struct Rates {
    /// 0 TCP, 1 UDP, 2 ICMP, 3 IP (`ip_bitrate_*`).
    pub l4: Seven<4>,
    /// By `map_flow_type` (`tcp_bitrate_*`).
    pub l7_tcp: Seven<50>,
    /// By `UDP_p2p_to_L7type` (`udp_bitrate_*`).
    pub l7_udp: Seven<50>,
    /// By `YTMAP(http_data)`.
    pub http: Seven<27>,
    /// By `VIDEO_MAP`.
    pub video: Seven<14>,
    /// By `map_http_to_web`.
    pub web: Three<8>,
    /// By `tls_service`.
    pub tls: Three<9>,
    /// 0–2 IPv4 TCP/UDP/other, 3–5 IPv6 TCP/UDP/other.
    pub l3: Three<6>,
}

impl Default for Rates {
    fn default() -> Rates {
        Rates::new()
    }
}

impl Rates {
    pub fn new() -> Rates {
        Rates {
            l4: Seven::ZERO,
            l7_tcp: Seven::ZERO,
            l7_udp: Seven::ZERO,
            http: Seven::ZERO,
            video: Seven::ZERO,
            web: Three::ZERO,
            tls: Three::ZERO,
            l3: Three::ZERO,
        }
    }

    /// `flush_histo_engine`: all zero after a step.
    pub fn reset(&mut self) {
        *self = Rates::new();
    }

    /// `InitAfterFirstPacketReaded` (a new input file without `-c`): all but TLS.
    pub fn reset_but_tls(&mut self) {
        let tls = self.tls;
        *self = Rates::new();
        self.tls = tls;
    }

    /// IPv6 "other" bytes: Tstat adds the payload length through a C `float` (the counter
    /// is converted to float, incremented, and truncated back).
    pub fn add_ipv6_other(&mut self, way: Way, payload_len: u16) {
        let r = match way {
            Way::In => 0,
            Way::Out => 1,
            Way::Loc => 2,
        };
        let c = &mut self.l3.0[r][5];
        *c = (*c as f32 + f32::from(payload_len)) as u64;
    }
}

/// The value Tstat's `g_other` feed reads past the end of the 7-cell `ip_bitrate_*`: the size
/// field of the next glibc heap chunk (§1.5).
const OUT_OF_BOUNDS_CELL: i64 = 65;

/// `fake_histo_bitrate_update`: cells `1..=n` get the bit/s of each counter over `elapsed_ms`,
/// the valid cell their untruncated sum; then, with `-g`, the `g_*` of the triple named by the
/// histogram feed on its cells 1, 2, 3 and 7 (with Tstat's index bug). Nothing when the
/// histogram is off or no time has passed.
pub fn fake_update(store: &mut Store, id: Hid, elapsed_ms: f64, bytes: &[u64], global: bool) {
    if !store.on(id) || elapsed_ms == 0.0 {
        return;
    }
    let mut tot = 0.0;
    for (i, b) in bytes.iter().enumerate() {
        let rate = *b as f64 * 8000.0 / elapsed_ms;
        store.set(id, i + 1, rate);
        tot += rate;
    }
    let d = id.def();
    store.set(id, d.valid(), tot);
    if !global {
        return;
    }
    let c = |i: usize| {
        if i < d.cells() {
            store.get(id, i)
        } else {
            OUT_OF_BOUNDS_CELL
        }
    };
    let other = (1..=6).fold(c(7), |acc, i| acc.wrapping_sub(c(i)));
    let (tcp, udp, icmp) = (c(1), c(2), c(3));
    let [g_tcp, g_udp, g_icmp, g_other] = if d.name.contains("in") {
        [
            Hid::g_tcp_bitrate_in,
            Hid::g_udp_bitrate_in,
            Hid::g_icmp_bitrate_in,
            Hid::g_other_bitrate_in,
        ]
    } else if d.name.contains("out") {
        [
            Hid::g_tcp_bitrate_out,
            Hid::g_udp_bitrate_out,
            Hid::g_icmp_bitrate_out,
            Hid::g_other_bitrate_out,
        ]
    } else {
        [
            Hid::g_tcp_bitrate_loc,
            Hid::g_udp_bitrate_loc,
            Hid::g_icmp_bitrate_loc,
            Hid::g_other_bitrate_loc,
        ]
    };
    store.add(g_tcp, tcp as f64);
    store.add(g_udp, udp as f64);
    store.add(g_icmp, icmp as f64);
    store.add(g_other, other as f64);
}

fn family<const N: usize>(
    store: &mut Store,
    ids: &[Hid],
    rows: &[[u64; N]],
    elapsed_ms: f64,
    global: bool,
) {
    for (id, row) in ids.iter().zip(rows) {
        fake_update(store, *id, elapsed_ms, row, global);
    }
}

/// Every fake bitrate histogram in `update_fake_histos`' order.
pub fn update_all(store: &mut Store, rates: &Rates, elapsed_ms: f64, global: bool) {
    use Hid::*;
    let (e, g) = (elapsed_ms, global);
    let ip = [
        ip_bitrate_in,
        ip_bitrate_out,
        ip_bitrate_loc,
        ip_bitrate_c_in,
        ip_bitrate_c_out,
        ip_bitrate_nc_in,
        ip_bitrate_nc_out,
    ];
    family(store, &ip, &rates.l4.0, e, g);
    let tcp = [
        tcp_bitrate_in,
        tcp_bitrate_out,
        tcp_bitrate_loc,
        tcp_bitrate_c_in,
        tcp_bitrate_c_out,
        tcp_bitrate_nc_in,
        tcp_bitrate_nc_out,
    ];
    family(store, &tcp, &rates.l7_tcp.0, e, g);
    let udp = [
        udp_bitrate_in,
        udp_bitrate_out,
        udp_bitrate_loc,
        udp_bitrate_c_in,
        udp_bitrate_c_out,
        udp_bitrate_nc_in,
        udp_bitrate_nc_out,
    ];
    family(store, &udp, &rates.l7_udp.0, e, g);
    let http = [
        http_bitrate_in,
        http_bitrate_out,
        http_bitrate_loc,
        http_bitrate_c_in,
        http_bitrate_c_out,
        http_bitrate_nc_in,
        http_bitrate_nc_out,
    ];
    family(store, &http, &rates.http.0, e, g);
    family(
        store,
        &[web_bitrate_in, web_bitrate_out, web_bitrate_loc],
        &rates.web.0,
        e,
        g,
    );
    family(
        store,
        &[tls_bitrate_in, tls_bitrate_out, tls_bitrate_loc],
        &rates.tls.0,
        e,
        g,
    );
    let video = [
        video_rate_in,
        video_rate_out,
        video_rate_loc,
        video_rate_c_in,
        video_rate_c_out,
        video_rate_nc_in,
        video_rate_nc_out,
    ];
    family(store, &video, &rates.video.0, e, g);
    family(
        store,
        &[L3_bitrate_in, L3_bitrate_out, L3_bitrate_loc],
        &rates.l3.0,
        e,
        g,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::histo::defs::COUNT;

    #[test]
    fn the_443_curl_incoming_rate() {
        // 68,910 incoming IPv4 bytes over 1,096.093 ms → `0 502950` and `3 502950`.
        let mut s = Store::new(&[true; COUNT], true);
        let mut r = Rates::new();
        let d = Dir {
            way: Way::In,
            cloud: false,
        };
        r.l4.add(d, 0, 68_910);
        r.l4.add(d, 3, 68_910);
        update_all(&mut s, &r, 1_096.093, true);
        assert_eq!(s.get(Hid::ip_bitrate_in, 1), 502_950);
        assert_eq!(s.get(Hid::ip_bitrate_in, 4), 502_950);
        assert_eq!(s.get(Hid::ip_bitrate_in, 6), 1_005_900); // trunc of the untruncated sum
        assert_eq!(s.get(Hid::ip_bitrate_nc_in, 1), 502_950);
        assert_eq!(s.get(Hid::ip_bitrate_c_in, 1), 0);
        // g_other_bitrate_in: from ip_bitrate_in and _nc_in 65 − 1005900 − 502950 − 502950
        // (underflow); from ip_bitrate_c_in 65 (label 0); from the other 15 "in" ones 0.
        let g = Hid::g_other_bitrate_in;
        assert_eq!((s.get(g, 0), s.get(g, 1)), (2, 16));
        assert_eq!(
            s.get(Hid::g_tcp_bitrate_in, Hid::g_tcp_bitrate_in.def().valid()),
            18
        );
        assert_eq!(
            s.get(Hid::g_tcp_bitrate_loc, Hid::g_tcp_bitrate_loc.def().valid()),
            8
        );
    }

    #[test]
    fn negative_short_lengths_wrap() {
        let mut r = Rates::new();
        r.l7_tcp.add(
            Dir {
                way: Way::Out,
                cloud: true,
            },
            33,
            -100,
        );
        assert_eq!(r.l7_tcp.0[1][33], u64::MAX - 99);
        assert_eq!(r.l7_tcp.0[4][33], u64::MAX - 99);
        r.add_ipv6_other(Way::Loc, 1000);
        assert_eq!(r.l3.0[2][5], 1000);
        r.reset_but_tls();
        assert_eq!(r.l7_tcp.0[1][33], 0);
    }

    #[test]
    fn no_time_no_update() {
        let mut s = Store::new(&[true; COUNT], true);
        let mut r = Rates::new();
        r.l4.add(
            Dir {
                way: Way::Loc,
                cloud: false,
            },
            1,
            100,
        );
        update_all(&mut s, &r, 0.0, true);
        assert_eq!(s.get(Hid::ip_bitrate_loc, 2), 0);
        assert_eq!(s.get(Hid::g_udp_bitrate_loc, 1), 0);
    }
}
