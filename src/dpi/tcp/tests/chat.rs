//! The chat classifiers (docs/semantics/chat.md §2) on hand-made MSN, YMSG and XMPP dialogues.

use super::super::chat::{jft, mft, yft, ChatRecord};
use super::*;

impl Conn {
    fn chat(&self) -> &ChatRecord {
        self.c.chat_record(&self.pool).expect("a chat record")
    }

    fn msn(&self) -> &super::super::chat::Msn {
        match self.chat() {
            ChatRecord::Msn(m) => m,
            other => panic!("not MSN: {other:?}"),
        }
    }

    /// The message row the last segment produced: label, dir, length column, paylen, con_t.
    fn message(&mut self) -> Option<(&'static str, Dir, Option<i32>, usize, u32)> {
        let m = self.pool.chat_message.take()?;
        Some((m.label, m.dir, m.len, m.paylen, m.con_t))
    }
}

#[test]
fn msn_notification_server_login() {
    let mut k = Conn::new();
    k.send(C2S, b"VER 1 MSNP8 CVR0\r\n");
    assert_eq!(k.c.l7.state, State::MsnVerC2s);
    assert_eq!(k.c.con_type, 0, "a client VER alone sets no bit");
    k.send(S2C, b"VER 1 MSNP8 CVR0\r\n");
    assert_eq!(k.c.l7.state, State::MsnCount);
    assert_eq!(k.c.con_type, con::MSN);
    assert_eq!(k.msn().version.as_slice(), b"MSNP8");
    assert_eq!(k.msn().mft, 0, "the confirming segment is not counted");
    k.send(
        C2S,
        b"CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 6.0.0602 MSMSGS a@b.com\r\n",
    );
    assert_eq!(k.msn().mft, mft::LOGIN, "client VER without USR");
    k.send(C2S, b"USR 3 TWN I a@b.com\r\n");
    assert_eq!(k.msn().mft, mft::PRESENCE);
    // Once PRESENCE, messages change nothing.
    k.send(C2S, b"MSG 4 N 10\r\n0123456789");
    assert_eq!(k.msn().mft, mft::PRESENCE);
    assert_eq!(k.msn().sides[0].msg, 1);
    assert_eq!(k.message(), Some(("MSG_N", C2S, Some(10), 22, con::MSN)));
}

#[test]
fn msn_switchboard_chat_counts_message_types() {
    let mut k = Conn::new();
    k.send(C2S, b"ANS 1 a@b.com 849102291.520491113 11752013\r\n");
    assert_eq!(k.c.l7.state, State::MsnAns);
    k.send(S2C, b"IRO 1 1 1 b@c.com Bob\r\n");
    assert_eq!(k.c.con_type, con::MSN);
    assert_eq!(k.c.l7.state, State::MsnCount);
    let msg = b"MSG 4 N 133\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n";
    k.send(C2S, msg);
    assert_eq!(k.message(), Some(("MSG_N", C2S, Some(133), msg.len(), 32)));
    let reply = b"MSG b@c.com Bob 133\r\nMIME-Version: 1.0\r\n";
    k.send(S2C, reply);
    assert_eq!(k.message(), Some(("MSG_?", S2C, Some(-1), reply.len(), 32)));
    k.send(C2S, b"MSG 5 A 99\r\n");
    assert_eq!(k.message(), Some(("MSG_A", C2S, Some(99), 12, 32)));
    k.send(S2C, b"MSG 6 D 7\r\n");
    assert_eq!(
        k.message(),
        Some(("MSG_D", S2C, Some(-1), 11, 32)),
        "server lengths are not printed"
    );
    k.send(C2S, b"UUM 7 y@yahoo.com 32 1 5\r\nhello");
    assert_eq!(k.message(), Some(("MSG_Y", C2S, None, 31, 32)));
    k.send(C2S, b"MSG 8");
    assert_eq!(k.message(), None, "N <= 5: counted, no row");
    k.send(C2S, b"BYE a@b.com\r\n");
    assert_eq!(k.message(), None);
    let m = k.msn();
    assert_eq!(m.mft, mft::CHAT);
    let c = m.sides[0];
    assert_eq!((c.msg, c.a, c.d, c.n, c.u, c.y), (4, 1, 0, 1, 0, 1));
    let s = m.sides[1];
    assert_eq!((s.msg, s.a, s.d, s.n, s.u, s.y), (2, 0, 1, 0, 0, 0));
}

#[test]
fn msn_client_iro_counts_without_the_bit() {
    let mut k = Conn::new();
    k.send(C2S, b"IRO 1 1 1 b@c.com Bob\r\n");
    assert_eq!(k.c.l7.state, State::MsnCount);
    assert_eq!(k.c.con_type, 0);
    k.send(C2S, b"MSG 2 U 5\r\nhello");
    assert_eq!(k.message(), Some(("MSG_U", C2S, Some(5), 16, 0)));
}

#[test]
fn msn_waiting_states_time_out_counting_states_do_not() {
    let mut waiting = Conn::new();
    waiting.send(C2S, b"USR 1 TWN I a@b.com\r\n");
    assert_eq!(waiting.c.l7.state, State::MsnUsrC2s);
    while waiting.packets <= 50 {
        waiting.send(C2S, b"PNG\r\n");
    }
    assert_eq!(waiting.c.l7.state, State::Ignore);

    let mut counting = Conn::new();
    counting.send(C2S, b"ANS 1 a@b.com 1 2\r\n");
    counting.send(S2C, b"ANS 1 OK\r\n");
    while counting.packets <= 60 {
        counting.send(C2S, b"PNG\r\n");
    }
    counting.send(C2S, b"MSG 9 N 3\r\nabc");
    assert_eq!(counting.c.l7.state, State::MsnCount);
    assert_eq!(counting.message().map(|m| m.0), Some("MSG_N"));
}

