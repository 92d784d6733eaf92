//! Group commit for webhook deliveries: the receiver hands each authenticated delivery to
//! one writer task, which stores whatever has queued up (up to [`MAX_BATCH`]) in one
//! transaction and answers every sender once that transaction has committed. A delivery is
//! still acknowledged only after it is durable; many deliveries share one commit (one fsync
//! on SQLite, one round of WAL flush on PostgreSQL), which is what lets a durable,
//! deduplicated acknowledgement approach a no-op endpoint's rate (architecture §8).
//!
//! If a batch fails as a whole (a statement error aborts the transaction), each of its
//! deliveries is retried in a transaction of its own, so one bad delivery cannot fail the
//! others; a delivery that still fails gets its own error (the receiver answers 5xx and
//! BigCommerce redelivers).

use tokio::sync::{mpsc, oneshot};

use crate::db::{Db, DbError};
use crate::domain::StoreHash;
use crate::jobs::NewJob;

/// Most deliveries committed together.
pub const MAX_BATCH: usize = 256;

/// One delivery to store (and the sync to queue with it).
pub struct Delivery {
    pub store: StoreHash,
    pub delivery_key: String,
    pub scope: String,
    pub order_id: Option<i64>,
    pub payload: String,
    pub job: Option<NewJob>,
}

struct Pending {
    delivery: Delivery,
    reply: oneshot::Sender<Result<bool, String>>,
}

/// Writers per instance: SQLite has one writer at a time anyway; on PostgreSQL several
/// batches commit in parallel, each on its own connection (a batch's statements are round
/// trips, so one writer alone would leave the server idle between them).
const SQLITE_WRITERS: usize = 1;
const POSTGRES_WRITERS: usize = 4;

/// The writers' handle (cheap to clone).
#[derive(Clone, Debug)]
pub struct Ingest {
    writers: std::sync::Arc<[mpsc::Sender<Pending>]>,
    next: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Ingest {
    /// Starts the writer tasks on the current runtime.
    pub fn start(db: Db) -> Self {
        let count = match db {
            Db::Sqlite(_) => SQLITE_WRITERS,
            Db::Postgres(_) => POSTGRES_WRITERS,
        };
        let writers = (0..count)
            .map(|_| {
                let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
                tokio::spawn(writer(db.clone(), rx));
                tx
            })
            .collect();
        Self {
            writers,
            next: std::sync::Arc::default(),
        }
    }

    /// Stores `delivery` and returns once it is committed: whether it was new (a
    /// redelivery of a stored event is not).
    pub async fn store(&self, delivery: Delivery) -> Result<bool, DbError> {
        let (reply, answer) = oneshot::channel();
        let gone = || DbError::Corrupt("the webhook writer is not running".into());
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % self.writers.len();
        self.writers[n]
            .send(Pending { delivery, reply })
            .await
            .map_err(|_| gone())?;
        match answer.await {
            Ok(Ok(new)) => Ok(new),
            Ok(Err(e)) => Err(DbError::Corrupt(e)),
            Err(_) => Err(gone()),
        }
    }
}

async fn writer(db: Db, mut rx: mpsc::Receiver<Pending>) {
    let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        match write(&db, batch.iter().map(|p| &p.delivery)).await {
            Ok(results) => {
                for (p, new) in batch.drain(..).zip(results) {
                    let _ = p.reply.send(Ok(new));
                }
            }
            Err(err) => {
                tracing::warn!(%err, deliveries = batch.len(), "webhook batch failed; storing one by one");
                for p in batch.drain(..) {
                    let one = write(&db, std::iter::once(&p.delivery)).await;
                    let _ = p.reply.send(
                        one.map(|r| r.first().copied().unwrap_or(false))
                            .map_err(|e| e.to_string()),
                    );
                }
            }
        }
    }
}

async fn write<'a>(
    db: &Db,
    deliveries: impl Iterator<Item = &'a Delivery>,
) -> Result<Vec<bool>, DbError> {
    let mut tx = db.begin().await?;
    let mut results = Vec::new();
    for d in deliveries {
        let new = tx
            .insert_webhook_event(&d.store, &d.delivery_key, &d.scope, d.order_id, &d.payload)
            .await?;
        if let Some(job) = &d.job {
            tx.enqueue(job).await?;
        }
        results.push(new);
    }
    tx.commit().await?;
    Ok(results)
}
