//! Abuse limits on public registration: rate limits per client address
//! and per e-mail address (governor's GCRA, a token bucket without a
//! timer), kept in memory, pruned as they refill, bounded in size. Each server process counts on its own: two `almanach serve`
//! behind one address let twice the rate through, which is acceptable for
//! slowing robots down (the database, not this, prevents overbooking).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::str::FromStr;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use governor::clock::{Clock, DefaultClock, Reference};
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::StateStore;
use governor::state::keyed::ShrinkableKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::AppState;

/// Requests allowed per period: "20/min", "5/hour"; "0" switches a limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: u32,
    pub per_secs: u32,
}

impl Rate {
    pub const OFF: Rate = Rate {
        count: 0,
        per_secs: 1,
    };

    pub fn is_off(&self) -> bool {
        self.count == 0
    }
}

impl FromStr for Rate {
    type Err = String;

    fn from_str(s: &str) -> Result<Rate, String> {
        let s = s.trim();
        if s == "0" || s.eq_ignore_ascii_case("off") {
            return Ok(Rate::OFF);
        }
        let bad = || format!("{s:?} is not a rate like 20/min, 5/hour or 0 (off)");
        let (n, unit) = s.split_once('/').ok_or_else(bad)?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        let per_secs = match unit.trim().to_ascii_lowercase().as_str() {
            "s" | "sec" | "second" => 1,
            "m" | "min" | "minute" => 60,
            "h" | "hour" => 3600,
            "d" | "day" => 86_400,
            _ => return Err(bad()),
        };
        Ok(if count == 0 {
            Rate::OFF
        } else {
            Rate { count, per_secs }
        })
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.count, self.per_secs) {
            (0, _) => write!(f, "0"),
            (n, 1) => write!(f, "{n}/s"),
            (n, 60) => write!(f, "{n}/min"),
            (n, 3600) => write!(f, "{n}/hour"),
            (n, _) => write!(f, "{n}/day"),
        }
    }
}

/// Beyond this many tracked keys (a flood of distinct addresses), newcomers
/// share one bucket: memory stays bounded and the flood stays limited.
const MAX_KEYS: usize = 50_000;
const OVERFLOW: &str = "\u{0}overflow";

/// Where governor keeps each key's state (its theoretical arrival time):
/// governor's own `HashMapStateStore`, plus the one rule it lacks, the
/// bound on keys (`MAX_KEYS`, `OVERFLOW`).
#[derive(Debug, Default)]
struct Keys(Mutex<HashMap<String, Nanos>>);

impl Keys {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Nanos>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl StateStore for Keys {
    type Key = String;

    fn measure_and_replace<T, F, E>(&self, key: &String, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        // Under the lock, so one key's test and update cannot interleave.
        let mut map = self.map();
        let key = if map.len() >= MAX_KEYS && !map.contains_key(key) {
            OVERFLOW
        } else {
            key.as_str()
        };
        let (out, next) = f(map.get(key).copied())?;
        match map.get_mut(key) {
            Some(state) => *state = next,
            None => {
                map.insert(key.to_string(), next);
            }
        }
        Ok(out)
    }
}

impl ShrinkableKeyedStateStore<String> for Keys {
    fn retain_recent(&self, drop_below: Nanos) {
        self.map()
            .retain(|_, at| u64::from(*at) > u64::from(drop_below));
    }

    fn len(&self) -> usize {
        self.map().len()
    }

    fn is_empty(&self) -> bool {
        self.map().is_empty()
    }
}

/// One limit: `count` requests per key, refilled continuously over
/// `per_secs` (governor's GCRA, the same as a bucket of `count` tokens).
pub struct Limiter<C: Clock = DefaultClock> {
    rate: Rate,
    /// None when the limit is off.
    limiter: Option<RateLimiter<String, Keys, C, NoOpMiddleware<C::Instant>>>,
    /// When keys were last pruned.
    pruned_at: Mutex<C::Instant>,
}

impl<C: Clock> std::fmt::Debug for Limiter<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter")
            .field("rate", &self.rate)
            .finish_non_exhaustive()
    }
}

impl Limiter {
    pub fn new(rate: Rate) -> Limiter {
        Limiter::with_clock(rate, DefaultClock::default())
    }
}

impl<C: Clock> Limiter<C> {
    fn with_clock(rate: Rate, clock: C) -> Limiter<C> {
        let quota = NonZeroU32::new(rate.count).and_then(|count| {
            let every = Duration::from_secs(u64::from(rate.per_secs)) / count.get();
            Quota::with_period(every).map(|q| q.allow_burst(count))
        });
        let pruned_at = Mutex::new(clock.now());
        Limiter {
            rate,
            limiter: quota.map(|q| RateLimiter::new(q, Keys::default(), clock)),
            pruned_at,
        }
    }

