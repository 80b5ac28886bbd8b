//! The fuzz test's actions: plain data drawn from a seed, so a sequence can be replayed, shortened and printed.
//! Amounts are boundary and hostile values as often as ordinary ones.
use margin_tests::Random;

use margin_tests::{SOL, USDC};

/// Whose hands a wrong-account attempt is in, and what it gets wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WrongAccount {
    /// A trader withdraws from another trader's account.
    AnotherOwnersAccount,
    /// A trader borrows USDC into its SOL wallet.
    WalletOfAnotherMint,
    /// A trader borrows with no health accounts at all.
    NoHealthAccounts,
    /// A trader borrows with its health accounts in reverse order.
    ReorderedHealthAccounts,
    /// A trader borrows with its first bank and price account passed again at the end.
    PaddedHealthAccounts,
    /// A trader deposits SOL naming the USDC bank's price account.
    AnotherBanksPriceAccount,
    /// A trader liquidates its own account.
    SelfLiquidation,
    /// A stranger proposes a bank change.
    StrangerProposes,
    /// A stranger tightens a bank.
    StrangerTightens,
}

/// One step of a fuzz sequence.
#[derive(Clone, Debug)]
pub enum Action {
    Deposit {
        trader: usize,
        sol: bool,
        amount: u64,
    },
    Borrow {
        trader: usize,
        amount: u64,
    },
    /// Borrow `percent` of what the SDK says the account may borrow: the accounts liquidators will meet.
    BorrowNearLimit {
        trader: usize,
        percent: u64,
    },
    /// Withdraws `amount`, or everything the position holds when `all`.
    Withdraw {
        trader: usize,
        sol: bool,
        amount: u64,
        all: bool,
    },
    Repay {
        trader: usize,
        amount: u64,
        all: bool,
    },
    /// SOL moves by `change_bps` over `seconds`; confidence widens with the move; the EMA follows a quarter.
    MovePrice {
        change_bps: i64,
        seconds: i64,
    },
    /// SOL's confidence widens to `conf_bps` of the price at the same price and clock (invariant 4 checked).
    ConfidenceSpike {
        conf_bps: u64,
    },
    /// The clock runs `seconds` with no Pyth update; SOL's fallback feed keeps quoting the price.
    Stale {
        seconds: i64,
    },
    /// SOL's fallback feed quotes the price moved by `offset_bps` (a lie when not 0), published `lag_seconds`
    /// ago (a lagging feed).
    FallbackQuote {
        offset_bps: i64,
        lag_seconds: i64,
    },
    /// Governance puts SOL and USDC in a correlation group (issue 26: both banks' moves in a joint SOL move of
    /// ±`joint_bps` and a USDC de-peg of ±`depeg_bps`), or (`dissolve`) takes them out: proposed one timelock
    /// ago, executed now. Every check after each step then runs on the group rule.
    Correlate {
        joint_bps: i16,
        depeg_bps: i16,
        dissolve: bool,
    },
    /// The liquidator tries account number `target` (of every account in the test) for up to `amount` USDC.
    Liquidate {
        target: usize,
        amount: u64,
    },
    /// The liquidator tries the indebted account whose Maint assets cover its liabilities least, as a bot would.
    LiquidateWeakest {
        amount: u64,
    },
    ResolveBankruptcy {
        target: usize,
    },
    /// The lender deposits back up to `amount` USDC from its wallet (what it withdrew), so liquidity comes and goes.
    LenderDeposit {
        amount: u64,
    },
    /// The debt-free lender withdraws up to `amount` USDC (u64::MAX: everything it may, a liquidity drain).
    LenderWithdraw {
        amount: u64,
    },
    /// The SOL borrower takes SOL to the bank's max utilization (or its own limit): a drain of the vault
    /// liquidations pay collateral from.
    DrainSol,
    Pause {
        seconds: u32,
    },
    /// The guardian sets the USDC bank to paused (or reduce-only); drawn only in the last quarter of a
    /// sequence, since only a proposal reopens a bank.
    Tighten {
        paused: bool,
    },
    /// A trader, not the admin, tries to lift the pause.
    StrangerUnpause {
        trader: usize,
    },
    /// The admin proposes parameter `row` of the governance table on SOL's (or USDC's) bank moved by `step`
    /// (a signed fraction of the parameter, in bps; hostile values included).
    Propose {
        sol: bool,
        row: usize,
        step_bps: i64,
    },
    /// Anyone executes the latest proposal.
    ExecuteLatest {
        by_stranger: bool,
    },
    /// The admin (or a stranger) cancels the latest proposal.
    CancelLatest {
        by_stranger: bool,
    },
    /// The clock runs past the timelock (prices refreshed at the end).
    WaitTimelock,
    Wrong {
        trader: usize,
        attempt: WrongAccount,
    },
    Accrue {
        sol: bool,
    },
}

