//! Checked fixed-point arithmetic on u64 with an explicit rounding direction.
//!
//! SBF (built with upstream LLVM) cannot do 128-bit multiply, divide or variable shift, and lowers
//! `u64::checked_mul` to a 128-bit multiply. So the one wide primitive, [`mul_div`], is written on u64
//! limbs: a 64×64→128 product from four 32×32 partial products, and a 128/64 division on 32-bit digits
//! (Knuth's algorithm D as in Hacker's Delight `divlu`). Every overflow is an error value.

use crate::error::{RiskError, RiskResult};

/// Basis points in one whole: 10_000 bps = 100 %.
pub const BPS: u64 = 10_000;

const LOW_32: u64 = 0xFFFF_FFFF;
const DIGIT: u64 = 1 << 32;

/// Which way a division that does not come out even is rounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// Toward zero: deposits, seized collateral, asset values.
    Down,
    /// Away from zero: debts, repay requirements, liability values.
    Up,
}

/// The full 128-bit product of `a` and `b`, as `(high, low)` 64-bit halves.
#[inline(always)]
pub fn wide_mul(a: u64, b: u64) -> (u64, u64) {
    if (a | b) >> 32 == 0 {
        // Both fit in 32 bits: the product fits in 64.
        return (0, a.wrapping_mul(b));
    }
    // Hide what the caller knows of a and b (say, b < 2^32): given it, LLVM folds the partial products below
    // into one 128-bit multiply, which SBF cannot do (a `__multi3` call).
    let (a, b) = (core::hint::black_box(a), core::hint::black_box(b));
    let (wide, narrow) = if b >> 32 == 0 { (a, b) } else { (b, a) };
    if narrow >> 32 == 0 {
        // One operand below 2^32: two partial products, each < 2^64.
        let low_part = (wide & LOW_32).wrapping_mul(narrow);
        let high_part = (wide >> 32).wrapping_mul(narrow);
        let low = low_part.wrapping_add(high_part << 32);
        let carry = u64::from(low < low_part);
        return ((high_part >> 32) + carry, low);
    }
    let (a_high, a_low) = (a >> 32, a & LOW_32);
    let (b_high, b_low) = (b >> 32, b & LOW_32);
    let low_low = a_low.wrapping_mul(b_low);
    let low_high = a_low.wrapping_mul(b_high);
    let high_low = a_high.wrapping_mul(b_low);
    let high_high = a_high.wrapping_mul(b_high);
    // Each term < 2^32, so the sum < 3·2^32 cannot overflow.
    let middle = (low_low >> 32) + (low_high & LOW_32) + (high_low & LOW_32);
    let low = (low_low & LOW_32) | (middle << 32);
    let high = high_high.wrapping_add(low_high >> 32).wrapping_add(high_low >> 32).wrapping_add(middle >> 32);
    (high, low)
}

/// `a · b`, or [`RiskError::MathOverflow`] when the product does not fit in u64.
#[inline(always)]
pub fn checked_mul(a: u64, b: u64) -> RiskResult<u64> {
    match wide_mul(a, b) {
        (0, low) => Ok(low),
        _ => Err(RiskError::MathOverflow),
    }
}

/// Divides the 128-bit number `high·2^64 + low` by `divisor`, returning `(quotient, remainder)`.
///
/// Errors: [`RiskError::DivisionByZero`]; [`RiskError::MathOverflow`] when the quotient does not fit
/// in u64 (that is, when `high >= divisor`).
#[inline]
pub fn wide_div(high: u64, low: u64, divisor: u64) -> RiskResult<(u64, u64)> {
    if divisor == 0 {
        return Err(RiskError::DivisionByZero);
    }
    if high == 0 {
        return Ok((low / divisor, low % divisor));
    }
    if high >= divisor {
        return Err(RiskError::MathOverflow);
    }
    Ok(divide_two_digits(high, low, divisor))
}

