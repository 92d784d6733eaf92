//! Chaos switches: each does what it says, deterministically.

use std::time::Duration;

use sandbox::bigcommerce::webhooks::{
    AttemptOutcome, DeliveryStatus, DropMode, FailFirstMode, ReorderMode,
};
use serde_json::{Value, json};

use super::{Harness, STORE};

fn order(id: u64) -> Value {
    json!({"type": "order", "id": id})
}

/// A harness with one hook for `store/order/created` at `/hooks`.
async fn harness() -> Harness {
    let h = Harness::new().await;
    h.hook_to("store/order/created", "/hooks").await;
    h
}

fn emit_orders(h: &Harness, ids: impl IntoIterator<Item = u64>) {
    for id in ids {
        h.emit("store/order/created", order(id));
    }
}

fn received_ids(h: &Harness) -> Vec<u64> {
    h.receiver
        .received()
        .iter()
        .map(|r| r.body["data"]["id"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn drop_next_loses_deliveries_for_good() {
    let h = harness().await;
    h.webhooks.set_drop(DropMode::Next(2));
    emit_orders(&h, 1..=3);
    h.webhooks.flush().await;
    assert_eq!(received_ids(&h), [3]);

    let deliveries = h.webhooks.deliveries(STORE);
    assert_eq!(deliveries[0].status, DeliveryStatus::Dropped);
    assert_eq!(deliveries[1].status, DeliveryStatus::Dropped);
    assert!(deliveries[0].attempts.is_empty());
    // Never retried.
    h.advance(3 * 86_400);
    h.webhooks.run_due().await;
    assert_eq!(received_ids(&h), [3]);
    // The switch turned itself off after two.
    emit_orders(&h, [4]);
    h.webhooks.flush().await;
    assert_eq!(received_ids(&h), [3, 4]);
}

#[tokio::test]
async fn drop_with_a_probability_is_reproducible() {
    async fn run(seed: u64) -> Vec<u64> {
        let h = harness().await;
        h.webhooks.set_drop(DropMode::Probability {
            probability: 0.5,
            seed,
        });
        emit_orders(&h, 1..=20);
        h.webhooks.flush().await;
        received_ids(&h)
    }
    let first = run(7).await;
    assert_eq!(first, run(7).await, "same seed, same losses");
    assert!(!first.is_empty() && first.len() < 20, "{first:?}");
    assert_ne!(first, run(8).await);
}

#[tokio::test]
async fn fail_first_loses_the_first_attempt_then_retries_normally() {
    let h = harness().await;
    h.webhooks.set_fail_first(FailFirstMode::Next(1));
    emit_orders(&h, 1..=2);
    h.webhooks.flush().await;
    assert_eq!(
        received_ids(&h),
        [2],
        "the first attempt of event 1 never arrived"
    );

    let first = &h.webhooks.deliveries(STORE)[0];
    assert_eq!(first.attempts[0].outcome, AttemptOutcome::Lost);
    assert!(matches!(first.status, DeliveryStatus::Pending { .. }));

    h.advance(60);
    h.webhooks.run_due().await;
    assert_eq!(received_ids(&h), [2, 1]);
    let first = &h.webhooks.deliveries(STORE)[0];
    assert_eq!(first.status, DeliveryStatus::Delivered);
    assert_eq!(first.attempts.len(), 2);

    // `All` affects every delivery until switched off.
    h.webhooks.set_fail_first(FailFirstMode::All);
    emit_orders(&h, 3..=4);
    h.webhooks.flush().await;
    assert_eq!(received_ids(&h), [2, 1]);
    h.webhooks.set_fail_first(FailFirstMode::Off);
    h.advance(60);
    h.webhooks.run_due().await;
    assert_eq!(received_ids(&h), [2, 1, 3, 4]);
}

#[tokio::test]
async fn duplicate_delivers_every_event_twice() {
    let h = harness().await;
    h.webhooks.set_duplicate(true);
    emit_orders(&h, [1]);
    h.webhooks.flush().await;
    let received = h.receiver.received();
    assert_eq!(received.len(), 2);
    assert_eq!(
        received[0].raw, received[1].raw,
        "identical bodies, same hash"
    );
    let deliveries = h.webhooks.deliveries(STORE);
    assert_eq!(deliveries[1].duplicate_of, Some(deliveries[0].id));

    h.webhooks.set_duplicate(false);
    emit_orders(&h, [2]);
    h.webhooks.flush().await;
    assert_eq!(received_ids(&h), [1, 1, 2]);
}

// Also on a multi-threaded runtime, like the demo's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reorder_reverse_holds_until_flush_and_releases_newest_first() {
    let h = harness().await;
    h.webhooks.set_reorder(ReorderMode::Reverse);
    emit_orders(&h, 1..=4);
    // Held: neither the worker nor run_due lets them out.
    h.advance(3600);
    h.webhooks.run_due().await;
    assert!(h.receiver.received().is_empty());
    assert!(
        h.webhooks
            .deliveries(STORE)
            .iter()
            .all(|d| d.status == DeliveryStatus::Held)
    );

    h.webhooks.flush().await;
    assert_eq!(received_ids(&h), [4, 3, 2, 1]);

    h.webhooks.set_reorder(ReorderMode::Off);
    emit_orders(&h, 5..=6);
    h.webhooks.flush().await;
    assert_eq!(received_ids(&h), [4, 3, 2, 1, 5, 6]);
}

#[tokio::test]
async fn reorder_shuffle_is_a_reproducible_permutation() {
    async fn run(seed: u64) -> Vec<u64> {
        let h = harness().await;
        h.webhooks.set_reorder(ReorderMode::Shuffle { seed });
        emit_orders(&h, 1..=8);
        h.webhooks.flush().await;
        received_ids(&h)
    }
    let order = run(42).await;
    assert_eq!(order, run(42).await);
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (1..=8).collect::<Vec<_>>());
    assert_ne!(order, sorted, "shuffled");
}

#[tokio::test]
async fn delay_holds_deliveries_until_the_clock_moves() {
    let h = harness().await;
    h.webhooks.set_delay(Some(Duration::from_secs(300)));
    emit_orders(&h, [1]);
    h.webhooks.flush().await;
    assert!(h.receiver.received().is_empty());
    h.advance(150);
    h.webhooks.run_due().await;
    assert!(h.receiver.received().is_empty());
    h.advance(150);
    h.webhooks.run_due().await;
    assert_eq!(received_ids(&h), [1]);

    h.webhooks.set_delay(None);
    emit_orders(&h, [2]);
    h.webhooks.flush().await;
    assert_eq!(received_ids(&h), [1, 2]);
}

#[tokio::test]
async fn reset_turns_every_switch_off() {
    let h = harness().await;
    h.webhooks.set_drop(DropMode::Next(5));
    h.webhooks.set_fail_first(FailFirstMode::All);
    h.webhooks.set_duplicate(true);
    h.webhooks.set_reorder(ReorderMode::Reverse);
    h.webhooks.set_delay(Some(Duration::from_secs(60)));
    h.webhooks.reset_chaos();
    emit_orders(&h, 1..=2);
    h.webhooks.flush().await;
    assert_eq!(received_ids(&h), [1, 2]);
    assert!(
        h.webhooks
            .deliveries(STORE)
            .iter()
            .all(|d| d.status == DeliveryStatus::Delivered && d.attempts.len() == 1)
    );
}
