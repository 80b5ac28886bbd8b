//! litesvm with the margin program's SBF build: accounts written directly (SPL mints and token accounts,
//! Pyth `PriceUpdateV2`, a lookup table), the clock moved at will, instructions from margin-sdk's builders
//! (their Solana 3 types converted to litesvm's by bytes), and each transaction's compute units kept.
use anchor_lang::prelude::Pubkey;
use litesvm::LiteSVM;
use solana_account::Account;
use solana_address::Address;
use solana_instruction::{AccountMeta, Instruction};
use solana_keypair::Keypair;
use solana_message::{v0, AddressLookupTableAccount, VersionedMessage};
use solana_signer::Signer;
use solana_transaction::versioned::VersionedTransaction;

pub const TOKEN_PROGRAM: &str = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
pub const TOKEN_2022_PROGRAM: &str = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb";
const LOOKUP_TABLE_PROGRAM: &str = "AddressLookupTab1e1111111111111111111111111";

pub fn address(pubkey: &Pubkey) -> Address {
    Address::new_from_array(pubkey.to_bytes())
}

pub fn pubkey(address: &Address) -> Pubkey {
    Pubkey::new_from_array(address.to_bytes())
}

/// margin-sdk's instruction as litesvm's.
pub fn instruction(ix: anchor_lang::solana_program::instruction::Instruction) -> Instruction {
    Instruction {
        program_id: address(&ix.program_id),
        accounts: ix
            .accounts
            .iter()
            .map(|meta| AccountMeta {
                pubkey: address(&meta.pubkey),
                is_signer: meta.is_signer,
                is_writable: meta.is_writable,
            })
            .collect(),
        data: ix.data,
    }
}

/// A transaction's outcome: compute units used, and the custom error code when refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub units: u64,
    pub error: Option<String>,
    pub logs: Vec<String>,
}

pub struct Svm {
    pub svm: LiteSVM,
    pub payer: Keypair,
    pub now: i64,
    /// Keypairs come from a counter, so that PDA bump searches (and so CU) repeat run to run.
    keypairs: u8,
}

impl Svm {
    /// litesvm (mainnet features, SPL programs) with `program` deployed at margin's address.
    pub fn new(program: &[u8]) -> Result<Svm, String> {
        let mut svm = LiteSVM::new().with_transaction_history(0);
        svm.add_program(address(&margin_sdk::margin::ID), program)
            .map_err(|error| format!("loading the program: {error:?}"))?;
        let payer = Keypair::new_from_array([255; 32]);
        svm.airdrop(&payer.pubkey(), 100_000 * 1_000_000_000).map_err(|error| format!("airdrop: {error:?}"))?;
        let mut world = Svm { svm, payer, now: 0, keypairs: 0 };
        world.set_clock(1_800_000_000);
        Ok(world)
    }

    pub fn payer(&self) -> Pubkey {
        pubkey(&self.payer.pubkey())
    }

    pub fn set_clock(&mut self, unix_timestamp: i64) {
        let mut clock: solana_clock::Clock = self.svm.get_sysvar();
        clock.unix_timestamp = unix_timestamp;
        clock.slot += 1;
        self.svm.set_sysvar(&clock);
        self.svm.expire_blockhash();
        self.now = unix_timestamp;
    }

    pub fn set_account(&mut self, at: &Pubkey, owner: &Address, data: Vec<u8>) {
        let lamports = self.svm.minimum_balance_for_rent_exemption(data.len()).max(1);
        let account = Account { lamports, data, owner: *owner, executable: false, rent_epoch: 0 };
        self.svm.set_account(address(at), account).expect("account written");
    }

    pub fn data(&self, at: &Pubkey) -> Vec<u8> {
        self.svm.get_account(&address(at)).map(|account| account.data).unwrap_or_default()
    }

    /// A funded keypair.
    pub fn keypair(&mut self) -> Keypair {
        self.keypairs += 1;
        let keypair = Keypair::new_from_array([self.keypairs; 32]);
        self.svm.airdrop(&keypair.pubkey(), 100 * 1_000_000_000).expect("airdrop");
        keypair
    }

    /// A mint of `token_program` (SPL Token or Token-2022, no extensions) with `decimals`.
    pub fn write_mint(&mut self, mint: &Pubkey, decimals: u8, token_program: &str) {
        let mut data = vec![0u8; 82];
        data[44] = decimals;
        data[45] = 1; // initialized
        self.set_account(mint, &token_program.parse().unwrap(), data);
    }

