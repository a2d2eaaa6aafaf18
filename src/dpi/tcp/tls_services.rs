//! The service behind a TLS connection, from the server name its client asked for
//! (tls_services.c: `map_tls_service`). Only the histograms read it (`L7_TLS_num_*`,
//! `tls_bitrate_*`). Tstat matches POSIX regexes that are all suffix, prefix or whole-name
//! tests; so do we, case-sensitively as `regexec` without REG_ICASE.

/// tls_service values (struct.h `TLS_*`).
pub mod service {
    pub const OTHER: u8 = 0;
    pub const GOOGLE: u8 = 1;
    pub const YOUTUBE: u8 = 2;
    pub const FACEBOOK: u8 = 3;
    pub const NETFLIX: u8 = 4;
    pub const DROPBOX: u8 = 5;
    pub const MICROSOFT: u8 = 6;
    pub const APPLE: u8 = 7;
    pub const INSTAGRAM: u8 = 8;
}

/// One of Tstat's patterns.
enum Rule {
    EndsWith(&'static str),
    StartsWith(&'static str),
    Whole(&'static str),
    /// `^instagram\..*\.fbcdn\.net$`
    InstagramFbcdn,
}

impl Rule {
    fn matches(&self, name: &[u8]) -> bool {
        match self {
            Rule::EndsWith(s) => name.ends_with(s.as_bytes()),
            Rule::StartsWith(s) => name.starts_with(s.as_bytes()),
            Rule::Whole(s) => name == s.as_bytes(),
            Rule::InstagramFbcdn => {
                let (head, tail) = (b"instagram.", b".fbcdn.net");
                name.len() >= head.len() + tail.len()
                    && name.starts_with(head)
                    && name.ends_with(tail)
            }
        }
    }
}

use Rule::*;

const YOUTUBE: &[Rule] = &[
    EndsWith(".googlevideo.com"),
    EndsWith(".gvt1.com"),
    EndsWith(".youtube.com"),
    EndsWith(".youtube-nocookie.com"),
    EndsWith(".ytimg.com"),
];
const GOOGLE: &[Rule] = &[
    EndsWith(".google.com"),
    EndsWith(".googleusercontent.com"),
    EndsWith(".googleapis.com"),
    EndsWith(".gstatic.com"),
];
const NETFLIX: &[Rule] = &[EndsWith(".nflxvideo.net")];
/// Tstat's Facebook test stops one pattern short of its list (`<` instead of `<=`), so
/// `^fbexternal` never matches.
const FACEBOOK: &[Rule] = &[
    EndsWith(".facebook.com"),
    EndsWith(".fbcdn.net"),
    EndsWith(".facebook.net"),
    StartsWith("fbcdn"),
    StartsWith("fbstatic"),
];
const DROPBOX: &[Rule] = &[
    EndsWith(".dropbox.com"),
    EndsWith(".dropboxstatic.com"),
    EndsWith(".dropboxusercontent.com"),
];
const MICROSOFT: &[Rule] = &[
    Whole("officecdn"),
    EndsWith(".live.com"),
    EndsWith(".microsoft.com"),
    EndsWith(".windows.net"),
    EndsWith(".live.net"),
    EndsWith(".sharepoint.com"),
];
const APPLE: &[Rule] = &[
    EndsWith(".icloud-content.com"),
    EndsWith(".apple.com"),
    EndsWith(".icloud.com"),
    EndsWith(".apple.com."),
    EndsWith(".icloud.com."),
];
const INSTAGRAM: &[Rule] = &[
    EndsWith(".cdninstagram.com"),
    EndsWith(".instagram.com"),
    InstagramFbcdn,
];

/// The service of a connection whose client asked for `sni` (`None`: no server name), in
/// Tstat's order of tests: Instagram before Facebook, whose rules also match Instagram's.
pub fn of(sni: Option<&[u8]>) -> u8 {
    let Some(name) = sni else {
        return service::OTHER;
    };
    let order: [(&[Rule], u8); 8] = [
        (INSTAGRAM, service::INSTAGRAM),
        (FACEBOOK, service::FACEBOOK),
        (MICROSOFT, service::MICROSOFT),
        (GOOGLE, service::GOOGLE),
        (YOUTUBE, service::YOUTUBE),
        (DROPBOX, service::DROPBOX),
        (APPLE, service::APPLE),
        (NETFLIX, service::NETFLIX),
    ];
    order
        .iter()
        .find(|(rules, _)| rules.iter().any(|r| r.matches(name)))
        .map_or(service::OTHER, |&(_, s)| s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of_name(n: &str) -> u8 {
        of(Some(n.as_bytes()))
    }

    #[test]
    fn services_follow_tstats_patterns_and_order() {
        assert_eq!(of_name("r3---sn-abc.googlevideo.com"), service::YOUTUBE);
        assert_eq!(of_name("www.google.com"), service::GOOGLE);
        // ytimg is YouTube's, but Google's test runs first and does not match it.
        assert_eq!(of_name("i.ytimg.com"), service::YOUTUBE);
        assert_eq!(of_name("scontent.cdninstagram.com"), service::INSTAGRAM);
        assert_eq!(of_name("instagram.fmxp1-1.fbcdn.net"), service::INSTAGRAM);
        assert_eq!(of_name("static.xx.fbcdn.net"), service::FACEBOOK);
        assert_eq!(of_name("fbstatic-a.akamaihd.net"), service::FACEBOOK);
        // The last Facebook pattern is never tried.
        assert_eq!(of_name("fbexternal-a.akamaihd.net"), service::OTHER);
        assert_eq!(of_name("officecdn"), service::MICROSOFT);
        assert_eq!(of_name("officecdn.microsoft"), service::OTHER);
        assert_eq!(of_name("outlook.live.com"), service::MICROSOFT);
        assert_eq!(of_name("www.icloud.com."), service::APPLE);
        assert_eq!(of_name("ipv4-c001.1.nflxvideo.net"), service::NETFLIX);
        assert_eq!(of_name("dl.dropboxusercontent.com"), service::DROPBOX);
        // No leading dot, no match: the patterns want a subdomain.
        assert_eq!(of_name("google.com"), service::OTHER);
        // regexec is case-sensitive here.
        assert_eq!(of_name("WWW.GOOGLE.COM"), service::OTHER);
        assert_eq!(of(None), service::OTHER);
    }
}
