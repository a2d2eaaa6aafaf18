//! Address hit tables (`addresses.c`): per /mask subnet, packets and bytes as source and as
//! destination (docs/semantics/histograms.md §1.6, §2.4, §2.5, §4.2).
//!
//! Tstat keeps a hash of `Max_ADX_Slots` buckets of chained entries, double buffered, and
//! prints the buffer it just froze in bucket order, each bucket's chain in order. Printing
//! clears the entries without freeing them, and a cleared entry is the first one a later
//! address of the same bucket reuses, so a bucket's chain always lists this period's subnets
//! in their order of first appearance. That is all this table keeps: entries in order of first
//! appearance, printed sorted by `(seed % Max_ADX_Slots, appearance)`. One quirk survives:
//! an entry for seed 0 (0.0.0.0/mask) looks cleared, so the next new seed of bucket 0 takes it
//! over, counts included.
//!
//! Memory is bounded by a capacity fixed at start (distinct subnets per period); hits of
//! further subnets are counted in [`Table::dropped`] and lost. Nothing is allocated per packet.

use super::format::{push_dotted, push_fixed, push_i64, push_u64};

/// One subnet's counters.
#[derive(Debug, Clone, Copy, Default)]
struct Entry {
    /// `s_addr & mask`, as the 32-bit value of the address bytes on a little-endian host.
    seed: u32,
    /// Its slot in the index (unused for the seed-0 entry), so that clearing touches only the
    /// slots in use.
    slot: u32,
    src_hits: i64,
    dst_hits: i64,
    src_bytes: u64,
    dst_bytes: u64,
    max_up: f64,
    max_down: f64,
}

/// One table (Tstat's index 0, 1 or 2).
pub struct Table {
    /// The mask's bytes in network order, and as the little-endian value Tstat ANDs.
    mask_bytes: [u8; 4],
    mask: u32,
    buckets: u64,
    entries: Vec<Entry>,
    /// Open-addressing index from seed to entry + 1, 0 for a free slot (zeroed memory, so
    /// the pages of a large table stay untouched until used); the seed-0 entry is not in it.
    index: Box<[u32]>,
    zero_entry: Option<u32>,
    order: Vec<u32>,
    /// Hits lost because the table was full.
    pub dropped: u64,
}

/// Source or destination side of a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Src,
    Dst,
}

impl Table {
    /// A table for `capacity` subnets per period over `buckets` (`Max_ADX_Slots`) buckets.
    pub fn new(mask: [u8; 4], buckets: u64, capacity: usize) -> Table {
        let capacity = capacity.clamp(1, (u32::MAX / 4) as usize);
        let slots = (capacity * 2).next_power_of_two();
        Table {
            mask_bytes: mask,
            mask: u32::from_le_bytes(mask),
            buckets: buckets.max(1),
            entries: Vec::with_capacity(capacity),
            index: vec![0; slots].into_boxed_slice(),
            zero_entry: None,
            order: Vec::with_capacity(capacity),
            dropped: 0,
        }
    }

    fn bucket(&self, seed: u32) -> u64 {
        u64::from(seed) % self.buckets
    }

