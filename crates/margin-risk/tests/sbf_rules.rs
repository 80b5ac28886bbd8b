//! The rules that let margin-risk build for SBF with upstream LLVM (DESIGN.md, TOOLCHAIN.md), checked on
//! the source: outside `#[cfg(test)]` code there are no floats, no 128-bit integers, no u64
//! `checked_mul` / `saturating_mul` / `overflowing_mul` method calls (they lower to a 128-bit multiply), and
//! no function with more than five parameters.

use std::fs;
use std::path::{Path, PathBuf};

/// The crate's non-test source: every file under src/ but the test-only testkit, each cut at its first
/// `#[cfg(test)]` (test modules sit at the end of each file), with comments removed.
fn production_sources() -> Vec<(PathBuf, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: Vec<_> = fs::read_dir(&src).unwrap().map(|entry| entry.unwrap().path()).collect();
    files.sort();
    files
        .into_iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs") && !path.ends_with("testkit.rs"))
        .map(|path| {
            let text = fs::read_to_string(&path).unwrap();
            let production = text.split("#[cfg(test)]").next().unwrap();
            let code = production.lines().map(|line| line.split("//").next().unwrap()).collect::<Vec<_>>().join("\n");
            (path, code)
        })
        .collect()
}

fn is_identifier_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `word` stands in `code` as a whole word.
fn contains_word(code: &str, word: &str) -> bool {
    code.match_indices(word).any(|(start, _)| {
        let before = code[..start].chars().next_back();
        let after = code[start + word.len()..].chars().next();
        !before.is_some_and(is_identifier_char) && !after.is_some_and(is_identifier_char)
    })
}

/// Parameters of the function whose parameter list opens at `code[open]`: top-level commas plus one.
fn count_parameters(code: &str, open: usize) -> usize {
    let (mut depth, mut commas, mut previous, mut empty) = (0usize, 0, ' ', true);
    for c in code[open..].chars() {
        match c {
            '(' | '<' | '[' => depth += 1,
            ')' if depth == 1 => break,
            '>' if previous == '-' => {}
            ')' | '>' | ']' => depth -= 1,
            ',' if depth == 1 => commas += 1,
            _ => {}
        }
        if depth >= 1 && c != '(' && !c.is_whitespace() {
            empty = false;
        }
        previous = c;
    }
    // A trailing comma (rustfmt's multi-line style) does not start another parameter.
    let trailing = code[open..].split(')').next().unwrap().trim_end().ends_with(',');
    if empty {
        0
    } else {
        commas + 1 - usize::from(trailing)
    }
}

/// Every `fn name(` in `code`, with the index of its `(`.
fn functions(code: &str) -> Vec<(String, usize)> {
    code.match_indices("fn ")
        .filter(|(start, _)| !code[..*start].chars().next_back().is_some_and(is_identifier_char))
        .filter_map(|(start, _)| {
            let open = start + code[start..].find('(')?;
            let name = code[start + 3..open].split('<').next()?.trim().to_string();
            Some((name, open))
        })
        .collect()
}

#[test]
fn every_module_is_read() {
    let sources = production_sources();
    let names: Vec<_> =
        sources.iter().map(|(path, _)| path.file_name().unwrap().to_string_lossy().to_string()).collect();
    for module in ["math.rs", "price.rs", "health.rs", "liquidation.rs", "interest.rs", "bankruptcy.rs", "lib.rs"] {
        assert!(names.contains(&module.to_string()), "{module} missing from {names:?}");
    }
    let function_count: usize = sources.iter().map(|(_, code)| functions(code).len()).sum();
    assert!(function_count > 40, "only {function_count} functions found");
}

#[test]
fn no_floats_or_128_bit_integers_outside_tests() {
    let mut found = Vec::new();
    for (path, code) in production_sources() {
        for word in ["f32", "f64", "u128", "i128"] {
            if contains_word(&code, word) {
                found.push(format!("{}: {word}", path.display()));
            }
        }
        for method in [".checked_mul(", ".saturating_mul(", ".overflowing_mul("] {
            if code.contains(method) {
                found.push(format!("{}: {method}", path.display()));
            }
        }
    }
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn no_function_takes_more_than_five_parameters() {
    let mut offenders = Vec::new();
    for (path, code) in production_sources() {
        for (name, open) in functions(&code) {
            let parameters = count_parameters(&code, open);
            if parameters > 5 {
                offenders.push(format!("{}: {name} has {parameters}", path.display()));
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:?}");
}

#[test]
fn the_scanners_find_what_they_look_for() {
    let snippet =
        "pub fn six<'a>(a: u64, b: (u64, u64), c: &'a [u8], d: Option<Vec<u8>>, e: impl Fn(u8) -> u8, f: u8) {}\n\
                   fn none() {}\nfn trailing(\n    a: u64,\n    b: u64,\n) {}";
    let found: Vec<_> =
        functions(snippet).into_iter().map(|(name, open)| (name, count_parameters(snippet, open))).collect();
    assert_eq!(found, vec![("six".to_string(), 6), ("none".to_string(), 0), ("trailing".to_string(), 2)]);
    assert!(contains_word("let x: u128 = 0;", "u128"));
    assert!(!contains_word("let x_u128 = 0;", "u128"));
}
