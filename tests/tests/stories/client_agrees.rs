//! The client's numbers are the program's: for varied accounts over tokens from a $0.0000345 5-decimal unit to
//! an 18-decimal $1 unit, the max borrow and max withdraw computed off chain by the shared code
//! (margin-sdk's `Snapshot`: the program's own price checks and margin-risk) pass in the program, and one native
//! unit more is refused, with borrow indices above 1 (the program books debt in shares rounded up).

use margin::errors::MarginError;
use margin_tests::pyth::PriceUpdate;
use margin_tests::*;
use solana_sdk::signature::Signer;

/// A listed token: decimals, Pyth price mantissa and exponent.
struct Token {
    decimals: u8,
    price: i64,
    exponent: i32,
}

const TOKENS: [Token; 4] = [
    Token { decimals: 9, price: 150_00000000, exponent: -8 }, // SOL-like
    Token { decimals: 6, price: 100_000_000, exponent: -8 },  // USDC-like
    Token { decimals: 5, price: 345_526, exponent: -10 },     // BONK-like
    Token { decimals: 18, price: 99_870_000, exponent: -8 },  // an 18-decimal unit near $1
];

fn update(token: &Token, feed_byte: u8, now: i64) -> PriceUpdate {
    let conf = token.price as u64 / 1_000;
    PriceUpdate {
        price: token.price,
        conf,
        exponent: token.exponent,
        ema_price: token.price,
        ema_conf: conf,
        ..PriceUpdate::new([feed_byte; 32], 1, 0, now)
    }
}

/// Lists every token, each with a lender's u64::MAX / 4 native units of liquidity (billions of dollars,
/// except the 18-decimal unit: about $4.6, so it only ever serves as collateral here).
async fn listed(env: &mut Env) -> Vec<BankKeys> {
    let mut banks = Vec::new();
    for (i, token) in TOKENS.iter().enumerate() {
        let feed_byte = 40 + i as u8;
        let mint = env.create_mint(token.decimals).await;
        let price_account = margin_sdk::addresses::push_feed(&[feed_byte; 32]);
        env.set_price_account(&price_account, &update(token, feed_byte, env.now));
        let config = with_params(volatile_config(feed_byte), |params| params.limits.deposit_cap = u64::MAX);
        let bank = env.add_bank_with(mint, price_account, config).await.unwrap();
        let lender = env.funded_keypair().await;
        let account = env.open_account(&lender, 0, 0).await.unwrap();
        let liquidity = u64::MAX / 4;
        let wallet = env.funded_token_account(&lender.pubkey(), &bank, liquidity).await;
        env.deposit(&lender, &account, &bank, &wallet, liquidity).await.unwrap();
        banks.push(bank);
    }
    banks
}

