//! Threads that are kept for the next request instead of ending: still one thread per request in
//! flight, but a thread that has finished its request waits a little for another one.
//!
//! Not a part of MCP: this is how the server spends its threads (MCP 2025-11-25 `basic/transports`
//! leaves that to the server). The Rust Book's web-server chapter ends with a `ThreadPool` of a
//! fixed size that shares a queue; this one differs in three ways, each for a reason:
//!
//! - **a busy thread is never shared.** A streamed call holds its thread for as long as its tool
//!   runs; a job never waits in a queue behind another one. When no thread is idle a new one is
//!   started, so the number of threads follows the requests in flight (and their cap, which
//!   `socket.rs` enforces), as before;
//! - **idle threads end** after [`KEEP_IDLE`], so a burst does not leave hundreds behind;
//! - **starting a thread can fail** (out of memory, `RLIMIT_NPROC`): [`Threads::take`] says so
//!   before the caller hands over its work, so the caller can still answer with what it holds.
//!
//! Measured (`docs/benchmarks.md`): a new thread costs about 50 µs of CPU to start and end; a
//! legacy SSE call used two of them, which was a sixth of its cost.
//!
//! Left out: a cap inside the pool (the in-flight cap is the cap), priorities, and keeping a
//! minimum of idle threads (the first requests after a quiet spell start threads again).

use crate::server::locks::lock;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// How long a thread with nothing to do waits for the next job before it ends. Long enough to
/// carry a steady load from one request to the next, short enough that a burst's threads are gone
/// a few seconds later (the reliability tests count them).
pub const KEEP_IDLE: Duration = Duration::from_secs(2);

/// Some work for a thread: one request, or one call's tool.
pub type Work = Box<dyn FnOnce() + Send>;

/// The threads that are idle, each waiting for its next job on its own channel.
#[derive(Debug)]
pub struct Threads {
    idle: Mutex<Vec<Idle>>,
    /// Names each wait, so that a thread that gives up can find (and take back) its own offer.
    next_wait: AtomicU64,
    keep_idle: Duration,
}

/// One idle thread's offer: where to send its next job.
#[derive(Debug)]
struct Idle {
    wait: u64,
    hand: Sender<Work>,
}

/// A thread that is waiting for one job: idle in the pool, or just started.
#[derive(Debug)]
pub struct Worker {
    hand: Sender<Work>,
}

impl Worker {
    /// Give the thread its job. It runs at once: the thread is waiting for exactly this.
    pub fn run(self, work: Work) {
        // The receiver lives: an idle thread that gave up waiting took its offer back first (under
        // the lock `take` pops offers with), and a new thread waits for its first job unbounded.
        let _ = self.hand.send(work);
    }
}

impl Threads {
    pub fn new(keep_idle: Duration) -> Arc<Threads> {
        Arc::new(Threads {
            idle: Mutex::new(Vec::new()),
            next_wait: AtomicU64::new(0),
            keep_idle,
        })
    }

    /// A thread for one job: the most recently idle one (its stack is likely still in the CPU's
    /// cache), or a new one.
    ///
    /// # Errors
    /// No thread is idle and none can be started.
    pub fn take(self: &Arc<Self>) -> io::Result<Worker> {
        if let Some(idle) = lock(&self.idle).pop() {
            return Ok(Worker { hand: idle.hand });
        }
        let (hand, first) = channel::<Work>();
        let pool = Arc::clone(self);
        thread::Builder::new().spawn(move || {
            if let Ok(work) = first.recv() {
                pool.serve(work);
            }
        })?;
        Ok(Worker { hand })
    }

    /// How many threads are idle now.
    pub fn idle(&self) -> usize {
        lock(&self.idle).len()
    }

    /// A thread's life: run the job, offer itself, run the next, until no job comes in time.
    fn serve(&self, mut work: Work) {
        loop {
            work();
            let Some(next) = self.wait_for_work() else {
                return;
            };
            work = next;
        }
    }

    /// Wait up to `keep_idle` for a job; `None` when none came and the thread should end.
    fn wait_for_work(&self) -> Option<Work> {
        let wait = self.next_wait.fetch_add(1, Ordering::Relaxed);
        let (hand, jobs) = channel::<Work>();
        lock(&self.idle).push(Idle { wait, hand });
        match jobs.recv_timeout(self.keep_idle) {
            Ok(work) => Some(work),
            Err(RecvTimeoutError::Timeout) => self.give_up(wait, &jobs),
            Err(RecvTimeoutError::Disconnected) => None,
        }
    }

    /// Take back this wait's offer and end; but if `take` popped it already, a job is on its
    /// way and this thread must run it.
    fn give_up(&self, wait: u64, jobs: &Receiver<Work>) -> Option<Work> {
        let mut idle = lock(&self.idle);
        if let Some(at) = idle.iter().position(|i| i.wait == wait) {
            idle.remove(at);
            return None;
        }
        drop(idle);
        jobs.recv().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Instant;

    /// Run one job on the pool and wait for it; the id of the thread that ran it.
    fn run_one(threads: &Arc<Threads>) -> thread::ThreadId {
        let (done, finished) = mpsc::channel();
        threads
            .take()
            .unwrap()
            .run(Box::new(move || done.send(thread::current().id()).unwrap()));
        finished.recv().unwrap()
    }

    /// Wait until `n` threads are idle (the thread offers itself just after its job).
    fn until_idle(threads: &Threads, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while threads.idle() != n {
            assert!(
                Instant::now() < deadline,
                "{} idle, not {n}",
                threads.idle()
            );
            thread::sleep(Duration::from_millis(1));
        }
    }

    #[test]
    fn a_thread_that_finished_its_job_runs_the_next_one() {
        let threads = Threads::new(Duration::from_secs(5));
        let first = run_one(&threads);
        until_idle(&threads, 1);
        assert_eq!(run_one(&threads), first);
    }

    #[test]
    fn a_busy_thread_is_never_given_a_second_job() {
        let threads = Threads::new(Duration::from_secs(5));
        let (release, hold) = mpsc::channel::<()>();
        let (started, running) = mpsc::channel();
        threads.take().unwrap().run(Box::new(move || {
            started.send(thread::current().id()).unwrap();
            hold.recv().unwrap();
        }));
        let busy = running.recv().unwrap();
        // While the first job runs, another job gets another thread, at once.
        assert_ne!(run_one(&threads), busy);
        release.send(()).unwrap();
    }

    #[test]
    fn an_idle_thread_ends_after_keep_idle() {
        let threads = Threads::new(Duration::from_millis(50));
        run_one(&threads);
        until_idle(&threads, 1);
        until_idle(&threads, 0);
        // And the pool still works: a new thread is started.
        run_one(&threads);
    }

    #[test]
    fn jobs_handed_over_while_threads_give_up_are_all_run() {
        // A keep_idle of about zero makes every wait end in `give_up`, racing with `take`.
        let threads = Threads::new(Duration::from_micros(1));
        let (done, finished) = mpsc::channel();
        for n in 0..2000 {
            let done = done.clone();
            threads
                .take()
                .unwrap()
                .run(Box::new(move || done.send(n).unwrap()));
        }
        drop(done);
        assert_eq!(finished.iter().count(), 2000);
    }
}
