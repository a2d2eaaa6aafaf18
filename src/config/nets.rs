//! Network lists (`-N` internal networks; the same format serves the cloud, crypto and
//! white lists). Accepted entries, one per line, `#` starting a comment:
//!
//! 1. `a.b.c.d/nn`: IPv4 prefix;
//! 2. `a.b.c.d/m.m.m.m`: IPv4 with a dotted netmask;
//! 3. `x:y::/nn`: IPv6 prefix;
//! 4. `a.b.c.d` on one line and its netmask `m.m.m.m` on the next (the legacy form).
//!
//! Unlike Tstat, blanks around an entry are tolerated.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::{read_file, ConfigError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct V4Net {
    net: u32,
    mask: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct V6Net {
    net: u128,
    mask: u128,
}

/// What a list is for, as its messages name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListRole {
    /// The globals.conf key that bounds its entries per family.
    pub limit_key: &'static str,
    /// What an address it holds is.
    pub member: &'static str,
}

/// `-N`: the internal networks.
pub const INTERNAL: ListRole = ListRole {
    limit_key: "Max_Internal_Hosts",
    member: "internal",
};
/// `-Y`: the networks whose addresses are anonymised.
pub const CRYPTO: ListRole = ListRole {
    limit_key: "Max_Crypto_Hosts",
    member: "anonymised",
};
/// `-W`: the networks exempt from `-Y`.
pub const WHITE: ListRole = ListRole {
    limit_key: "Max_White_Hosts",
    member: "exempt from anonymisation",
};

/// A set of IPv4 and IPv6 networks. A family with no entry matches every address of that
/// family, as Tstat does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetList {
    v4: Vec<V4Net>,
    v6: Vec<V6Net>,
    /// Warnings to show the user (mask of 0 bits and the like).
    pub warnings: Vec<String>,
}

fn prefix_mask_v4(bits: u32) -> u32 {
    if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    }
}

fn prefix_mask_v6(bits: u32) -> u128 {
    if bits == 0 {
        0
    } else {
        u128::MAX << (128 - bits)
    }
}

impl NetList {
    /// The list used without `-N`: everything is internal.
    pub fn everything() -> NetList {
        NetList::default()
    }

    pub fn load(path: &str, max_per_family: usize, role: ListRole) -> Result<NetList, ConfigError> {
        NetList::parse_for(path, &read_file(path)?, max_per_family, role)
    }

    /// A list of internal networks (`-N`).
    pub fn parse(file: &str, text: &str, max_per_family: usize) -> Result<NetList, ConfigError> {
        NetList::parse_for(file, text, max_per_family, INTERNAL)
    }

