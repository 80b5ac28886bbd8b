//! The cluster process: `margin-localnet` (crates/margin-localnet, its own workspace) started with the margin
//! program's `.so`, read until it says `ready`, stopped with SIGTERM. Its stderr is passed through; if it
//! exits before it is ready, its last line (e.g. "JSON-RPC port 8899 on 127.0.0.1 is in use") is the error.
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running cluster; dropping it stops the process.
pub struct Cluster {
    child: Child,
}

/// Where the cluster binary and the program's `.so` are looked for when not given: beside this executable,
/// then the build caches the README's scripts write to (crates/margin-localnet/start.sh, tests/sbf/build.sh).
pub fn default_paths() -> (PathBuf, PathBuf) {
    let cache = std::env::var_os("MARGIN_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/margin"));
    let beside = std::env::current_exe().ok().and_then(|exe| exe.parent().map(|dir| dir.join("margin-localnet")));
    let cluster =
        beside.filter(|path| path.is_file()).unwrap_or_else(|| cache.join("localnet-target/release/margin-localnet"));
    (cluster, cache.join("sbf/margin.so"))
}

impl Cluster {
    /// Starts `binary` serving JSON-RPC on `rpc_port` and websocket on `ws_port` (127.0.0.1) with the margin
    /// program from `program`; returns once it is ready (at most `within`).
    pub fn start(
        binary: &Path,
        program: &Path,
        (rpc_port, ws_port): (u16, u16),
        within: Duration,
    ) -> Result<Cluster, String> {
        for (path, what, build) in [
            (binary, "the cluster binary", "bash crates/margin-localnet/start.sh builds it"),
            (program, "the program .so", "bash tests/sbf/build.sh builds it"),
        ] {
            if !path.is_file() {
                return Err(format!("{what} {} does not exist ({build})", path.display()));
            }
        }
        let mut child = Command::new(binary)
            .args(["--rpc-port", &rpc_port.to_string(), "--ws-port", &ws_port.to_string()])
            .arg("--program")
            .arg(format!("{}={}", margin_sdk::margin::ID, program.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| format!("{}: {error}", binary.display()))?;
        let (lines, received) = mpsc::channel::<Result<String, String>>();
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let out_lines = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = out_lines.send(Ok(line));
            }
        });
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("{line}");
                let _ = lines.send(Err(line));
            }
        });
        let mut cluster = Cluster { child };
        let deadline = std::time::Instant::now() + within;
        let mut last_error = String::new();
        loop {
            match received.recv_timeout(Duration::from_millis(200)) {
                Ok(Ok(line)) if line.starts_with("ready ") => return Ok(cluster),
                Ok(Ok(_)) => {}
                Ok(Err(line)) => last_error = line,
                Err(mpsc::RecvTimeoutError::Timeout) | Err(mpsc::RecvTimeoutError::Disconnected) => {}
            }
            if let Ok(Some(status)) = cluster.child.try_wait() {
                // Let the stderr reader hand over the reason.
                while let Ok(line) = received.recv_timeout(Duration::from_millis(200)) {
                    if let Err(line) = line {
                        last_error = line;
                    }
                }
                let reason = last_error.trim_start_matches("margin-localnet: ");
                return Err(format!("the cluster exited ({status}): {reason}"));
            }
            if std::time::Instant::now() >= deadline {
                return Err(format!("the cluster was not ready within {within:?}"));
            }
        }
    }

    /// Whether the process is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Stops the process (SIGTERM, then SIGKILL after 15 s) and waits for it.
    pub fn stop(&mut self) {
        if !self.running() {
            return;
        }
        // SAFETY: kill(2) on our own child's pid; no memory is touched.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        while self.running() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}
