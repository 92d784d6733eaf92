//! The durable job queue on both backends: coalescing, serialisation per key, leases,
//! backoff, dead jobs, the outbox transaction, and concurrent workers.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use sequra_bc::clock::{Clock, ManualClock};
use sequra_bc::db::Db;
use sequra_bc::db::stores::InstallRecord;
use sequra_bc::domain::StoreHash;
use sequra_bc::jobs::{Job, JobError, JobHandler, NewJob, Outcome, RetryPolicy, Worker};

use crate::support::db::on_each_backend;

fn store() -> StoreHash {
    StoreHash::parse("jobstore").unwrap()
}

async fn seed(db: &Db) {
    let record = InstallRecord {
        access_token: vec![1],
        scopes: String::new(),
        owner_user_id: 1,
        webhook_secret: vec![2],
    };
    db.upsert_store(&store(), &record).await.unwrap();
}

fn job(kind: &str, dedupe: Option<&str>, serial: Option<&str>, run_at: i64) -> NewJob {
    NewJob {
        store: store(),
        kind: kind.into(),
        payload: serde_json::json!({ "kind": kind }),
        dedupe_key: dedupe.map(Into::into),
        serial_key: serial.map(Into::into),
        run_at,
        max_attempts: 3,
    }
}

/// Answers each job kind with a scripted sequence of results, and records every run.
type Plan = HashMap<String, Vec<Result<(), JobError>>>;

#[derive(Clone, Default)]
struct Script {
    plan: Arc<Mutex<Plan>>,
    runs: Arc<Mutex<Vec<(i64, String)>>>,
}

impl Script {
    fn plan(&self, kind: &str, results: Vec<Result<(), JobError>>) {
        self.plan.lock().insert(kind.into(), results);
    }
    fn runs(&self) -> Vec<String> {
        self.runs.lock().iter().map(|(_, k)| k.clone()).collect()
    }
}

impl JobHandler for Script {
    async fn handle(&self, job: &Job) -> Result<(), JobError> {
        self.runs.lock().push((job.id, job.kind.clone()));
        let mut plan = self.plan.lock();
        match plan.get_mut(&job.kind) {
            Some(results) if !results.is_empty() => results.remove(0),
            _ => Ok(()),
        }
    }
}

fn retry(msg: &str) -> Result<(), JobError> {
    Err(JobError::Retry {
        error: msg.into(),
        after: None,
    })
}

fn worker(db: &Db, script: &Script, clock: &ManualClock) -> Worker<Script> {
    let clock: Arc<dyn Clock> = Arc::new(clock.clone());
    Worker::new(db.clone(), script.clone(), clock).with_retry(RetryPolicy {
        base: Duration::from_secs(10),
        cap: Duration::from_secs(60),
        jitter: 0.0,
    })
}

