//! Shrinking a failing random sequence to a short one that still fails the same way (delta debugging: drop
//! chunks of halving size while the failure persists), so a fuzz failure reads as a handful of steps.

/// The shortest sequence found (within `max_runs` replays) that `still_fails`, starting from `failing`, which
/// must fail. Chunks of n/2, n/4, …, 1 steps are dropped in turn; a drop is kept when the rest still fails.
/// Order is preserved. `still_fails` replays a candidate from scratch (a fresh chain) and says whether it
/// fails with the same kind of failure.
pub fn shrink<A: Clone>(failing: Vec<A>, max_runs: usize, mut still_fails: impl FnMut(&[A]) -> bool) -> Vec<A> {
    let mut best = failing;
    let mut runs = 0;
    let mut chunk = best.len().div_ceil(2).max(1);
    loop {
        let mut start = 0;
        while start < best.len() && runs < max_runs {
            let mut candidate = best[..start].to_vec();
            candidate.extend_from_slice(&best[(start + chunk).min(best.len())..]);
            runs += 1;
            if !candidate.is_empty() && still_fails(&candidate) {
                best = candidate;
            } else {
                start += chunk;
            }
        }
        if chunk == 1 || runs >= max_runs {
            return best;
        }
        chunk = chunk.div_ceil(2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A failure needing three particular steps in order, hidden in 500 others, shrinks to exactly them.
    #[test]
    fn shrinks_to_the_steps_the_failure_needs() {
        let mut sequence: Vec<u32> = (1000..1500).collect();
        sequence.insert(37, 1);
        sequence.insert(250, 2);
        sequence.insert(480, 3);
        let fails = |steps: &[u32]| {
            let at = |value| steps.iter().position(|step| *step == value);
            matches!((at(1), at(2), at(3)), (Some(a), Some(b), Some(c)) if a < b && b < c)
        };
        assert!(fails(&sequence));
        assert_eq!(shrink(sequence, 10_000, fails), vec![1, 2, 3]);
    }

    /// With too few replays allowed, the result is still a failing sequence, only longer.
    #[test]
    fn a_bounded_shrink_still_returns_a_failing_sequence() {
        let sequence: Vec<u32> = (0..300).collect();
        let fails = |steps: &[u32]| steps.contains(&7) && steps.contains(&200);
        let shrunk = shrink(sequence, 5, fails);
        assert!(fails(&shrunk) && shrunk.len() < 300 && shrunk.len() > 2, "{}", shrunk.len());
    }
}
