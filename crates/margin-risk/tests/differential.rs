//! Differential test of the engine against an exact rational model of DESIGN.md (issue 10).
//!
//! The model computes every price, health and amount with unbounded rationals, no rounding. The engine must
//! round the protocol's way (asset values and seized collateral never above the model, liability values
//! never below) and stay within a stated bound of it:
//! - a price per native unit is off by at most two Pyth mantissa units (the rounded-up confidence term) plus
//!   three units of its own grid, 10^-scale quote units (the scaled price, the weight, the value);
//! - a position's value is off by at most amount × `PRICE_ERROR` + 1 quote unit; a health by the sum;
//! - max borrow / max withdraw are at most the model's and short of it by at most the health bound (with the
//!   grid error of the amount moved) over one unit's value, plus one unit;
//! - seized collateral for the debt the plan clears is at most the model's and short by at most
//!   (premium + 2) grid units of the debt price per unit cleared and one grid unit of the collateral price,
//!   over the collateral price, plus 2 units (a grid unit is 10^-scale quote units per native unit);
//! - a collateral-limited repay pays at least what the whole collateral is worth at the premium, and a repay
//!   labelled Target reaches LiqEnd ≥ 0; the insurance fee is the fee rate of the debt cleared, rounded up;
//! - a bankruptcy split adds up exactly (insurance + socialised + unbooked) and the depositors' loss covers
//!   the socialised part, exactly rounded.
//!
//! The random tokens span the engine's whole price range: $10^-9 to $10^7 per whole token at 0 to 18
//! decimals (so a native unit from $10^-27 to $10^7; listings are further held to a native unit under
//! $0.01, `check_listing_price`), with 7 to 13 significant digits from Pyth, spot and EMA confidence up to
//! 15 % of their price (beyond the 6 % liquidation limit, where it is capped), position values up to $10^11.
//! Every price carries 13 digits at its own scale. The issue-21 regression cases (finding 14: EMA confidence
//! huge, mantissas beyond 10^18, scales 20 digits apart, the collateral-limited repay, a u64::MAX whole
//! debt) are at the end.
//! `PROPTEST_CASES` (default here 2,000) sets the number of random accounts.

use margin_risk::bankruptcy::{split_bankruptcy, MIN_DEPOSIT_INDEX};
use margin_risk::health::{compute_health, max_borrow, max_withdraw, HealthPosition, HealthType, RiskWeights};
use margin_risk::interest::{deposit_tokens_of, BankTotals, INDEX_SCALE};
use margin_risk::liquidation::{plan_liquidation, LiquidationConfig, LiquidationRequest, RepayLimit};
use margin_risk::price::{validate_price, OracleConfig, PythPrice};
use margin_risk::RiskError;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use proptest::prelude::*;

const NOW: i64 = 1_700_000_000;

type Q = BigRational;

fn q(value: impl Into<BigInt>) -> Q {
    Q::from_integer(value.into())
}

fn bps(value: u32) -> Q {
    Q::new(BigInt::from(value), BigInt::from(10_000))
}

fn pow10(exponent: i32) -> Q {
    let ten = BigInt::from(10);
    if exponent >= 0 {
        Q::from_integer(ten.pow(exponent as u32))
    } else {
        Q::new(BigInt::one(), ten.pow((-exponent) as u32))
    }
}

fn oracle() -> OracleConfig {
    OracleConfig {
        max_age_seconds: 60,
        max_conf_open_bps: 300,
        max_conf_liquidation_bps: 600,
        conf_multiplier_init_bps: 20_000,
        conf_multiplier_maint_bps: 10_000,
        max_conf_discount_bps: 1_000,
    }
}

/// One random bank position with its raw inputs.
#[derive(Clone, Debug)]
struct Case {
    pyth: PythPrice,
    decimals: u8,
    weights: RiskWeights,
    deposit: u64,
    borrow: u64,
}

impl Case {
    fn position(&self) -> HealthPosition {
        HealthPosition {
            deposit_tokens: self.deposit,
            borrow_tokens: self.borrow,
            weights: self.weights,
            price: validate_price(&self.pyth, &oracle(), self.decimals, NOW),
        }
    }