#[tokio::test]
async fn coalesces_queued_jobs_and_runs_due_ones_only() {
    on_each_backend(|db: Db| async move {
        seed(&db).await;
        let clock = ManualClock::default();
        let now = clock.now_ms();
        assert!(
            db.enqueue(&job("sync", Some("order:1"), None, now))
                .await
                .unwrap()
        );
        for _ in 0..9 {
            assert!(
                !db.enqueue(&job("sync", Some("order:1"), None, now))
                    .await
                    .unwrap()
            );
        }
        assert!(
            db.enqueue(&job("later", None, None, now + 60_000))
                .await
                .unwrap()
        );

        let script = Script::default();
        let w = worker(&db, &script, &clock);
        assert_eq!(w.drain().await.unwrap().len(), 1);
        assert_eq!(script.runs(), vec!["sync"]);
        clock.advance_ms(60_000);
        assert_eq!(w.drain().await.unwrap().len(), 1);
        assert_eq!(script.runs(), vec!["sync", "later"]);
        assert_eq!(db.jobs(&store(), "done").await.unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn a_change_during_a_running_job_queues_one_more_run() {
    on_each_backend(|db: Db| async move {
        seed(&db).await;
        let now = ManualClock::default().now_ms();
        db.enqueue(&job("sync", Some("order:1"), Some("order:1"), now))
            .await
            .unwrap();
        let claimed = db.claim_job(now, 60_000).await.unwrap().unwrap();
        // A webhook arrives while the sync runs: it must not be lost in the running job.
        assert!(
            db.enqueue(&job("sync", Some("order:1"), Some("order:1"), now))
                .await
                .unwrap()
        );
        assert!(
            !db.enqueue(&job("sync", Some("order:1"), Some("order:1"), now))
                .await
                .unwrap()
        );
        // Same order: waits for the running one.
        assert!(db.claim_job(now, 60_000).await.unwrap().is_none());
        assert!(db.complete_job(&claimed).await.unwrap());
        let next = db.claim_job(now, 60_000).await.unwrap().unwrap();
        assert_ne!(next.id, claimed.id);
    })
    .await;
}

#[tokio::test]
async fn an_expired_lease_is_claimed_again_and_the_old_claim_is_void() {
    on_each_backend(|db: Db| async move {
        seed(&db).await;
        let now = ManualClock::default().now_ms();
        db.enqueue(&job("sync", None, Some("order:7"), now))
            .await
            .unwrap();
        let first = db.claim_job(now, 1_000).await.unwrap().unwrap();
        assert!(db.claim_job(now + 999, 1_000).await.unwrap().is_none());
        let second = db.claim_job(now + 1_000, 1_000).await.unwrap().unwrap();
        assert_eq!((second.id, second.attempts), (first.id, 2));
        assert!(
            !db.complete_job(&first).await.unwrap(),
            "the dead worker's claim"
        );
        assert!(db.complete_job(&second).await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn retries_back_off_then_the_job_dies_visibly() {
    on_each_backend(|db: Db| async move {
        seed(&db).await;
        let clock = ManualClock::default();
        let script = Script::default();
        script.plan("flaky", vec![retry("503"), Ok(())]);
        script.plan("down", vec![retry("a"), retry("b"), retry("c")]);
        script.plan(
            "rejected",
            vec![Err(JobError::Permanent("409 rejected".into()))],
        );
        let w = worker(&db, &script, &clock);
        let now = clock.now_ms();
        for kind in ["flaky", "down", "rejected"] {
            db.enqueue(&job(kind, None, None, now)).await.unwrap();
        }

        let outcomes = w.drain().await.unwrap();
        assert_eq!(outcomes.len(), 3);
        assert!(matches!(outcomes[0], Outcome::Retrying { run_at, .. } if run_at >= now + 10_000));
        assert!(matches!(outcomes[2], Outcome::Dead { .. }));
        // Nothing is due until the backoff has passed.
        assert!(w.drain().await.unwrap().is_empty());
        clock.advance_ms(10_000);
        assert_eq!(w.drain().await.unwrap().len(), 2); // flaky succeeds, down retries
        clock.advance_ms(20_000);
        let last = w.drain().await.unwrap();
        assert!(matches!(last[..], [Outcome::Dead { .. }]), "{last:?}");

        let dead = db.jobs(&store(), "dead").await.unwrap();
        let mut dead_kinds: Vec<_> = dead
            .iter()
            .map(|j| (j.kind.as_str(), j.last_error.clone()))
            .collect();
        dead_kinds.sort();
        assert_eq!(
            dead_kinds,
            vec![
                ("down", Some("c".into())),
                ("rejected", Some("409 rejected".into()))
            ]
        );
        assert_eq!(db.jobs(&store(), "done").await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_retry_is_superseded_by_a_newer_queued_job() {
    on_each_backend(|db: Db| async move {
        seed(&db).await;
        let now = ManualClock::default().now_ms();
        db.enqueue(&job("sync", Some("k"), None, now))
            .await
            .unwrap();
        let claimed = db.claim_job(now, 60_000).await.unwrap().unwrap();
        db.enqueue(&job("sync", Some("k"), None, now))
            .await
            .unwrap();
        assert!(
            db.retry_job(&claimed, now + 5_000, "timeout")
                .await
                .unwrap()
        );
        assert_eq!(db.jobs(&store(), "queued").await.unwrap().len(), 1);
        let done = db.jobs(&store(), "done").await.unwrap();
        assert!(
            done[0]
                .last_error
                .as_deref()
                .unwrap()
                .contains("superseded")
        );
    })
    .await;
}

#[tokio::test]
async fn enqueue_commits_or_rolls_back_with_its_transaction() {
    on_each_backend(|db: Db| async move {
        seed(&db).await;
        let now = ManualClock::default().now_ms();
        let mut tx = db.begin().await.unwrap();
        tx.enqueue(&job("rolled-back", None, None, now))
            .await
            .unwrap();
        drop(tx);
        let mut tx = db.begin().await.unwrap();
        tx.enqueue(&job("committed", None, None, now))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let queued = db.jobs(&store(), "queued").await.unwrap();
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0].kind, "committed");
    })
    .await;
}

#[tokio::test]
async fn concurrent_workers_claim_each_job_once_and_never_overlap_an_order() {
    on_each_backend(|db: Db| async move {
        seed(&db).await;
        let now = ManualClock::default().now_ms();
        // 40 jobs over 8 orders, several per order.
        for i in 0..40 {
            let order = format!("order:{}", i % 8);
            db.enqueue(&job(&format!("job{i}"), None, Some(&order), now))
                .await
                .unwrap();
        }
        let running: Arc<Mutex<HashSet<String>>> = Arc::default();
        let seen: Arc<Mutex<Vec<i64>>> = Arc::default();
        let mut tasks = Vec::new();
        for _ in 0..6 {
            let (db, running, seen) = (db.clone(), running.clone(), seen.clone());
            tasks.push(tokio::spawn(async move {
                let mut idle = 0;
                while idle < 50 {
                    let Some(job) = db.claim_job(now, 60_000).await.unwrap() else {
                        idle += 1;
                        tokio::task::yield_now().await;
                        continue;
                    };
                    idle = 0;
                    let key = job.serial_key.clone().unwrap();
                    assert!(
                        running.lock().insert(key.clone()),
                        "two jobs of {key} at once"
                    );
                    seen.lock().push(job.id);
                    tokio::task::yield_now().await;
                    running.lock().remove(&key);
                    assert!(db.complete_job(&job).await.unwrap());
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let mut ids = seen.lock().clone();
        ids.sort();
        let before = ids.len();
        ids.dedup();
        assert_eq!(
            (before, ids.len()),
            (40, 40),
            "each job claimed exactly once"
        );
        assert_eq!(db.jobs(&store(), "done").await.unwrap().len(), 40);
    })
    .await;
}
