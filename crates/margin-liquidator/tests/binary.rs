//! The binary's start-up: a bad configuration stops it with a message naming the file and the field, and an
//! unreachable cluster stops it with the RPC error, both with exit code 1.
use std::process::Command;

fn run(config_text: &str, name: &str) -> (Option<i32>, String) {
    let path = std::env::temp_dir().join(format!("margin-liquidator-{}-{name}.toml", std::process::id()));
    std::fs::write(&path, config_text).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_margin-liquidator")).arg("--config").arg(&path).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).to_string() + &String::from_utf8_lossy(&output.stderr);
    (output.status.code(), text)
}

const GOOD: &str = r#"
rpc_url = "http://127.0.0.1:9"
ws_url = "ws://127.0.0.1:9"
keypair = "KEYPAIR"
group = "11111111111111111111111111111112"
"#;

#[test]
fn a_bad_configuration_is_named() {
    let (code, text) = run(&format!("{GOOD}\nconcurency = 3\n"), "typo");
    assert_eq!(code, Some(1));
    assert!(text.contains("concurency") && text.contains("margin-liquidator-"), "{text}");
}

#[test]
fn an_unreachable_cluster_stops_with_the_rpc_error() {
    let keypair = solana_sdk::signature::Keypair::new();
    let path = std::env::temp_dir().join(format!("margin-liquidator-{}-key.json", std::process::id()));
    std::fs::write(&path, format!("{:?}", keypair.to_bytes().to_vec())).unwrap();
    let (code, text) = run(&GOOD.replace("KEYPAIR", path.to_str().unwrap()), "unreachable");
    assert_eq!(code, Some(1));
    assert!(text.contains("rpc") && text.contains("stopped"), "{text}");
}
