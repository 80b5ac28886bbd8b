//! MarginAccount: a trader's cross or isolated account and its positions.
use anchor_lang::prelude::*;

/// Most positions of a cross account.
pub const MAX_POSITIONS: usize = 16;

/// Account kinds (stored as their u8 in [`MarginAccount::kind`]; Borsh in instruction arguments and events,
/// so the IDL types them).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)] // in declaration order: 0, 1, 2 (as stored and as Borsh encodes them)
pub enum AccountKind {
    /// Every position backs every other; up to 16 positions.
    Cross,
    /// One ring-fenced position: at most one collateral bank and one debt bank.
    Isolated,
}

/// One bank's balance in an account. A free slot has the default bank key.
#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq)]
pub struct Position {
    /// The bank.
    pub bank: Pubkey,
    /// Deposit shares of the bank.
    pub deposit_shares: u64,
    /// Borrow shares of the bank.
    pub borrow_shares: u64,
}

impl Position {
    /// No bank in the slot.
    pub fn is_free(&self) -> bool {
        self.bank == Pubkey::default()
    }
}

/// A margin account. Zero-copy: 16 positions are read on every health check.
#[account(zero_copy)]
#[repr(C)]
pub struct MarginAccount {
    /// The group.
    pub group: Pubkey,
    /// The trader.
    pub owner: Pubkey,
    /// Positions; used slots first, in the order health's remaining accounts follow.
    pub positions: [Position; MAX_POSITIONS],
    /// The index in the account's seeds.
    pub index: u16,
    /// [`AccountKind`] as u8.
    pub kind: u8,
    /// 1 from the first liquidation until LiqEnd health ≥ 0.
    pub being_liquidated: u8,
    /// Canonical bump.
    pub bump: u8,
    pub padding: [u8; 3],
    /// Room for later fields without a migration.
    pub reserved: [u8; 64],
}

impl MarginAccount {
    /// Used positions, in order.
    pub fn used_positions(&self) -> impl Iterator<Item = &Position> {
        self.positions.iter().take_while(|position| !position.is_free())
    }

    /// The slot of `bank`, if the account has one.
    pub fn position_index(&self, bank: &Pubkey) -> Option<usize> {
        self.used_positions().position(|position| position.bank == *bank)
    }

    /// Whether the account is isolated.
    pub fn is_isolated(&self) -> bool {
        self.kind == AccountKind::Isolated as u8
    }

    /// Whether every position is empty.
    pub fn is_empty(&self) -> bool {
        self.used_positions().all(|position| position.deposit_shares == 0 && position.borrow_shares == 0)
    }
}

impl MarginAccount {
    /// The slot of `bank`, adding one when the account has none. Isolated accounts take at most two banks.
    pub fn position_or_add(&mut self, bank: &Pubkey) -> Result<usize> {
        if let Some(index) = self.position_index(bank) {
            return Ok(index);
        }
        let used = self.used_positions().count();
        let limit = if self.is_isolated() { 2 } else { MAX_POSITIONS };
        if self.is_isolated() {
            require!(used < limit, crate::errors::MarginError::IsolatedAccountFull);
        }
        require!(used < limit, crate::errors::MarginError::NoFreePosition);
        self.positions[used] = Position { bank: *bank, deposit_shares: 0, borrow_shares: 0 };
        Ok(used)
    }

    /// Frees the slot at `index` if it holds nothing, keeping used slots first and in order.
    pub fn release_if_empty(&mut self, index: usize) {
        let position = self.positions[index];
        if position.deposit_shares != 0 || position.borrow_shares != 0 {
            return;
        }
        let used = self.used_positions().count();
        self.positions.copy_within(index + 1..used, index);
        self.positions[used - 1] = Position::default();
    }

    /// Whether any position owes anything.
    pub fn has_debt(&self) -> bool {
        self.used_positions().any(|position| position.borrow_shares > 0)
    }

    /// Whether no position holds a deposit share (so a debt left is bad debt).
    pub fn holds_no_deposit(&self) -> bool {
        self.used_positions().all(|position| position.deposit_shares == 0)
    }

    /// Updates `being_liquidated` after an instruction that is not a liquidation
    /// (`margin_risk::liquidation::flag_after_health_shown`): cleared once the account has no debt or has
    /// shown LiqEnd ≥ 0. Returns true when this cleared it (the caller emits `LiquidationFlagCleared`).
    pub fn record_health_shown(&mut self, showed_liq_end_nonnegative: bool) -> bool {
        let before = self.being_liquidated == 1;
        let after =
            margin_risk::liquidation::flag_after_health_shown(before, self.has_debt(), showed_liq_end_nonnegative);
        self.being_liquidated = u8::from(after);
        before && !after
    }
}

impl MarginAccount {
    /// Isolated accounts: no second collateral bank (`is_deposit`) or second debt bank besides `index`.
    pub fn check_isolated(&self, index: usize, is_deposit: bool) -> Result<()> {
        if !self.is_isolated() {
            return Ok(());
        }
        let clash = self.used_positions().enumerate().any(|(other, position)| {
            other != index && if is_deposit { position.deposit_shares > 0 } else { position.borrow_shares > 0 }
        });
        require!(!clash, crate::errors::MarginError::IsolatedAccountFull);
        Ok(())
    }
}

impl MarginAccount {
    /// The slot for a deposit (`is_deposit`) or a borrow in `bank`, added if new, after the position rules:
    /// an `isolated_only` bank only in an isolated account; an isolated account holds one collateral bank and
    /// one debt bank; no position holds a deposit and a debt at once.
    pub fn position_for(&mut self, bank_key: &Pubkey, bank: &crate::state::Bank, is_deposit: bool) -> Result<usize> {
        use crate::errors::MarginError;
        require!(bank.isolated_only == 0 || self.is_isolated(), MarginError::IsolatedOnlyBank);
        let index = self.position_or_add(bank_key)?;
        self.check_isolated(index, is_deposit)?;
        let position = &self.positions[index];
        let other_side = if is_deposit { position.borrow_shares } else { position.deposit_shares };
        require!(other_side == 0, MarginError::DepositAndDebtInOneBank);
        Ok(index)
    }
}