    /// Quote units per native unit of one Pyth mantissa unit: 10^(exponent + 6 − decimals).
    fn unit(&self) -> Q {
        pow10(self.pyth.exponent + 6 - i32::from(self.decimals))
    }

    /// Spot and EMA confidence within the open limit.
    fn usable_to_open(&self) -> bool {
        let limit = q(oracle().max_conf_open_bps);
        q(self.pyth.conf) * q(10_000) <= q(self.pyth.price) * &limit
            && q(self.pyth.ema_conf) * q(10_000) <= q(self.pyth.ema_price) * limit
    }

    /// The model's asset and liability prices per native unit, quote units, for a health type.
    fn prices(&self, health_type: HealthType) -> (Q, Q) {
        let config = oracle();
        let (p, e) = (q(self.pyth.price), q(self.pyth.ema_price));
        // Each confidence capped at the liquidation limit of its base (issue 21, finding 11).
        let limit = bps(config.max_conf_liquidation_bps);
        let (c, ec) = (q(self.pyth.conf).min(&p * &limit), q(self.pyth.ema_conf).min(&e * &limit));
        let cap = bps(config.max_conf_discount_bps);
        let discounted = |base: &Q, conf: &Q, k: &Q| {
            let discount = (k * conf).min(base * &cap);
            (base - discount).max(Q::zero())
        };
        let (asset, liability) = match health_type {
            HealthType::Init => {
                let k = bps(config.conf_multiplier_init_bps);
                let asset = discounted(&p, &c, &k).min(discounted(&e, &ec, &k));
                let liability = (&p + &k * &c).max(&e + &k * &ec);
                (asset, liability)
            }
            HealthType::LiqEnd | HealthType::Maint => {
                let k = bps(config.conf_multiplier_maint_bps);
                (discounted(&p, &c, &k), &p + &k * &c)
            }
        };
        (asset * self.unit(), liability * self.unit())
    }

    /// The model's weighted value of the position: (assets, liabilities), quote units.
    fn value(&self, health_type: HealthType) -> (Q, Q) {
        let (asset_weight, liability_weight) = match health_type {
            HealthType::Init | HealthType::LiqEnd => (self.weights.init_asset_bps, self.weights.init_liability_bps),
            HealthType::Maint => (self.weights.maint_asset_bps, self.weights.maint_liability_bps),
        };
        let (asset, liability) = self.prices(health_type);
        let counts = health_type != HealthType::Init || self.usable_to_open();
        let assets = if counts { q(self.deposit) * asset * bps(asset_weight) } else { Q::zero() };
        (assets, q(self.borrow) * liability * bps(liability_weight))
    }

    /// One unit of the engine's grid for this price, quote units per native unit: 10^-scale.
    fn grid(&self) -> Q {
        pow10(-i32::from(self.position().price.map_or(0, |price| price.scale)))
    }

    /// The stated bound on one native unit's price error, quote units.
    fn price_error(&self) -> Q {
        self.unit() * q(2) + self.grid() * q(3)
    }

    /// The stated bound on the position's value error, quote units.
    fn value_error(&self) -> Q {
        q(self.deposit.max(self.borrow)) * self.price_error() + q(1)
    }
}

fn weights() -> impl Strategy<Value = RiskWeights> {
    (5_000u32..=9_500, 0u32..=500, 10_000u32..=12_000, 0u32..=1_000).prop_map(
        |(maint_asset, cut, maint_liability, add)| RiskWeights {
            init_asset_bps: maint_asset - cut,
            maint_asset_bps: maint_asset,
            init_liability_bps: maint_liability + add,
            maint_liability_bps: maint_liability,
            size: margin_risk::size::SizeRule::OFF,
        },
    )
}