#[tokio::test]
async fn max_borrow_and_max_withdraw_computed_off_chain_are_the_programs_to_the_unit() {
    let mut env = Env::new().await;
    let banks = listed(&mut env).await;
    let mut withdraw_edges = 0;
    for seed in 1..=8u64 {
        // A month of interest on the debts earlier seeds left: borrow indices above 1, so the program books
        // shares that round (the client's limit must account for it).
        env.advance(30 * 86_400);
        for (i, (bank, token)) in banks.iter().zip(&TOKENS).enumerate() {
            env.set_price_account(&bank.price_account, &update(token, 40 + i as u8, env.now));
        }
        let mut random = Random::new(0x9E37_79B9_7F4A_7C15 ^ seed);
        let trader = env.funded_keypair().await;
        let account = env.open_account(&trader, 0, 0).await.unwrap();
        // A borrow from one of the three deep banks; collateral in two of the other three, $1 to $100,000 each.
        let debt = random.below(3) as usize;
        let others: Vec<usize> = (0..4).filter(|bank| *bank != debt).collect();
        let skip = random.below(3) as usize;
        let collateral: Vec<usize> = others.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, b)| *b).collect();
        let (first, second) = (collateral[0], collateral[1]);
        let mut wallets = Vec::new();
        for index in [first, second] {
            let token = &TOKENS[index];
            let dollars = 1 + random.below(100_000) as u128;
            // Native units worth `dollars`: dollars · 10^decimals / (price · 10^exponent).
            let scale = 10u128.pow(u32::from(token.decimals) + (-token.exponent) as u32);
            let amount = (dollars * scale / token.price as u128).min(u64::MAX as u128 / 8) as u64;
            let wallet = env.funded_token_account(&trader.pubkey(), &banks[index], amount).await;
            env.deposit(&trader, &account, &banks[index], &wallet, amount).await.unwrap();
            wallets.push((index, wallet, amount));
        }
        // Borrow: the client's limit passes, one unit more is refused.
        let snapshot = env.snapshot(&account, &[banks[debt].bank]).await;
        let limit = snapshot.max_borrow(&account, &banks[debt].bank).unwrap();
        assert!(limit > 0, "seed {seed}");
        let to = env.funded_token_account(&trader.pubkey(), &banks[debt], 0).await;
        let refused = env.borrow(&trader, &account, &banks[debt], &to, limit + 1).await;
        assert_eq!(refused, Err(code(MarginError::InitHealthNegative)), "seed {seed}: limit {limit} + 1");
        env.borrow(&trader, &account, &banks[debt], &to, limit).await.unwrap();
        env.repay(&trader, &account, &banks[debt], &to, limit / 2, false).await.unwrap();
        // Withdraw with that debt: the client's limit passes, one unit more is refused.
        let (index, wallet, _) = wallets[random.below(2) as usize];
        let snapshot = env.snapshot(&account, &[]).await;
        let limit = snapshot.max_withdraw(&account, &banks[index].bank).unwrap();
        // What the deposit is worth now (its shares were rounded down at an index above 1).
        let position = snapshot.account(&account).unwrap().position_index(&banks[index].bank).unwrap();
        let held = snapshot.health_positions(&account).unwrap()[position].deposit_tokens;
        if limit < held {
            let refused = env.withdraw(&trader, &account, &banks[index], &wallet, limit + 1).await;
            assert_eq!(refused, Err(code(MarginError::InitHealthNegative)), "seed {seed}: withdraw {limit} + 1");
            withdraw_edges += 1;
        }
        // (Withdrawing the whole deposit would release the position, and the harness lists the accounts as
        // they stand before the action: keep one unit.)
        let take = limit.min(held - 1);
        if take > 0 {
            env.withdraw(&trader, &account, &banks[index], &wallet, take).await.unwrap();
        }
    }
    assert!(withdraw_edges >= 4, "the withdraw edge was checked in {withdraw_edges} of 8 accounts");
    let indices: Vec<u64> = {
        let mut indices = Vec::new();
        for bank in &banks {
            indices.push(env.bank_state(&bank.bank).await.borrow_index);
        }
        indices
    };
    assert!(indices.iter().filter(|index| **index > margin_risk::interest::INDEX_SCALE).count() >= 2, "{indices:?}");
}

/// Init, LiqEnd and Maint of an account as a snapshot reads it, exactly.
fn healths(snapshot: &margin_sdk::snapshot::Snapshot, account: &solana_sdk::pubkey::Pubkey) -> Vec<(u64, u64)> {
    margin_sdk::market::HEALTH_TYPES
        .iter()
        .map(|health_type| snapshot.health(account, *health_type).map(|h| (h.assets, h.liabilities)).unwrap())
        .collect()
}

