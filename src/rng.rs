//! Seeded, portable random streams: every source of randomness in a run is a ChaCha8 stream
//! keyed by (base seed, run index, stream name), so that results depend on nothing else.
//!
//! # Derivation (version 1; changing it changes every result, see the golden test)
//!
//! The 32-byte ChaCha8 key is built with integer arithmetic only, so it is the same on every
//! platform, compiler and Rust version:
//!
//! 1. A 64-bit state starts at [`DOMAIN`] and absorbs, in order, the words `seed`, `run`,
//!    `name.len()` and the bytes of `name` in 8-byte little-endian chunks (the last chunk
//!    zero-padded). Absorbing a word `w` is `state = mix(state ^ w) + GAMMA` (wrapping), where
//!    `mix` is the SplitMix64 finaliser and `GAMMA` its golden-ratio increment. The length comes
//!    before the bytes so that `"a"` and `"a\0"` do not collide.
//! 2. Four SplitMix64 outputs from that state (`state += GAMMA; mix(state)`) are written
//!    little-endian into the 32-byte key, which seeds `ChaCha8Rng::from_seed`.
//!
//! We write the hash ourselves because `std::hash::Hasher` implementations (SipHash keys,
//! `DefaultHasher`) are explicitly allowed to change between Rust releases, and ChaCha's own
//! `seed_from_u64` would lose the (run, name) structure. A 64-bit intermediate state means two
//! distinct triples collide with probability about 2⁻⁶⁴: irrelevant for simulation, and this is
//! not a cryptographic key derivation.
//!
//! The ChaCha8 keystream itself is specified by rand_chacha to be value-stable and
//! platform-independent; distribution sampling on top of it (rand_distr) is pinned by
//! `Cargo.lock`.

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Initial state of the key derivation. Any change here is a change of [derivation version](self).
pub const DOMAIN: u64 = 0x7363_6865_6473_696d; // "schedsim" in ASCII, big-endian

/// SplitMix64's increment (2⁶⁴ / φ, odd).
const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// The SplitMix64 finaliser (Stafford's Mix13): a bijection on u64 with full avalanche.
const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn absorb(state: u64, word: u64) -> u64 {
    mix(state ^ word).wrapping_add(GAMMA)
}

/// The 32-byte ChaCha8 key for (seed, run, name), as described in the [module docs](self).
pub fn derive_key(seed: u64, run: u64, name: &str) -> [u8; 32] {
    let mut state = DOMAIN;
    state = absorb(state, seed);
    state = absorb(state, run);
    state = absorb(state, name.len() as u64);
    for chunk in name.as_bytes().chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        state = absorb(state, u64::from_le_bytes(word));
    }
    let mut key = [0u8; 32];
    for out in key.chunks_exact_mut(8) {
        state = state.wrapping_add(GAMMA);
        out.copy_from_slice(&mix(state).to_le_bytes());
    }
    key
}

/// The random stream called `name` of replication `run` under base seed `seed`.
///
/// Give every consumer its own name (e.g. `"arrivals"`, `"lublin.batch"`) so that adding draws
/// to one stream never shifts the values another one sees.
pub fn stream(seed: u64, run: u64, name: &str) -> ChaCha8Rng {
    ChaCha8Rng::from_seed(derive_key(seed, run, name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngCore;

    fn first_values(seed: u64, run: u64, name: &str) -> [u64; 4] {
        let mut r = stream(seed, run, name);
        [r.next_u64(), r.next_u64(), r.next_u64(), r.next_u64()]
    }

    #[test]
    fn same_inputs_give_same_values() {
        assert_eq!(first_values(7, 3, "sizes"), first_values(7, 3, "sizes"));
    }

    #[test]
    fn each_input_changes_the_stream() {
        let base = first_values(7, 3, "sizes");
        assert_ne!(base, first_values(8, 3, "sizes"), "seed");
        assert_ne!(base, first_values(7, 4, "sizes"), "run");
        assert_ne!(base, first_values(7, 3, "sizez"), "name");
        // Swapping seed and run must not give the same stream.
        assert_ne!(first_values(1, 2, "x"), first_values(2, 1, "x"));
    }

    #[test]
    fn names_that_share_padding_differ() {
        // Without the length word these would absorb the same zero-padded chunk.
        assert_ne!(derive_key(1, 0, "a"), derive_key(1, 0, "a\0"));
        assert_ne!(derive_key(1, 0, ""), derive_key(1, 0, "\0"));
        // Names longer than one chunk use every chunk.
        assert_ne!(derive_key(1, 0, "arrivals.batch"), derive_key(1, 0, "arrivals.batcH"));
    }

    /// Pinned so that any change to the derivation, to the ChaCha8 stream or to the crate
    /// versions providing it is caught here: it would silently change every simulation result
    /// a user has ever published with a given seed. The key is pinned separately from the
    /// first value so that a failure says which of the two moved. Both were computed once from
    /// this code; the key was cross-checked against an independent Python transcription of the
    /// derivation in the module docs. If this fails on purpose, bump the derivation version in
    /// the module docs and say so in the changelog.
    #[test]
    fn golden_first_value() {
        assert_eq!(
            derive_key(42, 0, "arrivals"),
            hex32("97cc5cf657854494d79599af55418c52c848a5457a06d19b62f43bb3b4ed10fa"),
            "the (seed, run, name) → key derivation changed"
        );
        let mut r = stream(42, 0, "arrivals");
        assert_eq!(r.next_u64(), 3_193_252_318_135_965_741, "the ChaCha8 stream changed");
    }

    fn hex32(s: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, b) in out.iter_mut().enumerate() {
            *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
        }
        out
    }
}
