//! The fuzz targets on stable Rust: every committed seed, then a bounded
//! mutation loop (bit flips, interesting integers at random offsets, inserts,
//! deletes, duplicated ranges, splices of two seeds, truncation) from a fixed
//! random seed. Bounded by count (`FUZZ_ITERATIONS`, default 3000 per
//! target) and, when set, by time (`FUZZ_SECONDS` per target): `make
//! test-reliability` runs the count, `make fuzz` without nightly runs the time.
//! A panic fails the test and the input is written to
//! `target/fuzz-crash-TARGET` to be replayed.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const INTERESTING: &[u32] = &[
    0,
    1,
    2,
    3,
    4,
    15,
    16,
    17,
    20,
    0x7f,
    0x80,
    0xff,
    0x100,
    0x7fff,
    0x8000,
    0xffff,
    0x1_0000,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_fffe,
    0xffff_ffff,
];

fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(8) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = rng.next() as u8;
            }
            2 => {
                let x = INTERESTING[rng.below(INTERESTING.len())];
                let bytes = if rng.below(2) == 0 {
                    x.to_ne_bytes().to_vec()
                } else {
                    (x as u16).to_ne_bytes().to_vec()
                };
                for (k, b) in bytes.into_iter().enumerate() {
                    if let Some(slot) = v.get_mut(at + k) {
                        *slot = b;
                    }
                }
            }
            3 => {
                let n = rng.below(16) + 1;
                let junk: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                v.splice(at..at, junk);
            }
            4 if !v.is_empty() => {
                let end = (at + rng.below(32) + 1).min(v.len());
                v.drain(at.min(end)..end);
            }
            5 if !v.is_empty() => {
                let start = rng.below(v.len());
                let end = (start + rng.below(64) + 1).min(v.len());
                let chunk = v[start..end].to_vec();
                v.splice(at..at, chunk);
            }
            6 if !other.is_empty() => {
                let cut = rng.below(other.len());
                v.truncate(at);
                v.extend_from_slice(&other[cut..]);
            }
            _ => v.truncate(at),
        }
    }
    v
}

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("seeds")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let seeds: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    assert!(!seeds.is_empty(), "no seeds in {}", dir.display());
    seeds
}

fn env_u64(key: &str) -> Option<u64> {
    std::env::var(key).ok().and_then(|v| v.parse().ok())
}

fn run(target: &str, f: fn(&[u8])) {
    let seeds = seeds(target);
    let crash = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("target")
        .join(format!("fuzz-crash-{target}"));
    let check = |input: &[u8]| {
        if std::panic::catch_unwind(|| f(input)).is_err() {
            let _ = std::fs::write(&crash, input);
            panic!("{target}: panic on an input, saved to {}", crash.display());
        }
    };
    for s in &seeds {
        check(s);
    }
    let seconds = env_u64("FUZZ_SECONDS");
    let iterations =
        env_u64("FUZZ_ITERATIONS").unwrap_or(if seconds.is_some() { u64::MAX } else { 3000 });
    let deadline = seconds.map(|s| Instant::now() + Duration::from_secs(s));
    let mut rng = Rng(env_u64("FUZZ_SEED").unwrap_or(0x6e65_746e_73a5_a5a5) | 1);
    let mut pool = seeds.clone();
    let mut runs = 0u64;
    while runs < iterations && deadline.is_none_or(|d| Instant::now() < d) {
        let a = &pool[rng.below(pool.len())];
        let b = &pool[rng.below(pool.len())];
        let input = mutate(&mut rng, a, b);
        check(&input);
        // Keep some mutants as parents: deeper mutation chains.
        if rng.below(16) == 0 && pool.len() < 4096 {
            pool.push(input);
        }
        runs += 1;
    }
    eprintln!(
        "{target}: {} seeds and {runs} mutated inputs, no panic",
        seeds.len()
    );
}

#[test]
fn netlink_reply() {
    run("netlink_reply", netns_fuzz::netlink_reply);
}

#[test]
fn topology() {
    run("topology", netns_fuzz::topology);
}

#[test]
fn cli_words() {
    run("cli_words", netns_fuzz::cli_words);
}
