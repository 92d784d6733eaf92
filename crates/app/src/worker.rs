//! The background worker: runs due jobs, idles briefly when there are none.

use std::sync::Arc;
use std::time::Duration;

use crate::domain::StoreHash;
use crate::jobs::{Job, JobError, JobHandler, Outcome, Worker};
use crate::services::{install, notifications, order_sync, provision};
use crate::state::AppState;
use crate::web::AppError;

/// Outages and rate limits are retried; anything else will not get better by itself.
fn job_error(err: AppError) -> JobError {
    match err {
        AppError::Unavailable(error) => JobError::Retry { error, after: None },
        AppError::Internal(e) => JobError::Retry {
            error: format!("{e:#}"),
            after: None,
        },
        other => JobError::Permanent(other.to_string()),
    }
}

/// Dispatches jobs by kind to the services that carry them out.
#[derive(Clone)]
pub struct Dispatcher {
    pub state: AppState,
}

impl JobHandler for Dispatcher {
    async fn handle(&self, job: &Job) -> Result<(), JobError> {
        let store = StoreHash::parse(&job.store_hash)
            .map_err(|_| JobError::Permanent(format!("bad store {:?}", job.store_hash)))?;
        match job.kind.as_str() {
            install::PROVISION_JOB => provision::provision(&self.state, &store)
                .await
                .map_err(job_error),
            order_sync::SYNC_JOB => order_sync::run(&self.state, &store, job).await,
            notifications::DELETE_CART_JOB => {
                notifications::delete_cart(&self.state, &store, &job.payload).await
            }
            // An unknown kind (say, written by a newer version) is not silently dropped:
            // it dies visibly.
            other => Err(JobError::Permanent(format!("unknown job kind {other:?}"))),
        }
    }
}

pub fn worker(state: &AppState) -> Worker<Dispatcher> {
    Worker::new(
        state.db.clone(),
        Dispatcher {
            state: state.clone(),
        },
        Arc::clone(&state.clock),
    )
    .with_lease(Duration::from_secs(state.config.job_lease_secs))
}

/// How often every store's webhooks, script and extension are re-checked (BigCommerce
/// switches hooks off after failed deliveries, or after 90 days without events).
const HEALTH_EVERY_MS: i64 = 6 * 3_600_000;

/// Queues the provisioning check of every store (coalesced per store), so a hook that
/// BigCommerce deactivated is switched back on even if nobody opens the app.
pub async fn health_check(state: &AppState) {
    match state.db.store_hashes().await {
        Ok(stores) => {
            for store in stores {
                if let Err(err) = install::enqueue_provisioning(state, &store).await {
                    tracing::warn!(store = %store, error = %err, "could not queue the health check");
                }
            }
        }
        Err(err) => tracing::warn!(%err, "could not list stores for the health check"),
    }
}

pub async fn run_forever(state: AppState) -> anyhow::Result<()> {
    let worker = worker(&state);
    let mut last_purge = 0_i64;
    let mut last_health = state.clock.now_ms();
    loop {
        match worker.run_once().await {
            Ok(Outcome::Empty) => tokio::time::sleep(Duration::from_millis(250)).await,
            Ok(_) => {}
            Err(err) => {
                tracing::error!(%err, "worker could not reach the database");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
        let now = state.clock.now_ms();
        if now - last_health > HEALTH_EVERY_MS {
            last_health = now;
            health_check(&state).await;
        }
        if now - last_purge > 3_600_000 {
            last_purge = now;
            let week_ago = now - 7 * 24 * 3_600_000;
            if let Err(err) = state.db.purge_done_jobs(week_ago).await {
                tracing::warn!(%err, "could not purge finished jobs");
            }
        }
    }
}
