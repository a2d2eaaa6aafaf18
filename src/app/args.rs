//! Tstat's command line. Every flag Tstat 3.2.1 accepts is accepted here; those whose feature
//! this build does not have are reported by [`Args::unsupported`] instead of being ignored.

use argh::FromArgs;

use crate::sink::file::Compression;

/// tstat: passive network traffic analyzer, output-compatible with Tstat 3.2.1.
///
/// Reads pcap and pcapng traces, snoop too in desktop builds (optionally gzip, zstd or xz compressed; `-` or `stdin` for
/// standard input) and writes Tstat's per-flow logs into DIR/YYYY_MM_DD_HH_MM.out.
/// Without any argument the arguments are read from ./tstat.conf.
#[derive(FromArgs, Debug, Default, PartialEq)]
pub struct Args {
    /// output folder (default: <trace>.out)
    #[argh(option, short = 's')]
    pub outdir: Option<String>,
    /// file with the internal networks
    #[argh(option, short = 'N')]
    pub netfile: Option<String>,
    /// runtime configuration file (runtime.conf)
    #[argh(option, short = 'T')]
    pub runtime: Option<String>,
    /// global constants file (globals.conf)
    #[argh(option, short = 'G')]
    pub globals: Option<String>,
    /// histogram configuration file
    #[argh(option, short = 'H')]
    pub histo: Option<String>,
    /// folder of the Skype Bayesian classifier configuration
    #[argh(option, short = 'B')]
    pub bayes: Option<String>,
    /// do not trace UDP
    #[argh(switch, short = 'u')]
    pub no_udp: bool,
    /// do not write any log (runtime.conf may enable some)
    #[argh(switch, short = 'L')]
    pub no_logs: bool,
    /// do not write histograms
    #[argh(switch, short = 'S')]
    pub no_histo: bool,
    /// write global histograms too
    #[argh(switch, short = 'g')]
    pub global_histo: bool,
    /// treat all trace files as one trace (concatenate)
    #[argh(switch, short = 'c')]
    pub concat: bool,
    /// show progress on stderr
    #[argh(switch, short = 't')]
    pub progress: bool,
    /// print the version and exit
    #[argh(switch, short = 'v')]
    pub version: bool,
    /// send all messages to this file
    #[argh(option, short = 'z')]
    pub messages_to: Option<String>,
    /// ignore IPv6 traffic
    #[argh(switch, short = '6')]
    pub no_ipv6: bool,
    /// print many warnings
    #[argh(switch, short = 'w')]
    pub warnings: bool,
    /// increase the debug level
    #[argh(switch, short = 'd')]
    pub debug: bool,
    /// strict privacy mode
    #[argh(switch, short = '0')]
    pub privacy: bool,
    /// two interfaces with wired directions
    #[argh(switch, short = '2')]
    pub wired: bool,
    /// layer-3 bitrate log
    #[argh(switch, short = '3')]
    pub l3_bitrate: bool,
    /// file with the internal MAC addresses
    #[argh(option, short = 'M')]
    pub macfile: Option<String>,
    /// file with the cloud networks
    #[argh(option, short = 'C')]
    pub cloudfile: Option<String>,
    /// file with the networks to anonymise (Crypto-PAn)
    #[argh(option, short = 'Y')]
    pub cryptofile: Option<String>,
    /// file with networks exempt from anonymisation
    #[argh(option, short = 'W')]
    pub whitefile: Option<String>,
    /// mask XORed into internal IPv4 addresses
    #[argh(option, short = 'A')]
    pub anon_mask: Option<String>,
    /// gzip-compressed logs (log_*.gz)
    #[argh(switch, short = 'Z')]
    pub gzip_logs: bool,
    /// zstd-compressed logs (log_*.zst; our addition)
    #[argh(switch)]
    pub zstd: bool,
    /// analysis threads: a reader hands flows to N workers by flow hash (default 1 on
    /// machines with up to 3 cores, else up to 3; our addition)
    #[argh(option)]
    pub workers: Option<usize>,
    /// after opening the capture, run as this user (our addition)
    #[argh(option)]
    pub user: Option<String>,
    /// gzip-compressed dumps
    #[argh(switch, short = 'P')]
    pub gzip_dumps: bool,
    /// disable DN-Hunter
    #[argh(switch, short = 'X')]
    pub no_dnhunter: bool,
    /// file with the DNS name filter for dumps
    #[argh(option, short = 'F')]
    pub dns_filter: Option<String>,
    /// folder for RRD output
    #[argh(option, short = 'r')]
    pub rrd_dir: Option<String>,
    /// configuration file for RRD
    #[argh(option, short = 'R')]
    pub rrd_conf: Option<String>,
    /// send every RRD update to this carbon server as plaintext (our addition; needs -R)
    #[argh(option)]
    pub graphite: Option<String>,
    /// carbon metric prefix: PREFIX.<histogram>.<stat> (default tstat.<host name>)
    #[argh(option)]
    pub graphite_prefix: Option<String>,
    /// write the last flush's RRD values to this file in the Prometheus text format (our
    /// addition; needs -R)
    #[argh(option)]
    pub prom_file: Option<String>,
    /// live capture
    #[argh(switch, short = 'l')]
    pub live: bool,
    /// capture interface
    #[argh(option, short = 'i')]
    pub interface: Option<String>,
    /// capture snaplen (default 550)
    #[argh(option, short = 'E')]
    pub snaplen: Option<u32>,
    /// file with a BPF filter expression
    #[argh(option, short = 'f')]
    pub filter: Option<String>,
    /// configuration for DPMI
    #[argh(option, short = 'D')]
    pub dpmi: Option<String>,
    /// key for Crypto-PAn anonymisation
    #[argh(option)]
    pub keyvalue: Option<String>,
    /// file with the key for Crypto-PAn
    #[argh(option)]
    pub keyfile: Option<String>,
    /// file with the base64 key for Crypto-PAn
    #[argh(option)]
    pub keybase64: Option<String>,
    /// encrypt host names in the logs with the Crypto-PAn key
    #[argh(switch)]
    pub enc: bool,
    /// report wrap-around events of the DN-Hunter caches
    #[argh(switch, short = 'Q')]
    pub dn_wraps: bool,
    /// trace files (`-` or `stdin` for standard input)
    #[argh(positional, greedy)]
    pub traces: Vec<String>,
}

