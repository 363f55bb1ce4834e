//! The session store: every live session of the server, by id.
//!
//! Implements MCP 2025-11-25 `basic/transports` §Session Management, the server's side of the id:
//! it is minted (128 random bits) on the response that carries the `InitializeResult`, a request
//! with an unknown, deleted or expired id finds nothing here (the endpoint answers 404), and
//! `DELETE` removes it. Sessions idle longer than a timeout expire, and at most `--max-sessions`
//! live at once (an `initialize` beyond them is refused, and the endpoint answers 503).
//!
//! Left out: a background thread that expires sessions (they are swept when a session is created,
//! see `create`), and bounds per user (there are no users, one shared bearer token at most).

use crate::server::locks::lock;
use crate::server::session::Session;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// All live sessions.
#[derive(Debug)]
pub struct SessionStore {
    sessions: Mutex<HashMap<String, Arc<Session>>>,
    idle_timeout: Duration,
    stream_grace: Duration,
    /// When expired sessions were last swept (see `create`).
    last_sweep: Mutex<Instant>,
    /// At most this many live sessions (`--max-sessions`).
    max_sessions: usize,
    /// Put before every minted id (`--session-id-prefix`): the instance's name to a balancer.
    id_prefix: String,
}

/// Why no session was made.
#[derive(Debug)]
pub enum CreateError {
    /// The store already holds its maximum of live sessions (the limit).
    Full(usize),
    /// The OS random source failed (practically never).
    Random(getrandom::Error),
}

impl std::fmt::Display for CreateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CreateError::Full(max) => write!(f, "the limit of {max} sessions is reached"),
            CreateError::Random(e) => write!(f, "no random session id: {e}"),
        }
    }
}

impl SessionStore {
    pub fn new(idle_timeout: Duration, stream_grace: Duration) -> SessionStore {
        SessionStore {
            sessions: Mutex::new(HashMap::new()),
            idle_timeout,
            stream_grace,
            last_sweep: Mutex::new(Instant::now()),
            max_sessions: crate::server::config::DEFAULT_MAX_SESSIONS,
            id_prefix: String::new(),
        }
    }

    /// The same store, starting every id it mints with `prefix` (visible ASCII, checked by the
    /// command line). The 128 random bits stay: the prefix tells where, not who, so the id is
    /// still unguessable.
    pub fn with_id_prefix(self, prefix: &str) -> SessionStore {
        SessionStore {
            id_prefix: prefix.to_string(),
            ..self
        }
    }

    /// The same store, holding at most `max` live sessions.
    pub fn with_max_sessions(self, max: usize) -> SessionStore {
        SessionStore {
            max_sessions: max,
            ..self
        }
    }

    /// Start a session for a client that has just initialized.
    ///
    /// # Errors
    /// [`CreateError::Full`] when `max_sessions` sessions are live (expired ones do not count),
    /// [`CreateError::Random`] when the OS random source failed.
    pub fn create(
        &self,
        protocol_version: &str,
        client_capabilities: Value,
    ) -> Result<Arc<Session>, CreateError> {
        let id = format!(
            "{}{}",
            self.id_prefix,
            new_session_id().map_err(CreateError::Random)?
        );
        let session = Arc::new(Session::new(
            id,
            protocol_version,
            client_capabilities,
            self.stream_grace,
        ));
        let mut sessions = lock(&self.sessions);
        // Expiry is swept here, when sessions are created, instead of by a background thread:
        // memory is bounded by the sessions made within one timeout, and there is no thread to
        // start, stop and explain. The sweep walks every session under the store's one lock, so
        // it runs at most once a second: swept on every initialize, 60,000 sessions allowed 394
        // initializes a second and held every other request's lookup behind them.
        let now = Instant::now();
        let mut last_sweep = lock(&self.last_sweep);
        // A store that looks full is swept sooner, so that expired sessions make room, but still
        // not on every initialize: a flood of them against a full store would hold every lookup.
        let every = if sessions.len() >= self.max_sessions {
            Duration::from_millis(100)
        } else {
            Duration::from_secs(1)
        };
        if now.saturating_duration_since(*last_sweep) >= every {
            *last_sweep = now;
            sessions.retain(|_, s| {
                let live = s.idle_for(now) < self.idle_timeout;
                if !live {
                    s.close();
                }
                live
            });
        }
        drop(last_sweep);
        // Counted after the sweep, so expired sessions make room, and under the same lock as the
        // insert, so two initializes at once cannot both take the last place.
        if sessions.len() >= self.max_sessions {
            return Err(CreateError::Full(self.max_sessions));
        }
        sessions.insert(session.id.clone(), Arc::clone(&session));
        Ok(session)
    }

