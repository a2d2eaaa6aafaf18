//! globals.conf (`-G`): table sizes and timeouts, read once at start-up.
//! Keys and defaults are Tstat 3.2.1's; names are matched case-insensitively.

use super::ini::{self, Value};
use super::{read_file, ConfigError};

#[derive(Debug, Clone, PartialEq)]
pub struct Globals {
    pub max_adx_slots: u64,
    pub max_internal_ethers: u64,
    pub max_internal_hosts: u64,
    pub max_cloud_hosts: u64,
    pub max_crypto_hosts: u64,
    pub max_white_hosts: u64,
    /// Segments tracked per sequence-space quadrant; 0 means no limit.
    pub max_seg_per_quad: u64,
    /// Timeouts in seconds.
    pub tcp_idle_time: f64,
    pub udp_idle_time: f64,
    pub tcp_singleton_time: f64,
    pub udp_singleton_time: f64,
    pub gc_cycle_time: f64,
    pub gc_split_ratio: u64,
    pub runtime_config_idle: f64,
    pub runtime_mtime_counter: u64,
    pub max_tcp_pairs: u64,
    pub max_udp_pairs: u64,
    pub list_search_dept: u64,
    pub hash_table_size: u64,
    pub max_time_step: f64,
    pub dirs: u64,
    /// Duplicate windows, in microseconds as Tstat states them.
    pub min_delta_t_udp_dup_pkt: f64,
    pub min_delta_t_tcp_dup_pkt: f64,
    pub entropy_sample: u64,
    pub entropy_threshold: f64,
    pub rate_sampling: f64,
    pub max_crypto_cache_size: u64,
    /// `Crypto_IPv6_Mask_0..3`: XORed onto the four words of an IPv6 address before
    /// Crypto-PAn (docs/semantics/privacy.md §3.3). Keys of the `anon` feature: a router
    /// build, which cannot anonymise, does not take them.
    #[cfg(feature = "anon")]
    pub crypto_ipv6_mask: [u64; 4],
    pub dns_cache_size: u64,
    /// Our addition: MB (MiB) the output base folder may use; 0 means no limit.
    pub max_disk_usage: f64,
    /// Our addition: UDP directions whose RTP/RTCP streams are followed at once (each holds
    /// up to 32 RTP and 32 RTCP streams with their statistics, about 17 KB).
    pub max_rtp_directions: u64,
}

impl Default for Globals {
    fn default() -> Globals {
        Globals {
            max_adx_slots: 70001,
            max_internal_ethers: 20,
            max_internal_hosts: 100,
            max_cloud_hosts: 100,
            max_crypto_hosts: 40,
            max_white_hosts: 100,
            max_seg_per_quad: 100,
            tcp_idle_time: 300.0,
            udp_idle_time: 200.0,
            tcp_singleton_time: 10.0,
            udp_singleton_time: 10.0,
            gc_cycle_time: 5.0,
            gc_split_ratio: 10000,
            runtime_config_idle: 21.0,
            runtime_mtime_counter: 3,
            max_tcp_pairs: 180000,
            max_udp_pairs: 360000,
            list_search_dept: 200,
            hash_table_size: 2000003,
            max_time_step: 300.0,
            dirs: 12,
            min_delta_t_udp_dup_pkt: 1000.0,
            min_delta_t_tcp_dup_pkt: 2000.0,
            entropy_sample: 60,
            entropy_threshold: 3.7,
            rate_sampling: 1.0,
            max_crypto_cache_size: 130000,
            #[cfg(feature = "anon")]
            crypto_ipv6_mask: [0xffff_ffff, 0xf0f0_f0f0, 0x0f0f_0f0f, 0],
            dns_cache_size: 100000,
            max_disk_usage: 0.0,
            max_rtp_directions: 4096,
        }
    }
}