/// A token in the stated range with a deposit or a debt worth up to $10^11.
fn case() -> impl Strategy<Value = Case> {
    (-9i32..=6, 1_000_000i64..10_000_000, 0i32..=6, 0u64..=500, 8_000u64..=12_000, 0u64..=500, 0u8..=18)
        .prop_flat_map(|(dollars_log10, digits, extra_digits, conf_bps, ema_pct, ema_conf_bps, decimals)| {
            // mantissa · 10^exponent = digits · 10^(dollars_log10 − 6) dollars: 7 to 13 significant digits,
            // with an exponent Pyth can carry (≥ −18).
            let extra_digits = extra_digits.min(dollars_log10 + 12);
            let price = digits * 10i64.pow(extra_digits as u32);
            let exponent = dollars_log10 - 6 - extra_digits;
            let ema = (price as u64 / 10_000 * ema_pct).max(1) as i64;
            // Confidences up to 15 %: beyond the 6 % liquidation limit the engine caps them.
            let (conf_bps, ema_conf_bps) = (conf_bps * 3, ema_conf_bps * 3);
            let pyth = PythPrice {
                price,
                conf: price as u64 / 10_000 * conf_bps,
                exponent,
                publish_time: NOW,
                ema_price: ema,
                ema_conf: ema as u64 / 10_000 * ema_conf_bps,
            };
            // Up to $10^11 of value: amount ≤ 10^(11 − dollars) whole tokens.
            let dollars = price as f64 * 10f64.powi(exponent);
            let most = (1e11 / dollars * 10f64.powi(i32::from(decimals))).min(1e18) as u64;
            (Just(pyth), Just(decimals), weights(), 0..=most.max(1), any::<bool>())
        })
        .prop_map(|(pyth, decimals, weights, amount, is_deposit)| Case {
            pyth,
            decimals,
            weights,
            deposit: if is_deposit { amount } else { 0 },
            borrow: if is_deposit { 0 } else { amount },
        })
}

fn account() -> impl Strategy<Value = Vec<Case>> {
    proptest::collection::vec(case(), 1..=6)
}

fn model_health(cases: &[Case], health_type: HealthType) -> (Q, Q, Q) {
    let (mut assets, mut liabilities, mut error) = (Q::zero(), Q::zero(), Q::zero());
    for case in cases {
        let (a, l) = case.value(health_type);
        assets += a;
        liabilities += l;
        error += case.value_error();
    }
    (assets, liabilities, error)
}

