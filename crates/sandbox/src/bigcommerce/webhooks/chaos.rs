//! Chaos switches: ways to make delivery misbehave on purpose, so the app's handling of
//! lost, failed, duplicated, reordered and late webhooks can be tested. Every switch is
//! deterministic: counts, or probabilities drawn from a seeded generator.

use std::time::Duration;

/// Losing deliveries for good: a dropped delivery is recorded as
/// [`super::DeliveryStatus::Dropped`], never attempted and never retried.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum DropMode {
    #[default]
    Off,
    /// Drop the next `n` deliveries.
    Next(u32),
    /// Drop each delivery with this probability (0.0–1.0), drawn from a generator
    /// seeded with `seed`.
    Probability { probability: f64, seed: u64 },
}

/// Losing first attempts only: the first attempt of an affected delivery is recorded as
/// [`super::AttemptOutcome::Lost`] without reaching the destination, and the delivery is
/// then retried on the normal schedule (what BigCommerce does after a network failure).
/// The lost attempt counts as a failure everywhere: retry schedule, 90001 notices and the
/// domain's success ratio.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FailFirstMode {
    #[default]
    Off,
    /// Affect the next `n` deliveries.
    Next(u32),
    /// Affect every delivery.
    All,
}

/// Holding deliveries back and releasing them out of order on
/// [`super::Webhooks::flush`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReorderMode {
    #[default]
    Off,
    /// Release the held deliveries newest first.
    Reverse,
    /// Release them in an order shuffled by a generator seeded with `seed`.
    Shuffle { seed: u64 },
}

/// The switches as they are set now.
#[derive(Debug, Default)]
pub(super) struct Chaos {
    pub drop: DropMode,
    pub fail_first: FailFirstMode,
    /// Deliver every event twice (two deliveries per hook, identical bodies).
    pub duplicate: bool,
    pub reorder: ReorderMode,
    /// Hold new deliveries until the clock has moved this far.
    pub delay: Option<Duration>,
    drop_rng: SplitMix64,
    shuffle_rng: SplitMix64,
}

/// What the switches decided for one new delivery.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Verdict {
    pub dropped: bool,
    pub lose_first_attempt: bool,
    pub held: bool,
}

impl Chaos {
    pub fn set_drop(&mut self, mode: DropMode) {
        if let DropMode::Probability { seed, .. } = mode {
            self.drop_rng = SplitMix64::new(seed);
        }
        self.drop = mode;
    }

    pub fn set_reorder(&mut self, mode: ReorderMode) {
        if let ReorderMode::Shuffle { seed } = mode {
            self.shuffle_rng = SplitMix64::new(seed);
        }
        self.reorder = mode;
    }

    /// Decides the fate of one new delivery (and counts down the `Next(n)` switches).
    pub fn judge(&mut self) -> Verdict {
        let dropped = match self.drop {
            DropMode::Off => false,
            DropMode::Next(n) => {
                self.drop = if n > 1 {
                    DropMode::Next(n - 1)
                } else {
                    DropMode::Off
                };
                n > 0
            }
            DropMode::Probability { probability, .. } => self.drop_rng.next_f64() < probability,
        };
        if dropped {
            return Verdict {
                dropped: true,
                ..Verdict::default()
            };
        }
        let lose_first_attempt = match self.fail_first {
            FailFirstMode::Off => false,
            FailFirstMode::All => true,
            FailFirstMode::Next(n) => {
                self.fail_first = if n > 1 {
                    FailFirstMode::Next(n - 1)
                } else {
                    FailFirstMode::Off
                };
                n > 0
            }
        };
        Verdict {
            dropped: false,
            lose_first_attempt,
            held: self.reorder != ReorderMode::Off,
        }
    }

    /// Puts held deliveries (given oldest first) into their release order.
    pub fn release_order<T>(&mut self, mut held: Vec<T>) -> Vec<T> {
        match self.reorder {
            // After the switch is turned off, whatever is still held goes out newest
            // first, like `Reverse`: held deliveries are released out of order or not
            // at all.
            ReorderMode::Off | ReorderMode::Reverse => held.reverse(),
            ReorderMode::Shuffle { .. } => {
                // Fisher–Yates.
                for i in (1..held.len()).rev() {
                    let bound = u64::try_from(i + 1).unwrap_or(u64::MAX);
                    let j = usize::try_from(self.shuffle_rng.next_u64() % bound).unwrap_or(0);
                    held.swap(i, j);
                }
            }
        }
        held
    }
}

/// SplitMix64: a tiny, well-known generator. Written out here so that a seed gives the
/// same sequence whatever version of `rand` the workspace resolves to.
#[derive(Clone, Debug, Default)]
pub(super) struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        // The top 53 bits fill an f64 mantissa exactly.
        #[allow(clippy::cast_precision_loss)]
        let value = (self.next_u64() >> 11) as f64;
        value / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drop_next_counts_down_then_turns_off() {
        let mut chaos = Chaos::default();
        chaos.set_drop(DropMode::Next(2));
        assert!(chaos.judge().dropped);
        assert!(chaos.judge().dropped);
        assert!(!chaos.judge().dropped);
        assert_eq!(chaos.drop, DropMode::Off);
    }

    #[test]
    fn drop_probability_is_reproducible() {
        let run = |seed| {
            let mut chaos = Chaos::default();
            chaos.set_drop(DropMode::Probability {
                probability: 0.5,
                seed,
            });
            (0..64).map(|_| chaos.judge().dropped).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        let dropped = run(7).iter().filter(|d| **d).count();
        assert!((16..=48).contains(&dropped), "{dropped}");
    }

    #[test]
    fn probability_edges() {
        let mut chaos = Chaos::default();
        chaos.set_drop(DropMode::Probability {
            probability: 0.0,
            seed: 1,
        });
        assert!((0..100).all(|_| !chaos.judge().dropped));
        chaos.set_drop(DropMode::Probability {
            probability: 1.0,
            seed: 1,
        });
        assert!((0..100).all(|_| chaos.judge().dropped));
    }

    #[test]
    fn fail_first_next() {
        let mut chaos = Chaos {
            fail_first: FailFirstMode::Next(1),
            ..Chaos::default()
        };
        assert!(chaos.judge().lose_first_attempt);
        assert!(!chaos.judge().lose_first_attempt);
    }

    #[test]
    fn shuffle_is_a_reproducible_permutation() {
        let shuffle = |seed| {
            let mut chaos = Chaos::default();
            chaos.set_reorder(ReorderMode::Shuffle { seed });
            chaos.release_order((0..10).collect::<Vec<_>>())
        };
        let a = shuffle(42);
        assert_eq!(a, shuffle(42));
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..10).collect::<Vec<_>>());
        assert_ne!(a, (0..10).collect::<Vec<_>>());
    }
}
