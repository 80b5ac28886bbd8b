//! Writes the TypeScript client's instruction cases (app/client/test/instructions.test.mjs): a group with a SOL
//! bank (SPL Token) and a USDT bank (Token-2022), an account with a SOL deposit and a USDT debt, their account
//! bytes (which the client decodes with its generated decoders), and the instructions this SDK builds for them,
//! each as program, accounts (address and role) and data. The client builds the same from the decoded accounts
//! and must match them to the byte.
//!
//! `cargo run -p margin-sdk --example client_fixtures -- <out.json>`
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::Discriminator;
use base64::Engine;
use margin::state::{Bank, MarginAccount, Position};
use margin_sdk::addresses::{self, BankAddresses};
use margin_sdk::instructions::{self as build, AccountKind, LiquidateAccounts, TokenActionAccounts};
use serde_json::{json, Value};

fn key(byte: u8) -> Pubkey {
    Pubkey::new_from_array([byte; 32])
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// kit's account roles: 0 readonly, 1 writable, 2 readonly signer, 3 writable signer.
fn case(name: &str, inputs: Value, instruction: Instruction) -> Value {
    let accounts: Vec<Value> = instruction
        .accounts
        .iter()
        .map(|meta| json!({ "address": meta.pubkey.to_string(), "role": meta.is_writable as u8 + 2 * meta.is_signer as u8 }))
        .collect();
    json!({ "name": name, "inputs": inputs, "programAddress": instruction.program_id.to_string(),
            "accounts": accounts, "data": base64(&instruction.data) })
}

fn bank(group: &Pubkey, mint: &Pubkey, token_program: &Pubkey, feed: u8) -> (BankAddresses, Bank) {
    let price_account = addresses::push_feed(&[feed; 32]);
    let addresses = BankAddresses::derive(group, mint, token_program, &price_account);
    let mut state: Bank = bytemuck::Zeroable::zeroed();
    (state.group, state.mint, state.token_program) = (*group, *mint, *token_program);
    (state.vault, state.insurance_vault, state.price_account) =
        (addresses.vault, addresses.insurance_vault, price_account);
    state.feed_id = [feed; 32];
    (addresses, state)
}

fn main() {
    let out = std::env::args().nth(1).expect("usage: client_fixtures <out.json>");
    let (group, owner, liquidator, guardian) = (addresses::group(7), key(1), key(2), key(3));
    let (sol, sol_state) = bank(&group, &key(10), &anchor_spl::token::ID, 0xef);
    let (usdt, usdt_state) = bank(&group, &key(11), &anchor_spl::token_2022::ID, 0x2b);
    let (usdc, usdc_state) = bank(&group, &key(12), &anchor_spl::token::ID, 0xea);
    let account = addresses::margin_account(&group, &owner, 0);
    let mut state: MarginAccount = bytemuck::Zeroable::zeroed();
    (state.group, state.owner) = (group, owner);
    state.positions[0] = Position { bank: sol.bank, deposit_shares: 10_000_000_000, borrow_shares: 0 };
    state.positions[1] = Position { bank: usdt.bank, deposit_shares: 0, borrow_shares: 900_000_000 };
    let banks_of = |bank: &Pubkey| [sol, usdt, usdc].into_iter().find(|known| known.bank == *bank);
    let health = |acted: &BankAddresses| margin_sdk::accounts::health_accounts_after(&state, acted, banks_of).unwrap();
    let (wallet_sol, wallet_usdt, wallet_usdc) = (key(20), key(21), key(22));
    let action = |bank, wallet| TokenActionAccounts {
        owner: &owner,
        account: &account,
        group: &group,
        bank,
        user_token_account: wallet,
    };
    let liquidation = |receive_account| LiquidateAccounts {
        liquidator: &liquidator,
        account: &account,
        group: &group,
        debt: &usdt,
        collateral: &sol,
        pay_from: &wallet_usdt,
        receive_to: &wallet_sol,
        receive_account,
    };
    let liquidator_account = addresses::margin_account(&group, &liquidator, 0);
    let proposal = addresses::proposal(&group, 4);
    let health_now = margin_sdk::accounts::health_accounts(&state, banks_of).unwrap();
    let bankruptcy = margin_sdk::accounts::bankruptcy_accounts(&state, banks_of).unwrap();
    let settings = margin_sdk::presets::governance_settings();
    let listing = margin::state::BankConfig {
        feed_id: [0xea; 32],
        isolated_only: true,
        params: margin_sdk::presets::stable_params(),
    };
    let group_change = margin::instructions::GroupChangeArgs { admin: key(4), guardian: key(5), settings };
    let cases = vec![
        case(
            "openAccount",
            json!({ "index": 3, "kind": "Isolated" }),
            build::open_account(&owner, &group, 3, AccountKind::Isolated),
        ),
        case("closeAccount", json!({}), build::close_account(&owner, &account)),
        case(
            "deposit",
            json!({ "bank": "SOL", "amount": "10000000000" }),
            build::deposit(&action(&sol, &wallet_sol), 10_000_000_000),
        ),
        case(
            "withdraw",
            json!({ "bank": "SOL", "amount": "1" }),
            build::withdraw(&action(&sol, &wallet_sol), 1, health(&sol)),
        ),
        case(
            "borrow",
            json!({ "bank": "USDT", "amount": "5" }),
            build::borrow(&action(&usdt, &wallet_usdt), 5, health(&usdt)),
        ),
        case(
            "borrowNewBank",
            json!({ "bank": "USDC", "amount": "7" }),
            build::borrow(&action(&usdc, &wallet_usdc), 7, health(&usdc)),
        ),
        case("repay", json!({ "bank": "USDT", "amount": "3" }), build::repay(&action(&usdt, &wallet_usdt), 3, false)),
        case("repayAll", json!({ "bank": "USDT" }), build::repay(&action(&usdt, &wallet_usdt), 0, true)),
        case(
            "liquidate",
            json!({ "maxRepay": "18446744073709551615" }),
            build::liquidate(&liquidation(Some(&liquidator_account)), u64::MAX, health_now.clone()),
        ),
        case(
            "liquidateToTokensOnly",
            json!({ "maxRepay": "100" }),
            build::liquidate(&liquidation(None), 100, health_now),
        ),
        case(
            "resolveBankruptcy",
            json!({ "bank": "USDT" }),
            build::resolve_bankruptcy(&account, &group, &usdt, bankruptcy),
        ),
        case("accrueInterest", json!({ "bank": "SOL" }), build::accrue_interest(&sol.bank)),
        case("sweepFees", json!({ "bank": "USDT" }), build::sweep_fees(&usdt)),
        case(
            "addBank",
            json!({ "bank": "USDC", "proposalId": "4" }),
            build::add_bank(&guardian, &group, &proposal, &usdc),
        ),
        case("pauseGroup", json!({ "seconds": 3600 }), build::pause_group(&guardian, &group, 3600)),
        case("unpauseGroup", json!({}), build::unpause_group(&owner, &group)),
        case("cancelProposal", json!({ "proposalId": "4" }), build::cancel_proposal(&guardian, &group, &proposal)),
        case(
            "executeBankChange",
            json!({ "bank": "SOL", "proposalId": "4" }),
            build::execute_bank_change(&guardian, &group, &sol.bank, &proposal),
        ),
        case(
            "executeGroupChange",
            json!({ "proposalId": "4" }),
            build::execute_group_change(&guardian, &group, &proposal),
        ),
        // The instructions with parameter sets: the client decodes the arguments from this data and builds again.
        case("initGroup", json!({}), build::init_group(&owner, &owner, 7, &guardian, settings)),
        case(
            "proposeListing",
            json!({ "bank": "USDC", "proposalId": "4" }),
            build::propose_listing(&owner, &owner, &group, 4, (&usdc.mint, &usdc.price_account), listing),
        ),
        case(
            "proposeBankChange",
            json!({ "bank": "SOL", "proposalId": "4" }),
            build::propose_bank_change(&owner, &owner, &group, 4, &sol.bank, margin_sdk::presets::volatile_params()),
        ),
        case(
            "proposeGroupChange",
            json!({ "proposalId": "4" }),
            build::propose_group_change(&owner, &owner, &group, 4, group_change),
        ),
        case(
            "proposeCorrelationGroup",
            json!({ "banks": ["SOL", "USDT"], "proposalId": "4" }),
            build::propose_correlation_group(
                &owner,
                &owner,
                &group,
                4,
                &[sol.bank, usdt.bank],
                margin::instructions::CorrelationGroupArgs {
                    init_scale_bps: 12_000,
                    moves_bps: vec![[-2_000, 2_000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7]; 2]
                        .into_iter()
                        .enumerate()
                        .map(|(index, mut moves)| {
                            moves[2] = 500 * index as i16;
                            moves
                        })
                        .collect(),
                },
            ),
        ),
        case(
            "executeCorrelationGroup",
            json!({ "banks": ["SOL", "USDT"], "proposalId": "4" }),
            build::execute_correlation_group(&guardian, &group, &proposal, &[sol.bank, usdt.bank]),
        ),
        case(
            "tightenBank",
            json!({ "bank": "USDT" }),
            build::tighten_bank(&guardian, &group, &usdt.bank, margin_sdk::presets::stable_params()),
        ),
    ];
    let bank_json = |name: &str, addresses: &BankAddresses, state: &Bank| {
        let data = [Bank::DISCRIMINATOR, bytemuck::bytes_of(state)].concat();
        json!({ "name": name, "address": addresses.bank.to_string(), "data": base64(&data) })
    };
    let associated: Vec<_> = [&sol, &usdt, &usdc]
        .iter()
        .map(|bank| {
            json!({
                "mint": bank.mint.to_string(),
                "tokenProgram": bank.token_program.to_string(),
                "address": margin_sdk::tokens::associated_address(&owner, &bank.mint, &bank.token_program).to_string(),
            })
        })
        .collect();
    let fixture = json!({
        "groupId": "7",
        "group": group.to_string(),
        "owner": owner.to_string(),
        "liquidator": liquidator.to_string(),
        "guardian": guardian.to_string(),
        "account": { "address": account.to_string(), "data": base64(&[MarginAccount::DISCRIMINATOR, bytemuck::bytes_of(&state)].concat()) },
        "liquidatorAccount": liquidator_account.to_string(),
        "proposal": proposal.to_string(),
        "wallets": { "SOL": wallet_sol.to_string(), "USDT": wallet_usdt.to_string(), "USDC": wallet_usdc.to_string() },
        "banks": [bank_json("SOL", &sol, &sol_state), bank_json("USDT", &usdt, &usdt_state), bank_json("USDC", &usdc, &usdc_state)],
        "feeds": { "SOL": hex(&[0xef; 32]), "USDT": hex(&[0x2b; 32]), "USDC": hex(&[0xea; 32]) },
        // The owner's associated token accounts: SOL and USDC under SPL Token, USDT under Token-2022.
        "associated": associated,
        "cases": cases,
        "events": events(&account, &liquidator, &sol, &usdt, &group),
        "errors": (0..10_000u32)
            .filter_map(margin_sdk::errors::describe)
            .map(|error| json!({ "code": error.code, "name": error.name, "message": error.message }))
            .collect::<Vec<_>>(),
    });
    std::fs::write(&out, serde_json::to_string_pretty(&fixture).expect("JSON")).expect("the output file");
    eprintln!("{} instructions -> {out}", fixture["cases"].as_array().map_or(0, Vec::len));
}

/// "Program data:" lines of four events as the program emits them, with the fields the client must read.
fn events(account: &Pubkey, liquidator: &Pubkey, sol: &BankAddresses, usdt: &BankAddresses, group: &Pubkey) -> Value {
    use anchor_lang::AnchorSerialize;
    use margin::events::{CorrelationGroupChanged, Deposited, HealthValue, Liquidated, ProposalCreated};
    fn line<E: AnchorSerialize + Discriminator>(event: &E) -> String {
        let mut bytes = E::DISCRIMINATOR.to_vec();
        event.serialize(&mut bytes).expect("an event serializes");
        format!("Program data: {}", base64(&bytes))
    }
    let deposited = Deposited {
        account: *account,
        bank: sol.bank,
        amount: 10_000_000_000,
        shares: 9_999_999_999,
        deposit_index: 1_000_000_000_001,
    };
    let liquidated = Liquidated {
        account: *account,
        liquidator: *liquidator,
        debt_bank: usdt.bank,
        collateral_bank: sol.bank,
        repaid: 826_357_116,
        debt_cleared: 826_357_115,
        seized_to_liquidator: 6_766_406_494,
        seized_as_deposit: false,
        insurance_fee: 7,
        collateral_forfeit: 0,
        bonus_bps: 340,
        maint_before: HealthValue { assets: 1_000, liabilities: 1_016 },
        maint_after: HealthValue { assets: 900, liabilities: 850 },
        liq_end_after: HealthValue { assets: 800, liabilities: 799 },
        being_liquidated: false,
    };
    let proposal = margin::state::Proposal {
        group: *group,
        id: 4,
        proposer: *liquidator,
        eta: 1_800_172_800,
        expires_at: 1_800_777_600,
        state: margin::state::ProposalState::Pending,
        action: margin::state::ProposalAction::ChangeGroup {
            admin: key(4),
            guardian: key(5),
            settings: margin_sdk::presets::governance_settings(),
        },
        created_at: 1_800_000_000,
        bump: 255,
    };
    let created = ProposalCreated::of(&proposal, addresses::proposal(group, 4));
    let mut moves = [[0i16; 16]; 2];
    moves[0][..2].copy_from_slice(&[-2_000, 2_000]);
    moves[1][..4].copy_from_slice(&[-2_000, 2_000, 500, -500]);
    let correlated = CorrelationGroupChanged {
        group: *group,
        signer: *liquidator,
        proposal: addresses::proposal(group, 4),
        group_id: 5,
        init_scale_bps: 12_000,
        banks: vec![sol.bank, usdt.bank],
        moves_bps: moves.to_vec(),
    };
    json!([
        { "log": line(&deposited), "name": "Deposited", "fields": { "account": account.to_string(), "bank": sol.bank.to_string(),
          "amount": "10000000000", "shares": "9999999999", "depositIndex": "1000000000001" } },
        { "log": "Program log: Instruction: Liquidate" },
        { "log": line(&liquidated), "name": "Liquidated", "fields": { "liquidator": liquidator.to_string(), "repaid": "826357116",
          "seizedToLiquidator": "6766406494", "insuranceFee": "7", "bonusBps": 340, "seizedAsDeposit": false,
          "maintBefore": { "assets": "1000", "liabilities": "1016" } } },
        { "log": line(&created), "name": "ProposalCreated", "fields": { "id": "4", "eta": "1800172800", "proposer": liquidator.to_string(),
          "action": { "__kind": "ChangeGroup", "admin": key(4).to_string(), "guardian": key(5).to_string() } } },
        { "log": line(&correlated), "name": "CorrelationGroupChanged", "fields": { "groupId": "5", "initScaleBps": 12_000,
          "banks": [sol.bank.to_string(), usdt.bank.to_string()], "movesBps": moves.to_vec() } },
    ])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
