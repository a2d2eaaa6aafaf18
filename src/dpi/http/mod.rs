//! Tstat 3.2.1's HTTP plugin (docs/semantics/http-log.md): per packet of a tracked TCP
//! connection, the request/response counters and the first `Host:` of log_tcp_complete
//! (http_req_cnt, http_res_cnt, http_hostname), and the rows of log_http_complete: a request
//! row, a response row, or a `REQ2`/`RES2` continuation row.
//!
//! The engine calls [`HttpLog::packet`] for every packet that reaches protocol analysis; the
//! row it produces is kept as offsets into the payload ([`Pending`]) and turned into an
//! [`HttpMessage`] of borrowed slices by [`HttpLog::message`], so nothing is copied but the
//! four long fields Tstat keeps in buffers shared by all flows (§4.3: a continuation can print
//! what an earlier packet of any flow left there).
//!
//! Counters and hostname are computed when the build has `dpi` or `http-log` (Tstat computes
//! them whatever runtime.conf says); rows need the `http-log` feature and log_http_complete
//! enabled.

pub mod scan;
// The rules need the plugin built in; the scanners test themselves.
#[cfg(all(test, feature = "http-log"))]
mod tests;

use scan::Found;

use crate::dpi::dnshunter::DnsTag;
use crate::engine::flow::Endpoint;

/// The counters and http_hostname are computed in this build.
pub const COUNTS: bool = cfg!(any(feature = "dpi", feature = "http-log"));
/// log_http_complete rows are computed in this build.
pub const ROWS: bool = cfg!(feature = "http-log");

/// Longest Host, DNT and response header values (Tstat's 200-byte buffers less the NUL).
pub const SMALL: usize = 199;
/// Longest request target, Referer, User-Agent, Cookie, Set-Cookie and Location.
pub const LARGE: usize = 1599;
/// Longest method.
const METHOD: usize = 9;

/// The printed truncation mark.
pub const MARK: &[u8] = b"[*]";

/// Which field a message cut at the end of its segment left open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Fragment {
    #[default]
    None,
    Path,
    Referer,
    UserAgent,
    Cookie,
    SetCookie,
    Location,
}

/// What the plugin keeps per connection.
#[derive(Debug, Clone, Default)]
pub struct HttpFlow {
    /// Client segments starting with a request keyword (http_req_cnt).
    pub requests: u32,
    /// Server segments starting with `HTTP` (http_res_cnt).
    pub responses: u32,
    /// First `Host:` value of a request (http_hostname); empty until one is found (a found
    /// value is never empty).
    hostname: heapless::Vec<u8, SMALL>,
    request_pending: bool,
    response_pending: bool,
    request_fragment: Fragment,
    response_fragment: Fragment,
}

impl HttpFlow {
    /// http_hostname, if a request carried a `Host:`.
    pub fn hostname(&self) -> Option<&[u8]> {
        (!self.hostname.is_empty()).then_some(self.hostname.as_slice())
    }

    fn note_hostname(&mut self, value: &[u8]) {
        if self.hostname.is_empty() {
            let _ = self
                .hostname
                .extend_from_slice(&value[..value.len().min(SMALL)]);
        }
    }
}

/// The four buffers Tstat shares between all flows, whose contents a continuation row may print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shared {
    /// Request target, or a response's Location.
    Url,
    Referer,
    UserAgent,
    /// Cookie, or a response's Set-Cookie.
    Cookie,
}

#[derive(Default)]
struct SharedFields {
    url: heapless::Vec<u8, LARGE>,
    referer: heapless::Vec<u8, LARGE>,
    user_agent: heapless::Vec<u8, LARGE>,
    cookie: heapless::Vec<u8, LARGE>,
}

impl SharedFields {
    fn get(&self, which: Shared) -> &[u8] {
        match which {
            Shared::Url => &self.url,
            Shared::Referer => &self.referer,
            Shared::UserAgent => &self.user_agent,
            Shared::Cookie => &self.cookie,
        }
    }