impl Args {
    /// How the logs are stored: `-Z` gzip, `--zstd` zstd, else plain text. An error when
    /// both are asked for or this build lacks the encoder.
    pub fn log_compression(&self) -> Result<Compression, String> {
        let c = match (self.gzip_logs, self.zstd) {
            (true, true) => return Err("give -Z (gzip) or --zstd, not both".into()),
            (true, false) => Compression::Gzip,
            (false, true) => Compression::Zstd,
            (false, false) => Compression::None,
        };
        if !c.available() {
            return Err(format!(
                "{} logs need a build with the `{}` feature",
                if c == Compression::Gzip {
                    "-Z (gzip)"
                } else {
                    "--zstd"
                },
                if c == Compression::Gzip {
                    "gzip"
                } else {
                    "zstd"
                }
            ));
        }
        Ok(c)
    }

    /// Flags this build cannot honour and that would change what is written (hide or keep
    /// real addresses, change directions or columns, drop output, analyse unfiltered
    /// traffic): each named with the reason. tstat refuses to run with any of them (exit 2).
    pub fn refused(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut refuse = |on: bool, msg: &str| {
            if on {
                out.push(msg.to_string());
            }
        };
        let live_built = cfg!(feature = "live");
        refuse(
            !live_built && (self.live || self.interface.is_some() || self.snaplen.is_some()),
            "-l/-i/-E (live capture) need a build with the `live` feature",
        );
        refuse(
            !live_built && self.filter.is_some(),
            "-f (BPF filter) needs a build with the `live` feature (libpcap compiles the filter); \
             without it every packet would be analysed",
        );
        refuse(
            !cfg!(feature = "anon")
                && (self.cryptofile.is_some()
                    || self.keyvalue.is_some()
                    || self.keyfile.is_some()
                    || self.keybase64.is_some()
                    || self.whitefile.is_some()
                    || self.enc),
            "-Y/-W/--key*/--enc (Crypto-PAn) need the `anon` feature",
        );
        refuse(
            self.anon_mask.is_some(),
            "-A (XOR anonymisation of internal addresses) is not implemented yet: the logs \
             would hold the real addresses",
        );
        refuse(
            self.macfile.is_some(),
            "-M (internal MAC addresses) is not implemented yet: directions would follow -N instead",
        );
        refuse(
            self.cloudfile.is_some(),
            "-C (cloud networks) is not implemented yet: the cloud columns would be missing",
        );
        refuse(
            self.wired,
            "-2 (directions from two wired interfaces) is not implemented yet",
        );
        refuse(
            self.l3_bitrate,
            "-3 (layer-3 bitrate log) is not supported: Tstat 3.2.1's own build refuses it too \
             (it needs the L3_BITRATE compile-time option)",
        );
        refuse(
            self.dpmi.is_some(),
            "-D (DPMI) is not supported: Tstat 3.2.1's own build refuses it too (GROK_DPMI)",
        );
        refuse(
            self.gzip_dumps || self.dns_filter.is_some(),
            "-P/-F (pcap dumps) are not implemented yet: no dump would be written",
        );
        let rrd_built = cfg!(feature = "rrd");
        refuse(
            !rrd_built && (self.rrd_dir.is_some() || self.rrd_conf.is_some()),
            "-r/-R (RRD output) need a build with the `rrd` feature: no RRD database would be \
             written",
        );
        refuse(
            !rrd_built
                && (self.graphite.is_some()
                    || self.graphite_prefix.is_some()
                    || self.prom_file.is_some()),
            "--graphite/--graphite-prefix/--prom-file need a build with the `rrd` feature",
        );
        refuse(
            (self.graphite.is_some() || self.graphite_prefix.is_some())
                && !cfg!(feature = "graphite"),
            "--graphite needs a build with the `graphite` feature: nothing would be sent",
        );
        out
    }

