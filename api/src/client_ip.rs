//! The client's address, for limits and logs. Behind a reverse proxy every
//! connection comes from the proxy; the client is named in `Forwarded` (RFC 7239) or
//! `X-Forwarded-For`, which anyone can also send. So those headers are read only
//! when the peer is a configured trusted proxy (`PAPO_TRUSTED_PROXIES`), and then
//! from the right: the nearest address that is not itself a trusted proxy is the
//! client. Everything a client wrote further left is ignored.

use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;
use poem::http::HeaderMap;

/// Addresses and networks whose forwarding headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

/// The address a request is attributed to, stored in its extensions by the outer
/// middleware.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub IpAddr);

impl TrustedProxies {
    /// Reads `10.0.0.0/8`-style networks or single addresses.
    ///
    /// Fails with the entry that is neither.
    pub fn parse(entries: &[String]) -> Result<Self, String> {
        entries
            .iter()
            .map(|entry| {
                let entry = entry.trim();
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{entry:?} is not an address or a network"))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    pub fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The client behind `peer`, given the request's headers.
    pub fn client_of(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let mut client = peer;
        for hop in forwarded_for(headers).iter().rev() {
            match hop {
                Some(address) if self.trusts(*address) => client = *address,
                Some(address) => return *address,
                // An obfuscated or broken entry: nothing further left can be believed.
                None => return client,
            }
        }
        client
    }
}

/// The `for=` addresses of `Forwarded`, or else the entries of `X-Forwarded-For`,
/// left to right (`None` for an entry that is not an address).
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let forwarded: Vec<Option<IpAddr>> = headers
        .get_all("forwarded")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (key, value) = pair.split_once('=')?;
                key.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| parse_node(value.trim().trim_matches('"')))
            })
        })
        .collect();
    if !forwarded.is_empty() {
        return forwarded;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|entry| parse_node(entry.trim()))
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]` or `[2001:db8::1]:4711`.
fn parse_node(node: &str) -> Option<IpAddr> {
    node.parse::<IpAddr>()
        .ok()
        .or_else(|| node.parse::<SocketAddr>().ok().map(|a| a.ip()))
        .or_else(|| {
            node.strip_prefix('[')
                .and_then(|rest| rest.split(']').next())
                .and_then(|inner| inner.parse().ok())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    fn proxies() -> TrustedProxies {
        TrustedProxies::parse(&["10.0.0.0/8".into(), "192.0.2.7".into()]).unwrap()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let claims = headers(&[("x-forwarded-for", "203.0.113.9")]);

        assert_eq!(
            proxies().client_of(ip("198.51.100.1"), &claims),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_nearest_untrusted_hop_is_the_client() {
        // The client forged the leftmost entry; the proxies appended the rest.
        let chain = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9, 10.0.0.2")]);

        assert_eq!(
            proxies().client_of(ip("10.0.0.1"), &chain),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn forwarded_wins_over_x_forwarded_for_and_may_carry_ports() {
        let both = headers(&[
            (
                "forwarded",
                r#"for="[2001:db8::17]:4711";proto=https, for=192.0.2.7"#,
            ),
            ("x-forwarded-for", "203.0.113.9"),
        ]);

        assert_eq!(
            proxies().client_of(ip("10.0.0.1"), &both),
            ip("2001:db8::17")
        );
    }

    #[test]
    fn an_unreadable_hop_stops_the_walk_at_the_last_trusted_one() {
        let hidden = headers(&[("forwarded", "for=_hidden, for=10.0.0.3")]);

        assert_eq!(proxies().client_of(ip("10.0.0.1"), &hidden), ip("10.0.0.3"));
    }

    #[test]
    fn a_bad_entry_is_named() {
        let err = TrustedProxies::parse(&["10.0.0.0/33".into()]).unwrap_err();

        assert!(err.contains("10.0.0.0/33"), "{err}");
    }
}