    /// The index slot for `seed`: where it is, or where it would go.
    fn slot(&self, seed: u32) -> (usize, Option<u32>) {
        let mask = self.index.len() - 1;
        let mut i = (seed.wrapping_mul(0x9E37_79B1) as usize) & mask;
        loop {
            match self.index[i] {
                0 => return (i, None),
                e if self.entries[e as usize - 1].seed == seed => return (i, Some(e - 1)),
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// The entry counting `seed`, created (or taken over, for bucket 0) when new.
    fn entry_for(&mut self, seed: u32) -> Option<&mut Entry> {
        if seed == 0 {
            if self.zero_entry.is_none() {
                self.zero_entry = Some(self.push(0)?);
            }
            let e = self.zero_entry?;
            return self.entries.get_mut(e as usize);
        }
        let (slot, found) = self.slot(seed);
        let e = match found {
            Some(e) => e,
            None => {
                let e = match self.zero_entry {
                    // A live seed-0 entry is in bucket 0: Tstat's walk takes it as free.
                    Some(z) if self.bucket(seed) == 0 => {
                        self.zero_entry = None;
                        self.entries[z as usize].seed = seed;
                        z
                    }
                    _ => self.push(seed)?,
                };
                self.index[slot] = e + 1;
                self.entries[e as usize].slot = slot as u32;
                e
            }
        };
        self.entries.get_mut(e as usize)
    }

    fn push(&mut self, seed: u32) -> Option<u32> {
        if self.entries.len() == self.entries.capacity() {
            return None;
        }
        self.entries.push(Entry {
            seed,
            ..Entry::default()
        });
        Some((self.entries.len() - 1) as u32)
    }

    /// `add_adx`: one hit of `addr` (header bytes) with `bytes`.
    pub fn add(&mut self, addr: [u8; 4], side: Side, bytes: u64) {
        let seed = u32::from_le_bytes(addr) & self.mask;
        match self.entry_for(seed) {
            Some(e) => match side {
                Side::Src => {
                    e.src_hits += 1;
                    e.src_bytes = e.src_bytes.wrapping_add(bytes);
                }
                Side::Dst => {
                    e.dst_hits += 1;
                    e.dst_bytes = e.dst_bytes.wrapping_add(bytes);
                }
            },
            None => self.dropped += 1,
        }
    }

    /// Entries in Tstat's print order, in `self.order`.
    fn sort(&mut self) {
        self.order.clear();
        self.order.extend(0..self.entries.len() as u32);
        let (entries, buckets) = (&self.entries, self.buckets);
        let bucket = |i: u32| u64::from(entries[i as usize].seed) % buckets;
        crate::sort::positions(&mut self.order, &|a, b| bucket(a).cmp(&bucket(b)));
    }

    /// Forget every entry (after printing). Only the slots in use are zeroed (a seed-0 entry
    /// has no slot and zeroes slot 0, harmless when everything goes).
    pub fn clear(&mut self) {
        for e in &self.entries {
            if let Some(s) = self.index.get_mut(e.slot as usize) {
                *s = 0;
            }
        }
        self.entries.clear();
        self.zero_entry = None;
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn mask_line(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"#Number of packets per subnet (");
        push_dotted(out, self.mask_bytes);
        out.extend_from_slice(b" NETMASK) \n");
    }

    /// The `addresses` file (table 0), then clear.
    pub fn print_addresses(&mut self, out: &mut Vec<u8>) {
        self.mask_line(out);
        out.extend_from_slice(b"#Subnet IP \tsrc_hits \tdst_hits \tsrc_bytes \tdst_bytes\n");
        self.sort();
        for &i in &self.order {
            let e = &self.entries[i as usize];
            push_dotted(out, e.seed.to_le_bytes());
            out.push(b'\t');
            push_i64(out, e.src_hits);
            out.push(b'\t');
            push_i64(out, e.dst_hits);
            out.push(b'\t');
            push_u64(out, e.src_bytes);
            out.push(b'\t');
            push_u64(out, e.dst_bytes);
            out.push(b'\n');
        }
        self.clear();
    }

    /// `max_adx`: fold this sub-period table (2) into the period table `into` (1): each
    /// subnet's largest rate over `delta_us`, in kbit/s. Then clear this one.
    pub fn fold_max_into(&mut self, into: &mut Table, delta_us: f64) {
        for e in &self.entries {
            let up = e.src_bytes as f64 * 8.0 / delta_us * 1000.0;
            let down = e.dst_bytes as f64 * 8.0 / delta_us * 1000.0;
            let target = if e.seed == 0 {
                into.zero_entry
            } else {
                into.slot(e.seed).1
            };
            if let Some(t) = target.and_then(|t| into.entries.get_mut(t as usize)) {
                // C's max(a, b): `a > b ? a : b`, so a NaN rate wins.
                t.max_up = if t.max_up > up { t.max_up } else { up };
                t.max_down = if t.max_down > down { t.max_down } else { down };
            }
        }
        self.clear();
    }

    /// One `addresses2` block (table 1) for a period of `delta_us` ending at `now_secs`
    /// (`%.6f` of the packet time), with its periods in whole seconds; then clear.
    pub fn print_addresses2(
        &mut self,
        out: &mut Vec<u8>,
        now_secs: f64,
        periods: (u64, u64),
        delta_us: f64,
    ) {
        self.mask_line(out);
        out.extend_from_slice(b"#Sampling rate: Average ");
        push_u64(out, periods.0);
        out.extend_from_slice(b" [s] - Max ");
        push_u64(out, periods.1);
        out.extend_from_slice(
            b" [s]\n#Subnet IP \tTime \tsrc_hits \tdst_hits \tsrc_bytes \tdst_bytes \tUp Rate [kbps] \
              \tDown Rate [kbps] \tMax Up Rate [kbps] \tMax Down Rate [kbps]\n",
        );
        self.sort();
        for &i in &self.order {
            let e = &self.entries[i as usize];
            push_dotted(out, e.seed.to_le_bytes());
            out.push(b'\t');
            push_fixed(out, now_secs, 6);
            for v in [e.src_hits, e.dst_hits] {
                out.push(b'\t');
                push_i64(out, v);
            }
            for v in [e.src_bytes, e.dst_bytes] {
                out.push(b'\t');
                push_u64(out, v);
            }
            let rates = [
                e.src_bytes as f64 * 8.0 / delta_us * 1000.0,
                e.dst_bytes as f64 * 8.0 / delta_us * 1000.0,
                e.max_up,
                e.max_down,
            ];
            for r in rates {
                out.push(b'\t');
                push_fixed(out, r, 3);
            }
            out.push(b'\n');
        }
        self.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &mut Table) -> String {
        let mut b = Vec::new();
        t.print_addresses(&mut b);
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn addresses_in_bucket_order() {
        let mut t = Table::new([255, 255, 255, 0], 70001, 16);
        t.add([178, 62, 197, 4], Side::Src, 1000);
        t.add([10, 0, 0, 1], Side::Dst, 60);
        t.add([178, 62, 197, 9], Side::Dst, 40);
        let out = text(&mut t);
        let seed_a = u32::from_le_bytes([178, 62, 197, 0]) % 70001;
        let seed_b = u32::from_le_bytes([10, 0, 0, 0]) % 70001;
        let (first, second) = if seed_a < seed_b {
            ("178.62.197.0\t1\t1\t1000\t40", "10.0.0.0\t0\t1\t0\t60")
        } else {
            ("10.0.0.0\t0\t1\t0\t60", "178.62.197.0\t1\t1\t1000\t40")
        };
        assert_eq!(
            out,
            format!(
                "#Number of packets per subnet (255.255.255.0 NETMASK) \n#Subnet IP \tsrc_hits \
                 \tdst_hits \tsrc_bytes \tdst_bytes\n{first}\n{second}\n"
            )
        );
        assert!(t.is_empty());
    }

    #[test]
    fn same_bucket_keeps_first_appearance_and_seed_zero_is_taken_over() {
        // With 1 bucket everything chains in one list.
        let mut t = Table::new([255, 255, 255, 255], 1, 16);
        t.add([0, 0, 0, 0], Side::Src, 1);
        t.add([9, 9, 9, 9], Side::Src, 2); // takes over the 0.0.0.0 entry
        t.add([0, 0, 0, 0], Side::Src, 4); // a new seed-0 entry after it
        t.add([9, 9, 9, 9], Side::Src, 16);
        let out = text(&mut t);
        let rows: Vec<&str> = out.lines().skip(2).collect();
        assert_eq!(rows, ["9.9.9.9\t3\t0\t19\t0", "0.0.0.0\t1\t0\t4\t0"]);
        // And the next new subnet of the bucket takes the second seed-0 entry over.
        t.add([9, 9, 9, 9], Side::Src, 1);
        t.add([0, 0, 0, 0], Side::Src, 4);
        t.add([1, 1, 1, 1], Side::Dst, 8);
        let out = text(&mut t);
        let rows: Vec<&str> = out.lines().skip(2).collect();
        assert_eq!(rows, ["9.9.9.9\t1\t0\t1\t0", "1.1.1.1\t1\t1\t4\t8"]);
    }

    #[test]
    fn full_tables_drop_and_count() {
        let mut t = Table::new([255, 255, 255, 0], 70001, 1);
        t.add([1, 2, 3, 4], Side::Src, 1);
        t.add([5, 6, 7, 8], Side::Src, 1);
        t.add([1, 2, 3, 5], Side::Dst, 1);
        assert_eq!(t.dropped, 1);
        assert_eq!(text(&mut t).lines().count(), 3);
    }

    #[test]
    fn adx2_rates_and_maxima() {
        let mut period = Table::new([255, 255, 255, 0], 70001, 4);
        let mut sub = Table::new([255, 255, 255, 0], 70001, 4);
        for t in [&mut period, &mut sub] {
            t.add([192, 168, 1, 7], Side::Src, 1000);
        }
        sub.fold_max_into(&mut period, 1_000_000.0);
        sub.add([192, 168, 1, 7], Side::Src, 500);
        period.add([192, 168, 1, 7], Side::Src, 500);
        sub.fold_max_into(&mut period, 1_000_000.0);
        let mut b = Vec::new();
        period.print_addresses2(&mut b, 1.5, (60, 1), 2_000_000.0);
        let s = String::from_utf8(b).unwrap();
        assert!(s.contains("#Sampling rate: Average 60 [s] - Max 1 [s]\n"));
        assert!(
            s.ends_with("192.168.1.0\t1.500000\t2\t0\t1500\t0\t6.000\t0.000\t8.000\t0.000\n"),
            "{s}"
        );
    }
}
