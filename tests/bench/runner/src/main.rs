//! Runs the margin-risk bench program (SBF) in litesvm and prints, per operation and account size, the CU of
//! the whole instruction and of the operation itself, both as measured by the runtime. Every result is checked
//! against the same code run natively on the host; a budget in `budgets.txt` that is exceeded fails the run.
//!
//! Usage: `margin-risk-bench-runner <program.so> <budgets.txt> [table.md]`

mod account;

use std::process::ExitCode;

use litesvm::LiteSVM;
use margin_risk_bench::{decode, run, Operation, Output};
use solana_account::Account;
use solana_address::Address;
use solana_instruction::{AccountMeta, Instruction};
use solana_keypair::Keypair;
use solana_signer::Signer;
use solana_transaction::Transaction;

/// The rows: each operation at each account size it is measured for.
const ROWS: [(Operation, u8); 22] = [
    (Operation::Baseline, 16),
    (Operation::ValidatePrice, 1),
    (Operation::InitHealth, 1),
    (Operation::InitHealth, 2),
    (Operation::InitHealth, 4),
    (Operation::InitHealth, 8),
    (Operation::InitHealth, 16),
    (Operation::MaintHealth, 1),
    (Operation::MaintHealth, 2),
    (Operation::MaintHealth, 4),
    (Operation::MaintHealth, 8),
    (Operation::MaintHealth, 16),
    (Operation::ValidateAndInitHealth, 16),
    (Operation::Liquidation, 2),
    (Operation::Liquidation, 16),
    (Operation::ValidateAndLiquidation, 16),
    (Operation::Accrue, 1),
    (Operation::DynamicMargin, 1),
    (Operation::FallbackPrice, 1),
    (Operation::SizedInitHealth, 16),
    (Operation::PortfolioInitHealth, 16),
    (Operation::PortfolioLiquidation, 16),
];

/// Bankruptcy is measured after the rows above, with the same bank.
const LAST_ROW: (Operation, u8) = (Operation::Bankruptcy, 1);

/// One measured row.
struct Measurement {
    operation: Operation,
    positions: u8,
    instruction_compute_units: u64,
    part_compute_units: u64,
}

fn name(operation: Operation) -> &'static str {
    match operation {
        Operation::Baseline => "decode input only",
        Operation::ValidatePrice => "validate price + conservative prices",
        Operation::InitHealth => "Init health",
        Operation::MaintHealth => "Maint health",
        Operation::ValidateAndInitHealth => "validate N prices + Init health",
        Operation::Liquidation => "liquidation plan",
        Operation::ValidateAndLiquidation => "validate N prices + liquidation plan",
        Operation::Accrue => "interest accrual (one bank)",
        Operation::Bankruptcy => "bankruptcy split",
        Operation::DynamicMargin => "dynamic Init margin (extra haircut + Init prices)",
        Operation::FallbackPrice => "fallback price (Switchboard result converted, validated, chosen)",
        Operation::SizedInitHealth => "Init health, every bank's size rule on",
        Operation::PortfolioInitHealth => "Init health, two correlation groups of 16 scenarios",
        Operation::PortfolioLiquidation => "liquidation plan, two correlation groups of 16 scenarios",
    }
}

/// `set_compute_unit_limit(units)` of the compute-budget program, written out (discriminant 2, u32 LE).
fn compute_unit_limit(units: u32) -> Instruction {
    let program: Address = "ComputeBudget111111111111111111111111111111".parse().unwrap();
    let mut data = vec![2];
    data.extend_from_slice(&units.to_le_bytes());
    Instruction { program_id: program, accounts: vec![], data }
}

fn measure(
    svm: &mut LiteSVM,
    payer: &Keypair,
    program: Address,
    input: Address,
    row: (Operation, u8),
    data: &[u8],
) -> Result<Measurement, String> {
    let (operation, positions) = row;
    let instruction = Instruction {
        program_id: program,
        accounts: vec![AccountMeta::new_readonly(input, false)],
        data: vec![operation as u8, positions],
    };
    svm.expire_blockhash();
    let transaction = Transaction::new_signed_with_payer(
        &[compute_unit_limit(1_400_000), instruction],
        Some(&payer.pubkey()),
        &[payer],
        svm.latest_blockhash(),
    );
    let meta = svm.send_transaction(transaction).map_err(|failed| {
        format!("{} ({positions}): {:?}\n{}", name(operation), failed.err, failed.meta.pretty_logs())
    })?;
    let returned = &meta.return_data.data;
    let words: Vec<u64> = returned.chunks_exact(8).map(|chunk| u64::from_le_bytes(chunk.try_into().unwrap())).collect();
    let (part, results) = words.split_last().ok_or("no return data")?;
    let host: Output = run(operation, &decode(data, positions as usize).unwrap(), || 0)
        .map_err(|error| format!("{} ({positions}) on the host: {error:?}", name(operation)))?;
    if results != &host.words[..host.len] {
        return Err(format!(
            "{} ({positions}): SBF returned {results:?}, the host {:?}",
            name(operation),
            &host.words[..host.len]
        ));
    }
    // The compute-budget instruction costs a fixed 150 CU; only the bench instruction is reported.
    let instruction_compute_units = meta.compute_units_consumed - 150;
    Ok(Measurement { operation, positions, instruction_compute_units, part_compute_units: *part })
}