fn cases() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|cases| cases.parse().ok()).unwrap_or(2_000);
    ProptestConfig { cases, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(cases())]

    /// Prices and the three healths: rounded the protocol's way, within the stated bound.
    #[test]
    fn healths_match_the_exact_model(cases in account()) {
        let positions: Vec<HealthPosition> = cases.iter().map(Case::position).collect();
        for health_type in [HealthType::Init, HealthType::LiqEnd, HealthType::Maint] {
            let has_unusable_debt = health_type == HealthType::Init
                && cases.iter().any(|case| case.borrow > 0 && !case.usable_to_open());
            let engine = compute_health(&positions, health_type);
            if has_unusable_debt {
                prop_assert!(engine.is_err(), "a debt on a price too uncertain to open refuses Init");
                continue;
            }
            let engine = engine.unwrap();
            let (assets, liabilities, error) = model_health(&cases, health_type);
            prop_assert!(q(engine.assets) <= assets, "{:?} assets {} above the model", health_type, engine.assets);
            prop_assert!(q(engine.liabilities) >= liabilities, "{:?} liabilities below the model", health_type);
            prop_assert!(&assets - q(engine.assets) <= error, "{:?} assets off by more than the bound", health_type);
            prop_assert!(q(engine.liabilities) - &liabilities <= error, "{:?} liabilities off by more than the bound", health_type);
        }
    }

    /// Max borrow and max withdraw never promise more than the model allows, and fall short of it by at most
    /// the health bound over one unit's value, plus a unit.
    #[test]
    fn max_borrow_and_withdraw_match_the_exact_model(cases in account(), which in any::<prop::sample::Index>()) {
        let index = which.index(cases.len());
        let positions: Vec<HealthPosition> = cases.iter().map(Case::position).collect();
        let (assets, liabilities, error) = model_health(&cases, HealthType::Init);
        let case = &cases[index];
        let init_weights = (bps(case.weights.init_asset_bps), bps(case.weights.init_liability_bps));
        if let Ok(limit) = max_borrow(&positions, index) {
            if case.deposit == 0 && case.usable_to_open() && limit < u64::MAX - case.borrow {
                let unit = case.prices(HealthType::Init).1 * &init_weights.1;
                let room = (&assets - &liabilities) / &unit;
                let exact = room.floor().max(Q::zero());
                prop_assert!(q(limit) <= exact, "max borrow {} above the model's {}", limit, exact);
                // The health bound, plus the grid error of the amount borrowed, over one unit's value.
                let slack = ((&error + &exact * case.price_error() * &init_weights.1) / &unit).ceil() + q(1);
                prop_assert!(&exact - q(limit) <= slack, "max borrow {} short of {}", limit, exact);
            }
        }
        let has_debt = cases.iter().any(|case| case.borrow > 0);
        if let (Ok(limit), true) = (max_withdraw(&positions, index), has_debt && case.usable_to_open()) {
            let unit = case.prices(HealthType::Init).0 * &init_weights.0;
            if unit > Q::zero() {
                let exact = ((&assets - &liabilities) / &unit).floor().max(Q::zero()).min(q(case.deposit));
                prop_assert!(q(limit) <= exact, "max withdraw {} above the model's {}", limit, exact);
                let slack = ((&error + q(case.deposit) * case.price_error()) / &unit).ceil() + q(1);
                prop_assert!(&exact - q(limit) <= slack, "max withdraw {} short of {}", limit, exact);
            }
        }
    }

    /// The liquidation plan: collateral seized for the debt it clears at oracle prices × (1 + bonus + fee),
    /// never above the model, within the grid error; the repay never above what the liquidator allowed.
    #[test]
    fn liquidation_matches_the_exact_model(collateral in case(), debt in case(), ratio in 50u64..200, max_repay in 1u64..u64::MAX) {
        let mut collateral = Case { borrow: 0, ..collateral };
        collateral.deposit = collateral.deposit.max(1);
        // Debt worth `ratio` % of the collateral at oracle prices.
        let collateral_value = q(collateral.deposit) * q(collateral.pyth.price) * collateral.unit();
        let debt_price = q(debt.pyth.price) * debt.unit();
        let borrow = (collateral_value * q(ratio) / q(100) / &debt_price).floor().to_u64().unwrap_or(u64::MAX);
        let debt = Case { deposit: 0, borrow: borrow.max(1), ..debt };
        // Bonus 2–5 % and a 1 % fee, trimmed to what the collateral's maint weight allows.
        let premium_room = (100_000_000 / collateral.weights.maint_asset_bps - 10_000).saturating_sub(100);
        let max_bonus_bps = premium_room.min(500);
        let config = LiquidationConfig { min_bonus_bps: max_bonus_bps.min(200), max_bonus_bps, insurance_fee_bps: 100 };
        prop_assert_eq!(config.validate(collateral.weights.maint_asset_bps), Ok(()));
        let positions = [collateral.position(), debt.position()];
        let request = LiquidationRequest {
            debt_position: 1,
            collateral_position: 0,
            max_repay_tokens: max_repay,
            being_liquidated: false,
            debt_dust_tokens: 0,
            debt_borrow_index: INDEX_SCALE,
        };
        let plan = match plan_liquidation(&positions, &request, &config) {
            Ok(plan) => plan,
            // Values stay within $10^11, so no amount of the plan is beyond u64 (finding 14c): an account
            // that is not liquidatable, or a pair that cannot improve, is the only refusal.
            Err(error) => {
                let expected = [RiskError::NotLiquidatable, RiskError::LiquidationCannotImprove];
                prop_assert!(expected.contains(&error), "refused with {:?}", error);
                return Ok(());
            }
        };
        prop_assert!(plan.repay_tokens <= max_repay.min(debt.borrow));
        let seized = q(plan.seized_to_liquidator);
        prop_assert!(seized.clone() + q(plan.collateral_forfeit_tokens) <= q(collateral.deposit));
        // The fee: the fee rate of the debt cleared, rounded up, in the debt token (finding 9).
        let fee = (q(plan.debt_cleared_tokens) * bps(config.insurance_fee_bps)).ceil();
        prop_assert_eq!(q(plan.insurance_fee_tokens), fee);
        // Target means the target is reached (finding 14e).
        if plan.limit == RepayLimit::Target {
            prop_assert!(plan.liq_end_after.is_nonnegative(), "labelled Target with LiqEnd < 0: {:?}", plan);
        }
        let premium = q(1) + bps(plan.bonus_bps) + bps(config.insurance_fee_bps);
        let collateral_price = q(collateral.pyth.price) * collateral.unit();
        if plan.limit == RepayLimit::Collateral && plan.repay_tokens < debt.borrow {
            // What the whole collateral pays for is a repay requirement: never below its exact worth (14d).
            let worth = q(collateral.deposit) * &collateral_price / (&debt_price * &premium);
            prop_assert!(q(plan.repay_tokens) >= worth, "repay {} below the collateral's worth {}", plan.repay_tokens, worth);
        }
        if plan.limit != RepayLimit::Collateral && plan.limit != RepayLimit::CollateralBelowOneShare {
            let exact = q(plan.debt_cleared_tokens) * &debt_price * &premium / &collateral_price;
            prop_assert!(seized <= exact.clone(), "seized {} above the model's {}", seized, exact);
            // The debt's scaled price is rounded down once (≤ 1 grid unit, times the premium), then its liquidator
            // and insurance parts once each (≤ 2 more); the collateral's is rounded up once; each part is floored.
            let slack = q(plan.debt_cleared_tokens) * debt.grid() * (&premium + q(2)) / &collateral_price
                + (&exact / &collateral_price) * collateral.grid()
                + q(2);
            prop_assert!(&exact - &seized <= slack, "seized {} short of the model's {}", seized, exact);
        }
    }

    /// Bankruptcy: insurance + socialised + unbooked = the debt, exactly; the deposit index cut makes depositors bear at
    /// least the socialised loss and less than one more unit per 10^12 shares, plus one.
    #[test]
    fn bankruptcy_matches_the_exact_model(debt in 1u64..1 << 50, insurance in 0u64..1 << 50, shares in 1u64..1 << 55, index in INDEX_SCALE / 2..3 * INDEX_SCALE) {
        let totals = BankTotals { deposit_shares: shares, deposit_index: index, ..BankTotals::new() };
        let split = split_bankruptcy(debt, insurance, &totals).unwrap();
        prop_assert_eq!(split.insurance_tokens + split.socialized_tokens + split.unbooked_tokens, debt);
        if split.unbooked_tokens > 0 {
            // Only a loss beyond what takes the index to its floor is left unbooked.
            let bearable = q(shares) * (q(index) - q(MIN_DEPOSIT_INDEX)) / q(INDEX_SCALE);
            prop_assert!(q(debt - split.insurance_tokens) > bearable.floor());
            prop_assert_eq!(split.new_deposit_index, MIN_DEPOSIT_INDEX);
        }
        prop_assert_eq!(split.insurance_tokens, debt.min(insurance));
        let before = deposit_tokens_of(shares, index).unwrap();
        let after = deposit_tokens_of(shares, split.new_deposit_index).unwrap();
        let exact_loss = q(shares) * (q(index) - q(split.new_deposit_index)) / q(INDEX_SCALE);
        prop_assert!(exact_loss >= q(split.socialized_tokens));
        prop_assert!(exact_loss - q(split.socialized_tokens) < q(shares) / q(INDEX_SCALE) + q(1));
        prop_assert!((before - after) as u128 + 1 >= split.socialized_tokens as u128);
        prop_assert!(!q(split.new_deposit_index).is_negative());
    }
}