    /// Takes a request for `key` now; Err(seconds to wait) when none is left.
    pub fn hit(&self, key: &str) -> Result<(), u64> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        let now = limiter.clock().now();
        {
            // A key full again says nothing a fresh one would not: drop it.
            let mut pruned_at = self
                .pruned_at
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let every = Duration::from_secs(u64::from(self.rate.per_secs.min(60)));
            if Duration::from(now.duration_since(*pruned_at)) >= every {
                limiter.retain_recent();
                *pruned_at = now;
            }
        }
        limiter.check_key(&key.to_string()).map_err(|not_until| {
            let wait = not_until.wait_time_from(now);
            (wait.as_secs_f64().ceil() as u64).max(1)
        })
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.limiter.as_ref().map_or(0, RateLimiter::len)
    }
}

/// The limits the public registration paths share, and the one on
/// password reset requests (keyed by e-mail and by address alike).
#[derive(Debug)]
pub struct Limits {
    pub ip: Limiter,
    pub email: Limiter,
    pub reset: Limiter,
}

impl Limits {
    pub fn new(ip: Rate, email: Rate, reset: Rate) -> Limits {
        Limits {
            ip: Limiter::new(ip),
            email: Limiter::new(email),
            reset: Limiter::new(reset),
        }
    }
}

/// A network: an address and how many of its leading bits count
/// (`192.168.10.0/24`, `fd00::/8`; a lone address is a network of one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    pub fn contains(&self, ip: IpAddr) -> bool {
        // Both as 128 bits, an IPv4 address in the leading 32, so the
        // prefix counts from the left either way.
        let bits = |a: IpAddr| -> (u128, u8) {
            match a.to_canonical() {
                IpAddr::V4(v4) => (u128::from(u32::from(v4)) << 96, 32),
                IpAddr::V6(v6) => (u128::from(v6), 128),
            }
        };
        let ((net, width), (ip, ip_width)) = (bits(self.addr), bits(ip));
        if width != ip_width {
            return false;
        }
        let mask = match self.prefix {
            0 => 0,
            n => u128::MAX << (128 - u32::from(n)),
        };
        net & mask == ip & mask
    }
}

impl FromStr for IpNet {
    type Err = String;

    fn from_str(s: &str) -> Result<IpNet, String> {
        let bad = || format!("{s:?} is not an address or a network like 10.0.0.0/8");
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s.trim(), None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| bad())?;
        let addr = addr.to_canonical();
        let width = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= width)
                .ok_or_else(bad)?,
            None => width,
        };
        Ok(IpNet { addr, prefix })
    }
}

impl std::fmt::Display for IpNet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// A list of networks as an operator writes it: separated by commas or
/// spaces; empty is none.
pub fn parse_networks(s: &str) -> Result<Vec<IpNet>, String> {
    s.split([',', ' ', '\n', '\t'])
        .filter(|n| !n.trim().is_empty())
        .map(str::parse)
        .collect()
}

/// The client's address, one rule for sign-in and registrations: the TCP
/// peer's, unless the peer is one of the configured reverse proxies; then
/// the address that proxy appended to `X-Forwarded-For` (read from the
/// right, skipping further trusted proxies). A client's own
/// `X-Forwarded-For` is never believed: without a trusted proxy in front,
/// it is just a header anyone can write.
pub fn client_address(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    trusted_proxies: &[IpNet],
) -> Option<IpAddr> {
    let peer = peer?.to_canonical();
    let trusted = |ip: IpAddr| trusted_proxies.iter().any(|n| n.contains(ip));
    if !trusted(peer) {
        return Some(peer);
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let hop = hop.trim_start_matches('[').split(']').next().unwrap_or(hop);
        let Ok(ip) = hop.parse::<IpAddr>() else {
            // Garbage before our proxy: the last address it vouched for.
            break;
        };
        client = ip.to_canonical();
        if !trusted(client) {
            break;
        }
    }
    Some(client)
}