/// Hacker's Delight `divlu`: `(high·2^64 + low) / divisor` for `high < divisor`, so the quotient fits.
/// Works on 32-bit digits with native 64-bit divisions; every product below is proven to fit.
fn divide_two_digits(high: u64, low: u64, divisor: u64) -> (u64, u64) {
    let shift = divisor.leading_zeros();
    let divisor = divisor << shift;
    let (divisor_high, divisor_low) = (divisor >> 32, divisor & LOW_32);
    let numerator_top = if shift == 0 { high } else { (high << shift) | (low >> (64 - shift)) };
    let numerator_low = low << shift;
    let (digit1, digit0) = (numerator_low >> 32, numerator_low & LOW_32);

    let quotient1 = estimate_digit(numerator_top, digit1, divisor_high, divisor_low);
    let partial = numerator_top.wrapping_mul(DIGIT).wrapping_add(digit1).wrapping_sub(quotient1.wrapping_mul(divisor));
    let quotient0 = estimate_digit(partial, digit0, divisor_high, divisor_low);
    let remainder =
        partial.wrapping_mul(DIGIT).wrapping_add(digit0).wrapping_sub(quotient0.wrapping_mul(divisor)) >> shift;
    (quotient1.wrapping_mul(DIGIT).wrapping_add(quotient0), remainder)
}

/// One quotient digit of `(top·2^32 + next) / (divisor_high·2^32 + divisor_low)`, corrected at most twice.
#[inline(always)]
fn estimate_digit(top: u64, next: u64, divisor_high: u64, divisor_low: u64) -> u64 {
    let mut quotient = top / divisor_high;
    let mut remainder = top - quotient.wrapping_mul(divisor_high);
    while quotient >= DIGIT || quotient.wrapping_mul(divisor_low) > remainder.wrapping_mul(DIGIT).wrapping_add(next) {
        quotient -= 1;
        remainder += divisor_high;
        if remainder >= DIGIT {
            break;
        }
    }
    quotient
}

/// `a · b / divisor` with a 128-bit intermediate, rounded as asked.
///
/// Errors: [`RiskError::DivisionByZero`]; [`RiskError::MathOverflow`] when the result exceeds u64.
#[inline(always)]
pub fn mul_div(a: u64, b: u64, divisor: u64, rounding: Rounding) -> RiskResult<u64> {
    // Most products fit u64 (a confidence times a multiplier, a price times a weight): then one native
    // multiply, one division and one remainder. `a ≤ u64::MAX / b` is exactly "a · b fits" (hidden from LLVM,
    // which would otherwise fold it into a 128-bit overflow check, a `__multi3` call SBF cannot make).
    if divisor != 0 && (b == 0 || a <= core::hint::black_box(u64::MAX / b)) {
        let product = a.wrapping_mul(b);
        let quotient = product / divisor;
        // A remainder means quotient < product ≤ u64::MAX, so the + 1 cannot overflow.
        return Ok(quotient + u64::from(rounding == Rounding::Up && !product.is_multiple_of(divisor)));
    }
    mul_div_wide(a, b, divisor, rounding)
}

/// `value · bps / 10_000` (a share in basis points), rounded as asked: natively when `value < 2^44` and
/// `bps < 2^20` (every real price and weight; the product then fits u64 with no test of it), else [`mul_div`].
///
/// Errors: [`RiskError::MathOverflow`] when the result exceeds u64.
#[inline(always)]
pub fn mul_bps(value: u64, bps: u64, rounding: Rounding) -> RiskResult<u64> {
    if (value >> 44) | (bps >> 20) == 0 {
        let product = value * bps;
        return Ok(product / BPS + u64::from(rounding == Rounding::Up && !product.is_multiple_of(BPS)));
    }
    mul_div(value, bps, BPS, rounding)
}

/// [`mul_div`] when `a · b` exceeds u64 (or the divisor is 0): the 128-bit product and long division.
#[inline(never)]
fn mul_div_wide(a: u64, b: u64, divisor: u64, rounding: Rounding) -> RiskResult<u64> {
    let (high, low) = wide_mul(a, b);
    let (quotient, remainder) = wide_div(high, low, divisor)?;
    if rounding == Rounding::Up && remainder != 0 {
        quotient.checked_add(1).ok_or(RiskError::MathOverflow)
    } else {
        Ok(quotient)
    }
}

/// `a + b`, or [`RiskError::MathOverflow`].
#[inline(always)]
pub fn add(a: u64, b: u64) -> RiskResult<u64> {
    a.checked_add(b).ok_or(RiskError::MathOverflow)
}

/// `a − b`, or [`RiskError::MathOverflow`] when `b > a`.
#[inline(always)]
pub fn sub(a: u64, b: u64) -> RiskResult<u64> {
    a.checked_sub(b).ok_or(RiskError::MathOverflow)
}

