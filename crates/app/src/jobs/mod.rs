//! The durable job queue and its worker (architecture §4).
//!
//! Handlers are idempotent; a job may run more than once (a worker can die after the side
//! effect and before recording it). Retries back off exponentially with jitter and honour
//! the wait a remote asked for (`Retry-After`, `X-Rate-Limit-Time-Reset-Ms`); after the
//! last attempt a job is dead, and stays visible.

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;

use crate::clock::Clock;
use crate::db::{Db, DbError};

pub mod queue;

pub use queue::{Job, JobRow, NewJob};

/// What a handler reports when a job did not succeed.
#[derive(Debug)]
pub enum JobError {
    /// Worth trying again (outage, timeout, rate limit); `after` is the remote's own hint.
    Retry {
        error: String,
        after: Option<Duration>,
    },
    /// Trying again cannot help (a business rejection, bad data): the job is dead at once.
    Permanent(String),
}

impl From<DbError> for JobError {
    fn from(e: DbError) -> Self {
        JobError::Retry {
            error: e.to_string(),
            after: None,
        }
    }
}

/// Runs one job. Implementations dispatch on `job.kind`.
pub trait JobHandler: Send + Sync + 'static {
    fn handle(&self, job: &Job) -> impl std::future::Future<Output = Result<(), JobError>> + Send;
}

/// What the worker did in one step.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Empty,
    Done {
        id: i64,
    },
    Retrying {
        id: i64,
        run_at: i64,
    },
    Dead {
        id: i64,
    },
    /// The job's lease expired while it ran and another worker owns it now.
    LostClaim {
        id: i64,
    },
}

#[derive(Clone, Debug)]
pub struct RetryPolicy {
    pub base: Duration,
    pub cap: Duration,
    /// ± this fraction of the delay, so that retries of many jobs spread out.
    pub jitter: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(5),
            cap: Duration::from_secs(3600),
            jitter: 0.2,
        }
    }
}

impl RetryPolicy {
    /// Delay before attempt `attempts + 1`, given the remote's hint if any.
    pub fn delay(&self, attempts: i64, hint: Option<Duration>) -> Duration {
        let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        let backoff = self
            .base
            .saturating_mul(2u32.saturating_pow(exp))
            .min(self.cap);
        // A remote that says when to come back is believed, within the cap.
        let chosen = hint.map_or(backoff, |h| h.min(self.cap));
        let spread = chosen.as_secs_f64() * self.jitter;
        let jittered = chosen.as_secs_f64() + rand::rng().random_range(-spread..=spread);
        Duration::from_secs_f64(jittered.max(hint.map_or(0.0, |h| h.as_secs_f64())).max(0.0))
    }
}

pub struct Worker<H> {
    db: Db,
    handler: H,
    clock: Arc<dyn Clock>,
    lease: Duration,
    retry: RetryPolicy,
}

impl<H: JobHandler> Worker<H> {
    pub fn new(db: Db, handler: H, clock: Arc<dyn Clock>) -> Self {
        Self {
            db,
            handler,
            clock,
            lease: Duration::from_secs(120),
            retry: RetryPolicy::default(),
        }
    }

    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Claims and runs at most one due job.
    pub async fn run_once(&self) -> Result<Outcome, DbError> {
        let now = self.clock.now_ms();
        let lease_ms = i64::try_from(self.lease.as_millis()).unwrap_or(i64::MAX);
        let Some(job) = self.db.claim_job(now, lease_ms).await? else {
            return Ok(Outcome::Empty);
        };
        let id = job.id;
        let result = self.handler.handle(&job).await;
        let lost = Outcome::LostClaim { id };
        match result {
            Ok(()) => {
                tracing::debug!(job = id, kind = %job.kind, "job done");
                let owned = self.db.complete_job(&job).await?;
                Ok(if owned { Outcome::Done { id } } else { lost })
            }
            Err(JobError::Retry { error, after }) if job.attempts < job.max_attempts => {
                let delay = self.retry.delay(job.attempts, after);
                let run_at = self.clock.now_ms() + i64::try_from(delay.as_millis()).unwrap_or(0);
                tracing::warn!(job = id, kind = %job.kind, attempt = job.attempts, %error, "job will be retried");
                let owned = self.db.retry_job(&job, run_at, &error).await?;
                Ok(if owned {
                    Outcome::Retrying { id, run_at }
                } else {
                    lost
                })
            }
            Err(JobError::Retry { error, .. } | JobError::Permanent(error)) => {
                tracing::error!(job = id, kind = %job.kind, attempt = job.attempts, %error, "job is dead");
                let owned = self.db.bury_job(&job, &error).await?;
                Ok(if owned { Outcome::Dead { id } } else { lost })
            }
        }
    }

    /// Runs due jobs until none is left (tests step the worker this way; no sleeping).
    pub async fn drain(&self) -> Result<Vec<Outcome>, DbError> {
        let mut outcomes = Vec::new();
        loop {
            match self.run_once().await? {
                Outcome::Empty => return Ok(outcomes),
                other => outcomes.push(other),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            jitter: 0.0,
            ..RetryPolicy::default()
        };
        assert_eq!(p.delay(1, None), Duration::from_secs(5));
        assert_eq!(p.delay(2, None), Duration::from_secs(10));
        assert_eq!(p.delay(4, None), Duration::from_secs(40));
        assert_eq!(p.delay(40, None), Duration::from_secs(3600));
    }

    #[test]
    fn a_remote_hint_is_honoured_and_never_shortened_by_jitter() {
        let p = RetryPolicy::default();
        for _ in 0..100 {
            let d = p.delay(1, Some(Duration::from_secs(30)));
            assert!(
                d >= Duration::from_secs(30) && d <= Duration::from_secs(36),
                "{d:?}"
            );
        }
        let jittered = p.delay(3, None).as_secs_f64();
        assert!((16.0..=24.0).contains(&jittered));
    }
}
