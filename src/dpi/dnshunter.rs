//! DN-Hunter: which name a client resolved before it opened a connection.
//!
//! DNS answers are remembered per (client, server address): the question's name, the
//! resolver and the request and response times. A flow looks its endpoints up once, when it is
//! created, and the logs print what it found (fqdn, dns_rslv, req_tm, res_tm). The rules are
//! Tstat 3.2.1's (docs/semantics/dns.md §2): only responses on port 53 with 1–30 answers to A,
//! AAAA or ANY questions of class IN; the name is the last question's; A addresses go to the
//! IPv4 cache from IPv4 packets, AAAA to the IPv6 cache from IPv6 packets; each cache is a ring
//! whose overwritten entry also drops its (client, server) keys, even where a newer entry had
//! taken them.
//!
//! Memory is reserved once from the cache sizes: entries, and rings for names and addresses
//! large enough that a live entry's bytes are never overwritten. A flow keeps only a tag; if
//! its entry has been overwritten by the time the flow is written out (100000 answers later by
//! default) the flow prints no name (Tstat would print from freed memory).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::net::IpAddr;

use super::dns::{self, Message, Name};
use crate::time::Timestamp;

/// Tstat's MAX_DNS_ENTRIES: answers larger than this are not cached, and at most this many
/// addresses are taken from one answer.
const MAX_ADDRESSES: usize = 30;
/// Longest name kept (a wire name has at most 255 bytes, so its text fewer).
const MAX_NAME: usize = 255;
/// (client, server) keys reserved per entry; beyond, new keys are not stored (counted).
const KEYS_PER_ENTRY: usize = 4;

/// What a flow remembers of its lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DnsTag {
    v6: bool,
    slot: u32,
    stamp: u32,
}

/// A resolved name as the logs print it.
#[derive(Debug, Clone, Copy)]
pub struct DnsName<'a> {
    pub name: &'a [u8],
    pub resolver: IpAddr,
    pub request: Timestamp,
    pub response: Timestamp,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    stamp: u32,
    client: IpAddr,
    resolver: IpAddr,
    request: Timestamp,
    response: Timestamp,
    name_at: usize,
    name_len: usize,
    addrs_at: usize,
    addrs_len: usize,
}

/// One ring of entries with its name and address rings and its key map.
/// A (client, server) key in its compact form: both IPv4 addresses in one `u64` for the
/// IPv4 cache, the two IPv6 addresses for the other. (Keyed by `(IpAddr, IpAddr)` the
/// IPv4 map's buckets were 40 bytes, and the reserved 400,000 keys spread their inserts
/// over 21 MB; as `u64`, 16 bytes and 8 MB.)
trait PairKey: Copy + Eq + Hash {
    /// `None` for an address of the other family (never asked for: a packet's two
    /// addresses share a family).
    fn of(client: IpAddr, server: IpAddr) -> Option<Self>;
}

impl PairKey for u64 {
    fn of(client: IpAddr, server: IpAddr) -> Option<u64> {
        match (client, server) {
            (IpAddr::V4(c), IpAddr::V4(s)) => {
                Some(u64::from(u32::from(c)) << 32 | u64::from(u32::from(s)))
            }
            _ => None,
        }
    }
}

impl PairKey for (u128, u128) {
    fn of(client: IpAddr, server: IpAddr) -> Option<(u128, u128)> {
        match (client, server) {
            (IpAddr::V6(c), IpAddr::V6(s)) => Some((u128::from(c), u128::from(s))),
            _ => None,
        }
    }
}

/// The keys' hash: the flow tables' mixing step instead of SipHash, which cost more than the
/// lookup itself.
#[derive(Default)]
struct MixHasher(u64);

impl Hasher for MixHasher {
    fn finish(&self) -> u64 {
        crate::engine::table::mix64(self.0)
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = crate::engine::table::mix64(self.0 ^ v);
    }

    fn write_u128(&mut self, v: u128) {
        self.write_u64(v as u64);
        self.write_u64((v >> 64) as u64);
    }
}