enum Slot<'a> {
    Int(&'a mut u64),
    Float(&'a mut f64),
}

impl Globals {
    pub fn load(path: &str) -> Result<Globals, ConfigError> {
        Globals::parse(path, &read_file(path)?)
    }

    pub fn parse(file: &str, text: &str) -> Result<Globals, ConfigError> {
        let mut g = Globals::default();
        for e in ini::parse(file, text, &["globals"])? {
            let key = e.key.to_ascii_lowercase();
            let slot = g.slot(&key).ok_or_else(|| {
                ConfigError::new(
                    file,
                    e.line,
                    format!("unknown key '{}' in [globals]", e.key),
                )
            })?;
            match (slot, e.value) {
                (Slot::Int(dst), Value::Int(v)) => *dst = v,
                (Slot::Int(_), Value::Float(_)) => {
                    return Err(ConfigError::new(
                        file,
                        e.line,
                        format!("'{}' must be a whole number", e.key),
                    ))
                }
                (Slot::Float(dst), v) => *dst = v.as_f64(),
            }
        }
        g.check().map_err(|m| ConfigError::new(file, 0, m))?;
        Ok(g)
    }

    fn slot(&mut self, key: &str) -> Option<Slot<'_>> {
        use Slot::*;
        Some(match key {
            "max_adx_slots" => Int(&mut self.max_adx_slots),
            "max_internal_ethers" => Int(&mut self.max_internal_ethers),
            "max_internal_hosts" => Int(&mut self.max_internal_hosts),
            "max_cloud_hosts" => Int(&mut self.max_cloud_hosts),
            "max_crypto_hosts" => Int(&mut self.max_crypto_hosts),
            "max_white_hosts" => Int(&mut self.max_white_hosts),
            "max_seg_per_quad" => Int(&mut self.max_seg_per_quad),
            "tcp_idle_time" => Float(&mut self.tcp_idle_time),
            "udp_idle_time" => Float(&mut self.udp_idle_time),
            "tcp_singleton_time" => Float(&mut self.tcp_singleton_time),
            "udp_singleton_time" => Float(&mut self.udp_singleton_time),
            "gc_cycle_time" => Float(&mut self.gc_cycle_time),
            "gc_split_ratio" => Int(&mut self.gc_split_ratio),
            "runtime_config_idle" => Float(&mut self.runtime_config_idle),
            "runtime_mtime_counter" => Int(&mut self.runtime_mtime_counter),
            "max_tcp_pairs" => Int(&mut self.max_tcp_pairs),
            "max_udp_pairs" => Int(&mut self.max_udp_pairs),
            "list_search_dept" => Int(&mut self.list_search_dept),
            "hash_table_size" => Int(&mut self.hash_table_size),
            "max_time_step" => Float(&mut self.max_time_step),
            "dirs" => Int(&mut self.dirs),
            "min_delta_t_udp_dup_pkt" => Float(&mut self.min_delta_t_udp_dup_pkt),
            "min_delta_t_tcp_dup_pkt" => Float(&mut self.min_delta_t_tcp_dup_pkt),
            "entropy_sample" => Int(&mut self.entropy_sample),
            "entropy_threshold" => Float(&mut self.entropy_threshold),
            "rate_sampling" => Float(&mut self.rate_sampling),
            "max_crypto_cache_size" => Int(&mut self.max_crypto_cache_size),
            #[cfg(feature = "anon")]
            "crypto_ipv6_mask_0" => Int(&mut self.crypto_ipv6_mask[0]),
            #[cfg(feature = "anon")]
            "crypto_ipv6_mask_1" => Int(&mut self.crypto_ipv6_mask[1]),
            #[cfg(feature = "anon")]
            "crypto_ipv6_mask_2" => Int(&mut self.crypto_ipv6_mask[2]),
            #[cfg(feature = "anon")]
            "crypto_ipv6_mask_3" => Int(&mut self.crypto_ipv6_mask[3]),
            "dns_cache_size" => Int(&mut self.dns_cache_size),
            "max_disk_usage" => Float(&mut self.max_disk_usage),
            "max_rtp_directions" => Int(&mut self.max_rtp_directions),
            _ => return None,
        })
    }

    fn check(&self) -> Result<(), String> {
        if self.max_tcp_pairs == 0 || self.max_udp_pairs == 0 {
            return Err("Max_TCP_Pairs and Max_UDP_Pairs must be at least 1".into());
        }
        if self.entropy_threshold > 4.0 {
            return Err("Entropy_Threshold must be at most 4.0".into());
        }
        if self.dirs == 0 {
            return Err("Dirs must be at least 1".into());
        }
        #[cfg(feature = "anon")]
        if self
            .crypto_ipv6_mask
            .iter()
            .any(|&m| m > u64::from(u32::MAX))
        {
            return Err("Crypto_IPv6_Mask_0..3 must be 32-bit masks such as 0xf0f0f0f0".into());
        }
        if self.gc_split_ratio == 0 {
            return Err("GC_Split_Ratio must be at least 1".into());
        }
        Ok(())
    }

    /// The IPv6 word masks as 32-bit numbers.
    #[cfg(feature = "anon")]
    pub fn crypto_ipv6_masks(&self) -> [u32; 4] {
        // parse() keeps each within 32 bits.
        self.crypto_ipv6_mask.map(|m| m as u32)
    }

    /// The dump `tstat -h` ends with: every key and its current value.
    pub fn describe(&self) -> String {
        let mut g = self.clone();
        let mut out = String::from(
            "\t# Current value of internal global constants (-G option)\n\t[globals]\n",
        );
        for key in KEYS {
            match g.slot(&key.to_ascii_lowercase()) {
                // Tstat shows the IPv6 masks in hexadecimal.
                #[cfg(feature = "anon")]
                Some(Slot::Int(v)) if key.starts_with("Crypto") => {
                    out.push_str(&format!("\t{key} = 0x{:08x}\n", *v as u32))
                }
                Some(Slot::Int(v)) => out.push_str(&format!("\t{key} = {v}\n")),
                Some(Slot::Float(v)) => out.push_str(&format!("\t{key} = {v:.6}\n")),
                None => {}
            }
        }
        out
    }
}

