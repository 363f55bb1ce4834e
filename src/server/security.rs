//! The endpoint's security checks: DNS-rebinding protection and an optional bearer token.
//!
//! Implements MCP 2025-11-25 `basic/transports` §Security Warning: servers MUST validate the
//! `Origin` header and answer 403 when it is present and invalid, SHOULD bind to localhost when
//! running locally, and SHOULD authenticate connections. We also check `Host` while bound to
//! loopback, which is what actually defeats DNS rebinding (the conformance suite sends a forged
//! `Host` and `Origin` together).
//!
//! Left out: MCP's OAuth authorization (`basic/authorization`). A single shared bearer token is
//! enough to keep other local processes out, which is the threat the spec names for local servers.

use crate::server::rejection::Rejection;
use crate::server::request::authority_host;

/// What the checks need to know; built once from the command line.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// True when the server listens on a loopback address: then only loopback `Host`s are valid.
    pub loopback_only: bool,
    /// Origins allowed besides loopback ones, exactly as a browser sends them
    /// (`https://app.example.com`, scheme and port included).
    pub allowed_origins: Vec<String>,
    /// When set, every request needs `Authorization: Bearer <token>`.
    pub auth_token: Option<String>,
}

/// Is `host` (a hostname or IP literal, no port) a loopback name?
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The host part of an `Origin` (`http://localhost:5173` → `localhost`); `None` if malformed.
///
/// RFC 6454 §7: an origin is `scheme "://" host [ ":" port ]` and nothing more. Read loosely,
/// `http://localhost:80@evil.com` has "localhost" before its first colon, and a browser page
/// from evil.com would pass for a local one.
fn host_of_origin(origin: &str) -> Option<&str> {
    let (scheme, authority) = origin.split_once("://")?;
    let scheme_ok = !scheme.is_empty()
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    scheme_ok.then(|| authority_host(authority))?
}

impl Policy {
    /// Check `Host` and `Origin`.
    ///
    /// # Errors
    /// [`Rejection::Forbidden`] (403) naming the header that failed.
    // ANCHOR: origin_check
    pub fn check_origin_and_host(
        &self,
        host: Option<&str>,
        origin: Option<&str>,
    ) -> Result<(), Rejection> {
        // SPEC transports#security-warning: "If the Origin header is present and invalid, servers MUST respond with HTTP 403 Forbidden"
        if let Some(origin) = origin {
            let allowed = self
                .allowed_origins
                .iter()
                .any(|o| o.eq_ignore_ascii_case(origin))
                || host_of_origin(origin).is_some_and(is_loopback_host);
            if !allowed {
                return Err(Rejection::Forbidden(format!(
                    "Origin {origin:?} is not allowed (start the server with --allow-origin to allow it)"
                )));
            }
        }
        // A DNS-rebinding page reaches us under its own name, so its requests carry that name in
        // Host. While we listen on loopback, every honest client says a loopback name.
        if self.loopback_only {
            if let Some(host) = host {
                if !authority_host(host).is_some_and(is_loopback_host) {
                    return Err(Rejection::Forbidden(format!(
                        "Host {host:?} is not a loopback name (DNS rebinding protection)"
                    )));
                }
            }
        }
        Ok(())
    }
    // ANCHOR_END: origin_check

    /// Check the bearer token, when one is configured.
    ///
    /// # Errors
    /// [`Rejection::Unauthorized`] (401, with `WWW-Authenticate`).
    pub fn check_token(&self, authorization: Option<&str>) -> Result<(), Rejection> {
        let Some(expected) = &self.auth_token else {
            return Ok(());
        };
        // RFC 9110 §11.1: the scheme "is case-insensitive" (`BEARER x` is a bearer token too).
        let given = authorization
            .and_then(|a| a.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map_or("", |(_, token)| token);
        if constant_time_eq(given.trim().as_bytes(), expected.as_bytes()) {
            Ok(())
        } else {
            Err(Rejection::Unauthorized)
        }
    }
}

/// Compare without stopping at the first difference, so the time taken does not tell an attacker
/// how many leading characters were right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local() -> Policy {
        Policy {
            loopback_only: true,
            ..Policy::default()
        }
    }

    #[test]
    fn loopback_origins_and_hosts_are_allowed() {
        let p = local();
        assert!(p
            .check_origin_and_host(Some("127.0.0.1:8000"), Some("http://localhost:5173"))
            .is_ok());
        assert!(p
            .check_origin_and_host(Some("[::1]:8000"), Some("http://[::1]:3000"))
            .is_ok());
        assert!(p.check_origin_and_host(Some("localhost"), None).is_ok());
    }

    #[test]
    fn foreign_origin_is_403() {
        let r =
            local().check_origin_and_host(Some("127.0.0.1:8000"), Some("http://evil.example.com"));
        assert_eq!(r.unwrap_err().status(), 403);
        let r = local().check_origin_and_host(None, Some("null"));
        assert_eq!(r.unwrap_err().status(), 403);
    }

    #[test]
    fn foreign_host_while_on_loopback_is_403() {
        let r = local().check_origin_and_host(Some("evil.example.com:8000"), None);
        assert_eq!(r.unwrap_err().status(), 403);
        let open = Policy::default();
        assert!(open
            .check_origin_and_host(Some("evil.example.com"), None)
            .is_ok());
    }

    #[test]
    fn allowed_origin_passes() {
        let p = Policy {
            allowed_origins: vec!["https://app.example.com".into()],
            ..local()
        };
        assert!(p
            .check_origin_and_host(None, Some("https://app.example.com"))
            .is_ok());
    }

    #[test]
    fn token_is_required_when_configured() {
        let p = Policy {
            auth_token: Some("s3cret".into()),
            ..local()
        };
        assert_eq!(p.check_token(None).unwrap_err().status(), 401);
        assert_eq!(
            p.check_token(Some("Bearer nope")).unwrap_err().status(),
            401
        );
        assert!(p.check_token(Some("Bearer s3cret")).is_ok());
        assert!(local().check_token(None).is_ok());
    }
}