struct Cache<K> {
    size: usize,
    entries: Vec<Entry>,
    next: usize,
    stamp: u32,
    names: Vec<u8>,
    names_next: usize,
    addrs: Vec<IpAddr>,
    addrs_next: usize,
    keys: HashMap<K, u32, BuildHasherDefault<MixHasher>>,
    key_capacity: usize,
    keys_dropped: u64,
}

impl<K: PairKey> Cache<K> {
    fn new(size: usize) -> Cache<K> {
        let key_capacity = size * KEYS_PER_ENTRY;
        Cache {
            size,
            entries: Vec::with_capacity(size),
            next: 0,
            stamp: 0,
            names: Vec::with_capacity((size + 1) * (MAX_NAME + 1)),
            names_next: 0,
            addrs: Vec::with_capacity((size + 1) * MAX_ADDRESSES),
            addrs_next: 0,
            keys: HashMap::with_capacity_and_hasher(key_capacity, Default::default()),
            key_capacity,
            keys_dropped: 0,
        }
    }

    /// Copy `items` into the ring at its cursor, starting over at 0 when they do not fit at
    /// the end; returns where they start. The rings hold one entry more than the entry ring,
    /// so the items of a live entry are never overwritten.
    fn store<T: Copy>(ring: &mut Vec<T>, next: &mut usize, items: &[T]) -> usize {
        if *next + items.len() > ring.capacity() {
            *next = 0;
        }
        let at = *next;
        for (i, &x) in items.iter().enumerate() {
            if at + i < ring.len() {
                ring[at + i] = x;
            } else {
                ring.push(x);
            }
        }
        *next += items.len();
        at
    }

    fn insert(
        &mut self,
        client: IpAddr,
        name: &[u8],
        servers: &[IpAddr],
        meta: (IpAddr, Timestamp, Timestamp),
    ) {
        if self.size == 0 {
            return;
        }
        let slot = self.next;
        self.next = (self.next + 1) % self.size;
        if let Some(old) = self.entries.get(slot).copied() {
            // Tstat drops the old entry's keys even where a newer entry took them over.
            for s in &self.addrs[old.addrs_at..old.addrs_at + old.addrs_len] {
                if let Some(key) = K::of(old.client, *s) {
                    self.keys.remove(&key);
                }
            }
        }
        self.stamp = self.stamp.wrapping_add(1);
        let entry = Entry {
            stamp: self.stamp,
            client,
            resolver: meta.0,
            request: meta.1,
            response: meta.2,
            name_at: Self::store(&mut self.names, &mut self.names_next, name),
            name_len: name.len(),
            addrs_at: Self::store(&mut self.addrs, &mut self.addrs_next, servers),
            addrs_len: servers.len(),
        };
        if slot < self.entries.len() {
            self.entries[slot] = entry;
        } else {
            self.entries.push(entry);
        }
        for s in servers {
            let Some(key) = K::of(client, *s) else {
                continue;
            };
            if self.keys.len() < self.key_capacity || self.keys.contains_key(&key) {
                self.keys.insert(key, slot as u32);
            } else {
                self.keys_dropped += 1;
            }
        }
    }

    fn lookup(&self, client: IpAddr, server: IpAddr) -> Option<(u32, u32)> {
        let slot = *self.keys.get(&K::of(client, server)?)?;
        Some((slot, self.entries[slot as usize].stamp))
    }

    fn resolve(&self, slot: u32, stamp: u32) -> Option<DnsName<'_>> {
        let e = self.entries.get(slot as usize)?;
        (e.stamp == stamp).then(|| DnsName {
            name: &self.names[e.name_at..e.name_at + e.name_len],
            resolver: e.resolver,
            request: e.request,
            response: e.response,
        })
    }
}

/// The IPv4 and IPv6 caches.
pub struct DnsHunter {
    v4: Cache<u64>,
    v6: Cache<(u128, u128)>,
}

/// A DNS response seen in a counted UDP packet, with the times of its UDP flow.
pub struct Response<'a> {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub ports: (u16, u16),
    pub payload: &'a [u8],
    /// Last packet times of the DNS flow's client-to-server and server-to-client directions.
    pub request: Timestamp,
    pub response: Timestamp,
}

