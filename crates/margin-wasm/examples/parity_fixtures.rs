//! Writes the JavaScript parity test's cases (see `margin_wasm::parity`) to a file.
//!
//! `cargo run -p margin-wasm --example parity_fixtures -- <out.json> [cases] [seed]`
fn main() {
    let mut args = std::env::args().skip(1);
    let out = args.next().expect("usage: parity_fixtures <out.json> [cases] [seed]");
    let count: usize = args.next().and_then(|text| text.parse().ok()).unwrap_or(100);
    let seed: u64 = args.next().and_then(|text| text.parse().ok()).unwrap_or(0x9a51_7e57);
    let cases = margin_wasm::parity::cases(count, seed);
    let queries: usize = cases.iter().map(|case| case["queries"].as_array().map_or(0, Vec::len)).sum();
    std::fs::write(&out, serde_json::to_string(&cases).expect("JSON")).expect("the output file");
    eprintln!("{count} cases, {queries} queries -> {out}");
}
