//! The fuzz targets without a fuzzer: every seed in `fuzz/corpus/<target>/` plus a few
//! thousand deterministic mutations of them (seeded, so a failure reproduces) through the
//! same target bodies cargo-fuzz runs (`sequra_bc::fuzzing`). Runs in every CI build on the
//! stable toolchain; the real fuzzing is `fuzz/` (docs/reliability-bad-input.md).

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;

use sequra_bc::fuzzing;

/// Mutations per target (in addition to the seeds themselves).
const MUTATIONS: usize = 3_000;

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("seed-"))
        })
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// SplitMix64: small, seeded, the same sequence on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            usize::try_from(self.next() % n as u64).unwrap()
        }
    }
}

/// Bytes and fragments that matter to the parsers under test.
const TOKENS: &[&[u8]] = &[
    b"%",
    b"%zz",
    b"%ff",
    b"%00",
    b"+",
    b"&",
    b"=",
    b"&&",
    b"==",
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b",",
    b".",
    b"..",
    b"\n",
    b"\r\n",
    b" ",
    b"\0",
    b"\xff",
    b"\xc3",
    b"null",
    b"true",
    b"-1",
    b"0",
    b"1.5",
    b"1e999",
    b"18446744073709551616",
    b"99999999999999999999",
    b"stores/",
    b"stores/ABC",
    b"m_",
    b"sq_state=",
    b"event=",
    b"order_ref=",
    b"signature=",
    b"\xe2\x88\x9a",
    b"P1Y",
    b"PT",
    b"::1",
    b"256.0.0.1",
    b"/orders/1/sequra",
];

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].clone();
    for _ in 0..=rng.below(4) {
        let len = data.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = u8::try_from(rng.below(256)).unwrap();
            }
            2 => {
                let i = rng.below(len + 1);
                let token = TOKENS[rng.below(TOKENS.len())];
                data.splice(i..i, token.iter().copied());
            }
            3 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(16)).min(len);
                data.drain(start..end);
            }
            4 => data.truncate(rng.below(len + 1)),
            5 if len > 0 => {
                // Repeat a slice: long values and repeated fields.
                let start = rng.below(len);
                let end = (start + 1 + rng.below(64)).min(len);
                let chunk: Vec<u8> = data[start..end].to_vec();
                for _ in 0..=rng.below(8) {
                    data.splice(start..start, chunk.iter().copied());
                }
            }
            6 => {
                // Splice in the tail of another seed.
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len() + 1);
                let at = rng.below(len + 1);
                data.truncate(at);
                data.extend_from_slice(&other[from..]);
            }
            _ if len > 0 => {
                // Keep the first byte (it picks a mode in some targets), change another.
                let i = 1 + rng.below(len.saturating_sub(1).max(1));
                if i < len {
                    data[i] = TOKENS[rng.below(TOKENS.len())][0];
                }
            }
            _ => data.push(u8::try_from(rng.below(256)).unwrap()),
        }
    }
    data
}

fn run_one(target: &str, data: &[u8]) {
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        assert!(fuzzing::run(target, data), "unknown target {target}");
    }));
    if let Err(panic) = outcome {
        let why = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default();
        panic!(
            "fuzz target {target} failed: {why}\ninput ({} bytes): {:?}",
            data.len(),
            String::from_utf8_lossy(data)
        );
    }
}

#[test]
fn every_fuzz_target_holds_on_the_seeds_and_their_mutations() {
    let mut total = 0;
    for (n, target) in fuzzing::TARGETS.iter().enumerate() {
        let seeds = corpus(target);
        assert!(seeds.len() >= 4, "{target}: too few seeds");
        for seed in &seeds {
            run_one(target, seed);
        }
        let mut rng = Rng(0x5EC0_12A0 + n as u64);
        for _ in 0..MUTATIONS {
            let input = mutate(&mut rng, &seeds);
            run_one(target, &input);
        }
        let tried = seeds.len() + MUTATIONS;
        total += tried;
        println!(
            "fuzz replay: {target}: {} seeds + {MUTATIONS} mutations",
            seeds.len()
        );
    }
    println!("fuzz replay: {total} inputs in all");
    assert!(!fuzzing::run("no_such_target", b""));
}

/// The odd-mode JWT seeds must really reach the signing path (a target whose property
/// checks never run could not fail).
#[test]
fn the_jwt_target_signs_and_refuses_changes() {
    // Mode 1, then claims bytes, then one edit that changes the token.
    let mut input = vec![1u8; 37];
    input.extend_from_slice(&[128, b'#']);
    fuzzing::signed_payload_jwt(&input);
    // A real BigCommerce token for another app is refused.
    let seed = corpus("signed_payload_jwt")
        .into_iter()
        .find(|s| s.first() == Some(&0) && s.len() > 100)
        .unwrap();
    fuzzing::signed_payload_jwt(&seed);
}
