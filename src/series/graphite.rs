//! `--graphite HOST:PORT` (our addition): every RRD update as a line of carbon's plaintext
//! protocol, `PREFIX.<histogram>.<stat> <value> <epoch>`.
//!
//! Lines wait in a bounded queue while the server is away: the connection is made again at
//! the next flush, and when the queue is full the oldest lines go first, counted and reported
//! on stderr. A dot in a statistic's name (`prc99.900`) would start a new level of carbon's
//! tree, so it is written `prc99_900`; unknown values (NaN) are not sent.

use super::{Series, Sink, Update};
use std::collections::VecDeque;
use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

/// Lines kept while carbon cannot be reached: 44 flushes of Tstat's rrd.conf.
pub const QUEUE_LINES: usize = 65_536;
const TIMEOUT: Duration = Duration::from_secs(5);

pub struct Carbon {
    addr: String,
    prefix: String,
    series: Arc<[Series]>,
    stream: Option<TcpStream>,
    queue: VecDeque<String>,
    capacity: usize,
    sent: u64,
    dropped: u64,
    failures: u64,
}

impl Carbon {
    pub fn new(addr: &str, prefix: &str, series: Arc<[Series]>) -> Carbon {
        Carbon::with_capacity(addr, prefix, series, QUEUE_LINES)
    }

    pub fn with_capacity(
        addr: &str,
        prefix: &str,
        series: Arc<[Series]>,
        capacity: usize,
    ) -> Carbon {
        Carbon {
            addr: addr.to_string(),
            prefix: prefix.trim_end_matches('.').to_string(),
            series,
            stream: None,
            queue: VecDeque::new(),
            capacity: capacity.max(1),
            sent: 0,
            dropped: 0,
            failures: 0,
        }
    }

    /// The line of one update (None for an unknown value).
    pub fn line(&self, at: u64, u: &Update) -> Option<String> {
        if u.value.is_nan() {
            return None;
        }
        let s = &self.series[u.series as usize];
        let stat = s.stat.suffix().replace('.', "_");
        Some(format!(
            "{}.{}.{} {} {at}\n",
            self.prefix,
            s.histogram(),
            stat,
            u.value
        ))
    }

    fn connect(&mut self) -> std::io::Result<&mut TcpStream> {
        if self.stream.is_none() {
            let mut last = None;
            for a in self.addr.to_socket_addrs()? {
                match TcpStream::connect_timeout(&a, TIMEOUT) {
                    Ok(s) => {
                        s.set_write_timeout(Some(TIMEOUT))?;
                        s.set_nodelay(true)?;
                        self.stream = Some(s);
                        break;
                    }
                    Err(e) => last = Some(e),
                }
            }
            if self.stream.is_none() {
                return Err(last.unwrap_or_else(|| {
                    std::io::Error::other(format!("{} resolves to no address", self.addr))
                }));
            }
        }
        Ok(self.stream.as_mut().expect("connected above"))
    }

    /// Send what is queued, in order; on an error keep the rest for the next flush.
    fn drain(&mut self) -> std::io::Result<()> {
        while !self.queue.is_empty() {
            let mut chunk = String::new();
            let n = self.queue.iter().take(512).count();
            for l in self.queue.iter().take(n) {
                chunk.push_str(l);
            }
            let stream = self.connect()?;
            if let Err(e) = stream.write_all(chunk.as_bytes()) {
                // What carbon got of a failed write is unknown: the chunk is sent again.
                self.stream = None;
                return Err(e);
            }
            self.queue.drain(..n);
            self.sent += n as u64;
        }
        Ok(())
    }

    pub fn counts(&self) -> (u64, u64, usize) {
        (self.sent, self.dropped, self.queue.len())
    }
}

impl Sink for Carbon {
    fn flush(&mut self, at: u64, updates: &[Update]) {
        let mut dropped_now = 0;
        for u in updates {
            if let Some(l) = self.line(at, u) {
                if self.queue.len() == self.capacity {
                    self.queue.pop_front();
                    dropped_now += 1;
                }
                self.queue.push_back(l);
            }
        }
        self.dropped += dropped_now;
        if dropped_now > 0 {
            eprintln!(
                "tstat: --graphite {}: queue full, {dropped_now} oldest lines dropped ({} in all)",
                self.addr, self.dropped
            );
        }
        if let Err(e) = self.drain() {
            self.failures += 1;
            if self.failures == 1 || self.failures.is_power_of_two() {
                eprintln!(
                    "tstat: --graphite {}: {e}; {} lines kept for the next flush",
                    self.addr,
                    self.queue.len()
                );
            }
        } else {
            self.failures = 0;
        }
    }

    fn finish(&mut self) -> Option<String> {
        let _ = self.drain();
        let lost = self.dropped + self.queue.len() as u64;
        (lost > 0).then(|| {
            format!(
                "--graphite {}: {} lines sent, {lost} lost ({} dropped from the full queue, {} \
                 unsent at the end)",
                self.addr,
                self.sent,
                self.dropped,
                self.queue.len()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{conf, series_of};
    use super::*;
    use std::io::Read;

    fn series() -> Arc<[Series]> {
        series_of(&conf::parse("ip_len_loc avg prc:99.9\n", "r", false).unwrap()).into()
    }

    #[test]
    fn lines_and_a_server_that_comes_late() {
        // A port nobody listens on yet: bind, note it, close.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut c = Carbon::with_capacity(&format!("127.0.0.1:{port}"), "tstat.p.", series(), 3);
        let ups = [
            Update {
                series: 0,
                value: 1.5,
            },
            Update {
                series: 1,
                value: 76.0,
            },
        ];
        c.flush(100, &ups);
        assert_eq!(c.counts(), (0, 0, 2), "nobody listens: kept");
        c.flush(400, &ups);
        assert_eq!(c.counts(), (0, 1, 3), "capacity 3: the oldest dropped");
        let server = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
        c.flush(
            700,
            &[Update {
                series: 0,
                value: f64::NAN,
            }],
        );
        assert_eq!(c.counts(), (3, 1, 0));
        drop(c);
        let (mut conn, _) = server.accept().unwrap();
        let mut got = String::new();
        conn.read_to_string(&mut got).unwrap();
        assert_eq!(
            got,
            "tstat.p.ip_len_loc.prc99_900 76 100\ntstat.p.ip_len_loc.avg 1.5 400\n\
             tstat.p.ip_len_loc.prc99_900 76 400\n"
        );
    }
}