    fn set(&mut self, which: Shared, value: &[u8]) {
        let buf = match which {
            Shared::Url => &mut self.url,
            Shared::Referer => &mut self.referer,
            Shared::UserAgent => &mut self.user_agent,
            Shared::Cookie => &mut self.cookie,
        };
        buf.clear();
        let _ = buf.extend_from_slice(&value[..value.len().min(LARGE)]);
    }
}

/// Where a printed value comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Source {
    /// Printed `-`.
    #[default]
    Dash,
    /// A range of the segment's captured payload.
    Payload(u32, u32),
    /// The first `len` bytes of a shared buffer.
    Shared(Shared, u32),
}

/// A value of a pending row with its truncation marks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Value {
    source: Source,
    lead: bool,
    trail: bool,
}

impl Value {
    fn payload(f: Found) -> Value {
        Value {
            source: Source::Payload(f.start as u32, f.end as u32),
            ..Value::default()
        }
    }

    fn found_or_dash(f: Option<Found>) -> Value {
        f.map_or(Value::default(), Value::payload)
    }
}

/// The kind of a log_http_complete row (column 6 of continuations and responses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Request,
    Req2,
    Response,
    Res2,
}

/// The connection a packet belongs to, as a row names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Connection {
    pub client: Endpoint,
    pub server: Endpoint,
    /// Its DN-Hunter entry (the fqdn of request rows).
    pub dns: Option<DnsTag>,
}

/// A row the last packet produced, with its connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub connection: Connection,
    pub pending: Pending,
}

/// The columns of a row, as offsets and shared-buffer prefixes; see [`HttpLog::message`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending {
    pub kind: Kind,
    /// The request method (request rows only; `Dash` when the request line did not parse).
    method: Value,
    /// Columns 7-13 of a response; for requests Host, path, referer, user agent, cookie, DNT
    /// (the fqdn column is the engine's) and an unused seventh.
    values: [Value; 7],
}

/// A printed value: optional leading mark, the text (`-` when absent), optional trailing mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text<'a> {
    pub lead: bool,
    pub value: &'a [u8],
    pub trail: bool,
}

/// One log_http_complete row, borrowing the payload and the plugin's shared buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMessage<'a> {
    /// Columns 6-13 without fqdn (column 8): the method (`REQ2` for a continuation), Host,
    /// path, referer, user agent, cookie, DNT.
    Request {
        method: &'a [u8],
        fields: [Text<'a>; 6],
    },
    /// Columns 6-13: `HTTP` or `RES2`, response code, Content-Length, Content-Type, Server,
    /// Content-Range, Location, Set-Cookie.
    Response {
        status: &'a [u8],
        fields: [Text<'a>; 7],
    },
}

/// The plugin's run-wide state: configuration, the shared buffers, the last row.
pub struct HttpLog {
    /// Rows are wanted (log_http_complete enabled and built in).
    rows: bool,
    /// runtime.conf's httplog_full_url: 0 no URLs, 1 without the query, 2 everything.
    full_url: u32,
    shared: SharedFields,
    pending: Option<Row>,
}

impl Default for HttpLog {
    fn default() -> HttpLog {
        HttpLog::new(false, 0)
    }
}

/// The segment under analysis.
struct Segment<'p> {
    /// The C string the expressions see (captured payload up to the first NUL).
    text: &'p [u8],
    /// Captured payload length.
    captured: usize,
}

impl Segment<'_> {
    /// Tstat's truncation test: the match ends at the last captured byte or the one before.
    fn reaches_end(&self, end: usize) -> bool {
        end + 1 >= self.captured
    }

    fn header(&self, from: usize, label: &[u8], class: fn(u8) -> bool) -> Option<Found> {
        let hay = self.text.get(from..)?;
        scan::header(hay, label, class).map(|f| f.shifted(from))
    }

    fn bytes(&self, f: Found) -> &[u8] {
        self.text.get(f.start..f.end).unwrap_or_default()
    }
}