impl DnsHunter {
    /// Caches of `v4` and `v6` entries (globals.conf `DNS_Cache_Size`; Tstat's IPv6 size is
    /// 1000).
    pub fn new(v4: usize, v6: usize) -> DnsHunter {
        DnsHunter {
            v4: Cache::new(v4),
            v6: Cache::new(v6),
        }
    }

    /// (client, server) keys that did not fit the reserved map.
    pub fn keys_dropped(&self) -> u64 {
        self.v4.keys_dropped + self.v6.keys_dropped
    }

    /// The tag a new flow from `src` to `dst` keeps.
    pub fn lookup(&self, src: IpAddr, dst: IpAddr) -> Option<DnsTag> {
        let v6 = src.is_ipv6();
        let (slot, stamp) = if v6 {
            self.v6.lookup(src, dst)?
        } else {
            self.v4.lookup(src, dst)?
        };
        Some(DnsTag { v6, slot, stamp })
    }

    /// What a flow's tag resolves to now, if its entry is still there.
    pub fn resolve(&self, tag: DnsTag) -> Option<DnsName<'_>> {
        if tag.v6 {
            self.v6.resolve(tag.slot, tag.stamp)
        } else {
            self.v4.resolve(tag.slot, tag.stamp)
        }
    }

    /// Learn from a DNS response, if it is one Tstat caches.
    pub fn observe(&mut self, r: &Response<'_>) {
        if r.ports.0 != 53 && r.ports.1 != 53 {
            return;
        }
        let Some(m) = Message::parse_through_answers(r.payload) else {
            return;
        };
        if !m.is_response() || m.ancount == 0 || usize::from(m.ancount) > MAX_ADDRESSES {
            return;
        }
        let mut last_question = None;
        for q in m.questions() {
            let wanted = q.qclass == 1 && matches!(q.qtype, dns::TYPE_A | dns::TYPE_AAAA | 255);
            if !wanted {
                return;
            }
            last_question = Some(q.name);
        }
        let Some(question) = last_question else {
            return;
        };
        let mut name = [0u8; MAX_NAME];
        let name_len = cache_name(&m, question, &mut name);
        let v6 = matches!(r.src, IpAddr::V6(_));
        let mut servers = [IpAddr::from([0u8; 4]); MAX_ADDRESSES];
        let count = addresses(&m, v6, &mut servers);
        if count == 0 {
            return;
        }
        let (name, servers) = (&name[..name_len], &servers[..count]);
        let meta = (r.src, r.request, r.response);
        if v6 {
            self.v6.insert(r.dst, name, servers, meta);
        } else {
            self.v4.insert(r.dst, name, servers, meta);
        }
    }
}

/// Tstat's cached form of a name: labels joined by `.`, no trailing dot, cut at a `,`.
fn cache_name(m: &Message<'_>, name: Name, out: &mut [u8; MAX_NAME]) -> usize {
    let mut len = 0;
    for label in m.labels(name) {
        let dot: &[u8] = if len > 0 { b"." } else { b"" };
        for &b in dot.iter().chain(label) {
            if b == b',' || len == out.len() {
                return len;
            }
            out[len] = b;
            len += 1;
        }
    }
    len
}