    /// The live session with this id, marked as used now. `None` if unknown, deleted or expired.
    pub fn get(&self, id: &str) -> Option<Arc<Session>> {
        let mut sessions = lock(&self.sessions);
        let session = sessions.get(id)?;
        let now = Instant::now();
        if session.idle_for(now) >= self.idle_timeout {
            session.close();
            sessions.remove(id);
            return None;
        }
        session.touch(now);
        Some(Arc::clone(session))
    }

    /// End a session. Returns false if there was no such session.
    pub fn remove(&self, id: &str) -> bool {
        let removed = lock(&self.sessions).remove(id);
        removed.inspect(|s| s.close()).is_some()
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
// ANCHOR: new_session_id
pub fn new_session_id() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
// ANCHOR_END: new_session_id

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
        let store = SessionStore::new(Duration::from_secs(60), Duration::from_secs(1));
        let s = store.create("2025-11-25", json!({})).unwrap();
        assert_eq!(store.get(&s.id).unwrap().protocol_version, "2025-11-25");
        assert!(store.remove(&s.id));
        assert!(store.get(&s.id).is_none());
        assert!(!store.remove(&s.id));
    }

    #[test]
    fn a_prefixed_store_mints_ids_that_start_with_the_prefix_and_keep_128_random_bits() {
        let store =
            SessionStore::new(Duration::from_secs(60), Duration::from_secs(1)).with_id_prefix("b.");
        let s = store.create("2025-11-25", json!({})).unwrap();
        let random = s.id.strip_prefix("b.").expect("the prefix comes first");
        assert_eq!(random.len(), 32);
        assert!(random.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(store.get(&s.id).is_some());
    }

    #[test]
    fn a_full_store_refuses_until_a_session_ends() {
        let store =
            SessionStore::new(Duration::from_secs(60), Duration::from_secs(1)).with_max_sessions(1);
        let s = store.create("2025-11-25", json!({})).unwrap();
        assert!(matches!(
            store.create("2025-11-25", json!({})),
            Err(CreateError::Full(1))
        ));
        store.remove(&s.id);
        assert!(store.create("2025-11-25", json!({})).is_ok());
    }

    #[test]
    fn idle_session_expires() {
        let store = SessionStore::new(Duration::from_millis(1), Duration::from_secs(1));
        let s = store.create("2025-11-25", json!({})).unwrap();
        std::thread::sleep(Duration::from_millis(5));
        assert!(store.get(&s.id).is_none());
        assert!(store.is_empty());
    }

    #[test]
    fn creating_a_session_sweeps_expired_ones_at_most_once_a_second() {
        let store = SessionStore::new(Duration::from_millis(1), Duration::from_secs(1));
        store.create("2025-11-25", json!({})).unwrap();
        std::thread::sleep(Duration::from_millis(5));
        store.create("2025-11-25", json!({})).unwrap();
        assert_eq!(store.len(), 2, "no sweep within a second of the last");
        std::thread::sleep(Duration::from_millis(1010));
        store.create("2025-11-25", json!({})).unwrap();
        assert_eq!(store.len(), 1, "the two expired ones are swept");
    }
}