    /// Flags accepted with a warning: what they ask for is missing, and nothing that is
    /// written changes.
    pub fn warnings(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut check = |on: bool, msg: &'static str| {
            if on {
                out.push(msg);
            }
        };
        let histo_built = cfg!(feature = "histo");
        check(
            !histo_built && self.histo.is_some() && !self.no_histo,
            "-H (histograms) needs a build with the `histo` feature: no histogram is written",
        );
        check(
            !histo_built && self.global_histo,
            "-g (global histograms) needs a build with the `histo` feature: no histogram is written",
        );
        check(
            self.dn_wraps,
            "-Q (DN-Hunter wrap-around reports) is not implemented yet: no report is printed",
        );
        out
    }
}

/// Split the text of a tstat.conf into arguments: every blank-separated word, with `#`
/// starting a comment to the end of the line.
pub fn words_of_conf(text: &str) -> Vec<String> {
    text.lines()
        .flat_map(|l| {
            l.split_whitespace()
                .take_while(|w| !w.starts_with('#'))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Args {
        Args::from_args(&["tstat"], args).unwrap()
    }

    #[test]
    fn reference_command_line() {
        let a = parse(&[
            "-N",
            "conf/net.private",
            "-T",
            "conf/runtime.conf",
            "-H",
            "conf/histo.conf",
            "-B",
            "conf/bayes",
            "-g",
            "-s",
            "out",
            "trace.pcap",
        ]);
        assert_eq!(a.netfile.as_deref(), Some("conf/net.private"));
        assert_eq!(a.outdir.as_deref(), Some("out"));
        assert!(a.global_histo);
        assert_eq!(a.traces, vec!["trace.pcap"]);
    }

    #[test]
    fn flags_that_would_change_the_output_are_refused() {
        let a = parse(&["-l", "-i", "eth0"]);
        let live_named = a.refused().iter().any(|m| m.starts_with("-l/-i"));
        assert_eq!(
            live_named,
            !cfg!(feature = "live"),
            "refused only without the live feature"
        );
        for flags in [
            &["-Y", "nets", "--keyvalue", "k"][..],
            &["--keyfile", "f"],
            &["--keybase64", "f"],
            &["--enc"],
            &["-W", "nets"],
        ] {
            let mut v = flags.to_vec();
            v.push("x.pcap");
            let refused = usize::from(!cfg!(feature = "anon"));
            assert_eq!(parse(&v).refused().len(), refused, "{flags:?}");
        }
        for flags in [
            &["-A", "0xff"][..],
            &["-M", "macs"],
            &["-C", "clouds"],
            &["-2"],
            &["-3"],
            &["-D", "dpmi.conf"],
            &["-P"],
            &["-F", "names"],
        ] {
            let mut v = flags.to_vec();
            v.push("x.pcap");
            assert_eq!(parse(&v).refused().len(), 1, "{flags:?}");
        }
        assert!(parse(&["-Z", "x.pcap"]).refused().is_empty());
        assert!(parse(&["x.pcap"]).refused().is_empty());
        assert!(parse(&["-H", "h.conf", "-g", "x.pcap"])
            .refused()
            .is_empty());
        let histo_warnings = if cfg!(feature = "histo") { 0 } else { 2 };
        assert_eq!(
            parse(&["-H", "h.conf", "-g", "x.pcap"]).warnings().len(),
            histo_warnings
        );
    }

    #[test]
    fn conf_words() {
        assert_eq!(
            words_of_conf("-s out # where\n-N net\n\nfile.pcap\n"),
            vec!["-s", "out", "-N", "net", "file.pcap"]
        );
    }
}