/// Exact a · b · 10^e / d, rounded as asked, or None beyond u64.
fn exact_mul_div_pow10(a: u64, b: u64, d: u64, exponent: i32, up: bool) -> Option<u64> {
    let value = q(a) * q(b) * pow10(exponent) / q(d);
    let rounded = if up { value.ceil() } else { value.floor() };
    rounded.to_integer().to_u64()
}

proptest! {
    #![proptest_config(cases())]

    /// Finding 14c: the one wide primitive behind every exchange between two price scales is exact for every
    /// exponent two scales can differ by (0 to 42 either way), where the answer fits u64; beyond, a named
    /// overflow. It used to fail for a zero quotient at an exponent of 20 or more.
    #[test]
    fn mul_div_pow10_is_exact_for_every_scale_difference(
        a in any::<u64>(), b in any::<u64>(), d in 1u64..=u64::MAX, exponent in -42i32..=42, up in any::<bool>(),
        shrink in 0u32..64,
    ) {
        // Shrink the product now and then so that large positive exponents still fit.
        let (a, b) = (a >> shrink, b >> shrink);
        let rounding = if up { margin_risk::math::Rounding::Up } else { margin_risk::math::Rounding::Down };
        let engine = margin_risk::math::mul_div_pow10(a, b, d, exponent, rounding);
        match exact_mul_div_pow10(a, b, d, exponent, up) {
            Some(exact) => prop_assert_eq!(engine, Ok(exact)),
            None => prop_assert_eq!(engine, Err(RiskError::MathOverflow)),
        }
    }
}

