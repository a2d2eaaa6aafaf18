//! What the payload classifiers (DPI, IPP2P, the DNS cache) know about a connection: the
//! core columns `con_t`, `p2p_t`, `http_t`, the P2P set and the DPI part of the Layer-7 set
//! (http_req_cnt, http_res_cnt and http_hostname are the HTTP plugin's: `dpi::http`).
//! No classifier exists yet, so every field keeps its "nothing matched" value, which the logs
//! print exactly as Tstat does for a connection none of its classifiers recognised.

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
    /// TLS NPN/ALPN bit masks and the session-reuse bit map.
    pub client_npnalpn: u32,
    pub server_npnalpn: u32,
    pub tls_session: u32,
    /// Texts (SNI, certificate name, FQDN, ...); `None` prints Tstat's placeholders. Boxed so
    /// that a connection nothing recognised stays small.
    pub names: Option<Box<Names>>,
}

/// eDonkey message counts (P2P set).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ed2kCounts {
    pub data: u32,
    pub signalling: u32,
    pub client_to_server: u32,
    pub client_to_client: u32,
    pub chat: u32,
}

/// Texts found in the payload or the DNS cache.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    pub http_response: Option<String>,
    pub tls_sni: Option<String>,
    pub tls_server_name: Option<String>,
    pub fqdn: Option<String>,
    pub tls_client_version: Option<String>,
    pub tls_server_version: Option<String>,
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

    /// `http_t`: 0 unless the connection is HTTP.
    pub fn http_type(&self) -> u32 {
        const HTTP: u32 = 1;
        if self.con_type & HTTP != 0 {
            self.http_data + 1
        } else {
            0
        }
    }
}