/// Amounts for hostile sequences: 0, 1, u64::MAX and 1,000 × typical as often as ordinary ones.
fn amount(random: &mut Random, typical: u64) -> u64 {
    match random.below(8) {
        0 => 0,
        1 => 1,
        2 => u64::MAX,
        3 => typical * 1_000,
        _ => 1 + random.below(typical),
    }
}

const WRONG: [WrongAccount; 9] = [
    WrongAccount::AnotherOwnersAccount,
    WrongAccount::WalletOfAnotherMint,
    WrongAccount::NoHealthAccounts,
    WrongAccount::ReorderedHealthAccounts,
    WrongAccount::PaddedHealthAccounts,
    WrongAccount::AnotherBanksPriceAccount,
    WrongAccount::SelfLiquidation,
    WrongAccount::StrangerProposes,
    WrongAccount::StrangerTightens,
];

/// `steps` actions drawn from `seed`, for `traders` traders and `targets` liquidation targets.
pub fn generate(seed: u64, steps: usize, traders: usize, targets: usize) -> Vec<Action> {
    let mut random = Random::new(seed);
    (0..steps).map(|step| draw(&mut random, step >= steps * 3 / 4, traders as u64, targets as u64)).collect()
}

fn draw(random: &mut Random, late: bool, traders: u64, targets: u64) -> Action {
    let trader = random.below(traders) as usize;
    // Mostly SOL: a trader holding a USDC deposit cannot borrow USDC (DepositAndDebtInOneBank).
    let sol = random.below(5) != 0;
    match random.below(42) {
        0..=3 => Action::Deposit { trader, sol, amount: amount(random, if sol { 10 * SOL } else { 1_000 * USDC }) },
        4..=6 => Action::Borrow { trader, amount: amount(random, 500 * USDC) },
        7..=9 => Action::BorrowNearLimit { trader, percent: 90 + random.below(11) },
        10..=12 => {
            let typical = if sol { 5 * SOL } else { 500 * USDC };
            Action::Withdraw { trader, sol, amount: amount(random, typical), all: random.below(4) == 0 }
        }
        13..=14 => Action::Repay { trader, amount: amount(random, 500 * USDC), all: random.below(4) == 0 },
        15..=21 => {
            let change_bps = match random.below(10) {
                0 => -2_500,
                1 => 2_500,
                _ => random.below(2_400) as i64 - 1_200,
            };
            Action::MovePrice { change_bps, seconds: random.below(120) as i64 }
        }
        22 => Action::ConfidenceSpike { conf_bps: 10 + random.below(1_500) },
        23 => Action::Stale { seconds: 30 + random.below(600) as i64 },
        24 => Action::Liquidate { target: random.below(targets) as usize, amount: amount(random, 2_000 * USDC) },
        25..=26 | 37 => Action::LiquidateWeakest { amount: amount(random, 2_000 * USDC) },
        27 => Action::ResolveBankruptcy { target: random.below(targets) as usize },
        28 => Action::LenderWithdraw { amount: 1 + random.below(20_000 * USDC) },
        29 => Action::LenderDeposit { amount: 1 + random.below(40_000 * USDC) },
        30 => match random.below(3) {
            0 => Action::Pause { seconds: amount(random, 600) as u32 },
            1 if late => Action::Tighten { paused: random.below(2) == 0 },
            _ => Action::StrangerUnpause { trader },
        },
        31 if late => Action::Propose { sol, row: random.below(25) as usize, step_bps: proposal_step(random) },
        // Before the last quarter, mild moves of any row but the status (±5 % of the value): an executed freeze
        // (an asset weight to 0, a paused bank) would stop borrowing, and liquidations, for the rest of the run.
        31 => Action::Propose { sol, row: random.below(24) as usize, step_bps: random.below(1_000) as i64 - 500 },
        32 => Action::ExecuteLatest { by_stranger: random.below(2) == 0 },
        33 => Action::CancelLatest { by_stranger: random.below(3) == 0 },
        34 => Action::WaitTimelock,
        35..=36 => Action::Wrong { trader, attempt: WRONG[random.below(WRONG.len() as u64) as usize] },
        38 => Action::FallbackQuote {
            offset_bps: match random.below(3) {
                0 => 0,
                1 => random.below(400) as i64 - 200,
                _ => random.below(8_000) as i64 - 4_000,
            },
            lag_seconds: random.below(90) as i64,
        },
        39 => Action::Correlate {
            joint_bps: 500 + random.below(2_500) as i16,
            depeg_bps: 100 + random.below(900) as i16,
            dissolve: random.below(3) == 0,
        },
        40 => Action::DrainSol,
        41 => Action::LenderWithdraw { amount: u64::MAX },
        _ => Action::Accrue { sol },
    }
}

/// A proposal's move as a fraction of the parameter: small steps within governance's bounds, large ones beyond
/// them, and the extremes (to zero, to u32::MAX).
fn proposal_step(random: &mut Random) -> i64 {
    match random.below(6) {
        0 => -10_000,
        1 => i64::MAX,
        2 | 3 => random.below(1_000) as i64 - 500,
        _ => random.below(40_000) as i64 - 10_000,
    }
}
