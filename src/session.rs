//! Sessions: the `Mcp-Session-Id` a server hands out at initialization, and what it remembers.
//!
//! Implements MCP 2025-11-25 `basic/transports` §Session Management: the id is minted on the
//! response that carries the `InitializeResult`, later requests must carry it, an unknown or ended
//! id gets 404, and `DELETE` ends a session. Sessions idle for longer than a timeout expire.
//!
//! Left out: binding a session to an authenticated user (we have one shared bearer token at most),
//! and a cap on the number of sessions (the idle timeout bounds them in time, not in number).
//! Revision 2026-07-28 removes sessions altogether; with `--stateless` this module is not used.
//!
//! # Why `Mutex<HashMap>` and not something cleverer?
//! Every request takes the lock once, for a lookup of microseconds. A sharded map or a lock-free
//! structure would be faster under heavy contention and much harder to read; mini-redis makes the
//! same choice for the same reason.

use crate::jsonrpc::RequestId;
use crate::stream::Stream;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// One client's session.
#[derive(Debug)]
pub struct Session {
    pub id: String,
    /// The revision agreed at initialization.
    pub protocol_version: String,
    /// The `capabilities` the client declared (e.g. whether it can answer `elicitation/create`).
    pub client_capabilities: Value,
    last_seen: Mutex<Instant>,
    /// Calls still running, by request id, so that `notifications/cancelled` can find them.
    in_flight: Mutex<HashMap<RequestId, Arc<Stream>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every critical section below is a single map operation, so a panic elsewhere cannot leave
    // the map half-changed: recover the guard instead of failing every later request.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Session {
    /// Remember a running call's stream under its request id.
    pub fn start_call(&self, id: RequestId, stream: Arc<Stream>) {
        lock(&self.in_flight).insert(id, stream);
    }

    /// Forget a call once its final message is in the log.
    pub fn end_call(&self, id: &RequestId) {
        lock(&self.in_flight).remove(id);
    }

    /// The stream of a running call, if the id names one.
    pub fn call(&self, id: &RequestId) -> Option<Arc<Stream>> {
        lock(&self.in_flight).get(id).cloned()
    }

    fn idle_for(&self, now: Instant) -> Duration {
        now.saturating_duration_since(*lock(&self.last_seen))
    }
}

/// All live sessions.
#[derive(Debug)]
pub struct SessionStore {
    sessions: Mutex<HashMap<String, Arc<Session>>>,
    idle_timeout: Duration,
}

impl SessionStore {
    pub fn new(idle_timeout: Duration) -> SessionStore {
        SessionStore {
            sessions: Mutex::new(HashMap::new()),
            idle_timeout,
        }
    }

    /// Start a session for a client that has just initialized.
    ///
    /// # Errors
    /// The OS random source failed (practically never; the caller answers 500).
    pub fn create(
        &self,
        protocol_version: &str,
        client_capabilities: Value,
    ) -> Result<Arc<Session>, getrandom::Error> {
        let session = Arc::new(Session {
            id: new_session_id()?,
            protocol_version: protocol_version.to_string(),
            client_capabilities,
            last_seen: Mutex::new(Instant::now()),
            in_flight: Mutex::new(HashMap::new()),
        });
        let mut sessions = lock(&self.sessions);
        // Expiry is swept here, when sessions are created, instead of by a background thread:
        // memory is bounded by the sessions made within one timeout, and there is no thread to
        // start, stop and explain.
        let now = Instant::now();
        sessions.retain(|_, s| s.idle_for(now) < self.idle_timeout);
        sessions.insert(session.id.clone(), Arc::clone(&session));
        Ok(session)
    }

    /// The live session with this id, marked as used now. `None` if unknown, deleted or expired.
    pub fn get(&self, id: &str) -> Option<Arc<Session>> {
        let mut sessions = lock(&self.sessions);
        let session = sessions.get(id)?;
        let now = Instant::now();
        if session.idle_for(now) >= self.idle_timeout {
            sessions.remove(id);
            return None;
        }
        *lock(&session.last_seen) = now;
        Some(Arc::clone(session))
    }

    /// End a session. Returns false if there was no such session.
    pub fn remove(&self, id: &str) -> bool {
        lock(&self.sessions).remove(id).is_some()
    }

    pub fn len(&self) -> usize {
        lock(&self.sessions).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// 128 bits from the operating system's secure random source, as 32 hex digits.
// SPEC transports#session-management: "The session ID SHOULD be globally unique and cryptographically secure"
// SPEC transports#session-management: "The session ID MUST only contain visible ASCII characters (ranging from 0x21 to 0x7E)"
///
/// # Why `getrandom` and not a counter or the clock?
/// A guessable id would let another local process join a session. Reading `/dev/urandom` by hand
/// is possible but platform-specific; the `getrandom` crate is the small, standard way to ask the
/// OS, and it is not what this course is about.
pub fn new_session_id() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn session_id_is_128_bits_of_visible_ascii_and_not_repeated() {
        let a = new_session_id().unwrap();
        let b = new_session_id().unwrap();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| (0x21..=0x7e).contains(&c)));
        assert_ne!(a, b);
    }

    #[test]
    fn created_session_is_found_and_deleted_session_is_not() {
        let store = SessionStore::new(Duration::from_secs(60));
        let s = store.create("2025-11-25", json!({})).unwrap();
        assert_eq!(store.get(&s.id).unwrap().protocol_version, "2025-11-25");
        assert!(store.remove(&s.id));
        assert!(store.get(&s.id).is_none());
        assert!(!store.remove(&s.id));
    }

    #[test]
    fn idle_session_expires() {
        let store = SessionStore::new(Duration::from_millis(1));
        let s = store.create("2025-11-25", json!({})).unwrap();
        std::thread::sleep(Duration::from_millis(5));
        assert!(store.get(&s.id).is_none());
        assert!(store.is_empty());
    }

    #[test]
    fn creating_a_session_sweeps_expired_ones() {
        let store = SessionStore::new(Duration::from_millis(1));
        store.create("2025-11-25", json!({})).unwrap();
        std::thread::sleep(Duration::from_millis(5));
        store.create("2025-11-25", json!({})).unwrap();
        assert_eq!(store.len(), 1);
    }
}