    /// A token account of `mint` owned by `owner` holding `amount`, at a new address, under the mint's program.
    pub fn write_token_account(&mut self, owner: &Pubkey, mint: &Pubkey, amount: u64) -> Pubkey {
        let at = Pubkey::new_unique();
        let mut data = vec![0u8; 165];
        data[..32].copy_from_slice(mint.as_ref());
        data[32..64].copy_from_slice(owner.as_ref());
        data[64..72].copy_from_slice(&amount.to_le_bytes());
        data[108] = 1; // initialized
        let token_program = self.svm.get_account(&address(mint)).expect("the mint exists").owner;
        self.set_account(&at, &token_program, data);
        at
    }

    /// A captured `PriceUpdateV2` account (`solana account --output json`) at its own address, published now
    /// (price, confidence, EMA, feed, owner and verification as captured); returns its address and feed.
    pub fn write_captured_price(&mut self, json: &str) -> (Pubkey, [u8; 32]) {
        let (at, account) = margin_sdk::pyth::cli_account(json).expect("a captured account");
        let captured = margin_sdk::pyth::PriceUpdate::from_account(&account).expect("a PriceUpdateV2");
        let now = margin_sdk::pyth::PriceUpdate { publish_time: self.now, ..captured }.account(at);
        self.set_account(&at, &address(&now.owner), now.data);
        (at, captured.feed_id)
    }

    pub fn token_balance(&self, at: &Pubkey) -> u64 {
        let data = self.data(at);
        u64::from_le_bytes(data[64..72].try_into().unwrap())
    }

    /// A Pyth `PriceUpdateV2` at `at`: `dollars_e8 ± conf_e8`, published now.
    pub fn write_price(&mut self, at: &Pubkey, feed_id: [u8; 32], dollars_e8: i64, conf_e8: u64) {
        let update = margin_sdk::pyth::PriceUpdate::new(feed_id, dollars_e8, conf_e8, self.now);
        let account = update.account(*at);
        self.set_account(at, &address(&account.owner), account.data);
    }

    /// A lookup table holding `addresses`, usable from the next slot.
    pub fn write_lookup_table(&mut self, addresses: &[Pubkey]) -> AddressLookupTableAccount {
        let key = Pubkey::new_unique();
        let mut data = vec![1, 0, 0, 0];
        data.extend_from_slice(&u64::MAX.to_le_bytes()); // not deactivated
        data.extend_from_slice(&0u64.to_le_bytes()); // last extended in slot 0
        data.push(0);
        data.push(1); // authority: Some
        data.extend_from_slice(self.payer().as_ref());
        data.extend_from_slice(&[0, 0]);
        for entry in addresses {
            data.extend_from_slice(entry.as_ref());
        }
        self.set_account(&key, &LOOKUP_TABLE_PROGRAM.parse().unwrap(), data);
        AddressLookupTableAccount { key: address(&key), addresses: addresses.iter().map(address).collect() }
    }

    /// Sends `instructions` (after a 1.4M compute limit) signed by the payer and `signers`; v0 with `tables`.
    pub fn send(
        &mut self,
        instructions: Vec<anchor_lang::solana_program::instruction::Instruction>,
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> Outcome {
        let mut all = vec![instruction(margin_sdk::transaction::compute_unit_limit(1_400_000))];
        all.extend(instructions.into_iter().map(instruction));
        let blockhash = self.svm.latest_blockhash();
        let message = v0::Message::try_compile(&self.payer.pubkey(), &all, tables, blockhash).expect("compiled");
        let mut keys: Vec<&Keypair> = vec![&self.payer];
        keys.extend(signers.iter().filter(|signer| signer.pubkey() != self.payer.pubkey()));
        let transaction = VersionedTransaction::try_new(VersionedMessage::V0(message), &keys).expect("signed");
        let size = bincode_size(&transaction);
        assert!(size <= 1_232, "transaction of {size} bytes");
        match self.svm.send_transaction(transaction) {
            Ok(meta) => Outcome { units: meta.compute_units_consumed, error: None, logs: meta.logs },
            Err(failed) => Outcome {
                units: failed.meta.compute_units_consumed,
                error: Some(format!("{:?}", failed.err)),
                logs: failed.meta.logs,
            },
        }
    }
}

fn bincode_size(transaction: &VersionedTransaction) -> usize {
    let signatures = transaction.signatures.len();
    1 + 64 * signatures + transaction.message.serialize().len()
}