/// `(high·2^64 + low) / 10^exponent`, rounded as asked, for any exponent a u8 holds: divided in steps of at
/// most 10^19, the high limb first, so the intermediate quotient may exceed u64. Floor of floors is the floor;
/// the rounding up is decided once, on whether any step left a remainder, so it is exact too.
///
/// Errors: [`RiskError::MathOverflow`] when the result exceeds u64.
pub fn div_wide_by_pow10(high: u64, low: u64, exponent: u32, rounding: Rounding) -> RiskResult<u64> {
    let (mut high, mut low, mut exponent, mut inexact) = (high, low, exponent, false);
    while exponent > 0 && (high | low) != 0 {
        let step = exponent.min(19);
        let divisor = pow10(step)?;
        let (high_quotient, high_remainder) = (high / divisor, high % divisor);
        let (low_quotient, remainder) = wide_div(high_remainder, low, divisor)?;
        inexact |= remainder != 0;
        (high, low, exponent) = (high_quotient, low_quotient, exponent - step);
    }
    if high != 0 {
        return Err(RiskError::MathOverflow);
    }
    if rounding == Rounding::Up && inexact {
        low.checked_add(1).ok_or(RiskError::MathOverflow)
    } else {
        Ok(low)
    }
}

/// `a · 10^exponent / divisor`, rounded as asked, for any exponent a u8 holds: long division in steps of at
/// most 10^19 (quotient · 10^step plus the remainder's share), exact.
///
/// Errors: [`RiskError::DivisionByZero`]; [`RiskError::MathOverflow`] when the result exceeds u64.
pub fn mul_pow10_div(a: u64, exponent: u32, divisor: u64, rounding: Rounding) -> RiskResult<u64> {
    if divisor == 0 {
        return Err(RiskError::DivisionByZero);
    }
    let (mut quotient, mut remainder, mut exponent) = (a / divisor, a % divisor, exponent);
    while exponent > 0 {
        let step = exponent.min(19);
        let factor = pow10(step)?;
        // remainder < divisor, so remainder · factor / divisor < factor: one u64 digit.
        let (high, low) = wide_mul(remainder, factor);
        let (digit, rest) = wide_div(high, low, divisor)?;
        quotient = add(checked_mul(quotient, factor)?, digit)?;
        (remainder, exponent) = (rest, exponent - step);
    }
    if rounding == Rounding::Up && remainder != 0 {
        quotient.checked_add(1).ok_or(RiskError::MathOverflow)
    } else {
        Ok(quotient)
    }
}

/// `a · b · 10^exponent / divisor` for an exponent of either sign, rounded once, exactly: the 128-bit product
/// divided by `divisor` into a 128-bit quotient and a remainder, then the quotient scaled by the power of ten
/// (the remainder's share added back when multiplying, folded into the rounding when dividing).
///
/// Errors: [`RiskError::DivisionByZero`]; [`RiskError::MathOverflow`] when the result exceeds u64.
/// Always inlined: five arguments and a returned `Result` are more than SBF passes in registers.
#[inline(always)]
pub fn mul_div_pow10(a: u64, b: u64, divisor: u64, exponent: i32, rounding: Rounding) -> RiskResult<u64> {
    if divisor == 0 {
        return Err(RiskError::DivisionByZero);
    }
    let (high, low) = wide_mul(a, b);
    let (quotient_high, high_remainder) = (high / divisor, high % divisor);
    let (quotient_low, remainder) = wide_div(high_remainder, low, divisor)?;
    if exponent >= 0 {
        if quotient_high != 0 {
            return Err(RiskError::MathOverflow);
        }
        // quotient · 10^e + (remainder · 10^e) / divisor, where the second part is rounded as asked. A zero
        // quotient needs no power of ten (10^e may be beyond u64 while the remainder's share is not).
        let whole = if quotient_low == 0 { 0 } else { checked_mul(quotient_low, pow10(exponent.unsigned_abs())?)? };
        return add(whole, mul_pow10_div(remainder, exponent.unsigned_abs(), divisor, rounding)?);
    }
    let down = div_wide_by_pow10(quotient_high, quotient_low, exponent.unsigned_abs(), Rounding::Down)?;
    let inexact = remainder != 0
        || div_wide_by_pow10(quotient_high, quotient_low, exponent.unsigned_abs(), Rounding::Up)? != down;
    if rounding == Rounding::Up && inexact {
        down.checked_add(1).ok_or(RiskError::MathOverflow)
    } else {
        Ok(down)
    }
}

