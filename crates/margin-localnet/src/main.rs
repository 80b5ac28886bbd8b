//! `margin-localnet`: a local Solana cluster for Margin. surfpool (litesvm, agave 4) serves JSON-RPC and
//! websocket on 127.0.0.1 only, offline (no remote datasource), with SPL Token and Token-2022 built in and the
//! programs given on the command line loaded from their `.so` files. Everything else (mints, wallets, Pyth
//! prices, the group) is set up over JSON-RPC by `margin localnet`, which starts this binary.
//!
//! Prints `ready rpc=<url> ws=<url>` on stdout once the servers answer and the programs are written; stops
//! cleanly on Ctrl-C or SIGTERM. A port already in use is refused by name before anything starts.
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crossbeam_channel::{unbounded, Receiver, RecvTimeoutError};
use solana_pubkey::Pubkey;
use surfpool_core::runloops::start_local_surfnet_runloop;
use surfpool_core::surfnet::locker::SurfnetSvmLocker;
use surfpool_core::surfnet::svm::{SurfnetSvm, SurfnetSvmConfig};
use surfpool_types::{RpcConfig, SimnetCommand, SimnetConfig, SimnetEvent, SurfpoolConfig};

const USAGE: &str = "usage: margin-localnet [--rpc-port 8899] [--ws-port 8900] [--slot-ms 50] \
[--program <program id>=<path.so>]... [--verbose]";

/// The command line.
#[derive(Debug, PartialEq)]
struct Options {
    rpc_port: u16,
    ws_port: u16,
    /// Slot time, milliseconds: a send waits for the next slot.
    slot_ms: u64,
    /// Programs to load: (program id, ELF path).
    programs: Vec<(Pubkey, PathBuf)>,
    /// Print the cluster's own log lines (transactions, clock) to stderr.
    verbose: bool,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options { rpc_port: 8899, ws_port: 8900, slot_ms: 50, programs: Vec::new(), verbose: false };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--verbose" => options.verbose = true,
            "--rpc-port" => options.rpc_port = port(number(flag, value()?)?)?,
            "--ws-port" => options.ws_port = port(number(flag, value()?)?)?,
            "--slot-ms" => options.slot_ms = number(flag, value()?)?.max(1),
            "--program" => {
                let value = value()?;
                let (id, path) = value.split_once('=').ok_or(format!("--program {value}: <program id>=<path.so>"))?;
                let id = id.parse().map_err(|_| format!("--program {value}: {id} is not a base58 address"))?;
                options.programs.push((id, PathBuf::from(path)));
            }
            other => return Err(format!("unknown flag {other}\n{USAGE}")),
        }
    }
    if options.rpc_port == options.ws_port {
        return Err(format!("--rpc-port and --ws-port are both {}", options.rpc_port));
    }
    Ok(options)
}

fn number(flag: &str, value: &str) -> Result<u64, String> {
    value.parse().map_err(|_| format!("{flag} {value}: not a number"))
}

fn port(number: u64) -> Result<u16, String> {
    u16::try_from(number).ok().filter(|port| *port > 0).ok_or(format!("port {number}: 1 to 65535"))
}

/// Refuses a port another process holds (e.g. a second localnet), by name.
fn check_free(port: u16, what: &str) -> Result<(), String> {
    TcpListener::bind(("127.0.0.1", port))
        .map(drop)
        .map_err(|error| format!("{what} port {port} on 127.0.0.1 is in use ({error}): is a localnet already running?"))
}

/// Waits for the runloop to bind its servers, or for the reason it could not.
fn wait_started(events: &Receiver<SimnetEvent>) -> Result<(), String> {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match events.recv_timeout(left) {
            Ok(SimnetEvent::CoreStarted(_)) => return Ok(()),
            Ok(SimnetEvent::Aborted(reason)) => return Err(format!("the cluster did not start: {reason}")),
            Ok(SimnetEvent::ErrorLog(_, line)) => eprintln!("cluster: {line}"),
            Ok(_) => {}
            Err(RecvTimeoutError::Timeout) => return Err("the cluster did not start within 60 s".into()),
            Err(RecvTimeoutError::Disconnected) => return Err("the cluster stopped while starting".into()),
        }
    }
}