/// The health a form shows before signing is the health the program leaves: for deposit, borrow, repay and
/// withdraw of odd amounts at borrow indices above 1, the SDK's `health_after` (what the web app shows)
/// equals the health read back after the program booked the action, to the quote unit, for all three types.
#[tokio::test]
async fn health_after_an_action_is_what_the_program_leaves() {
    use margin_sdk::market::Action;
    let mut env = Env::new().await;
    let banks = listed(&mut env).await;
    let trader = env.funded_keypair().await;
    let account = env.open_account(&trader, 0, 0).await.unwrap();
    let (sol, usdc) = (&banks[0], &banks[1]);
    let sol_wallet = env.funded_token_account(&trader.pubkey(), sol, 1_000_000_000_000).await;
    let usdc_wallet = env.funded_token_account(&trader.pubkey(), usdc, 0).await;
    let mut random = Random::new(0x5EED);
    let mut checked = 0;
    for step in 0..12u64 {
        env.advance(86_400 * (1 + random.below(20) as i64));
        for (i, (bank, token)) in banks.iter().zip(&TOKENS).enumerate() {
            env.set_price_account(&bank.price_account, &update(token, 40 + i as u8, env.now));
        }
        let before = env.snapshot(&account, &[sol.bank, usdc.bank]).await;
        let owed = before.health_positions(&account).unwrap().iter().map(|p| p.borrow_tokens).sum::<u64>();
        let (bank, wallet, action) = match step % 4 {
            0 => (sol, sol_wallet, Action::Deposit(1 + random.below(10_000_000_000))),
            1 => {
                (usdc, usdc_wallet, Action::Borrow(1 + random.below(before.max_borrow(&account, &usdc.bank).unwrap())))
            }
            2 if owed > 1 => (usdc, usdc_wallet, Action::Repay(1 + random.below(owed - 1))),
            _ => (
                sol,
                sol_wallet,
                Action::Withdraw(1 + random.below(before.max_withdraw(&account, &sol.bank).unwrap() / 2)),
            ),
        };
        let predicted: Vec<(u64, u64)> = before
            .health_after(&account, &bank.bank, action)
            .unwrap()
            .iter()
            .map(|health| health.as_ref().map(|h| (h.assets, h.liabilities)).unwrap())
            .collect();
        match action {
            Action::Deposit(amount) => env.deposit(&trader, &account, bank, &wallet, amount).await.unwrap(),
            Action::Borrow(amount) => env.borrow(&trader, &account, bank, &wallet, amount).await.unwrap(),
            Action::Repay(amount) => env.repay(&trader, &account, bank, &wallet, amount, false).await.unwrap(),
            Action::Withdraw(amount) => env.withdraw(&trader, &account, bank, &wallet, amount).await.unwrap(),
        }
        let after = env.snapshot(&account, &[]).await;
        assert_eq!(healths(&after, &account), predicted, "step {step}: {action:?}");
        checked += 1;
    }
    assert_eq!(checked, 12);
}

/// The liquidation price the web app shows is where the program starts liquidating: with SOL set just under
/// it (Pyth units, the same confidence ratio) a liquidation goes through; 0.01 % above it the program refuses
/// with NotLiquidatable.
#[tokio::test]
async fn the_liquidation_price_is_where_the_program_starts_liquidating() {
    let mut env = Env::new().await;
    let banks = listed(&mut env).await;
    let (sol, usdc) = (&banks[0], &banks[1]);
    let trader = env.funded_keypair().await;
    let account = env.open_account(&trader, 0, 0).await.unwrap();
    let sol_wallet = env.funded_token_account(&trader.pubkey(), sol, 10_000_000_000).await;
    env.deposit(&trader, &account, sol, &sol_wallet, 10_000_000_000).await.unwrap();
    let usdc_wallet = env.funded_token_account(&trader.pubkey(), usdc, 0).await;
    let most = env.snapshot(&account, &[usdc.bank]).await.max_borrow(&account, &usdc.bank).unwrap();
    env.borrow(&trader, &account, usdc, &usdc_wallet, most).await.unwrap();
    let snapshot = env.snapshot(&account, &[]).await;
    let shown = snapshot.liquidation_price_usd(&account, &sol.bank).unwrap().expect("SOL backs the debt");
    assert_eq!(snapshot.liquidation_price_usd(&account, &usdc.bank).unwrap(), None, "a debt has none");
    // USD per SOL → Pyth mantissa at exponent −8, rounded down.
    let (whole, fraction) = shown.split_once('.').unwrap();
    let mantissa: i64 = format!("{whole}{:0<8}", &fraction[..8.min(fraction.len())]).parse().unwrap();
    assert!(mantissa < TOKENS[0].price, "{shown} is below the price now");
    let liquidator = env.funded_keypair().await;
    let pay_from = env.funded_token_account(&liquidator.pubkey(), usdc, 1_000_000_000_000).await;
    let receive_to = env.funded_token_account(&liquidator.pubkey(), sol, 0).await;
    let set_sol = |env: &mut Env, price: i64| {
        let token = Token { price, ..TOKENS[0] };
        env.set_price_account(&sol.price_account, &update(&token, 40, env.now));
    };
    set_sol(&mut env, mantissa + mantissa / 10_000);
    let refused = env.liquidate(&liquidator, &account, usdc, sol, &pay_from, &receive_to, 1_000_000).await;
    assert_eq!(refused, Err(code(MarginError::NotLiquidatable)), "0.01 % above {shown}");
    set_sol(&mut env, mantissa);
    env.liquidate(&liquidator, &account, usdc, sol, &pay_from, &receive_to, 1_000_000).await.unwrap();
}
