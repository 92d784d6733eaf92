//! The background worker: runs due jobs, idles briefly when there are none.

use std::sync::Arc;
use std::time::Duration;

use crate::jobs::{Job, JobError, JobHandler, Outcome, Worker};
use crate::state::AppState;

/// Dispatches jobs by kind to the services that carry them out.
#[derive(Clone)]
pub struct Dispatcher {
    pub state: AppState,
}

impl JobHandler for Dispatcher {
    async fn handle(&self, job: &Job) -> Result<(), JobError> {
        // Kinds are added with the features that need them; an unknown kind (say, written
        // by a newer version) is not silently dropped: it dies visibly.
        Err(JobError::Permanent(format!(
            "unknown job kind {:?}",
            job.kind
        )))
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
}

pub async fn run_forever(state: AppState) -> anyhow::Result<()> {
    let worker = worker(&state);
    let mut last_purge = 0_i64;
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
        if now - last_purge > 3_600_000 {
            last_purge = now;
            let week_ago = now - 7 * 24 * 3_600_000;
            if let Err(err) = state.db.purge_done_jobs(week_ago).await {
                tracing::warn!(%err, "could not purge finished jobs");
            }
        }
    }
}