/// Drains the cluster's events (its channel is bounded: an unread one blocks the cluster), printing errors
/// and warnings, and everything with `verbose`.
fn drain(events: Receiver<SimnetEvent>, verbose: bool) {
    for event in events {
        match event {
            // A refused transaction's preflight is the sender's answer, not the cluster's error.
            SimnetEvent::ErrorLog(_, line) if verbose || !line.starts_with("Transaction simulation failed") => {
                eprintln!("cluster error: {line}")
            }
            SimnetEvent::WarnLog(_, line) => eprintln!("cluster warning: {line}"),
            SimnetEvent::InfoLog(_, line) if verbose => eprintln!("cluster: {line}"),
            SimnetEvent::Aborted(reason) => eprintln!("cluster aborted: {reason}"),
            _ => {}
        }
    }
}

async fn run(options: Options) -> Result<(), String> {
    check_free(options.rpc_port, "JSON-RPC")?;
    check_free(options.ws_port, "websocket")?;
    let mut elfs = Vec::new();
    for (id, path) in &options.programs {
        let elf = std::fs::read(path).map_err(|error| format!("program {id}: {}: {error}", path.display()))?;
        elfs.push((*id, elf));
    }
    let svm_config = SurfnetSvmConfig { slot_time: options.slot_ms, ..SurfnetSvmConfig::default() };
    let (svm, events, geyser_events) = SurfnetSvm::new(svm_config).map_err(|error| error.to_string())?;
    let locker = SurfnetSvmLocker::new(svm);
    let config = SurfpoolConfig {
        simnets: vec![SimnetConfig {
            offline_mode: true,
            remote_rpc_url: None,
            slot_time: options.slot_ms,
            ..SimnetConfig::default()
        }],
        rpc: RpcConfig {
            bind_host: "127.0.0.1".to_string(),
            bind_port: options.rpc_port,
            ws_port: options.ws_port,
            ..RpcConfig::default()
        },
        ..SurfpoolConfig::default()
    };
    let (commands, commands_rx) = unbounded();
    let runloop = {
        let (locker, commands) = (locker.clone(), commands.clone());
        hiro_system_kit::thread_named("surfnet")
            .spawn(move || {
                let future = start_local_surfnet_runloop(locker, config, commands, commands_rx, geyser_events);
                hiro_system_kit::nestable_block_on(future).map_err(|error| error.to_string())
            })
            .map_err(|error| error.to_string())?
    };
    wait_started(&events)?;
    std::thread::spawn(move || drain(events, options.verbose));
    for (id, elf) in &elfs {
        locker.write_program(*id, None, 0, elf, &None).await.map_err(|error| format!("program {id}: {error}"))?;
        eprintln!("program {id}: {} bytes written", elf.len());
    }
    println!("ready rpc=http://127.0.0.1:{} ws=ws://127.0.0.1:{}", options.rpc_port, options.ws_port);
    stopped().await;
    eprintln!("stopping");
    let _ = commands.send(SimnetCommand::Terminate(None));
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while !runloop.is_finished() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    locker.shutdown();
    Ok(())
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM.
async fn stopped() {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let term = async {
        match terminate.as_mut() {
            Some(signal) => drop(signal.recv().await),
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    match parse(&args).map(|options| runtime.block_on(run(options))) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(error)) | Err(error) => {
            eprintln!("margin-localnet: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn flags_parse_and_bad_ones_are_named() {
        let id = Pubkey::new_unique();
        let options =
            parse(&args(&format!("--rpc-port 9000 --ws-port 9001 --program {id}=a.so --slot-ms 20"))).unwrap();
        assert_eq!(options.programs, vec![(id, PathBuf::from("a.so"))]);
        assert_eq!((options.rpc_port, options.ws_port, options.slot_ms), (9000, 9001, 20));
        assert!(parse(&args("--rpc-port 70000")).unwrap_err().contains("1 to 65535"));
        assert!(parse(&args("--rpc-port 9000 --ws-port 9000")).unwrap_err().contains("both 9000"));
        assert!(parse(&args("--program nope")).unwrap_err().contains("<program id>=<path.so>"));
        assert!(parse(&args("--program x=a.so")).unwrap_err().contains("not a base58 address"));
        assert!(parse(&args("--fast")).unwrap_err().contains("unknown flag --fast"));
        assert!(parse(&args("--slot-ms")).unwrap_err().contains("needs a value"));
    }

    #[test]
    fn a_port_in_use_is_refused_by_name() {
        let held = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = held.local_addr().unwrap().port();
        let error = check_free(port, "JSON-RPC").unwrap_err();
        assert!(error.contains(&format!("JSON-RPC port {port}")) && error.contains("in use"), "{error}");
    }
}