/// The client's address as a key for limits (`client_address`), or
/// `unknown` without a peer (never under `almanach serve`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIp(pub String, pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let ip = client_address(peer, &parts.headers, &state.config.trusted_proxies);
        Ok(ClientIp(
            ip.map_or_else(|| "unknown".to_string(), |ip| ip.to_string()),
            ip,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_read_as_people_write_them() {
        assert_eq!(
            "20/min".parse::<Rate>().unwrap(),
            Rate {
                count: 20,
                per_secs: 60
            }
        );
        assert_eq!(
            " 5/hour ".parse::<Rate>().unwrap(),
            Rate {
                count: 5,
                per_secs: 3600
            }
        );
        assert!("0".parse::<Rate>().unwrap().is_off());
        assert!("0/min".parse::<Rate>().unwrap().is_off());
        for bad in ["", "20", "20/fortnight", "-1/min", "x/min"] {
            assert!(bad.parse::<Rate>().is_err(), "{bad}");
        }
        assert_eq!(
            Rate {
                count: 5,
                per_secs: 3600
            }
            .to_string(),
            "5/hour"
        );
    }

    use governor::clock::FakeRelativeClock;

    impl Limiter<FakeRelativeClock> {
        fn fake(rate: Rate) -> Self {
            Limiter::with_clock(rate, FakeRelativeClock::default())
        }

        /// `hit` at `now` seconds since the limiter began (time only moves on).
        fn hit_at(&self, key: &str, now: f64) -> Result<(), u64> {
            if let Some(l) = &self.limiter {
                let at = Duration::from_secs_f64(now);
                let elapsed = Duration::from(l.clock().now());
                l.clock().advance(at.saturating_sub(elapsed));
            }
            self.hit(key)
        }
    }

    #[test]
    fn a_bucket_empties_refills_and_tells_how_long_to_wait() {
        let l = Limiter::fake("3/min".parse().unwrap());
        for _ in 0..3 {
            assert!(l.hit_at("a", 0.0).is_ok());
        }
        assert_eq!(l.hit_at("a", 0.0), Err(20), "one token every 20 s");
        assert!(l.hit_at("b", 0.0).is_ok(), "keys are counted apart");
        assert_eq!(l.hit_at("a", 10.0), Err(10));
        assert!(l.hit_at("a", 20.0).is_ok());
        assert!(l.hit_at("a", 20.0).is_err());
        // Once full again, buckets are pruned.
        assert!(l.hit_at("c", 500.0).is_ok());
        assert_eq!(l.len(), 1, "only the bucket just used remains");
        let off = Limiter::fake(Rate::OFF);
        assert!((0..1000).all(|_| off.hit_at("a", 0.0).is_ok()));
    }

    #[test]
    fn a_flood_of_keys_shares_one_bucket() {
        let l = Limiter::fake("2/hour".parse().unwrap());
        for i in 0..MAX_KEYS {
            assert!(l.hit_at(&i.to_string(), 1.0).is_ok());
        }
        assert!(l.hit_at("new-1", 1.0).is_ok() && l.hit_at("new-2", 1.0).is_ok());
        assert!(
            l.hit_at("new-3", 1.0).is_err(),
            "newcomers share the overflow bucket"
        );
        assert!(l.len() <= MAX_KEYS + 1);
    }

    #[test]
    fn networks_are_read_as_operators_write_them() {
        let n: IpNet = "192.168.10.0/24".parse().unwrap();
        assert!(n.contains("192.168.10.77".parse().unwrap()));
        assert!(!n.contains("192.168.11.1".parse().unwrap()));
        assert!(
            n.contains("::ffff:192.168.10.5".parse().unwrap()),
            "an IPv4 peer on a dual-stack socket"
        );
        let one: IpNet = "127.0.0.1".parse().unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()));
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        let v6: IpNet = "fd00::/8".parse().unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()));
        assert!(!v6.contains("10.0.0.1".parse().unwrap()));
        let all: IpNet = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("203.0.113.9".parse().unwrap()));
        assert_eq!(n.to_string(), "192.168.10.0/24");
        assert_eq!(
            parse_networks("10.0.0.0/8, 127.0.0.1 ::1").unwrap().len(),
            3
        );
        assert!(parse_networks("").unwrap().is_empty());
        for bad in ["10.0.0.0/33", "10.0.0/8", "proxy", "::1/129", "10.0.0.1/x"] {
            assert!(bad.parse::<IpNet>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_address_is_the_peers_unless_a_trusted_proxy_names_it() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "6.6.6.6, 203.0.113.9, 10.0.0.3".parse().unwrap(),
        );
        let none: Vec<IpNet> = Vec::new();
        assert_eq!(
            client_address(Some(ip("10.0.0.2")), &h, &none),
            Some(ip("10.0.0.2")),
            "no trusted proxy: the header is anyone's"
        );
        let proxies = parse_networks("10.0.0.0/8").unwrap();
        assert_eq!(
            client_address(Some(ip("10.0.0.2")), &h, &proxies),
            Some(ip("203.0.113.9")),
            "the first address a trusted proxy did not add"
        );
        assert_eq!(
            client_address(Some(ip("198.51.100.1")), &h, &proxies),
            Some(ip("198.51.100.1")),
            "a client cannot pick its address"
        );
        assert_eq!(
            client_address(Some(ip("10.0.0.2")), &HeaderMap::new(), &proxies),
            Some(ip("10.0.0.2"))
        );
        let mut junk = HeaderMap::new();
        junk.insert("x-forwarded-for", "nonsense, 10.0.0.9".parse().unwrap());
        assert_eq!(
            client_address(Some(ip("10.0.0.2")), &junk, &proxies),
            Some(ip("10.0.0.9"))
        );
        assert_eq!(client_address(None, &h, &proxies), None);
    }
}