    pub fn parse_for(
        file: &str,
        text: &str,
        max_per_family: usize,
        role: ListRole,
    ) -> Result<NetList, ConfigError> {
        let mut list = NetList::default();
        let mut pending_v4: Option<(Ipv4Addr, usize)> = None;
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let entry = raw.split('#').next().unwrap_or("").trim();
            if entry.is_empty() {
                continue;
            }
            let err = |m: String| ConfigError::new(file, line, m);
            if let Some((addr, _)) = pending_v4.take() {
                let mask: Ipv4Addr = entry.parse().map_err(|_| {
                    err(format!(
                        "expected the netmask (m.m.m.m) of {addr} on this line, found '{entry}'"
                    ))
                })?;
                list.push_v4(
                    u32::from(addr),
                    u32::from(mask),
                    (file, line),
                    max_per_family,
                    role,
                )?;
                continue;
            }
            match entry.split_once('/') {
                None => {
                    let addr: Ipv4Addr = entry.parse().map_err(|_| {
                        err(format!("expected a network such as 10.0.0.0/8, 10.0.0.0/255.0.0.0 or fc00::/7, found '{entry}'"))
                    })?;
                    pending_v4 = Some((addr, line));
                }
                Some((addr, len)) if addr.contains(':') => {
                    let a: Ipv6Addr = addr
                        .parse()
                        .map_err(|_| err(format!("'{addr}' is not an IPv6 address")))?;
                    let bits: u32 = len.parse().ok().filter(|b| *b <= 128).ok_or_else(|| {
                        err(format!("'{len}' is not an IPv6 prefix length (0-128)"))
                    })?;
                    if bits == 0 {
                        list.warnings.push(format!(
                            "{file}:{line}: IPv6 mask of 0 bits: every IPv6 address is {}",
                            role.member
                        ));
                    }
                    if list.v6.len() >= max_per_family {
                        return Err(err(format!(
                            "more than {max_per_family} IPv6 networks (raise {})",
                            role.limit_key
                        )));
                    }
                    let mask = prefix_mask_v6(bits);
                    list.v6.push(V6Net {
                        net: u128::from(a) & mask,
                        mask,
                    });
                }
                Some((addr, len)) => {
                    let a: Ipv4Addr = addr
                        .parse()
                        .map_err(|_| err(format!("'{addr}' is not an IPv4 address")))?;
                    let mask = if let Ok(bits) = len.parse::<u32>() {
                        if bits > 32 {
                            return Err(err(format!(
                                "'{len}' is not an IPv4 prefix length (0-32)"
                            )));
                        }
                        prefix_mask_v4(bits)
                    } else {
                        let m: Ipv4Addr = len.parse().map_err(|_| {
                            err(format!("'{len}' is neither a prefix length nor a netmask"))
                        })?;
                        u32::from(m)
                    };
                    list.push_v4(u32::from(a), mask, (file, line), max_per_family, role)?;
                }
            }
        }
        if let Some((addr, line)) = pending_v4 {
            return Err(ConfigError::new(
                file,
                line,
                format!("{addr} has no netmask on the following line"),
            ));
        }
        Ok(list)
    }

    fn push_v4(
        &mut self,
        addr: u32,
        mask: u32,
        (file, line): (&str, usize),
        max: usize,
        role: ListRole,
    ) -> Result<(), ConfigError> {
        if self.v4.len() >= max {
            return Err(ConfigError::new(
                file,
                line,
                format!("more than {max} IPv4 networks (raise {})", role.limit_key),
            ));
        }
        // Tstat treats the network 0.0.0.0 as "any address" whatever the mask says.
        let mask = if addr == 0 { 0 } else { mask };
        if mask == 0 {
            self.warnings.push(format!(
                "{file}:{line}: IPv4 mask of 0 bits: every IPv4 address is {}",
                role.member
            ));
        }
        self.v4.push(V4Net {
            net: addr & mask,
            mask,
        });
        Ok(())
    }

    pub fn contains(&self, addr: &IpAddr) -> bool {
        match addr {
            IpAddr::V4(a) => {
                let a = u32::from(*a);
                self.v4.is_empty() || self.v4.iter().any(|n| a & n.mask == n.net)
            }
            IpAddr::V6(a) => {
                let a = u128::from(*a);
                self.v6.is_empty() || self.v6.iter().any(|n| a & n.mask == n.net)
            }
        }
    }

    pub fn has_v4(&self) -> bool {
        !self.v4.is_empty()
    }

    pub fn has_v6(&self) -> bool {
        !self.v6.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    /// A `-Y` or `-W` list's messages name its own limit and what its addresses are.
    #[test]
    fn messages_name_the_lists_role() {
        let e = NetList::parse_for("nets", "10.0.0.0/8\n11.0.0.0/8\n", 1, CRYPTO).unwrap_err();
        assert!(
            e.message.contains("raise Max_Crypto_Hosts"),
            "{}",
            e.message
        );
        let e = NetList::parse_for("nets", "::/0\nfe80::/10\n", 1, WHITE).unwrap_err();
        assert!(e.message.contains("raise Max_White_Hosts"), "{}", e.message);
        let n = NetList::parse_for("nets", "0.0.0.0/0\n", 1, CRYPTO).unwrap();
        assert_eq!(
            n.warnings,
            ["nets:1: IPv4 mask of 0 bits: every IPv4 address is anonymised"]
        );
        let e = NetList::parse("nets", "10.0.0.0/8\n11.0.0.0/8\n", 1).unwrap_err();
        assert!(
            e.message.contains("raise Max_Internal_Hosts"),
            "{}",
            e.message
        );
    }

    #[test]
    fn all_four_formats() {
        let text =
            "# comment\n10.0.0.0/8\n172.16.0.0/255.240.0.0\nfc00::/7\n192.168.0.0\n255.255.0.0\n";
        let n = NetList::parse("net", text, 100).unwrap();
        for a in ["10.1.2.3", "172.31.255.1", "192.168.9.9", "fd00::1"] {
            assert!(n.contains(&ip(a)), "{a}");
        }
        for a in [
            "11.0.0.1",
            "172.32.0.1",
            "192.169.0.1",
            "2001:db8::1",
            "fe80::1",
        ] {
            assert!(!n.contains(&ip(a)), "{a}");
        }
    }

    #[test]
    fn a_missing_family_matches_everything() {
        let n = NetList::parse("net", "10.0.0.0/8\n", 100).unwrap();
        assert!(n.contains(&ip("2001:db8::1")));
        assert!(!n.contains(&ip("8.8.8.8")));
    }

    #[test]
    fn errors_name_the_line() {
        let e = NetList::parse("net", "10.0.0.0/8\n\n10.0.0.0/40\n", 100).unwrap_err();
        assert_eq!(e.line, 3);
        let e = NetList::parse("net", "10.0.0.0\n", 100).unwrap_err();
        assert_eq!(e.line, 1);
        let e = NetList::parse("net", "1.0.0.0/8\n2.0.0.0/8\n", 1).unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn zero_mask_warns() {
        let n = NetList::parse("net", "0.0.0.0/0\n::/0\n", 100).unwrap();
        assert_eq!(n.warnings.len(), 2);
        assert!(n.contains(&ip("8.8.8.8")));
    }
}