#[test]
fn mul_div_pow10_with_a_zero_quotient_at_exponent_twenty() {
    // 1 · 1 · 10^20 / 10^3 = 10^17: the quotient 1 / 10^3 is 0, its remainder's share is the answer.
    let down = margin_risk::math::Rounding::Down;
    assert_eq!(margin_risk::math::mul_div_pow10(1, 1, 1_000, 20, down), Ok(100_000_000_000_000_000));
    assert_eq!(
        margin_risk::math::mul_div_pow10(3, 1, 7, 21, down),
        exact_mul_div_pow10(3, 1, 7, 21, false).ok_or(RiskError::MathOverflow)
    );
}

fn oracle_with(change: impl FnOnce(&mut OracleConfig)) -> OracleConfig {
    let mut config = oracle();
    change(&mut config);
    config
}

fn weights_for_tests() -> RiskWeights {
    RiskWeights {
        init_asset_bps: 8_000,
        maint_asset_bps: 9_000,
        init_liability_bps: 12_000,
        maint_liability_bps: 11_000,
        size: margin_risk::size::SizeRule::OFF,
    }
}

#[test]
fn finding_14a_a_huge_ema_confidence_never_values_debt_below_the_model() {
    // A $1 token (6 decimals) with an EMA confidence of 5 × its price and k_init 10: debt was valued at
    // $18.45 a token (the exact Init liability is $51) and max borrow said 41 instead of 8. The EMA's
    // confidence is now bounded like the spot's: above the open limit, the price backs no new debt.
    let config = oracle_with(|config| config.conf_multiplier_init_bps = 100_000);
    let pyth = PythPrice {
        price: 100_000_000,
        conf: 10_000,
        exponent: -8,
        publish_time: NOW,
        ema_price: 100_000_000,
        ema_conf: 500_000_000,
    };
    let price = validate_price(&pyth, &config, 6, NOW).unwrap();
    assert!(!price.usable_to_open);
    let debt = HealthPosition { deposit_tokens: 0, borrow_tokens: 1, weights: weights_for_tests(), price: Ok(price) };
    let collateral = Case {
        pyth: PythPrice { ema_conf: 0, ..pyth },
        decimals: 6,
        weights: weights_for_tests(),
        deposit: 1_000_000_000,
        borrow: 0,
    };
    let account = [collateral.position(), debt];
    assert_eq!(compute_health(&account, HealthType::Init), Err(RiskError::ConfidenceTooWideToOpen));
    assert!(max_borrow(&account, 1).is_ok_and(|limit| limit == 0) || max_borrow(&account, 1).is_err());
    // Where it is usable, the Init liability is never below the model: p + k·c and ema + k·ema_c exactly.
    let within = PythPrice { ema_conf: 3_000_000, ..pyth };
    let price = validate_price(&within, &config, 6, NOW).unwrap();
    assert!(price.usable_to_open);
    let case = Case { pyth: within, decimals: 6, weights: weights_for_tests(), deposit: 0, borrow: 1 };
    let exact = (q(within.ema_price) + q(within.ema_conf) * q(10)) * case.unit();
    assert!(q(price.init_liability) * pow10(-i32::from(price.scale)) >= exact);
}

