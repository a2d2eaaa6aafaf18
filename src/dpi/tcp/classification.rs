//! What the payload classifiers (DPI, IPP2P, the DNS cache) know about a TCP connection, kept by
//! the engine in each connection record: the
//! core columns `con_t`, `p2p_t`, `http_t`, the P2P set and the DPI part of the Layer-7 set
//! (http_req_cnt, http_res_cnt and http_hostname are the HTTP plugin's: `dpi::http`).
//! Without the `dpi` feature nothing fills them, and the logs print Tstat's values for a
//! connection none of its classifiers recognised.

use super::l7::L7Flow;

pub use super::ipp2p::Ed2kCounts;

/// Set by the classifiers; all zero/empty until one matches.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Classification {
    /// Protocol bit mask (`con_t`).
    pub con_type: u32,
    /// Tstat's `p2p_type`: protocol × 100 + subtype (`p2p_t`, `p2p_st`).
    pub p2p_type: u32,
    /// HTTP content class (`http_t` is this + 1 for HTTP connections).
    pub http_data: u32,
    pub ed2k: Ed2kCounts,
    /// First HTTP status code (`http_res`), up to three digits.
    pub http_response: heapless::Vec<u8, 3>,
    /// TLS NPN/ALPN bit masks and the session-reuse bit map.
    pub client_npnalpn: u32,
    pub server_npnalpn: u32,
    pub tls_session: u32,
    /// Slot of the connection's TLS texts and times in the tracker's TLS pool.
    pub tls: Option<u32>,
    /// The service its server name belongs to (`dpi::tcp::tls_services`), set when the TLS
    /// state settles; only the histograms read it.
    pub tls_service: u8,
    /// The classifiers' own state.
    pub l7: L7Flow,
    /// Texts (FQDN, HTTP host name); `None` prints Tstat's placeholders. Boxed so that a
    /// connection nothing recognised stays small.
    pub names: Option<Box<Names>>,
}

/// Texts found in the payload or the DNS cache.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    pub fqdn: Option<String>,
}

impl Classification {
    /// `p2p_t`: the protocol part of `p2p_type`.
    pub fn p2p_protocol(&self) -> u32 {
        self.p2p_type / 100
    }

    /// `p2p_st`: the subtype part.
    pub fn p2p_subtype(&self) -> u32 {
        self.p2p_type % 100
    }

    /// The connection is HTTP (con_t bit 1).
    pub fn is_http(&self) -> bool {
        self.con_type & super::con::HTTP != 0
    }

    /// The connection is TLS (con_t bit 8192).
    pub fn is_tls(&self) -> bool {
        self.con_type & super::con::SSL != 0
    }

    /// `http_t`: 0 unless the connection is HTTP.
    pub fn http_type(&self) -> u32 {
        if self.is_http() {
            self.http_data + 1
        } else {
            0
        }
    }
}
