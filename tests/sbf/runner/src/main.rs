//! Runs the margin program's SBF build in litesvm (real SPL Token, Pyth `PriceUpdateV2` accounts written at their
//! pinned addresses): every instruction's success path and a representative refusal, including a 16-position
//! liquidation in one v0 transaction with a lookup table. Prints the compute units of each instruction and
//! fails when a budget of `budgets.txt` is exceeded or an outcome is not the expected one.
//!
//! Usage: `margin-sbf-runner <margin.so> <budgets.txt> [table.md]` (tests/sbf/run.sh builds and runs it).
mod svm;
mod world;

use std::process::ExitCode;

use world::{Measure, World};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(program), Some(budgets)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: margin-sbf-runner <margin.so> <budgets.txt> [table.md]");
        return ExitCode::FAILURE;
    };
    match run(program, budgets, args.get(3)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("margin-sbf-runner: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(program: &str, budgets: &str, table: Option<&String>) -> Result<(), String> {
    let bytes = std::fs::read(program).map_err(|error| format!("{program}: {error}"))?;
    let mut world = World::new(&bytes)?;
    let measures = world.scenario()?;
    let mut text = table_text(&measures);
    text.push_str(&format!(
        "\n\nDeepest stack use: {} bytes below a frame pointer (frames are 4,096 bytes; LLVM fails the link \
         beyond). Heap: the entrypoint's 32 KiB bump allocator, enough for every instruction above. Program: {} bytes.",
        deepest_stack_offset(&bytes).map_or("unknown".to_string(), |depth| depth.to_string()),
        bytes.len()
    ));
    println!("{text}");
    if let Some(path) = table {
        std::fs::write(path, &text).map_err(|error| format!("{path}: {error}"))?;
    }
    check_budgets(&measures, &std::fs::read_to_string(budgets).map_err(|error| format!("{budgets}: {error}"))?)
}

/// How deep into its 4 KiB stack frame the program reaches: the largest negative offset from the frame pointer
/// r10 of any load or store, or of an address computed as `mov rX, r10; add64 rX, -n`, in the ELF's executable
/// segment (SBPF v3 gives every call a fixed frame; v3 ELFs carry program headers only).
fn deepest_stack_offset(elf: &[u8]) -> Option<u64> {
    let read = |at: usize, size: usize| -> Option<u64> {
        let bytes = elf.get(at..at + size)?;
        Some(bytes.iter().rev().fold(0u64, |value, byte| value << 8 | u64::from(*byte)))
    };
    let (headers, header_size, count) = (read(0x20, 8)? as usize, read(0x36, 2)? as usize, read(0x38, 2)? as usize);
    let executable = (0..count)
        .map(|index| headers + index * header_size)
        .find(|&at| read(at + 4, 4).is_some_and(|f| f & 1 == 1))?;
    let (offset, size) = (read(executable + 0x08, 8)? as usize, read(executable + 0x20, 8)? as usize);
    let code = elf.get(offset..offset + size)?;
    let (mut deepest, mut copy_of_frame_pointer) = (0u64, None);
    for instruction in code.chunks_exact(8) {
        let (opcode, destination, source) = (instruction[0], instruction[1] & 0x0f, instruction[1] >> 4);
        let offset = i16::from_le_bytes([instruction[2], instruction[3]]);
        let immediate = i32::from_le_bytes(instruction[4..8].try_into().unwrap());
        let class = opcode & 7;
        let frame_access = (matches!(class, 2 | 3) && destination == 10) || (class == 1 && source == 10);
        if frame_access && offset < 0 {
            deepest = deepest.max(u64::from(offset.unsigned_abs()));
        }
        if opcode == 0x07 && copy_of_frame_pointer == Some(destination) && immediate < 0 {
            deepest = deepest.max(u64::from(immediate.unsigned_abs()));
        }
        copy_of_frame_pointer = (opcode == 0xbf && source == 10).then_some(destination);
    }
    Some(deepest)
}

fn table_text(measures: &[Measure]) -> String {
    let mut lines =
        vec!["| instruction | positions | CU | refusal checked |".to_string(), "|---|---:|---:|---|".to_string()];
    for measure in measures {
        lines.push(format!(
            "| {} | {} | {} | {} |",
            measure.name,
            measure.positions,
            measure.units,
            measure.refusal.as_deref().unwrap_or("")
        ));
    }
    lines.join("\n")
}

/// `budgets.txt`: `<instruction> <positions> <max CU>` per line (# comments).
fn check_budgets(measures: &[Measure], text: &str) -> Result<(), String> {
    let mut over = Vec::new();
    let mut checked = 0;
    for line in text.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#')) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [name, positions, budget] = fields[..] else { return Err(format!("budgets: bad line {line:?}")) };
        let (positions, budget): (usize, u64) = (
            positions.parse().map_err(|_| format!("budgets: {line:?}"))?,
            budget.parse().map_err(|_| format!("budgets: {line:?}"))?,
        );
        let measure = measures
            .iter()
            .find(|measure| measure.name == name && measure.positions == positions)
            .ok_or(format!("budgets: no measure of {name} at {positions} positions"))?;
        checked += 1;
        if measure.units > budget {
            over.push(format!("{name} at {positions} positions: {} CU > {budget}", measure.units));
        }
    }
    if over.is_empty() {
        println!("Every budget holds ({checked} budgets).");
        Ok(())
    } else {
        Err(format!("over budget: {}", over.join("; ")))
    }
}
