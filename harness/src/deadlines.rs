//! The timer behind hyper's header deadline: coarse, per connection, and cheap to arm.
//!
//! hyper arms the header deadline for every request a connection reads (and for the wait
//! before the next one) and drops it once the head is in. With `hyper_util`'s `TokioTimer`
//! that is a boxed `tokio::time::Sleep` registered in and removed from tokio's shared timer
//! wheel each time: ~1.2 µs of a GetCredentialsForIdentity under load (2.5% of the server's
//! CPU in perf; one shared table behind a mutex cost as much, the lock's cache line moving
//! between the workers). Deadlines of seconds need neither: each connection has one
//! [`Slot`] (at most one header deadline is armed at a time), a waiting deadline writes its
//! time and waker there with no lock, and one thread looks at every open connection's slot each
//! [`TICK`] and wakes those that are due (it sleeps while no connection is open). A deadline is
//! never noticed early, and at most a [`TICK`] late.
//!
//! No crate does this: `tokio-util`'s `DelayQueue` and `hyper_util`'s timer both sit on tokio's
//! wheel, the cost measured here.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, Weak};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_util::task::AtomicWaker;

/// How late a deadline may be noticed.
pub(crate) const TICK: Duration = Duration::from_millis(50);

/// The [`hyper::rt::Timer`] of one connection.
#[derive(Debug)]
pub(crate) struct ConnectionTimer {
    slot: Arc<Slot>,
}

impl ConnectionTimer {
    /// A timer for a new connection, watched while the connection lives.
    pub(crate) fn new() -> Self {
        let slot = Arc::new(Slot::default());
        watch().add(Arc::downgrade(&slot));
        Self { slot }
    }
}

impl hyper::rt::Timer for ConnectionTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        // A deadline past what `Instant` holds is never reached: a century will do.
        let far = || Instant::now() + Duration::from_secs(100 * 365 * 86_400);
        self.sleep_until(Instant::now().checked_add(duration).unwrap_or_else(far))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(Deadline { at: deadline, slot: Arc::clone(&self.slot) })
    }
}

/// A connection's armed deadline, if any, and whom to wake.
#[derive(Debug, Default)]
struct Slot {
    /// Milliseconds since the watch began, rounded up; 0 when nothing waits.
    due_ms: AtomicU64,
    waker: AtomicWaker,
}

/// A future that is ready once `at` has passed.
#[derive(Debug)]
pub(crate) struct Deadline {
    at: Instant,
    slot: Arc<Slot>,
}

impl Deadline {
    fn due_ms(&self) -> u64 {
        let since = self.at.saturating_duration_since(watch().began);
        // Rounded up, and never 0 (which means "none"): the watch never wakes it early.
        u64::try_from(since.as_millis()).unwrap_or(u64::MAX).saturating_add(1)
    }
}

impl Future for Deadline {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.at {
            self.slot.due_ms.store(0, Ordering::Release);
            return Poll::Ready(());
        }
        self.slot.waker.register(cx.waker());
        self.slot.due_ms.store(self.due_ms(), Ordering::Release);
        Poll::Pending
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        // Only if still this deadline's (a replacement may have been armed already).
        let mine = self.due_ms();
        self.slot.due_ms.compare_exchange(mine, 0, Ordering::AcqRel, Ordering::Relaxed).ok();
    }
}

impl hyper::rt::Sleep for Deadline {}

/// Every open connection's slot, and the thread that wakes what is due.
struct Watch {
    began: Instant,
    slots: Mutex<Vec<Weak<Slot>>>,
    /// Signalled when a connection opens.
    opened: Condvar,
}

/// The process's one watch, its thread started on first use.
fn watch() -> &'static Watch {
    static WATCH: OnceLock<Watch> = OnceLock::new();
    WATCH.get_or_init(|| {
        std::thread::Builder::new()
            .name("fedmock-deadlines".into())
            // Waits until this initialisation has finished, then runs for the process.
            .spawn(|| watch().run())
            .expect("a thread can be started");
        Watch { began: Instant::now(), slots: Mutex::default(), opened: Condvar::new() }
    })
}

impl Watch {
    fn lock(&self) -> MutexGuard<'_, Vec<Weak<Slot>>> {
        // The list stays consistent whatever panicked: pushes and retains are whole.
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn add(&self, slot: Weak<Slot>) {
        self.lock().push(slot);
        self.opened.notify_one();
    }

    /// Each tick, wakes the connections whose deadline has passed and forgets closed ones;
    /// sleeps while none is open.
    fn run(&self) {
        let mut slots = self.lock();
        loop {
            slots = if slots.is_empty() {
                self.opened.wait(slots).unwrap_or_else(|e| e.into_inner())
            } else {
                self.opened.wait_timeout(slots, TICK).unwrap_or_else(|e| e.into_inner()).0
            };
            let now_ms = u64::try_from(self.began.elapsed().as_millis()).unwrap_or(u64::MAX);
            slots.retain(|slot| {
                let Some(slot) = slot.upgrade() else { return false };
                let due = slot.due_ms.load(Ordering::Acquire);
                if due != 0 && due <= now_ms {
                    slot.waker.wake();
                }
                true
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use hyper::rt::Timer as _;

    use super::*;

    #[tokio::test]
    async fn a_deadline_is_ready_once_passed_never_before() {
        let timer = ConnectionTimer::new();
        let started = Instant::now();
        timer.sleep(Duration::from_millis(120)).await;
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(120), "{waited:?}");
        assert!(waited < Duration::from_millis(120) + 10 * TICK, "{waited:?}");
    }

    #[tokio::test]
    async fn a_dropped_deadline_leaves_its_slot_and_a_closed_connection_the_watch() {
        let timer = ConnectionTimer::new();
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let mut sleep = timer.sleep(Duration::from_secs(60));
        assert!(sleep.as_mut().poll(&mut cx).is_pending());
        assert_ne!(timer.slot.due_ms.load(Ordering::Acquire), 0);
        drop(sleep);
        assert_eq!(timer.slot.due_ms.load(Ordering::Acquire), 0);
        // A passed one is ready at once.
        assert!(timer.sleep_until(Instant::now()).as_mut().poll(&mut cx).is_ready());
        let slot = Arc::downgrade(&timer.slot);
        drop(timer);
        assert!(slot.upgrade().is_none(), "the watch holds no closed connection");
    }
}