#[test]
fn msn_tunnelled_in_http() {
    let mut k = Conn::new();
    k.send(
        C2S,
        b"POST /gateway/gateway.dll?Action=open&Server=NS HTTP/1.1\r\n\r\n",
    );
    k.send(S2C, b"HTTP/1.1 200 OK\r\n\r\n");
    assert_eq!(k.c.con_type, con::HTTP);
    k.send(S2C, b"VER 1 MSNP9 CVR0\r\n");
    assert_eq!(k.c.con_type, con::HTTP | con::MSN);
    assert_eq!(k.msn().mft, mft::HTTP_TUNNELING);
    assert_eq!(k.msn().version.as_slice(), b"MSNP9");
    k.send(C2S, b"MSG 2 N 4\r\nabcd");
    assert_eq!(k.msn().mft, mft::CHAT);
    assert_eq!(k.message(), Some(("MSG_N", C2S, Some(4), 15, 33)));
}

/// A YMSG header: version 16 (x86 reads bytes 5–6 as 0x10), `len` and `service` big-endian
/// as on the wire.
fn ymsg(len: u16, service: u16) -> Vec<u8> {
    let mut p = b"YMSG".to_vec();
    p.extend_from_slice(&[0x00, 0x10, 0x00, 0x00]);
    p.extend_from_slice(&len.to_be_bytes());
    p.extend_from_slice(&service.to_be_bytes());
    p.extend_from_slice(&[0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78]);
    p.extend(vec![b'x'; len as usize]);
    p
}

#[test]
fn ymsg_login_then_message() {
    let mut k = Conn::new();
    k.send(C2S, &ymsg(0, 0x57));
    assert_eq!(k.c.con_type, con::YMSG);
    assert_eq!(k.c.l7.state, State::Ymsg);
    let ChatRecord::Ymsg(y) = k.chat() else {
        panic!("not YMSG")
    };
    assert_eq!(y.version, 16);
    assert_eq!(y.yft, 0, "the opening segment is not counted");
    k.send(S2C, &ymsg(4, 0x54));
    let ChatRecord::Ymsg(y) = k.chat() else {
        panic!()
    };
    assert_eq!(y.yft, yft::PRESENCE);
    // Length 0x0020, service 0x0006: the row's length is byte 9 + 256 × byte 10 = 0x20.
    k.send(C2S, &ymsg(0x20, 0x06));
    assert_eq!(k.message(), Some(("MESSAGE", C2S, Some(32), 52, 64)));
    let ChatRecord::Ymsg(y) = k.chat() else {
        panic!()
    };
    assert_eq!(y.yft, yft::PRESENCE_CHAT);
    assert_eq!((y.sides[0].message, y.sides[1].message), (1, 0));
}

#[test]
fn ymsg_message_without_login_is_chat() {
    let mut k = Conn::new();
    k.send(S2C, &ymsg(0, 0x4c));
    k.send(S2C, &ymsg(3, 0x06));
    assert_eq!(k.message(), Some(("MESSAGE", S2C, Some(3), 23, 64)));
    let ChatRecord::Ymsg(y) = k.chat() else {
        panic!()
    };
    assert_eq!(y.yft, yft::CHAT);
}

#[test]
fn xmpp_presence_then_messages() {
    let mut k = Conn::new();
    k.send(
        C2S,
        b"<stream:stream to='example.com' xmlns='jabber:client'>",
    );
    assert_eq!(k.c.con_type, con::XMPP);
    assert_eq!(k.c.l7.state, State::Xmpp);
    k.send(
        C2S,
        b"<message to='b@example.com'><body>hi</body></message>",
    );
    assert_eq!(k.message(), None, "no presence seen yet");
    k.send(S2C, b"<presence from='b@example.com'/>");
    let ChatRecord::Xmpp(x) = k.chat() else {
        panic!()
    };
    assert_eq!(x.jft, jft::PRESENCE);
    let message = b"<message to='b@example.com'><body>hi</body></message>";
    k.send(C2S, message);
    assert_eq!(
        k.message(),
        Some(("MESSAGE", C2S, None, message.len(), 128))
    );
    let ChatRecord::Xmpp(x) = k.chat() else {
        panic!()
    };
    assert_eq!(x.jft, jft::CHAT);
    assert_eq!((x.sides[0].message, x.sides[1].message), (1, 0));
}

#[test]
fn xmpp_c_string_quirks() {
    let mut k = Conn::new();
    k.send(C2S, b"<stream:stream>");
    // A payload starting with NUL compares equal to "<presence" as a C string.
    k.send(S2C, b"\0\0\0\0");
    let ChatRecord::Xmpp(x) = k.chat() else {
        panic!()
    };
    assert!(x.sides[1].presence);
    assert_eq!(x.jft, jft::PRESENCE);
    // "<mes" then NUL: the compared prefix stops at the NUL.
    k.send(C2S, b"<mes\0junk");
    assert_eq!(k.message().map(|m| m.0), Some("MESSAGE"));
    // `<?xml` never opens XMPP.
    let mut x = Conn::new();
    x.send(C2S, b"<?xml version='1.0'?><stream:stream>");
    assert_eq!(x.c.con_type, 0);
    assert!(x.c.chat_record(&x.pool).is_none());
}

#[test]
fn chat_slots_go_back_on_release() {
    let mut k = Conn::new();
    k.send(C2S, b"<stream:stream>");
    assert!(k.c.l7.chat.is_some());
    k.c.release(&mut k.pool);
    assert!(k.c.l7.chat.is_none());
    assert_eq!(k.pool.chats.free_slots(), 1);
}
