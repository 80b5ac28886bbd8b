//! SPL Token and Token-2022 accounts written directly (the in-process chain and the localnet's setup write
//! mints and wallets this way instead of sending mint instructions): base-length accounts, no extensions,
//! which both token programs read.
use anchor_lang::prelude::Pubkey;
use anchor_spl::token::spl_token;
use solana_sdk::account::Account;
use solana_sdk::program_pack::Pack;

/// Lamports every written token account holds (rent-exempt for a base-length mint or token account).
pub const TOKEN_ACCOUNT_LAMPORTS: u64 = 1_000_000_000;

/// A mint of `token_program` with `decimals`, `authority` may mint, no freeze authority, supply 0.
pub fn mint_account(authority: &Pubkey, decimals: u8, token_program: &Pubkey) -> Account {
    let state = spl_token::state::Mint {
        mint_authority: Some(*authority).into(),
        supply: 0,
        decimals,
        is_initialized: true,
        freeze_authority: None.into(),
    };
    let mut data = vec![0; spl_token::state::Mint::LEN];
    spl_token::state::Mint::pack(state, &mut data).expect("a mint packs into its length");
    Account { lamports: TOKEN_ACCOUNT_LAMPORTS, data, owner: *token_program, ..Account::default() }
}

/// A token account of `mint` under `token_program`, owned by `owner`, holding `amount` native units.
pub fn token_account(owner: &Pubkey, mint: &Pubkey, amount: u64, token_program: &Pubkey) -> Account {
    let state = spl_token::state::Account {
        mint: *mint,
        owner: *owner,
        amount,
        state: spl_token::state::AccountState::Initialized,
        ..spl_token::state::Account::default()
    };
    let mut data = vec![0; spl_token::state::Account::LEN];
    spl_token::state::Account::pack(state, &mut data).expect("a token account packs into its length");
    Account { lamports: TOKEN_ACCOUNT_LAMPORTS, data, owner: *token_program, ..Account::default() }
}

/// The associated token account address of `owner` for `mint` under `token_program` (the ATA program's PDA).
pub fn associated_address(owner: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Pubkey {
    let seeds: &[&[u8]] = &[owner.as_ref(), token_program.as_ref(), mint.as_ref()];
    Pubkey::find_program_address(seeds, &ASSOCIATED_TOKEN_PROGRAM).0
}

/// The associated token account program.
pub const ASSOCIATED_TOKEN_PROGRAM: Pubkey = Pubkey::from_str_const("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");

/// A token account's amount (SPL Token or Token-2022; the base layout's bytes 64..72).
pub fn amount(data: &[u8]) -> Option<u64> {
    Some(u64::from_le_bytes(data.get(64..72)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_spl::token_2022::spl_token_2022::extension::StateWithExtensions;
    use anchor_spl::token_2022::spl_token_2022::state as token_2022;

    #[test]
    fn written_accounts_unpack_under_both_token_programs() {
        let (owner, mint) = (Pubkey::new_unique(), Pubkey::new_unique());
        let account = token_account(&owner, &mint, 42, &anchor_spl::token_2022::ID);
        let unpacked = StateWithExtensions::<token_2022::Account>::unpack(&account.data).unwrap().base;
        assert_eq!((unpacked.owner, unpacked.mint, unpacked.amount), (owner, mint, 42));
        assert_eq!(account.owner, anchor_spl::token_2022::ID);
        assert_eq!(amount(&account.data), Some(42));
        let minted = mint_account(&owner, 6, &spl_token::ID);
        let unpacked = spl_token::state::Mint::unpack(&minted.data).unwrap();
        assert_eq!((unpacked.decimals, unpacked.mint_authority), (6, Some(owner).into()));
        assert_eq!(amount(&[0; 10]), None);
    }
}