/// The A (IPv4 packet) or AAAA (IPv6 packet) addresses of the answers, class IN only.
fn addresses(m: &Message<'_>, v6: bool, out: &mut [IpAddr; MAX_ADDRESSES]) -> usize {
    let mut n = 0;
    for rr in m.answers() {
        if rr.class != 1 {
            continue;
        }
        let data = &m.bytes()[rr.rdata.clone()];
        let width = match (rr.rtype, v6) {
            (dns::TYPE_A, false) => 4,
            (dns::TYPE_AAAA, true) => 16,
            _ => continue,
        };
        for chunk in data.chunks_exact(width) {
            if n == MAX_ADDRESSES {
                return n;
            }
            out[n] = if width == 4 {
                IpAddr::from([chunk[0], chunk[1], chunk[2], chunk[3]])
            } else {
                let mut a = [0u8; 16];
                a.copy_from_slice(chunk);
                IpAddr::from(a)
            };
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A response to `name` A IN with the given addresses.
    fn answer(name: &str, addrs: &[[u8; 4]]) -> Vec<u8> {
        let mut m = vec![0, 7, 0x81, 0x80, 0, 1, 0, addrs.len() as u8, 0, 0, 0, 0];
        for l in name.split('.') {
            m.push(l.len() as u8);
            m.extend_from_slice(l.as_bytes());
        }
        m.extend_from_slice(&[0, 0, 1, 0, 1]);
        for a in addrs {
            m.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
            m.extend_from_slice(a);
        }
        m
    }

    fn seen(h: &mut DnsHunter, client: [u8; 4], payload: &[u8], at: i64) {
        h.observe(&Response {
            src: IpAddr::from([8, 8, 8, 8]),
            dst: IpAddr::from(client),
            ports: (40000, 53),
            payload,
            request: Timestamp(at - 5),
            response: Timestamp(at),
        });
    }

    #[test]
    fn a_flow_finds_the_name_its_client_resolved() {
        let mut h = DnsHunter::new(8, 2);
        seen(
            &mut h,
            [10, 0, 0, 1],
            &answer("www.example.com", &[[192, 0, 2, 1], [192, 0, 2, 2]]),
            100,
        );
        let tag = h
            .lookup(IpAddr::from([10, 0, 0, 1]), IpAddr::from([192, 0, 2, 2]))
            .unwrap();
        let n = h.resolve(tag).unwrap();
        assert_eq!(n.name, b"www.example.com");
        assert_eq!(
            (n.resolver, n.request, n.response),
            (IpAddr::from([8, 8, 8, 8]), Timestamp(95), Timestamp(100))
        );
        assert!(
            h.lookup(IpAddr::from([10, 0, 0, 2]), IpAddr::from([192, 0, 2, 2]))
                .is_none(),
            "another client"
        );
    }

    #[test]
    fn the_ring_forgets_and_drops_keys_a_newer_entry_took() {
        let mut h = DnsHunter::new(2, 0);
        let c = [10, 0, 0, 1];
        seen(&mut h, c, &answer("a.example", &[[192, 0, 2, 1]]), 1);
        let old = h
            .lookup(IpAddr::from(c), IpAddr::from([192, 0, 2, 1]))
            .unwrap();
        seen(&mut h, c, &answer("b.example", &[[192, 0, 2, 1]]), 2); // takes the same key
        seen(&mut h, c, &answer("c.example", &[[192, 0, 2, 9]]), 3); // overwrites a.example
        assert!(
            h.resolve(old).is_none(),
            "a flow tagged with the overwritten entry gets nothing"
        );
        // Tstat's quirk: overwriting a.example also dropped the key b.example had taken.
        assert!(h
            .lookup(IpAddr::from(c), IpAddr::from([192, 0, 2, 1]))
            .is_none());
        let tag = h
            .lookup(IpAddr::from(c), IpAddr::from([192, 0, 2, 9]))
            .unwrap();
        assert_eq!(h.resolve(tag).unwrap().name, b"c.example");
    }

    #[test]
    fn only_address_questions_on_port_53_are_cached() {
        let mut h = DnsHunter::new(4, 0);
        let mut mx = answer("mail.example", &[[192, 0, 2, 1]]);
        let qtype_at = 12 + "mail.example".len() + 2 + 1;
        mx[qtype_at] = 15;
        seen(&mut h, [10, 0, 0, 1], &mx, 1);
        assert!(h
            .lookup(IpAddr::from([10, 0, 0, 1]), IpAddr::from([192, 0, 2, 1]))
            .is_none());
        h.observe(&Response {
            src: IpAddr::from([8, 8, 8, 8]),
            dst: IpAddr::from([10, 0, 0, 1]),
            ports: (40000, 5353),
            payload: &answer("x.example", &[[192, 0, 2, 1]]),
            request: Timestamp(0),
            response: Timestamp(1),
        });
        assert!(h
            .lookup(IpAddr::from([10, 0, 0, 1]), IpAddr::from([192, 0, 2, 1]))
            .is_none());
    }
}
