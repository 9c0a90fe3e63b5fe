//! Abuse limits on public registration: token buckets per client address
//! and per e-mail address, kept in memory, pruned as they refill, bounded
//! in size. Each server process counts on its own: two `almanach serve`
//! behind one address let twice the rate through, which is acceptable for
//! slowing robots down (the database, not this, prevents overbooking).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

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

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: f64,
}

#[derive(Debug)]
struct Buckets {
    map: HashMap<String, Bucket>,
    pruned_at: f64,
}

/// One limit: a bucket of `count` tokens per key, refilled continuously
/// over `per_secs`.
#[derive(Debug)]
pub struct Limiter {
    rate: Rate,
    epoch: Instant,
    buckets: Mutex<Buckets>,
}

impl Limiter {
    pub fn new(rate: Rate) -> Limiter {
        Limiter {
            rate,
            epoch: Instant::now(),
            buckets: Mutex::new(Buckets {
                map: HashMap::new(),
                pruned_at: 0.0,
            }),
        }
    }

    /// Takes a token for `key` now; Err(seconds to wait) when none is left.
    pub fn hit(&self, key: &str) -> Result<(), u64> {
        self.hit_at(key, self.epoch.elapsed().as_secs_f64())
    }

    /// The same at `now` seconds since this limiter began (tests move time).
    pub fn hit_at(&self, key: &str, now: f64) -> Result<(), u64> {
        if self.rate.is_off() {
            return Ok(());
        }
        let capacity = f64::from(self.rate.count);
        let per_sec = capacity / f64::from(self.rate.per_secs);
        let refilled = |b: &Bucket| (b.tokens + (now - b.at) * per_sec).min(capacity);
        let mut guard = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let buckets = &mut *guard;
        // A bucket full again says nothing a fresh one would not: drop it.
        if now - buckets.pruned_at >= f64::from(self.rate.per_secs).min(60.0) {
            buckets.map.retain(|_, b| refilled(b) < capacity);
            buckets.pruned_at = now;
        }
        let key = if buckets.map.len() >= MAX_KEYS && !buckets.map.contains_key(key) {
            OVERFLOW
        } else {
            key
        };
        let b = buckets.map.entry(key.to_string()).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        b.tokens = refilled(b);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - b.tokens) / per_sec).ceil().max(1.0) as u64)
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.buckets.lock().unwrap().map.len()
    }
}

/// The limits the public registration paths share.
#[derive(Debug)]
pub struct Limits {
    pub ip: Limiter,
    pub email: Limiter,
}

impl Limits {
    pub fn new(ip: Rate, email: Rate) -> Limits {
        Limits {
            ip: Limiter::new(ip),
            email: Limiter::new(email),
        }
    }
}

/// The client's address: the peer's, or, when the peer is a reverse proxy
/// on this machine or network (or unknown, as in tests), the address that
/// proxy appended last to `X-Forwarded-For`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIp(pub String);

impl ClientIp {
    pub fn of(headers: &HeaderMap, peer: Option<IpAddr>) -> ClientIp {
        let trusted = peer.is_none_or(|ip| match ip {
            IpAddr::V4(v4) => v4.is_loopback() || v4.is_private(),
            IpAddr::V6(v6) => v6.is_loopback() || v6.is_unique_local(),
        });
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .next_back();
        match (trusted, forwarded, peer) {
            (true, Some(ip), _) => ClientIp(ip.to_string()),
            (_, _, Some(ip)) => ClientIp(ip.to_string()),
            _ => ClientIp("unknown".into()),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientIp::of(&parts.headers, peer))
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

    #[test]
    fn a_bucket_empties_refills_and_tells_how_long_to_wait() {
        let l = Limiter::new("3/min".parse().unwrap());
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
        let off = Limiter::new(Rate::OFF);
        assert!((0..1000).all(|_| off.hit_at("a", 0.0).is_ok()));
    }

    #[test]
    fn a_flood_of_keys_shares_one_bucket() {
        let l = Limiter::new("2/hour".parse().unwrap());
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
    fn the_address_comes_from_the_peer_or_a_local_proxy() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7".parse().unwrap(),
        );
        let local: IpAddr = "127.0.0.1".parse().unwrap();
        let public: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(
            ClientIp::of(&h, Some(local)).0,
            "198.51.100.7",
            "the address the proxy saw"
        );
        assert_eq!(
            ClientIp::of(&h, Some(public)).0,
            "192.0.2.1",
            "a client cannot pick its address"
        );
        assert_eq!(ClientIp::of(&HeaderMap::new(), None).0, "unknown");
    }
}