/// The headers a request (or its continuation) may carry, with their value classes.
const REFERER: &[u8] = b"Referer: ";
const USER_AGENT: &[u8] = b"User-Agent: ";
const COOKIE: &[u8] = b"Cookie: ";
const HOST: &[u8] = b"Host: ";
const DNT: &[u8] = b"DNT: ";
/// Response headers in the order of columns 8-11.
const RESPONSE_HEADERS: [&[u8]; 4] = [
    b"Content-Length: ",
    b"Content-Type: ",
    b"Server: ",
    b"Content-Range: ",
];
const SET_COOKIE: &[u8] = b"Set-Cookie: ";
const LOCATION: &[u8] = b"Location: ";

/// A 4-byte keyword that starts a request, and the longer method it must be spelled out as.
fn request_keyword(data: &[u8]) -> Keyword {
    let Some(kw) = data.get(..4) else {
        return Keyword::Other;
    };
    match kw {
        b"GET " | b"POST" | b"HEAD" | b"PUT " => Keyword::Request,
        b"PATC" => long_method(data, b"PATCH "),
        b"DELE" => long_method(data, b"DELETE "),
        b"OPTI" => long_method(data, b"OPTIONS "),
        b"HTTP" => Keyword::Response,
        _ => Keyword::Other,
    }
}

