//! Deterministic pseudo-random numbers (xorshift64) for seeded story tests: a failure names its seed.

/// The generator; its state is never 0.
pub struct Random(u64);

impl Random {
    /// A generator from `seed` (0, which xorshift never leaves, is replaced by 1).
    pub fn new(seed: u64) -> Random {
        Random(seed.max(1))
    }

    /// The next 64 random bits.
    pub fn next_bits(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `bound` (> 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_bits() % bound
    }
}
