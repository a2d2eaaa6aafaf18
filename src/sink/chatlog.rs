//! log_chat_complete and log_chat_messages rows, in Tstat 3.2.1's formats and quirks
//! (docs/semantics/chat.md §3–§4).

use std::io::Write;

use crate::dpi::tcp::chat::{ChatMessage, ChatRecord};
use crate::engine::flow::Dir;
use crate::engine::tcp::{TcpFlow, TcpHalf};
use crate::time::Timestamp;

use super::outdir::local_time;
use super::text::Line;

/// Tstat's clock: whole microseconds.
fn micros(ts: Timestamp) -> i64 {
    ts.0.div_euclid(1000)
}

/// Seconds between two times, from whole microseconds.
fn seconds_between(later: Timestamp, earlier: Timestamp) -> f64 {
    (micros(later) - micros(earlier)) as f64 / 1e6
}

fn fixed3(l: &mut Line, v: f64) {
    let _ = write!(l.field(), "{v:.3}");
}

/// The row of a closing connection; `false` when it has none.
pub fn complete_row(l: &mut Line, f: &TcpFlow, chat: &ChatRecord) -> bool {
    if !chat.has_row() {
        return false;
    }
    l.clear();
    match chat {
        ChatRecord::Msn(m) => {
            for (ep, half, s) in [
                (&f.client, &f.c2s, &m.sides[Dir::C2S as usize]),
                (&f.server, &f.s2c, &m.sides[Dir::S2C as usize]),
            ] {
                endpoint(l, ep, half);
                for n in [s.msg, s.a, s.d, s.n, s.u, s.y] {
                    l.uint(u64::from(n));
                }
            }
            let ver: &[u8] = if m.mft == crate::dpi::tcp::chat::mft::CHAT {
                b"UNK"
            } else {
                &m.version
            };
            trailer(l, f, m.mft, |out| out.extend_from_slice(ver));
        }
        ChatRecord::Ymsg(y) => {
            short_sides(l, f, [y.sides[0].message, y.sides[1].message]);
            let version = y.version;
            trailer(l, f, y.yft, |out| {
                let _ = write!(out, "{version}");
            });
        }
        ChatRecord::Xmpp(x) => {
            short_sides(l, f, [x.sides[0].message, x.sides[1].message]);
            trailer(l, f, x.jft, |out| out.extend_from_slice(b"UNK"));
        }
        ChatRecord::None => return false,
    }
    l.end();
    true
}

fn endpoint(l: &mut Line, ep: &crate::engine::flow::Endpoint, h: &TcpHalf) {
    l.endpoint(&ep.addr);
    l.uint(u64::from(ep.port));
    l.uint(h.bytes_uniq);
    l.uint(h.pkts_all);
}

/// YMSG and XMPP: each side's address, port, bytes, packets and message count.
fn short_sides(l: &mut Line, f: &TcpFlow, messages: [u32; 2]) {
    endpoint(l, &f.client, &f.c2s);
    l.uint(u64::from(messages[0]));
    endpoint(l, &f.server, &f.s2c);
    l.uint(u64::from(messages[1]));
}

/// first_tm durat type ver isint flowid T con_t c_crypto s_crypto.
fn trailer(l: &mut Line, f: &TcpFlow, flow_type: u8, ver: impl FnOnce(&mut Vec<u8>)) {
    l.float6(micros(f.first) as f64 / 1e6);
    fixed3(l, seconds_between(f.last, f.first));
    l.uint(u64::from(flow_type));
    ver(l.field());
    // Tstat prints the server's internal flag under c_isint.
    l.flag(f.server_internal);
    l.uint(f.serial);
    l.text("T");
    l.uint(u64::from(f.classes.con_type));
    let crypto = [l.is_crypto(&f.client.addr), l.is_crypto(&f.server.addr)];
    l.flag(crypto[0]);
    l.flag(crypto[1]);
}

/// `id label dir len paylen 'ts' durat con_t`.
pub fn message_row(l: &mut Line, m: &ChatMessage) {
    l.clear();
    l.uint(m.flow_id);
    l.text(m.label);
    l.int(if m.dir == Dir::C2S { 1 } else { -1 });
    match m.len {
        Some(n) => l.int(i64::from(n)),
        None => l.text("?"),
    }
    l.uint(m.paylen as u64);
    let out = l.field();
    out.push(b'\'');
    ts2ascii(out, m.first);
    out.push(b'\'');
    fixed3(l, seconds_between(m.now, m.first));
    l.uint(u64::from(m.con_t));
    l.end();
}

