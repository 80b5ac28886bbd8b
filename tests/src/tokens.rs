//! Tokens of the test environment: funded keypairs, SPL Token and Token-2022 mints, token accounts, balances.
use anchor_spl::token::spl_token;
use solana_sdk::account::Account;
use solana_sdk::program_pack::Pack;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

use crate::env::{BankKeys, Env};

impl Env {
    /// A new funded keypair.
    pub async fn funded_keypair(&mut self) -> Keypair {
        let keypair = Keypair::new();
        self.set_account(&keypair.pubkey(), Account { lamports: 100_000_000_000, ..Account::default() });
        keypair
    }

    /// A new SPL Token mint with `decimals`, the payer its authority.
    pub async fn create_mint(&mut self, decimals: u8) -> Pubkey {
        let mint = Keypair::new();
        let payer = self.payer();
        let rent = self.chain.context.banks_client.get_rent().await.unwrap();
        let create = anchor_lang::solana_program::system_instruction::create_account(
            &payer,
            &mint.pubkey(),
            rent.minimum_balance(spl_token::state::Mint::LEN),
            spl_token::state::Mint::LEN as u64,
            &spl_token::ID,
        );
        let init =
            spl_token::instruction::initialize_mint2(&spl_token::ID, &mint.pubkey(), &payer, None, decimals).unwrap();
        self.send(&[create, init], &[&mint]).await.unwrap();
        mint.pubkey()
    }

    /// A new token account of `mint` owned by `owner`.
    pub async fn create_token_account(&mut self, owner: &Pubkey, mint: &Pubkey) -> Pubkey {
        let account = Keypair::new();
        let payer = self.payer();
        let rent = self.chain.context.banks_client.get_rent().await.unwrap();
        let create = anchor_lang::solana_program::system_instruction::create_account(
            &payer,
            &account.pubkey(),
            rent.minimum_balance(spl_token::state::Account::LEN),
            spl_token::state::Account::LEN as u64,
            &spl_token::ID,
        );
        let init = spl_token::instruction::initialize_account3(&spl_token::ID, &account.pubkey(), mint, owner).unwrap();
        self.send(&[create, init], &[&account]).await.unwrap();
        account.pubkey()
    }

    /// Mints `amount` native units of `mint` to `account`.
    pub async fn mint_to(&mut self, mint: &Pubkey, account: &Pubkey, amount: u64) {
        let payer = self.payer();
        let ix = spl_token::instruction::mint_to(&spl_token::ID, mint, account, &payer, &[], amount).unwrap();
        self.send(&[ix], &[]).await.unwrap();
    }

    /// A token account's balance, native units.
    pub async fn balance(&mut self, account: &Pubkey) -> u64 {
        let data = self.account(account).await.unwrap().data;
        spl_token::state::Account::unpack(&data).unwrap().amount
    }

    /// A new token account of the bank's mint for `owner`, funded with `amount`.
    pub async fn funded_token_account(&mut self, owner: &Pubkey, bank: &BankKeys, amount: u64) -> Pubkey {
        let account = self.create_token_account(owner, &bank.mint).await;
        if amount > 0 {
            self.mint_to(&bank.mint, &account, amount).await;
        }
        account
    }

    /// A new Token-2022 mint with `extensions` initialised (authorities: the payer), then the mint itself.
    pub async fn create_mint_2022(
        &mut self,
        decimals: u8,
        extensions: &[anchor_spl::token_2022::spl_token_2022::extension::ExtensionType],
    ) -> Pubkey {
        use anchor_spl::token_2022::spl_token_2022::{self as token_2022, extension::ExtensionType};
        let mint = Keypair::new();
        let payer = self.payer();
        let size = ExtensionType::try_calculate_account_len::<token_2022::state::Mint>(extensions).unwrap();
        let rent = self.chain.context.banks_client.get_rent().await.unwrap();
        let program = anchor_spl::token_2022::ID;
        let mut instructions = vec![anchor_lang::solana_program::system_instruction::create_account(
            &payer,
            &mint.pubkey(),
            rent.minimum_balance(size),
            size as u64,
            &program,
        )];
        for extension in extensions {
            let ix = match extension {
                ExtensionType::TransferFeeConfig => {
                    token_2022::extension::transfer_fee::instruction::initialize_transfer_fee_config(
                        &program,
                        &mint.pubkey(),
                        Some(&payer),
                        Some(&payer),
                        100,
                        u64::MAX,
                    )
                }
                ExtensionType::PermanentDelegate => {
                    token_2022::instruction::initialize_permanent_delegate(&program, &mint.pubkey(), &payer)
                }
                ExtensionType::MetadataPointer => token_2022::extension::metadata_pointer::instruction::initialize(
                    &program,
                    &mint.pubkey(),
                    Some(payer),
                    Some(mint.pubkey()),
                ),
                other => panic!("no initialiser for {other:?} in the harness"),
            };
            instructions.push(ix.unwrap());
        }
        instructions
            .push(token_2022::instruction::initialize_mint2(&program, &mint.pubkey(), &payer, None, decimals).unwrap());
        self.send(&instructions, &[&mint]).await.unwrap();
        mint.pubkey()
    }
}
