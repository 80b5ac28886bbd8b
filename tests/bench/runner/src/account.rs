//! The bench account: 16 positions in 16 banks, priced from captured mainnet Pyth samples where we have them
//! (SOL, USDC, BONK from ../shared/data/pyth-v2-more-samples.json) and realistic figures otherwise. Below
//! maintenance at 16 positions, so the liquidation row is a real liquidation.

use margin_risk_bench::{HEADER_LEN, MAX_POSITIONS, POSITION_LEN};

/// Clock of the bench; every price was published 5 s before.
pub const NOW: i64 = 1_721_133_407;

struct Bank {
    price: i64,
    conf: u64,
    exponent: i32,
    ema_price: i64,
    ema_conf: u64,
    decimals: u8,
    /// init asset, maint asset, init liability, maint liability (bps)
    weights: [u32; 4],
}

const SOL: Bank = Bank {
    price: 15_679_769_099,
    conf: 16_197_271,
    exponent: -8,
    ema_price: 15_660_921_800,
    ema_conf: 15_919_247,
    decimals: 9,
    weights: [8_000, 9_000, 12_000, 11_000],
};
const USDC: Bank = Bank {
    price: 100_004_997,
    conf: 67_956,
    exponent: -8,
    ema_price: 100_003_409,
    ema_conf: 73_279,
    decimals: 6,
    weights: [9_500, 9_800, 10_500, 10_200],
};
const BONK: Bank = Bank {
    price: 345_526,
    conf: 517,
    exponent: -10,
    ema_price: 335_763,
    ema_conf: 415,
    decimals: 5,
    weights: [5_000, 6_500, 15_000, 13_000],
};
const BTC: Bank = Bank {
    price: 6_412_345_000_000,
    conf: 3_100_000_000,
    exponent: -8,
    ema_price: 6_405_000_000_000,
    ema_conf: 2_900_000_000,
    decimals: 8,
    weights: [8_500, 9_200, 11_500, 10_800],
};
const ETH: Bank = Bank {
    price: 341_234_000_000,
    conf: 190_000_000,
    exponent: -8,
    ema_price: 340_900_000_000,
    ema_conf: 180_000_000,
    decimals: 8,
    weights: [8_200, 9_000, 11_800, 11_000],
};
const JUP: Bank = Bank {
    price: 110_450_000,
    conf: 120_000,
    exponent: -8,
    ema_price: 110_100_000,
    ema_conf: 110_000,
    decimals: 6,
    weights: [6_000, 7_500, 14_000, 12_500],
};

fn position(bank: &Bank, deposit: u64, borrow: u64) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(POSITION_LEN);
    bytes.extend_from_slice(&deposit.to_le_bytes());
    bytes.extend_from_slice(&borrow.to_le_bytes());
    for weight in bank.weights {
        bytes.extend_from_slice(&weight.to_le_bytes());
    }
    bytes.extend_from_slice(&bank.price.to_le_bytes());
    bytes.extend_from_slice(&bank.conf.to_le_bytes());
    bytes.extend_from_slice(&bank.exponent.to_le_bytes());
    bytes.extend_from_slice(&(NOW - 5).to_le_bytes());
    bytes.extend_from_slice(&bank.ema_price.to_le_bytes());
    bytes.extend_from_slice(&bank.ema_conf.to_le_bytes());
    bytes.push(bank.decimals);
    assert_eq!(bytes.len(), POSITION_LEN);
    bytes
}

/// The header (clock, a USDC bank's totals, one hour to accrue, a bankruptcy) and 16 positions.
pub fn bench_account() -> Vec<u8> {
    let mut data = Vec::new();
    let header: [u64; 8] = [
        NOW as u64,
        40_000_000_000_000, // deposit shares: 40M USDC at index 1.05
        30_000_000_000_000, // borrow shares: 30M USDC at index 1.10
        1_050_000_000_000,  // deposit index 1.05
        1_100_000_000_000,  // borrow index 1.10
        3_600,              // one hour
        12_345_678_901,     // bad debt 12,345.678901 USDC
        5_000_000_000,      // insurance 5,000 USDC
    ];
    for word in header {
        data.extend_from_slice(&word.to_le_bytes());
    }
    assert_eq!(data.len(), HEADER_LEN);
    // 0: 100 SOL collateral ($15.7k); 1: 14,000 USDC debt; then alternating small deposits and debts that add
    // more liability than asset value, so the account is under maintenance at 16 positions.
    let positions = [
        position(&SOL, 100_000_000_000, 0),
        position(&USDC, 0, 14_000_000_000),
        position(&BTC, 780_000, 0),            // 0.0078 BTC ≈ $500
        position(&ETH, 0, 15_300_000),         // 0.153 ETH ≈ $522
        position(&BONK, 1_450_000_000_000, 0), // 14.5M BONK ≈ $501
        position(&JUP, 0, 472_000_000),        // 472 JUP ≈ $521
        position(&ETH, 14_700_000, 0),
        position(&BTC, 0, 815_000),
        position(&JUP, 453_000_000, 0),
        position(&BONK, 0, 1_510_000_000_000),
        position(&SOL, 3_200_000_000, 0),
        position(&USDC, 0, 522_000_000),
        position(&BTC, 780_000, 0),
        position(&SOL, 0, 3_330_000_000),
        position(&USDC, 500_000_000, 0),
        position(&ETH, 0, 15_300_000),
    ];
    assert_eq!(positions.len(), MAX_POSITIONS);
    for bytes in positions {
        data.extend_from_slice(&bytes);
    }
    data
}