/// Tstat's ts2ascii: asctime in local time without the year, `.micro`, then the year.
pub fn ts2ascii(out: &mut Vec<u8>, ts: Timestamp) {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let t = local_time(ts);
    let _ = write!(
        out,
        "{} {} {:>2} {:02}:{:02}:{:02}.{:06} {}",
        DAYS[t.weekday as usize % 7],
        MONTHS[(t.month as usize + 11) % 12],
        t.day,
        t.hour,
        t.minute,
        t.second,
        micros(ts).rem_euclid(1_000_000),
        t.year
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dpi::tcp::chat::{Msn, MsnSide, Xmpp, XmppSide, Ymsg, YmsgSide};
    use crate::engine::flow::Endpoint;

    /// 10.0.0.1:1863 ← 192.168.1.2:40000, 2020-02-06 08:35:46.717893 UTC, 12.3456 s long.
    fn flow(con_type: u32) -> TcpFlow {
        let mut f = TcpFlow {
            client: Endpoint {
                addr: "192.168.1.2".parse().unwrap(),
                port: 40000,
            },
            server: Endpoint {
                addr: "10.0.0.1".parse().unwrap(),
                port: 1863,
            },
            client_internal: true,
            server_internal: false,
            first: Timestamp::from_secs_micros(1_580_978_146, 717_893),
            last: Timestamp::from_secs_micros(1_580_978_159, 63_493),
            serial: 7,
            ..TcpFlow::default()
        };
        f.c2s.bytes_uniq = 1000;
        f.c2s.pkts_all = 20;
        f.s2c.bytes_uniq = 3000;
        f.s2c.pkts_all = 18;
        f.classes.con_type = con_type;
        f
    }

    fn text(l: &Line) -> &str {
        std::str::from_utf8(&l.buf).unwrap()
    }

    #[test]
    fn msn_row_has_thirty_fields_and_the_server_flag_as_c_isint() {
        let msn = Msn {
            sides: [
                MsnSide {
                    msg: 4,
                    a: 1,
                    n: 2,
                    y: 1,
                    ..MsnSide::default()
                },
                MsnSide {
                    msg: 2,
                    d: 1,
                    ..MsnSide::default()
                },
            ],
            mft: 2,
            version: heapless::Vec::from_slice(b"MSNP8").unwrap(),
        };
        let mut l = Line::default();
        assert!(complete_row(
            &mut l,
            &flow(32),
            &ChatRecord::Msn(msn.clone())
        ));
        assert_eq!(
            text(&l),
            "192.168.1.2 40000 1000 20 4 1 0 2 0 1 10.0.0.1 1863 3000 18 2 0 1 0 0 0 \
             1580978146.717893 12.346 2 MSNP8 0 7 T 32 0 0\n"
        );
        assert_eq!(text(&l).split(' ').count(), 30);
        // A chat flow prints UNK; a flow that never saw the server's VER an empty field.
        let chat = Msn {
            mft: 3,
            ..msn.clone()
        };
        complete_row(&mut l, &flow(32), &ChatRecord::Msn(chat));
        assert!(text(&l).contains(" 12.346 3 UNK 0 7 T 32 0 0\n"));
        let unversioned = Msn {
            mft: 1,
            version: heapless::Vec::new(),
            ..msn
        };
        complete_row(&mut l, &flow(32), &ChatRecord::Msn(unversioned));
        assert!(text(&l).contains(" 12.346 1  0 7 T 32 0 0\n"));
    }

    #[test]
    fn ymsg_and_xmpp_rows_have_twenty_fields() {
        let y = Ymsg {
            sides: [
                YmsgSide {
                    message: 3,
                    ..YmsgSide::default()
                },
                YmsgSide {
                    message: 1,
                    ..YmsgSide::default()
                },
            ],
            yft: 4,
            version: 16,
        };
        let mut l = Line::default();
        assert!(complete_row(&mut l, &flow(64), &ChatRecord::Ymsg(y)));
        assert_eq!(
            text(&l),
            "192.168.1.2 40000 1000 20 3 10.0.0.1 1863 3000 18 1 \
             1580978146.717893 12.346 4 16 0 7 T 64 0 0\n"
        );
        let x = Xmpp {
            sides: [
                XmppSide::default(),
                XmppSide {
                    presence: true,
                    message: 2,
                },
            ],
            jft: 3,
        };
        assert!(complete_row(&mut l, &flow(128), &ChatRecord::Xmpp(x)));
        assert_eq!(
            text(&l),
            "192.168.1.2 40000 1000 20 0 10.0.0.1 1863 3000 18 2 \
             1580978146.717893 12.346 3 UNK 0 7 T 128 0 0\n"
        );
    }

    #[test]
    fn no_row_without_a_flow_type() {
        let mut l = Line::default();
        assert!(!complete_row(
            &mut l,
            &flow(128),
            &ChatRecord::Xmpp(Xmpp::default())
        ));
        assert!(!complete_row(&mut l, &flow(0), &ChatRecord::None));
    }

    #[test]
    fn message_rows_quote_the_local_first_time() {
        std::env::set_var("TZ", "UTC");
        super::super::outdir::init_timezone();
        let f = flow(33);
        let mut m = ChatMessage {
            label: "MSG_N",
            dir: Dir::C2S,
            len: Some(133),
            paylen: 180,
            con_t: 33,
            now: Timestamp::from_secs_micros(1_580_978_148, 217_893),
            flow_id: 7,
            first: f.first,
        };
        let mut l = Line::default();
        message_row(&mut l, &m);
        assert_eq!(
            text(&l),
            "7 MSG_N 1 133 180 'Thu Feb  6 08:35:46.717893 2020' 1.500 33\n"
        );
        m.label = "MESSAGE";
        m.dir = Dir::S2C;
        m.len = None;
        message_row(&mut l, &m);
        assert_eq!(
            text(&l),
            "7 MESSAGE -1 ? 180 'Thu Feb  6 08:35:46.717893 2020' 1.500 33\n"
        );
    }
}
