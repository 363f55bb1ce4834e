//! Taking a lock after another thread panicked while holding it.
//!
//! Implements nothing of MCP. Every lock of the server guards a value that each critical section
//! changes in one step (a map insert, a flag, a push onto a log), so a panic elsewhere cannot leave
//! it half-changed. Rust marks such a mutex "poisoned" anyway; we take the value back instead of
//! failing every later request of every client. A production server would also log the panic.
//!
//! # Why one helper and not `.unwrap()`?
//! `unwrap` would turn one bug in one tool into a server that refuses everyone from then on. The
//! alternative, `.lock().unwrap_or_else(PoisonError::into_inner)` at every call, is this function
//! written ten times.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// Lock `m`, poisoned or not.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Wait on `changed` for at most `timeout`, giving the guard back poisoned or not.
pub fn wait<'a, T>(
    changed: &Condvar,
    guard: MutexGuard<'a, T>,
    timeout: Duration,
) -> MutexGuard<'a, T> {
    changed
        .wait_timeout(guard, timeout)
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .0
}
