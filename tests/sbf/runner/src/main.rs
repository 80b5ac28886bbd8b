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
    let stack = stack_depths(&bytes).ok_or("the ELF has no executable segment")?;
    text.push_str(&format!(
        "\n\nStack: the deepest local is {} bytes below a frame pointer, of 4,096-byte frames (LLVM fails the link \
         beyond -bpf-stack-size); the deepest read is {} bytes (arguments 6 and on, left by callers at the bottom of \
         the frame). Heap: the entrypoint's 32 KiB bump allocator, enough for every instruction above. Program: {} \
         bytes.",
        stack.deepest_local,
        stack.deepest_read,
        bytes.len()
    ));
    println!("{text}");
    if let Some(path) = table {
        std::fs::write(path, &text).map_err(|error| format!("{path}: {error}"))?;
    }
    check_budgets(&measures, &std::fs::read_to_string(budgets).map_err(|error| format!("{budgets}: {error}"))?)
}

/// How deep into their 4 KiB stack frames the program's functions reach, from the ELF's executable segment
/// (SBPF v3 gives every call a fixed frame below the frame pointer r10; v3 ELFs carry program headers only).
struct StackDepths {
    /// Deepest byte a function writes or takes the address of below r10 (its locals): the figure LLVM's
    /// `-bpf-stack-size` check bounds, and the link fails beyond it.
    deepest_local: u64,
    /// Deepest load below r10: deeper than any local only where a function reads its arguments 6 and on, which
    /// callers leave at the bottom of the callee's frame (near 4,096 bytes whatever the frame's use).
    deepest_read: u64,
}

fn stack_depths(elf: &[u8]) -> Option<StackDepths> {
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
    let (mut deepest_local, mut deepest_load, mut copy_of_frame_pointer) = (0u64, 0u64, None);
    for instruction in code.chunks_exact(8) {
        let (opcode, destination, source) = (instruction[0], instruction[1] & 0x0f, instruction[1] >> 4);
        let offset = i16::from_le_bytes([instruction[2], instruction[3]]);
        let immediate = i32::from_le_bytes(instruction[4..8].try_into().unwrap());
        let depth = u64::from(offset.unsigned_abs());
        match opcode & 7 {
            2 | 3 if destination == 10 && offset < 0 => deepest_local = deepest_local.max(depth),
            1 if source == 10 && offset < 0 => deepest_load = deepest_load.max(depth),
            _ => {}
        }
        if opcode == 0x07 && copy_of_frame_pointer == Some(destination) && immediate < 0 {
            deepest_local = deepest_local.max(u64::from(immediate.unsigned_abs()));
        }
        copy_of_frame_pointer = (opcode == 0xbf && source == 10).then_some(destination);
    }
    Some(StackDepths { deepest_local, deepest_read: deepest_load.max(deepest_local) })
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
