//! The heavy pool: where CPU-heavy request work runs, bounded.
//!
//! `spawn_blocking` alone is no bound (tokio would start up to 512 threads and queue without
//! limit), so two semaphores stand in front of it: one admits at most `concurrency + queue`
//! requests (beyond that the caller is told at once, and answers 503 with `Retry-After`), the
//! other lets `concurrency` of them run at a time; one that waits longer than `queue_wait` for
//! its turn is refused too, so a deep queue never turns into minutes of waiting. Each admitted piece of work gets a
//! [`Deadline`] `budget` after it starts running and is expected to check it in its long loops;
//! its permits are held by the blocking task itself, so a client that goes away while its work
//! runs does not free a slot before the work has really stopped.

use super::Deadline;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::Semaphore;

/// How the pool is sized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolLimits {
    /// Heavy requests running at once.
    pub concurrency: usize,
    /// Heavy requests waiting for a slot, beyond which new ones are refused.
    pub queue: usize,
    /// Time one heavy request may run before it is stopped.
    pub budget: Duration,
    /// Time a request may wait for a slot before it is refused.
    pub queue_wait: Duration,
}

impl PoolLimits {
    /// One running request per core, 512 waiting for at most 10 s each, 5 s of work each.
    pub fn default_for_machine() -> PoolLimits {
        PoolLimits {
            concurrency: std::thread::available_parallelism().map_or(2, usize::from),
            queue: 512,
            budget: Duration::from_secs(5),
            queue_wait: Duration::from_secs(10),
        }
    }
}

/// Why heavy work was not done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the server is busy: {running} heavy requests are running and {queued} waiting")]
    QueueFull { running: usize, queued: usize },
    #[error("the server is busy: no slot for heavy work came free within {0:?}")]
    WaitedTooLong(Duration),
    /// The work panicked (a bug); its slot is free again.
    #[error("the work stopped unexpectedly")]
    Failed,
}

#[derive(Debug)]
pub struct Pool {
    limits: PoolLimits,
    admitted: Arc<Semaphore>,
    running: Arc<Semaphore>,
    queued: Arc<AtomicUsize>,
}

impl Pool {
    pub fn new(limits: PoolLimits) -> Pool {
        let limits = PoolLimits {
            concurrency: limits.concurrency.max(1),
            ..limits
        };
        Pool {
            admitted: Arc::new(Semaphore::new(limits.concurrency + limits.queue)),
            running: Arc::new(Semaphore::new(limits.concurrency)),
            queued: Arc::new(AtomicUsize::new(0)),
            limits,
        }
    }

    pub fn limits(&self) -> PoolLimits {
        self.limits
    }

    /// Requests waiting for a slot now.
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }

    /// Requests running now.
    pub fn running(&self) -> usize {
        self.limits.concurrency - self.running.available_permits()
    }

    /// Runs `work` on a blocking thread once a slot is free, with a deadline `budget` after it
    /// starts; refuses at once when the queue is full.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(Deadline) -> T + Send + 'static,
    ) -> Result<T, Refused> {
        let Ok(admission) = self.admitted.clone().try_acquire_owned() else {
            metrics::counter!("yuqian_heavy_rejected_total", "reason" => "queue_full").increment(1);
            return Err(Refused::QueueFull {
                running: self.running(),
                queued: self.queued(),
            });
        };
        let waiting = Waiting::enter(self.queued.clone());
        let slot = match tokio::time::timeout(
            self.limits.queue_wait,
            self.running.clone().acquire_owned(),
        )
        .await
        {
            Ok(Ok(slot)) => slot,
            Ok(Err(_closed)) => return Err(Refused::Failed),
            Err(_elapsed) => {
                metrics::counter!("yuqian_heavy_rejected_total", "reason" => "queue_wait")
                    .increment(1);
                return Err(Refused::WaitedTooLong(self.limits.queue_wait));
            }
        };
        drop(waiting);
        let budget = self.limits.budget;
        // The request's span (with its request id) goes along, so the work's log lines have it.
        let span = tracing::Span::current();
        let started = tokio::task::spawn_blocking(move || {
            let _permits = (admission, slot);
            span.in_scope(|| work(Deadline::after(budget)))
        });
        started.await.map_err(|e| {
            tracing::error!("heavy work failed: {e}");
            Refused::Failed
        })
    }
}

/// Counts a request as queued while it waits, also when its future is dropped mid-wait.
struct Waiting(Arc<AtomicUsize>);

impl Waiting {
    fn enter(counter: Arc<AtomicUsize>) -> Waiting {
        counter.fetch_add(1, Ordering::Relaxed);
        Waiting(counter)
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    fn pool(concurrency: usize, queue: usize) -> Pool {
        Pool::new(PoolLimits {
            concurrency,
            queue,
            budget: Duration::from_secs(60),
            queue_wait: Duration::from_secs(60),
        })
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_queue_refuses_at_once_and_frees_when_work_ends() {
        let pool = Arc::new(pool(1, 1));
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let (started_tx, started_rx) = mpsc::channel::<()>();
        let p = pool.clone();
        let first = tokio::spawn(async move {
            p.run(move |_| {
                started_tx.send(()).unwrap();
                release_rx.recv().unwrap();
            })
            .await
        });
        tokio::task::spawn_blocking(move || started_rx.recv().unwrap())
            .await
            .unwrap();
        let p = pool.clone();
        let second = tokio::spawn(async move { p.run(|_| 2).await });
        while pool.queued() == 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(
            pool.run(|_| 3).await,
            Err(Refused::QueueFull {
                running: 1,
                queued: 1
            })
        );
        release_tx.send(()).unwrap();
        assert_eq!(first.await.unwrap(), Ok(()));
        assert_eq!(second.await.unwrap(), Ok(2));
        assert_eq!(pool.run(|_| 4).await, Ok(4));
        assert_eq!((pool.running(), pool.queued()), (0, 0));
    }

    #[tokio::test]
    async fn work_gets_a_deadline_of_the_budget() {
        let pool = Pool::new(PoolLimits {
            concurrency: 1,
            queue: 0,
            budget: Duration::ZERO,
            queue_wait: Duration::from_secs(60),
        });
        assert_eq!(pool.run(|d| d.check().is_err()).await, Ok(true));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_request_that_waits_too_long_for_a_slot_is_refused() {
        let pool = Arc::new(Pool::new(PoolLimits {
            concurrency: 1,
            queue: 4,
            budget: Duration::from_secs(60),
            queue_wait: Duration::from_millis(50),
        }));
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let (started_tx, started_rx) = mpsc::channel::<()>();
        let p = pool.clone();
        let holder = tokio::spawn(async move {
            p.run(move |_| {
                started_tx.send(()).unwrap();
                release_rx.recv().unwrap();
            })
            .await
        });
        tokio::task::spawn_blocking(move || started_rx.recv().unwrap())
            .await
            .unwrap();
        assert_eq!(
            pool.run(|_| 1).await,
            Err(Refused::WaitedTooLong(Duration::from_millis(50)))
        );
        release_tx.send(()).unwrap();
        assert_eq!(holder.await.unwrap(), Ok(()));
        assert_eq!(pool.queued(), 0);
    }

    #[tokio::test]
    async fn a_panic_frees_its_slot() {
        let pool = pool(1, 0);
        assert_eq!(
            pool.run(|_| -> () { panic!("a bug") }).await,
            Err(Refused::Failed)
        );
        assert_eq!(pool.run(|_| 1).await, Ok(1));
    }
}
