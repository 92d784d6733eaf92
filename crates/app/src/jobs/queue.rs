//! Storage side of the durable job queue (see migrations/*/0002_jobs.sql for the rules).

use crate::db::{Db, DbError, Tx, execute, execute_tx, run};
use crate::domain::StoreHash;

/// A job to enqueue.
#[derive(Clone, Debug)]
pub struct NewJob {
    pub store: StoreHash,
    pub kind: String,
    pub payload: serde_json::Value,
    /// While a queued job with this key exists, enqueueing another is a no-op.
    pub dedupe_key: Option<String>,
    /// Jobs sharing this key never run at the same time.
    pub serial_key: Option<String>,
    /// Unix ms.
    pub run_at: i64,
    pub max_attempts: i64,
}

/// A claimed job. `claim_token` proves ownership when finishing it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Job {
    pub id: i64,
    pub store_hash: String,
    pub kind: String,
    pub payload: String,
    pub dedupe_key: Option<String>,
    pub serial_key: Option<String>,
    pub attempts: i64,
    pub max_attempts: i64,
    pub claim_token: Option<String>,
}

/// A job as the merchant-facing views and tests see it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct JobRow {
    pub id: i64,
    pub store_hash: String,
    pub kind: String,
    pub payload: String,
    pub dedupe_key: Option<String>,
    pub state: String,
    pub run_at: i64,
    pub attempts: i64,
    pub max_attempts: i64,
    pub last_error: Option<String>,
    pub updated_at: i64,
}

const INSERT: &str = "INSERT INTO jobs (store_hash, kind, payload, dedupe_key, serial_key, state, \
     run_at, attempts, max_attempts, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, 'queued', $6, 0, $7, $8, $8) \
     ON CONFLICT (store_hash, dedupe_key) WHERE state = 'queued' DO NOTHING";

// Claimable: queued and due, or running with an expired lease (its worker died). A job
// with a serial key waits while another job with that key is running.
const CLAIM_CANDIDATE: &str = "SELECT j.id FROM jobs j \
     WHERE ((j.state = 'queued' AND j.run_at <= $1) OR (j.state = 'running' AND j.lease_until <= $1)) \
     AND (j.serial_key IS NULL OR NOT EXISTS (SELECT 1 FROM jobs r WHERE r.store_hash = j.store_hash \
          AND r.serial_key = j.serial_key AND r.state = 'running' AND r.id <> j.id)) \
     ORDER BY j.run_at, j.id LIMIT 1";

const CLAIM_RETURNING: &str = "RETURNING id, store_hash, kind, payload, dedupe_key, serial_key, \
     attempts, max_attempts, claim_token";

impl Db {
    /// Enqueues outside any other write. Returns false when coalesced into a queued job.
    pub async fn enqueue(&self, job: &NewJob) -> Result<bool, DbError> {
        let now = crate::db::now_ms();
        let inserted = execute!(self, |p| sqlx::query(INSERT)
            .bind(job.store.as_str())
            .bind(&job.kind)
            .bind(job.payload.to_string())
            .bind(&job.dedupe_key)
            .bind(&job.serial_key)
            .bind(job.run_at)
            .bind(job.max_attempts)
            .bind(now))?;
        Ok(inserted > 0)
    }

