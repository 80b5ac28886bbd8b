//! What the bot knows of the group: one SDK snapshot (banks, price accounts, margin accounts), replaced by
//! each full refresh and kept current between them by subscription updates.
use margin_sdk::snapshot::{RawAccount, Snapshot};
use solana_sdk::pubkey::Pubkey;

/// One account as a subscription (or a test) reports it.
#[derive(Clone, Debug)]
pub struct Update {
    pub address: Pubkey,
    pub owner: Pubkey,
    pub data: Vec<u8>,
}

/// What an update changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// A price account: every account holding that bank must be judged again.
    Price,
    /// A bank (interest indices, parameters).
    Bank,
    /// One margin account of the group.
    Account(Pubkey),
    /// Not something the bot follows (another group, an unknown account).
    Ignored,
}

/// The group's state as the bot last saw it.
pub struct Book {
    pub group: Pubkey,
    pub snapshot: Snapshot,
}

impl Book {
    pub fn new(group: Pubkey) -> Book {
        Book { group, snapshot: Snapshot::default() }
    }

    /// Replaces everything with a full refresh; returns the number of accounts tracked.
    pub fn replace(&mut self, snapshot: Snapshot) -> usize {
        self.snapshot = snapshot;
        self.snapshot.accounts.len()
    }

    /// Applies one account update: a price account of a known bank, a bank or a margin account of this group
    /// (told apart by their Anchor discriminators). Data that does not decode is ignored, not trusted.
    pub fn apply(&mut self, update: &Update) -> Change {
        let is_price = self
            .snapshot
            .banks
            .values()
            .any(|bank| margin_sdk::snapshot::price_accounts_of(bank).any(|price| price == update.address));
        if is_price {
            let raw = RawAccount { owner: update.owner, data: update.data.clone() };
            self.snapshot.prices.insert(update.address, raw);
            return Change::Price;
        }
        if update.owner != margin_sdk::margin::ID {
            return Change::Ignored;
        }
        if let Ok(bank) = margin_sdk::accounts::bank(&update.data) {
            if bank.group == self.group {
                self.snapshot.banks.insert(update.address, bank);
                return Change::Bank;
            }
        } else if let Ok(account) = margin_sdk::accounts::margin_account(&update.data) {
            if account.group == self.group {
                self.snapshot.accounts.insert(update.address, account);
                return Change::Account(update.address);
            }
        }
        Change::Ignored
    }
}