/// Tstat's verify_long_method: `PATC`, `DELE`, `OPTI` count only as the whole method and a space.
fn long_method(data: &[u8], method: &[u8]) -> Keyword {
    if data.starts_with(method) {
        Keyword::Request
    } else {
        Keyword::Unverified
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keyword {
    Request,
    /// `PATC`/`DELE`/`OPTI` without the rest of the method: ignored in both directions.
    Unverified,
    Response,
    Other,
}

/// A request header whose value goes to a shared buffer.
struct SharedHeader {
    field: Shared,
    label: &'static [u8],
    class: fn(u8) -> bool,
    /// What stays open when the value reaches the end of the segment.
    fragment: Fragment,
}

/// Request-side shared fields and their headers, in Tstat's search order.
const REQUEST_SHARED: [SharedHeader; 3] = [
    SharedHeader {
        field: Shared::Referer,
        label: REFERER,
        class: scan::is_token,
        fragment: Fragment::Referer,
    },
    SharedHeader {
        field: Shared::UserAgent,
        label: USER_AGENT,
        class: scan::is_line,
        fragment: Fragment::UserAgent,
    },
    SharedHeader {
        field: Shared::Cookie,
        label: COOKIE,
        class: scan::is_line,
        fragment: Fragment::Cookie,
    },
];

/// The short response headers of a server segment into columns 8 onwards (`values[1..]`);
/// true when any was found. Response and RES2 rows read them alike.
fn response_headers(seg: &Segment<'_>, values: &mut [Value; 7]) -> bool {
    let mut found = false;
    for (i, label) in RESPONSE_HEADERS.iter().enumerate() {
        let hit = seg.header(0, label, scan::is_line);
        found |= hit.is_some();
        values[1 + i] = Value::found_or_dash(hit.map(|f| f.capped(SMALL)));
    }
    found
}

impl HttpLog {
    /// `rows`: log_http_complete is enabled (ignored in builds without `http-log`);
    /// `full_url`: runtime.conf's httplog_full_url.
    pub fn new(rows: bool, full_url: u32) -> HttpLog {
        HttpLog {
            rows: ROWS && rows,
            full_url,
            shared: SharedFields::default(),
            pending: None,
        }
    }

    /// New settings after a runtime.conf reload; connections keep their state.
    pub fn configure(&mut self, rows: bool, full_url: u32) {
        self.rows = ROWS && rows;
        self.full_url = full_url;
    }

    /// The row the last packet produced, if any (taken: asked once per packet).
    pub fn take_pending(&mut self) -> Option<Row> {
        self.pending.take()
    }

    /// One packet of `connection`: `client` tells its direction, `payload` is the captured TCP
    /// payload, `payload_len` the length the IP header declares.
    pub fn packet(
        &mut self,
        flow: &mut HttpFlow,
        connection: Connection,
        client: bool,
        payload: &[u8],
        payload_len: u64,
    ) {
        self.pending = None;
        // Tstat wants five captured bytes although it reads four.
        if !COUNTS || payload_len == 0 || payload.len() < 5 {
            return;
        }
        let keyword = request_keyword(payload);
        match (keyword, client) {
            (Keyword::Request, true) => flow.requests = flow.requests.wrapping_add(1),
            (Keyword::Response, false) => flow.responses = flow.responses.wrapping_add(1),
            _ => {}
        }
        let seg = Segment {
            text: scan::c_string(payload),
            captured: payload.len(),
        };
        if !self.rows {
            if keyword == Keyword::Request && client {
                if let Some(host) = seg.header(0, HOST, scan::is_token) {
                    flow.note_hostname(seg.bytes(host.capped(SMALL)));
                }
            }
            return;
        }
        let pending = match (keyword, client) {
            (Keyword::Request, true) => self.request(flow, &seg),
            (Keyword::Response, false) => self.response(flow, &seg, payload),
            (Keyword::Other, true) if flow.request_pending => self.request_continued(flow, &seg),
            (Keyword::Other, false) if flow.response_pending => self.response_continued(flow, &seg),
            _ => None,
        };
        self.pending = pending.map(|pending| Row {
            connection,
            pending,
        });
    }

    /// A segment starting with a request keyword (§2).
    fn request(&mut self, flow: &mut HttpFlow, seg: &Segment<'_>) -> Option<Pending> {
        flow.request_pending = true;
        flow.request_fragment = Fragment::None;
        let mut found = false;
        let mut values = [Value::default(); 7];
        let mut method = Value::default();
        let mut path_cut = false;
        let mut from = 0;
        match scan::request_line(seg.text) {
            Some(line) => {
                found = true;
                method = Value::payload(line.method.capped(METHOD));
                self.shared
                    .set(Shared::Url, seg.bytes(line.target.capped(LARGE)));
                if line.space_after {
                    from = line.target.end;
                } else if seg.reaches_end(line.target.end) {
                    path_cut = true;
                    flow.request_fragment = Fragment::Path;
                }
            }
            None => self.shared.set(Shared::Url, b"-"),
        }
        if let Some(host) = seg.header(from, HOST, scan::is_token) {
            found = true;
            values[0] = Value::payload(host.capped(SMALL));
            flow.note_hostname(seg.bytes(host.capped(SMALL)));
        }
        let mut cut = [false; 3];
        for (i, h) in REQUEST_SHARED.iter().enumerate() {
            let (which, fragment) = (h.field, h.fragment);
            match self.search_shared(h, seg, from) {
                Some(f) => {
                    found = true;
                    self.shared.set(which, seg.bytes(f.capped(LARGE)));
                    if seg.reaches_end(f.end) {
                        cut[i] = true;
                        flow.request_fragment = fragment;
                    }
                }
                None => self.shared.set(which, b"-"),
            }
        }
        let dnt = seg.header(from, DNT, scan::is_line);
        found |= dnt.is_some();
        values[5] = Value::found_or_dash(dnt.map(|f| f.capped(SMALL)));
        let (mut path, mut referer, cleaned) = self.private_urls();
        found |= cleaned;
        if self.full_url == 2 {
            path.trail = path_cut;
            referer.trail = cut[0];
        } else if matches!(flow.request_fragment, Fragment::Path | Fragment::Referer) {
            flow.request_fragment = Fragment::None;
        }
        values[1] = path;
        values[2] = referer;
        values[3] = self.shared_value(Shared::UserAgent, false, cut[1]);
        values[4] = self.shared_value(Shared::Cookie, false, cut[2]);
        found.then_some(Pending {
            kind: Kind::Request,
            method,
            values,
        })
    }

    /// The value of request header `h` from `from` on (Cookie only at httplog_full_url 2).
    fn search_shared(&self, h: &SharedHeader, seg: &Segment<'_>, from: usize) -> Option<Found> {
        if h.field == Shared::Cookie && self.full_url != 2 {
            return None;
        }
        seg.header(from, h.label, h.class)
    }

    /// A whole shared buffer as a value.
    fn shared_value(&self, which: Shared, lead: bool, trail: bool) -> Value {
        Value {
            source: shared_prefix(which, self.shared.get(which).len()),
            lead,
            trail,
        }
    }

    /// Path and referer of a request row per httplog_full_url (§5), without marks; and
    /// whether level 0 found a cleanable referer (which counts as "found").
    fn private_urls(&self) -> (Value, Value, bool) {
        let url = self.shared.get(Shared::Url);
        let referer = self.shared.get(Shared::Referer);
        let prefix = |which: Shared, len: usize| Value {
            source: shared_prefix(which, len),
            ..Value::default()
        };
        match self.full_url {
            0 => match scan::url_clean(referer) {
                Some(n) => (Value::default(), prefix(Shared::Referer, n), true),
                None => (Value::default(), Value::default(), false),
            },
            1 => (
                prefix(Shared::Url, scan::url_partial(url).unwrap_or(url.len())),
                prefix(
                    Shared::Referer,
                    scan::url_partial(referer).unwrap_or(referer.len()),
                ),
                false,
            ),
            2 => (
                prefix(Shared::Url, url.len()),
                prefix(Shared::Referer, referer.len()),
                false,
            ),
            _ => (Value::default(), Value::default(), false),
        }
    }

    /// Location per httplog_full_url (§5), without marks, and whether level 0 cleaned one.
    fn private_location(&self) -> (Value, bool) {
        let url = self.shared.get(Shared::Url);
        let prefix = |len: usize| Value {
            source: shared_prefix(Shared::Url, len),
            ..Value::default()
        };
        match self.full_url {
            0 => match scan::url_clean(url) {
                Some(n) => (prefix(n), true),
                None => (Value::default(), false),
            },
            1 => (prefix(scan::url_partial(url).unwrap_or(url.len())), false),
            2 => (prefix(url.len()), false),
            _ => (Value::default(), false),
        }
    }

    /// A server segment starting with `HTTP` (§3).
    fn response(
        &mut self,
        flow: &mut HttpFlow,
        seg: &Segment<'_>,
        payload: &[u8],
    ) -> Option<Pending> {
        flow.response_pending = true;
        flow.response_fragment = Fragment::None;
        if payload.get(4) != Some(&b'/') {
            return None;
        }
        let mut values = [Value::default(); 7];
        let code = scan::status_code(payload);
        let mut found = code.is_some();
        values[0] = Value::found_or_dash(code);
        found |= response_headers(seg, &mut values);
        let (mut cookie_cut, mut location_cut) = (false, false);
        let set_cookie = if self.full_url == 2 {
            seg.header(0, SET_COOKIE, scan::is_line)
        } else {
            None
        };
        match set_cookie {
            Some(f) => {
                found = true;
                self.shared.set(Shared::Cookie, seg.bytes(f.capped(LARGE)));
                if seg.reaches_end(f.end) {
                    cookie_cut = true;
                    flow.response_fragment = Fragment::SetCookie;
                }
            }
            None => self.shared.set(Shared::Cookie, b"-"),
        }
        match seg.header(0, LOCATION, scan::is_token) {
            Some(f) => {
                found = true;
                self.shared.set(Shared::Url, seg.bytes(f.capped(LARGE)));
                if seg.reaches_end(f.end) {
                    location_cut = true;
                    flow.response_fragment = Fragment::Location;
                }
            }
            None => self.shared.set(Shared::Url, b"-"),
        }
        let (mut location, cleaned) = self.private_location();
        found |= cleaned;
        if self.full_url == 2 {
            location.trail = location_cut;
        } else if flow.response_fragment == Fragment::Location {
            flow.response_fragment = Fragment::None;
        }
        values[5] = location;
        values[6] = self.shared_value(Shared::Cookie, false, cookie_cut);
        found.then_some(Pending {
            kind: Kind::Response,
            method: Value::default(),
            values,
        })
    }

    /// The first line of a continuation segment, if the flow left a field open: it becomes
    /// that field's value (marked as continued). Returns the field and whether the line is the
    /// whole captured segment.
    fn continue_fragment(
        &mut self,
        fragment: Fragment,
        seg: &Segment<'_>,
    ) -> Option<(Shared, bool)> {
        let which = match fragment {
            Fragment::None => return None,
            Fragment::Path | Fragment::Location => Shared::Url,
            Fragment::Referer => Shared::Referer,
            Fragment::UserAgent => Shared::UserAgent,
            Fragment::Cookie | Fragment::SetCookie => Shared::Cookie,
        };
        let line = scan::first_line(seg.text)?.capped(LARGE);
        let whole = seg.captured == line.len();
        let mut text = seg.bytes(line);
        if fragment == Fragment::Path {
            text = &text[..scan::without_protocol(text)];
        }
        self.shared.set(which, text);
        Some((which, whole))
    }

    /// The first client segment after a request that starts no message of its own (§4.1).
    fn request_continued(&mut self, flow: &mut HttpFlow, seg: &Segment<'_>) -> Option<Pending> {
        flow.request_pending = false;
        let fragment = flow.request_fragment;
        let mut found = false;
        // Marks of url, referer, user agent, cookie.
        let mut lead = [false; 4];
        let mut trail = [false; 4];
        let index = |s: Shared| s as usize;
        if let Some((which, whole)) = self.continue_fragment(fragment, seg) {
            found = true;
            lead[index(which)] = true;
            trail[index(which)] = whole;
        }
        if fragment != Fragment::Path {
            self.shared.set(Shared::Url, b"-");
        }
        let mut values = [Value::default(); 7];
        if let Some(host) = seg.header(0, HOST, scan::is_token) {
            found = true;
            values[0] = Value::payload(host.capped(SMALL));
            flow.note_hostname(seg.bytes(host.capped(SMALL)));
        }
        for h in &REQUEST_SHARED {
            let (which, own) = (h.field, h.fragment);
            match self.search_shared(h, seg, 0) {
                Some(f) => {
                    found = true;
                    self.shared.set(which, seg.bytes(f.capped(LARGE)));
                    lead[index(which)] = false;
                    trail[index(which)] |= seg.reaches_end(f.end);
                }
                None if fragment != own => self.shared.set(which, b"-"),
                // The field being continued keeps what the fragment (or an older packet) left.
                None => {}
            }
        }
        let dnt = seg.header(0, DNT, scan::is_line);
        found |= dnt.is_some();
        values[5] = Value::found_or_dash(dnt.map(|f| f.capped(SMALL)));
        let (mut path, mut referer, cleaned) = self.private_urls();
        found |= cleaned;
        match self.full_url {
            1 => {
                // Level 1 keeps a leading mark only where the query cut found nothing.
                let url = self.shared.get(Shared::Url);
                let refr = self.shared.get(Shared::Referer);
                path.lead = lead[0] && scan::url_partial(url).is_none();
                referer.lead = lead[1] && scan::url_partial(refr).is_none();
            }
            2 => {
                (path.lead, path.trail) = (lead[0], trail[0]);
                (referer.lead, referer.trail) = (lead[1], trail[1]);
            }
            _ => {}
        }
        values[1] = path;
        values[2] = referer;
        values[3] = self.shared_value(Shared::UserAgent, lead[2], trail[2]);
        values[4] = self.shared_value(Shared::Cookie, lead[3], trail[3]);
        found.then_some(Pending {
            kind: Kind::Req2,
            method: Value::default(),
            values,
        })
    }

    /// The first server segment after a response that starts no message of its own (§4.2).
    fn response_continued(&mut self, flow: &mut HttpFlow, seg: &Segment<'_>) -> Option<Pending> {
        flow.response_pending = false;
        let fragment = flow.response_fragment;
        let mut found = false;
        let (mut url_lead, mut url_trail, mut cookie_lead, mut cookie_trail) =
            (false, false, false, false);
        if let Some((which, whole)) = self.continue_fragment(fragment, seg) {
            found = true;
            if which == Shared::Url {
                (url_lead, url_trail) = (true, whole);
            } else {
                (cookie_lead, cookie_trail) = (true, whole);
            }
        }
        let mut values = [Value::default(); 7];
        found |= response_headers(seg, &mut values);
        let set_cookie = if self.full_url == 2 {
            seg.header(0, SET_COOKIE, scan::is_line)
        } else {
            None
        };
        match set_cookie {
            Some(f) => {
                found = true;
                self.shared.set(Shared::Cookie, seg.bytes(f.capped(LARGE)));
                cookie_lead = false;
                cookie_trail |= seg.reaches_end(f.end);
            }
            None if fragment != Fragment::SetCookie => self.shared.set(Shared::Cookie, b"-"),
            None => {}
        }
        match seg.header(0, LOCATION, scan::is_token) {
            Some(f) => {
                found = true;
                self.shared.set(Shared::Url, seg.bytes(f.capped(LARGE)));
                url_trail |= seg.reaches_end(f.end);
            }
            None if fragment != Fragment::Location => self.shared.set(Shared::Url, b"-"),
            None => {}
        }
        let (mut location, cleaned) = self.private_location();
        found |= cleaned;
        match self.full_url {
            1 => {
                location.lead =
                    url_lead && scan::url_partial(self.shared.get(Shared::Url)).is_none()
            }
            2 => (location.lead, location.trail) = (url_lead, url_trail),
            _ => {}
        }
        values[5] = location;
        values[6] = self.shared_value(Shared::Cookie, cookie_lead, cookie_trail);
        found.then_some(Pending {
            kind: Kind::Res2,
            method: Value::default(),
            values,
        })
    }

    /// The row `pending` describes, borrowing `payload` (the same captured TCP payload the
    /// packet carried) and the shared buffers.
    pub fn message<'a>(&'a self, pending: &Pending, payload: &'a [u8]) -> HttpMessage<'a> {
        let text = |v: Value| Text {
            lead: v.lead,
            value: self.bytes(v.source, payload),
            trail: v.trail,
        };
        let v = pending.values;
        match pending.kind {
            Kind::Request | Kind::Req2 => HttpMessage::Request {
                method: if pending.kind == Kind::Req2 {
                    b"REQ2"
                } else {
                    self.bytes(pending.method.source, payload)
                },
                fields: [v[0], v[1], v[2], v[3], v[4], v[5]].map(text),
            },
            Kind::Response | Kind::Res2 => HttpMessage::Response {
                status: if pending.kind == Kind::Res2 {
                    b"RES2"
                } else {
                    b"HTTP"
                },
                fields: v.map(text),
            },
        }
    }

    fn bytes<'a>(&'a self, source: Source, payload: &'a [u8]) -> &'a [u8] {
        match source {
            Source::Dash => b"-",
            Source::Payload(start, end) => {
                payload.get(start as usize..end as usize).unwrap_or(b"-")
            }
            Source::Shared(which, len) => {
                let buf = self.shared.get(which);
                &buf[..buf.len().min(len as usize)]
            }
        }
    }
}

/// The first `len` bytes of a shared buffer.
fn shared_prefix(which: Shared, len: usize) -> Source {
    Source::Shared(which, len as u32)
}

/// The TCP payload of a TCP segment's captured bytes (empty when the header is cut).
pub fn tcp_payload(segment: &[u8]) -> &[u8] {
    let header_len = segment.get(12).map_or(0, |b| usize::from(b >> 4) * 4);
    if header_len < 20 {
        return &[];
    }
    segment.get(header_len..).unwrap_or_default()
}
