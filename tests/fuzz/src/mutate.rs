//! A small, deterministic mutator: byte edits, interesting values, dictionary tokens
//! and splices, stacked a few at a time (the havoc stage of AFL, without coverage).

/// xorshift64*: fast, seedable, good enough to pick mutations.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// Values that often sit on a boundary: lengths, signs, msgpack markers.
const INTERESTING: &[u8] = &[
    0x00, 0x01, 0x7f, 0x80, 0xff, 0xc0, 0xc3, 0xd4, 0xdc, 0xdd, 0xde, 0xdf, b'"', b'[', b'{',
    b'\\', b'\n', b'=',
];

/// Inputs never grow beyond this, so a run's speed stays steady.
pub const MAX_LEN: usize = 64 * 1024;

/// Returns a mutated copy of `base`; `other` is a second corpus entry to splice from.
pub fn mutate(rng: &mut Rng, base: &[u8], other: &[u8], dictionary: &[&[u8]]) -> Vec<u8> {
    let mut data = base.to_vec();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        apply_one(rng, &mut data, other, dictionary);
    }
    data.truncate(MAX_LEN);
    data
}

fn apply_one(rng: &mut Rng, data: &mut Vec<u8>, other: &[u8], dictionary: &[&[u8]]) {
    let kinds = if dictionary.is_empty() { 9 } else { 11 };
    match rng.below(kinds) {
        0 if !data.is_empty() => {
            let i = rng.below(data.len());
            data[i] ^= 1 << rng.below(8);
        }
        1 if !data.is_empty() => {
            let i = rng.below(data.len());
            data[i] = rng.next_u64() as u8;
        }
        2 if !data.is_empty() => {
            let i = rng.below(data.len());
            data[i] = INTERESTING[rng.below(INTERESTING.len())];
        }
        3 => {
            // Insert a few random bytes.
            let at = rng.below(data.len() + 1);
            let n = 1 + rng.below(8);
            let bytes: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
            data.splice(at..at, bytes);
        }
        4 if !data.is_empty() => {
            // Delete a range.
            let at = rng.below(data.len());
            let n = 1 + rng.below((data.len() - at).min(32));
            data.drain(at..at + n);
        }
        5 if !data.is_empty() => {
            // Duplicate a range (grows nesting and repeated keys).
            let at = rng.below(data.len());
            let n = 1 + rng.below((data.len() - at).min(64));
            let copy = data[at..at + n].to_vec();
            let to = rng.below(data.len() + 1);
            data.splice(to..to, copy);
        }
        6 if !data.is_empty() => {
            // Truncate: what a cut-off request looks like.
            let at = rng.below(data.len());
            data.truncate(at);
        }
        7 if !other.is_empty() => {
            // Splice: our head, the other input's tail.
            let at = rng.below(data.len() + 1);
            let from = rng.below(other.len());
            data.truncate(at);
            data.extend_from_slice(&other[from..]);
        }
        8 if data.len() >= 2 => {
            // Swap two bytes.
            let (i, j) = (rng.below(data.len()), rng.below(data.len()));
            data.swap(i, j);
        }
        9 => {
            let token = dictionary[rng.below(dictionary.len())];
            let at = rng.below(data.len() + 1);
            data.splice(at..at, token.iter().copied());
        }
        10 if !data.is_empty() => {
            let token = dictionary[rng.below(dictionary.len())];
            let at = rng.below(data.len());
            let end = (at + token.len()).min(data.len());
            data.splice(at..end, token.iter().copied());
        }
        _ => data.push(rng.next_u64() as u8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_gives_the_same_mutations() {
        let run = |seed| {
            let mut rng = Rng::new(seed);
            (0..50)
                .map(|_| mutate(&mut rng, b"{\"a\":[1,2]}", b"xyz", &[b"null"]))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn mutations_stay_within_the_size_cap() {
        let mut rng = Rng::new(1);
        let big = vec![b'a'; MAX_LEN];
        for _ in 0..200 {
            assert!(mutate(&mut rng, &big, &big, &[b"token"]).len() <= MAX_LEN);
        }
    }
}