/// `a · b ≤ c · d`, compared exactly on the 128-bit products.
#[inline(always)]
pub fn product_at_most(a: u64, b: u64, c: u64, d: u64) -> bool {
    wide_mul(a, b) <= wide_mul(c, d)
}

/// 10^0 to 10^19: every power of ten a u64 holds.
pub(crate) const POWERS_OF_TEN: [u64; 20] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
    10_000_000_000,
    100_000_000_000,
    1_000_000_000_000,
    10_000_000_000_000,
    100_000_000_000_000,
    1_000_000_000_000_000,
    10_000_000_000_000_000,
    100_000_000_000_000_000,
    1_000_000_000_000_000_000,
    10_000_000_000_000_000_000,
];

/// `10^exponent`, or [`RiskError::MathOverflow`] above 10^19.
#[inline(always)]
pub fn pow10(exponent: u32) -> RiskResult<u64> {
    POWERS_OF_TEN.get(exponent as usize).copied().ok_or(RiskError::MathOverflow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference_mul_div(a: u64, b: u64, d: u64, rounding: Rounding) -> Option<u64> {
        if d == 0 {
            return None;
        }
        let product = a as u128 * b as u128;
        let mut quotient = product / d as u128;
        if rounding == Rounding::Up && !product.is_multiple_of(d as u128) {
            quotient += 1;
        }
        u64::try_from(quotient).ok()
    }

    fn check(a: u64, b: u64, d: u64) {
        for rounding in [Rounding::Down, Rounding::Up] {
            let expected = reference_mul_div(a, b, d, rounding);
            let got = mul_div(a, b, d, rounding);
            match expected {
                Some(value) => assert_eq!(got, Ok(value), "{a}·{b}/{d} {rounding:?}"),
                None if d == 0 => assert_eq!(got, Err(RiskError::DivisionByZero)),
                None => assert_eq!(got, Err(RiskError::MathOverflow), "{a}·{b}/{d}"),
            }
        }
    }

    const EDGES: [u64; 12] =
        [0, 1, 2, 3, 10, LOW_32 - 1, LOW_32, DIGIT, DIGIT + 1, u64::MAX / 2, u64::MAX - 1, u64::MAX];

    #[test]
    fn mul_div_matches_u128_on_every_edge_combination() {
        for a in EDGES {
            for b in EDGES {
                for d in EDGES {
                    check(a, b, d);
                }
            }
        }
    }

    #[test]
    fn mul_div_by_zero_is_a_named_error() {
        assert_eq!(mul_div(5, 7, 0, Rounding::Down), Err(RiskError::DivisionByZero));
    }

    #[test]
    fn mul_div_quotient_overflow_is_an_error() {
        assert_eq!(mul_div(u64::MAX, 2, 1, Rounding::Down), Err(RiskError::MathOverflow));
        // Exactly u64::MAX fits; rounding it up does not.
        assert_eq!(mul_div(u64::MAX, 3, 3, Rounding::Up), Ok(u64::MAX));
        assert_eq!(mul_div(u64::MAX, u64::MAX, u64::MAX - 1, Rounding::Down), Err(RiskError::MathOverflow));
    }

    #[test]
    fn divisor_one_returns_the_product_when_it_fits() {
        assert_eq!(mul_div(1 << 40, 1 << 23, 1, Rounding::Down), Ok(1 << 63));
        assert_eq!(mul_div(1 << 40, 1 << 24, 1, Rounding::Down), Err(RiskError::MathOverflow));
    }

    #[test]
    fn rounding_direction_only_matters_with_a_remainder() {
        assert_eq!(mul_div(10, 10, 3, Rounding::Down), Ok(33));
        assert_eq!(mul_div(10, 10, 3, Rounding::Up), Ok(34));
        assert_eq!(mul_div(10, 9, 3, Rounding::Up), Ok(30));
    }

    #[test]
    fn checked_mul_reports_overflow() {
        assert_eq!(checked_mul(u64::MAX, 1), Ok(u64::MAX));
        assert_eq!(checked_mul(1 << 32, 1 << 32), Err(RiskError::MathOverflow));
        assert_eq!(checked_mul((1 << 32) - 1, (1 << 32) + 1), Ok(u64::MAX));
    }

    #[test]
    fn product_comparison_is_exact_beyond_u64() {
        assert!(product_at_most(u64::MAX, u64::MAX, u64::MAX, u64::MAX));
        assert!(!product_at_most(u64::MAX, u64::MAX, u64::MAX, u64::MAX - 1));
        assert!(product_at_most(0, u64::MAX, 1, 0));
    }

    /// `value / 10^exponent` in exact integers, rounded as asked (the reference of the two long divisions).
    fn reference_div_pow10(value: u128, exponent: u32, rounding: Rounding) -> Option<u64> {
        let (mut quotient, mut inexact, mut exponent) = (value, false, exponent);
        while exponent > 0 {
            let step = exponent.min(30);
            let divisor = 10u128.pow(step);
            inexact |= quotient % divisor != 0;
            quotient /= divisor;
            exponent -= step;
        }
        let quotient = quotient + u128::from(rounding == Rounding::Up && inexact);
        u64::try_from(quotient).ok()
    }

    #[test]
    fn long_divisions_by_powers_of_ten_beyond_u64() {
        assert_eq!(div_wide_by_pow10(0, 1, 42, Rounding::Down), Ok(0));
        assert_eq!(div_wide_by_pow10(0, 1, 42, Rounding::Up), Ok(1));
        // u128::MAX / 10^20 fits u64 (two steps); / 10^19 does not.
        assert_eq!(div_wide_by_pow10(u64::MAX, u64::MAX, 20, Rounding::Down), Ok(3_402_823_669_209_384_634));
        assert_eq!(div_wide_by_pow10(u64::MAX, u64::MAX, 20, Rounding::Up), Ok(3_402_823_669_209_384_635));
        assert_eq!(div_wide_by_pow10(u64::MAX, u64::MAX, 19, Rounding::Down), Err(RiskError::MathOverflow));
        // 10^20 · 10^13 / 10^33 = 1; 7 · 10^30 / 3 rounded up.
        assert_eq!(
            mul_pow10_div(100_000_000_000_000_000, 15, 1_000_000_000_000_000_000, Rounding::Down),
            Ok(100_000_000_000_000)
        );
        assert_eq!(mul_pow10_div(7, 30, 3_000_000_000_000_000_000, Rounding::Up), Ok(2_333_333_333_334));
        assert_eq!(mul_pow10_div(1, 20, 1, Rounding::Down), Err(RiskError::MathOverflow));
        assert_eq!(mul_pow10_div(1, 5, 0, Rounding::Down), Err(RiskError::DivisionByZero));
    }

    #[test]
    fn mul_div_is_exact_on_both_sides_of_the_native_path() {
        // a · b = u64::MAX exactly (native path), one more (wide path), and a zero factor or divisor.
        let (a, b) = (u64::MAX / 5, 5);
        for (a, b, d) in [(a, b, 7), (a + 1, b, 7), (a, b, 1), (0, u64::MAX, 3), (u64::MAX, 0, 3), (3, 0, 0), (1, 1, 0)]
        {
            check(a, b, d);
        }
    }

    #[test]
    fn mul_bps_is_exact_at_its_native_bounds() {
        for value in [0, 1, (1 << 44) - 1, 1 << 44, u64::MAX] {
            for bps in [0, 1, 9_999, 10_000, (1 << 20) - 1, 1 << 20, u64::MAX] {
                for rounding in [Rounding::Down, Rounding::Up] {
                    let expected = reference_mul_div(value, bps, BPS, rounding).ok_or(RiskError::MathOverflow);
                    assert_eq!(mul_bps(value, bps, rounding), expected, "{value} · {bps} bps");
                }
            }
        }
    }

    proptest! {
        #[test]
        fn mul_div_matches_u128_for_products_that_fit_u64(a in 0u64..1 << 40, b in 0u64..1 << 24, d: u64) {
            check(a, b, d);
        }

        #[test]
        fn mul_bps_matches_u128(value in prop_oneof![0u64..1 << 45, any::<u64>()], bps in prop_oneof![0u64..1 << 21, any::<u64>()]) {
            for rounding in [Rounding::Down, Rounding::Up] {
                let expected = reference_mul_div(value, bps, BPS, rounding).ok_or(RiskError::MathOverflow);
                prop_assert_eq!(mul_bps(value, bps, rounding), expected);
            }
        }

        #[test]
        fn div_wide_by_pow10_matches_u128(value: u128, exponent in 0u32..=45) {
            let (high, low) = ((value >> 64) as u64, value as u64);
            for rounding in [Rounding::Down, Rounding::Up] {
                let expected = reference_div_pow10(value, exponent, rounding);
                prop_assert_eq!(div_wide_by_pow10(high, low, exponent, rounding).ok(), expected);
            }
        }

        #[test]
        fn mul_pow10_div_matches_a_reference(a: u64, exponent in 0u32..=20, divisor in 1u64..) {
            // a · 10^exponent fits u128 for exponent ≤ 19; one more power is checked through the quotient.
            let exact = |rounding| -> Option<u64> {
                let numerator = (a as u128).checked_mul(10u128.pow(exponent))?;
                let (quotient, remainder) = (numerator / divisor as u128, numerator % divisor as u128);
                u64::try_from(quotient + u128::from(rounding == Rounding::Up && remainder != 0)).ok()
            };
            for rounding in [Rounding::Down, Rounding::Up] {
                if let Some(expected) = exact(rounding) {
                    prop_assert_eq!(mul_pow10_div(a, exponent, divisor, rounding), Ok(expected));
                } else if (a as u128).checked_mul(10u128.pow(exponent)).is_some() {
                    prop_assert_eq!(mul_pow10_div(a, exponent, divisor, rounding), Err(RiskError::MathOverflow));
                }
            }
        }

        #[test]
        fn mul_div_pow10_matches_a_reference(a: u64, b: u64, divisor in prop_oneof![1u64.., 1u64..1_000_000], exponent in -30i32..=12) {
            // Exact in u128 where the figures fit it: scale the product first when multiplying, the divisor when dividing.
            let product = a as u128 * b as u128;
            let exact = |rounding: Rounding| -> Option<Option<u64>> {
                let (numerator, denominator) = if exponent >= 0 {
                    (product.checked_mul(10u128.pow(exponent as u32))?, divisor as u128)
                } else {
                    (product, (divisor as u128).checked_mul(10u128.checked_pow((-exponent) as u32)?)?)
                };
                let quotient = numerator / denominator + u128::from(rounding == Rounding::Up && numerator % denominator != 0);
                Some(u64::try_from(quotient).ok())
            };
            for rounding in [Rounding::Down, Rounding::Up] {
                match exact(rounding) {
                    Some(Some(expected)) => prop_assert_eq!(mul_div_pow10(a, b, divisor, exponent, rounding), Ok(expected)),
                    Some(None) => prop_assert_eq!(mul_div_pow10(a, b, divisor, exponent, rounding), Err(RiskError::MathOverflow)),
                    None => {}
                }
            }
        }

        #[test]
        fn wide_mul_matches_u128_with_one_narrow_operand(a: u64, b in 0u64..1 << 32) {
            let product = a as u128 * b as u128;
            prop_assert_eq!(wide_mul(a, b), ((product >> 64) as u64, product as u64));
            prop_assert_eq!(wide_mul(b, a), ((product >> 64) as u64, product as u64));
        }

        #[test]
        fn wide_mul_matches_u128(a: u64, b: u64) {
            let product = a as u128 * b as u128;
            prop_assert_eq!(wide_mul(a, b), ((product >> 64) as u64, product as u64));
        }

        #[test]
        fn mul_div_matches_u128_random(a: u64, b: u64, d: u64) {
            check(a, b, d);
        }

        #[test]
        fn mul_div_matches_u128_small_divisors(a: u64, b: u64, d in 1u64..=(1 << 33)) {
            check(a, b, d);
        }

        #[test]
        fn mul_div_matches_u128_when_quotient_fits(a: u64, b: u64, shift in 0u32..64) {
            // A divisor near the product's high half exercises the two-digit path and its corrections.
            let (high, _) = wide_mul(a, b);
            let d = (high | 1).saturating_add(1) << shift.min(high.leading_zeros());
            check(a, b, d.max(1));
        }

        #[test]
        fn wide_div_remainder_is_below_divisor(high: u64, low: u64, d in 1u64..) {
            let high = high % d;
            let (quotient, remainder) = wide_div(high, low, d).unwrap();
            let numerator = ((high as u128) << 64) | low as u128;
            prop_assert!(remainder < d);
            prop_assert_eq!(quotient as u128 * d as u128 + remainder as u128, numerator);
        }
    }
}