/// Budgets: lines `operation-byte positions max-part-CU`, `#` comments.
fn read_budgets(path: &str) -> Result<Vec<(u8, u8, u64)>, String> {
    let text = std::fs::read_to_string(path).map_err(|error| format!("{path}: {error}"))?;
    text.lines()
        .map(|line| line.split('#').next().unwrap().trim())
        .filter(|line| !line.is_empty())
        .map(|line| {
            let fields: Vec<u64> = line
                .split_whitespace()
                .map(|field| field.parse::<u64>().map_err(|e| format!("{line}: {e}")))
                .collect::<Result<_, _>>()?;
            match fields[..] {
                [operation, positions, budget] => Ok((operation as u8, positions as u8, budget)),
                _ => Err(format!("budget line needs three numbers: {line}")),
            }
        })
        .collect()
}

fn table(measurements: &[Measurement], budgets: &[(u8, u8, u64)]) -> String {
    let mut out = String::from("| operation | positions | CU, whole instruction | CU, operation | CU per position | budget |\n|---|---:|---:|---:|---:|---:|\n");
    for m in measurements {
        let per_position =
            if m.positions > 1 { format!("{}", m.part_compute_units / m.positions as u64) } else { "".into() };
        let budget = budgets
            .iter()
            .find(|(op, n, _)| *op == m.operation as u8 && *n == m.positions)
            .map(|(_, _, b)| b.to_string())
            .unwrap_or_default();
        out += &format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            name(m.operation),
            m.positions,
            m.instruction_compute_units,
            m.part_compute_units,
            per_position,
            budget
        );
    }
    out
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: {} <program.so> <budgets.txt> [table.md]", args[0]);
        return ExitCode::from(2);
    }
    match bench(&args[1], &args[2], args.get(3)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench failed: {error}");
            ExitCode::FAILURE
        }
    }
}

fn bench(program_path: &str, budgets_path: &str, table_path: Option<&String>) -> Result<(), String> {
    let budgets = read_budgets(budgets_path)?;
    let program_bytes = std::fs::read(program_path).map_err(|error| format!("{program_path}: {error}"))?;
    // Mainnet's features, plus the one that registers `sol_remaining_compute_units`, which the bench reads
    // around each measured part. It adds the syscall and changes no cost. `with_builtins` rebuilds the
    // program runtime (syscall registry) from the new feature set.
    let mut features = LiteSVM::mainnet_feature_set();
    features.activate(&agave_feature_set::remaining_compute_units_syscall_enabled::id(), 0);
    let mut svm = LiteSVM::new().with_feature_set(features).with_builtins();
    let program = Address::new_unique();
    svm.add_program(program, &program_bytes).map_err(|error| format!("loading the program: {error:?}"))?;
    let payer = Keypair::new();
    svm.airdrop(&payer.pubkey(), 10_000_000_000).map_err(|error| format!("{error:?}"))?;
    let input = Address::new_unique();
    let data = account::bench_account();
    let account =
        Account { lamports: 1_000_000_000, data: data.clone(), owner: program, executable: false, rent_epoch: 0 };
    svm.set_account(input, account).map_err(|error| format!("{error:?}"))?;

    let mut measurements = Vec::new();
    for row in ROWS.iter().copied().chain([LAST_ROW]) {
        measurements.push(measure(&mut svm, &payer, program, input, row, &data)?);
    }
    let table = table(&measurements, &budgets);
    println!("{table}");
    println!("All {} results equal the host's.", measurements.len());
    if let Some(path) = table_path {
        std::fs::write(path, &table).map_err(|error| format!("{path}: {error}"))?;
    }
    let mut over = Vec::new();
    for (operation, positions, budget) in &budgets {
        match measurements.iter().find(|m| m.operation as u8 == *operation && m.positions == *positions) {
            Some(m) if m.part_compute_units > *budget => {
                over.push(format!("{} ({positions}): {} CU > budget {budget}", name(m.operation), m.part_compute_units))
            }
            Some(_) => {}
            None => over.push(format!("budget for operation {operation} at {positions} positions has no row")),
        }
    }
    if over.is_empty() {
        println!("Every budget holds ({} budgets).", budgets.len());
        Ok(())
    } else {
        Err(over.join("\n"))
    }
}