/// The keys in the order `-h` lists them; the IPv6 masks only where `-Y` is built in.
const KEYS: &[&str] = &[
    "Max_ADX_Slots",
    "Max_Internal_Ethers",
    "Max_Internal_Hosts",
    "Max_Cloud_Hosts",
    "Max_Crypto_Hosts",
    "Max_White_Hosts",
    "Max_Seg_Per_Quad",
    "TCP_Idle_Time",
    "UDP_Idle_Time",
    "TCP_Singleton_Time",
    "UDP_Singleton_Time",
    "GC_Cycle_Time",
    "GC_Split_Ratio",
    "Runtime_Config_Idle",
    "Runtime_Mtime_Counter",
    "Max_TCP_Pairs",
    "Max_UDP_Pairs",
    "List_Search_Dept",
    "Hash_Table_Size",
    "Max_Time_Step",
    "Dirs",
    "Min_Delta_T_UDP_Dup_Pkt",
    "Min_Delta_T_TCP_Dup_Pkt",
    "Entropy_Sample",
    "Entropy_Threshold",
    "Rate_Sampling",
    "Max_Crypto_Cache_Size",
    "DNS_Cache_Size",
    #[cfg(feature = "anon")]
    "Crypto_IPv6_Mask_0",
    #[cfg(feature = "anon")]
    "Crypto_IPv6_Mask_1",
    #[cfg(feature = "anon")]
    "Crypto_IPv6_Mask_2",
    #[cfg(feature = "anon")]
    "Crypto_IPv6_Mask_3",
    "Max_Disk_Usage",
    "Max_RTP_Directions",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let g = Globals::parse(
            "g.conf",
            "[globals]\nmax_tcp_pairs = 5000\nTCP_Idle_Time = 60\n",
        )
        .unwrap();
        assert_eq!(g.max_tcp_pairs, 5000);
        assert_eq!(g.tcp_idle_time, 60.0);
        assert_eq!(g.udp_idle_time, 200.0);
    }

    #[test]
    fn unknown_key_is_located() {
        let e = Globals::parse("g.conf", "[globals]\n\nbogus = 1\n").unwrap_err();
        assert_eq!((e.line, e.file.as_str()), (3, "g.conf"));
        assert!(e.message.contains("bogus"));
    }

    #[test]
    fn describe_lists_every_key() {
        let d = Globals::default().describe();
        assert_eq!(d.lines().filter(|l| l.contains(" = ")).count(), KEYS.len());
        assert!(d.contains("\tTCP_Idle_Time = 300.000000\n"));
        if cfg!(feature = "anon") {
            assert!(d.contains("\tCrypto_IPv6_Mask_1 = 0xf0f0f0f0\n"));
            assert!(d.contains("\tCrypto_IPv6_Mask_3 = 0x00000000\n"));
        }
    }

    #[cfg(feature = "anon")]
    #[test]
    fn ipv6_crypto_masks_are_32_bit_numbers() {
        let g = Globals::parse(
            "g.conf",
            "[globals]\nCrypto_IPv6_Mask_0 = 0x000000ff\ncrypto_ipv6_mask_2 = 0\n",
        )
        .unwrap();
        assert_eq!(g.crypto_ipv6_masks(), [0xff, 0xf0f0_f0f0, 0, 0]);
        let e =
            Globals::parse("g.conf", "[globals]\nCrypto_IPv6_Mask_1 = 0x1ffffffff\n").unwrap_err();
        assert!(e.message.contains("32-bit masks"), "{}", e.message);
        let e = Globals::parse("g.conf", "[globals]\nCrypto_IPv6_Mask_1 = 1.5\n").unwrap_err();
        assert_eq!(e.line, 2);
    }
}