    /// Claims the next due job for `lease_ms`, or `None` when nothing is due (or another
    /// worker won the race for it).
    pub async fn claim_job(&self, now: i64, lease_ms: i64) -> Result<Option<Job>, DbError> {
        let token = uuid::Uuid::new_v4().to_string();
        let result = match self {
            Db::Postgres(p) => {
                // SKIP LOCKED: concurrent workers pass over rows another worker is claiming.
                let sql = sqlx::AssertSqlSafe(format!(
                    "UPDATE jobs SET state = 'running', attempts = attempts + 1, \
                     lease_until = $1 + $2, claim_token = $3, updated_at = $1 \
                     WHERE id = ({CLAIM_CANDIDATE} FOR UPDATE SKIP LOCKED) {CLAIM_RETURNING}"
                ));
                sqlx::query_as::<_, Job>(sql)
                    .bind(now)
                    .bind(lease_ms)
                    .bind(&token)
                    .fetch_optional(p)
                    .await
            }
            Db::Sqlite(p) => {
                // One writer at a time: BEGIN IMMEDIATE already serialises claims.
                let mut tx = p.begin_with("BEGIN IMMEDIATE").await?;
                let sql = sqlx::AssertSqlSafe(format!(
                    "UPDATE jobs SET state = 'running', attempts = attempts + 1, \
                     lease_until = $1 + $2, claim_token = $3, updated_at = $1 \
                     WHERE id = ({CLAIM_CANDIDATE}) {CLAIM_RETURNING}"
                ));
                let job = sqlx::query_as::<_, Job>(sql)
                    .bind(now)
                    .bind(lease_ms)
                    .bind(&token)
                    .fetch_optional(&mut *tx)
                    .await;
                match job {
                    Ok(job) => tx.commit().await.map(|()| job),
                    Err(e) => Err(e),
                }
            }
        };
        match result {
            Ok(job) => Ok(job),
            // Two workers picked different jobs of one serial key at once; the unique
            // index let one win. The loser simply finds nothing this time.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Marks a claimed job done. False if the claim was lost (lease expired, reclaimed).
    pub async fn complete_job(&self, job: &Job) -> Result<bool, DbError> {
        const SQL: &str = "UPDATE jobs SET state = 'done', lease_until = NULL, claim_token = NULL, \
             last_error = NULL, updated_at = $3 WHERE id = $1 AND claim_token = $2 AND state = 'running'";
        let n = execute!(self, |p| sqlx::query(SQL)
            .bind(job.id)
            .bind(&job.claim_token)
            .bind(crate::db::now_ms()))?;
        Ok(n > 0)
    }

    /// Puts a claimed job back in the queue to run at `run_at`. When a newer job with the
    /// same dedupe key was queued meanwhile, that one supersedes this retry (it will read
    /// the current state anyway) and this job is closed as done.
    pub async fn retry_job(&self, job: &Job, run_at: i64, error: &str) -> Result<bool, DbError> {
        const SQL: &str = "UPDATE jobs SET state = 'queued', run_at = $3, last_error = $4, \
             lease_until = NULL, claim_token = NULL, updated_at = $5 \
             WHERE id = $1 AND claim_token = $2 AND state = 'running'";
        let now = crate::db::now_ms();
        let result = execute!(self, |p| sqlx::query(SQL)
            .bind(job.id)
            .bind(&job.claim_token)
            .bind(run_at)
            .bind(error)
            .bind(now));
        match result {
            Ok(n) => Ok(n > 0),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                const SUPERSEDED: &str = "UPDATE jobs SET state = 'done', lease_until = NULL, \
                     claim_token = NULL, last_error = $3, updated_at = $4 \
                     WHERE id = $1 AND claim_token = $2 AND state = 'running'";
                let note = format!("superseded by a newer job after: {error}");
                let n = execute!(self, |p| sqlx::query(SUPERSEDED)
                    .bind(job.id)
                    .bind(&job.claim_token)
                    .bind(note)
                    .bind(now))?;
                Ok(n > 0)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Gives up on a claimed job: it stays visible as dead with its last error.
    pub async fn bury_job(&self, job: &Job, error: &str) -> Result<bool, DbError> {
        const SQL: &str = "UPDATE jobs SET state = 'dead', last_error = $3, lease_until = NULL, \
             claim_token = NULL, updated_at = $4 WHERE id = $1 AND claim_token = $2 AND state = 'running'";
        let n = execute!(self, |p| sqlx::query(SQL)
            .bind(job.id)
            .bind(&job.claim_token)
            .bind(error)
            .bind(crate::db::now_ms()))?;
        Ok(n > 0)
    }

    /// A store's jobs in a given state, oldest first.
    pub async fn jobs(&self, store: &StoreHash, state: &str) -> Result<Vec<JobRow>, DbError> {
        const SQL: &str = "SELECT id, store_hash, kind, payload, dedupe_key, state, run_at, attempts, \
             max_attempts, last_error, updated_at FROM jobs WHERE store_hash = $1 AND state = $2 \
             ORDER BY id";
        Ok(run!(self, |p| sqlx::query_as::<_, JobRow>(SQL)
            .bind(store.as_str())
            .bind(state)
            .fetch_all(p)
            .await)?)
    }

    /// When a worker next has something to claim: the earliest `run_at` of a queued job, or
    /// the end of a running job's lease (its worker may have died). `None`: no work is
    /// queued or running anywhere.
    pub async fn next_job_due(&self) -> Result<Option<i64>, DbError> {
        const SQL: &str = "SELECT MIN(CASE WHEN state = 'queued' THEN run_at ELSE lease_until END) \
             FROM jobs WHERE state IN ('queued', 'running')";
        Ok(run!(self, |p| sqlx::query_scalar::<_, Option<i64>>(SQL)
            .fetch_one(p)
            .await)?)
    }

    /// Forgets finished jobs older than `before` (unix ms).
    pub async fn purge_done_jobs(&self, before: i64) -> Result<u64, DbError> {
        const SQL: &str = "DELETE FROM jobs WHERE state = 'done' AND updated_at < $1";
        Ok(execute!(self, |p| sqlx::query(SQL).bind(before))?)
    }
}

impl Tx {
    /// Enqueues inside the transaction of the change that causes the job (outbox): both
    /// commit together or neither does.
    pub async fn enqueue(&mut self, job: &NewJob) -> Result<bool, DbError> {
        let now = crate::db::now_ms();
        let inserted = execute_tx!(self, |c| sqlx::query(INSERT)
            .bind(job.store.as_str())
            .bind(&job.kind)
            .bind(job.payload.to_string())
            .bind(&job.dedupe_key)
            .bind(&job.serial_key)
            .bind(job.run_at)
            .bind(job.max_attempts)
            .bind(now))?;
        Ok(inserted > 0)
    }
}
