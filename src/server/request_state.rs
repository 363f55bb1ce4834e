//! `requestState`: what a server hands a client with an `input_required` result, signed so that it
//! comes back unchanged or not at all.
//!
//! Implements MCP 2026-07-28 `basic/patterns/mrtr` §Server Requirements: the state travels through
//! the client, so it is attacker-controlled; when it affects behaviour it MUST be integrity-protected
//! (HMAC or AEAD) and SHOULD bind an expiry and a digest of the request. Ours binds both, and is
//! readable (a student can base64-decode it and see what it holds): `<payload>.<mac>`, where the
//! payload is base64url of `{"d": digest, "e": expiry, "p": the tool's own state}` and the mac is
//! HMAC-SHA256 of the payload text under the server's key.
//!
//! Left out: binding a principal (we have one shared bearer token at most), and encryption (AEAD
//! would also hide the state; nothing in ours is secret). Any instance holding the same key
//! (`--state-key`) accepts a state another one made: that is what lets a retry land anywhere.
//!
//! # Why the `hmac` and `sha2` crates?
//! Writing SHA-256 by hand is not the lesson; the two RustCrypto crates are small, audited and
//! compare MACs in constant time (`verify_slice`), which a hand-written `==` would not.

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::time::{SystemTime, UNIX_EPOCH};

type HmacSha256 = Hmac<Sha256>;

/// The server's signing key: from `--state-key` / `MCP_STATE_KEY`, or random at start.
#[derive(Clone)]
pub struct StateKey(Vec<u8>);

impl std::fmt::Debug for StateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StateKey(…)") // never in a log
    }
}

/// Why a `requestState` was not accepted. Each is refused, never trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadState {
    /// Not our format, or its mac does not match: changed on the way, or made by someone else.
    Tampered,
    /// Older than its expiry.
    Expired,
    /// Signed by us, but for another request (other tool, other arguments).
    Foreign,
}

impl StateKey {
    /// A key from configured bytes, or 32 random bytes when none were given.
    ///
    /// # Errors
    /// The OS random source failed.
    pub fn new(configured: Option<&[u8]>) -> Result<StateKey, getrandom::Error> {
        if let Some(bytes) = configured.filter(|b| !b.is_empty()) {
            return Ok(StateKey(bytes.to_vec()));
        }
        let mut bytes = vec![0u8; 32];
        getrandom::fill(&mut bytes)?;
        Ok(StateKey(bytes))
    }

    fn mac(&self, text: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(text.as_bytes());
        mac
    }

    /// A state for the request whose digest is `digest`, valid for `ttl_secs`, carrying `payload`.
    pub fn seal(&self, digest: &str, ttl_secs: u64, payload: &Value) -> String {
        let body = json!({ "d": digest, "e": now() + ttl_secs, "p": payload }).to_string();
        let text = base64url(body.as_bytes());
        let tag = self.mac(&text).finalize().into_bytes();
        format!("{text}.{}", base64url(&tag))
    }

    /// The payload of a state made by [`StateKey::seal`] for this request, if it is still valid.
    ///
    /// # Errors
    /// [`BadState`] says which check failed.
    pub fn open(&self, state: &str, digest: &str) -> Result<Value, BadState> {
        let (text, tag) = state.split_once('.').ok_or(BadState::Tampered)?;
        let tag = base64url_decode(tag).ok_or(BadState::Tampered)?;
        self.mac(text)
            .verify_slice(&tag)
            .map_err(|_| BadState::Tampered)?;
        let body = base64url_decode(text).ok_or(BadState::Tampered)?;
        let body: Value = serde_json::from_slice(&body).map_err(|_| BadState::Tampered)?;
        if body["e"].as_u64().is_none_or(|e| e < now()) {
            return Err(BadState::Expired);
        }
        if body["d"] != digest {
            return Err(BadState::Foreign);
        }
        Ok(body["p"].clone())
    }
}

/// A digest of what a request asks for (method, tool or prompt name, arguments), so that a state
/// made for one request cannot be replayed with another.
pub fn request_digest(method: &str, name: &str, arguments: &Value) -> String {
    let text = json!([method, name, arguments]).to_string();
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding (RFC 4648 §5): safe in JSON and URLs as it is.
fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, b| (n << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut bits, mut count) = (0u32, 0);
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|a| *a == c)? as u32;
        bits = (bits << 6) | v;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> StateKey {
        StateKey::new(Some(b"a key for the tests")).unwrap()
    }

    #[test]
    fn a_sealed_state_opens_for_its_request_and_keeps_its_payload() {
        let d = request_digest("tools/call", "get_weather", &json!({"city": "Springfield"}));
        let state = key().seal(&d, 60, &json!({"asked": 1}));
        assert_eq!(key().open(&state, &d), Ok(json!({"asked": 1})));
    }

    #[test]
    fn a_changed_foreign_or_expired_state_is_refused() {
        let d = request_digest("tools/call", "get_weather", &json!({"city": "Springfield"}));
        let state = key().seal(&d, 60, &json!(null));
        assert_eq!(
            key().open(&format!("{state}-TAMPERED"), &d),
            Err(BadState::Tampered)
        );
        assert_eq!(key().open("not a state", &d), Err(BadState::Tampered));
        let other = StateKey::new(Some(b"another instance's key")).unwrap();
        assert_eq!(
            other.open(&state, &d),
            Err(BadState::Tampered),
            "another key"
        );
        let d2 = request_digest("tools/call", "get_weather", &json!({"city": "Paris"}));
        assert_eq!(key().open(&state, &d2), Err(BadState::Foreign));
        // `e` is in whole seconds, so a state sealed with no time to live is stale one second on.
        let stale = key().seal(&d, 0, &json!(null));
        std::thread::sleep(std::time::Duration::from_millis(1100));
        assert_eq!(key().open(&stale, &d), Err(BadState::Expired));
    }

    #[test]
    fn base64url_round_trips_every_length() {
        for n in 0..10 {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + 250) as u8).collect();
            assert_eq!(base64url_decode(&base64url(&bytes)).unwrap(), bytes);
        }
        assert_eq!(base64url(b"hi?"), "aGk_");
    }
}