#[test]
fn finding_14b_a_mantissa_beyond_ten_to_the_eighteen_has_an_exact_maint_liability() {
    // $9 at exponent −18 (a 19-digit mantissa) with a 100 % confidence and k_maint 2: p + k·c is 2.7·10^19
    // in Pyth units, beyond u64, though the scaled price fits. It overflowed; it is now exact.
    let config = oracle_with(|config| {
        (config.max_conf_open_bps, config.max_conf_liquidation_bps) = (10_000, 10_000);
        (config.conf_multiplier_init_bps, config.conf_multiplier_maint_bps) = (20_000, 20_000);
    });
    let mantissa = 9_000_000_000_000_000_000;
    let pyth = PythPrice {
        price: mantissa,
        conf: mantissa as u64,
        exponent: -18,
        publish_time: NOW,
        ema_price: mantissa,
        ema_conf: 0,
    };
    let price = validate_price(&pyth, &config, 6, NOW).unwrap();
    let case = Case { pyth, decimals: 6, weights: weights_for_tests(), deposit: 0, borrow: 1 };
    let exact = (q(mantissa) + q(mantissa) * q(2)) * case.unit();
    let engine = q(price.maint_liability) * pow10(-i32::from(price.scale));
    assert!(engine >= exact && &engine - &exact < case.grid(), "engine {engine}, exact {exact}");
    assert_eq!(price.init_liability, price.maint_liability);
}

#[test]
fn finding_14e_a_repay_labelled_target_reaches_the_target() {
    // u64::MAX units of a 6-decimal $10^-6 token (weighted ×5) owed against $100M of USDC with Init weight
    // 0: the LiqEnd target is beyond u64 (so u64::MAX) and tied with the whole debt; the plan was labelled
    // Target, a label that promises LiqEnd ≥ 0 (the property test checks that promise). The whole debt wins.
    let token = PythPrice { price: 100, conf: 0, exponent: -8, publish_time: NOW, ema_price: 100, ema_conf: 0 };
    let heavy = RiskWeights { init_liability_bps: 50_000, maint_liability_bps: 50_000, ..weights_for_tests() };
    let debt = HealthPosition {
        deposit_tokens: 0,
        borrow_tokens: u64::MAX,
        weights: heavy,
        price: validate_price(&token, &oracle(), 6, NOW),
    };
    let usdc = PythPrice { price: 100_000_000, ema_price: 100_000_000, ..token };
    let collateral = HealthPosition {
        deposit_tokens: 100_000_000_000_000,
        borrow_tokens: 0,
        weights: RiskWeights { init_asset_bps: 0, ..weights_for_tests() },
        price: validate_price(&usdc, &oracle(), 6, NOW),
    };
    let request = LiquidationRequest {
        debt_position: 1,
        collateral_position: 0,
        max_repay_tokens: u64::MAX,
        being_liquidated: false,
        debt_dust_tokens: 0,
        debt_borrow_index: INDEX_SCALE,
    };
    let config = LiquidationConfig { min_bonus_bps: 200, max_bonus_bps: 500, insurance_fee_bps: 100 };
    let plan = plan_liquidation(&[collateral, debt], &request, &config).unwrap();
    assert_eq!((plan.limit, plan.repay_tokens), (RepayLimit::WholeDebt, u64::MAX));
}
