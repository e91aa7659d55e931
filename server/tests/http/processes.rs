//! Release binaries as separate processes, for the tests that run several
//! servers or point one at databases of their own.

use std::{
    path::Path,
    process::{Child, Command},
    time::Duration,
};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_logbook");
pub(crate) const ADMIN: &str = "ops@example.com";
pub(crate) const PASSWORD: &str = "correct horse battery staple";

/// `logbook` on `url`, its files in `data`, listening on `addr`, with a
/// known admin and no demo data.
pub(crate) fn logbook(data: &Path, url: &str, addr: &str) -> Command {
    let mut command = Command::new(BIN);
    command
        .env("LOGBOOK_DATA_DIR", data)
        .env("DATABASE_URL", url)
        .env("LOGBOOK_ADDR", addr)
        .env("LOGBOOK_DEMO_DATA", "false")
        .env("LOGBOOK_ADMIN__EMAIL", ADMIN)
        .env("LOGBOOK_ADMIN__PASSWORD", PASSWORD);
    command
}

pub(crate) fn free_addr() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

/// Kills the servers however the test ends.
pub(crate) struct Servers(pub Vec<Child>);

impl Drop for Servers {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Runs a `logbook` command on `url` and returns what it printed.
pub(crate) fn cli(data: &Path, url: &str, args: &[&str]) -> String {
    let out = logbook(data, url, "127.0.0.1:0")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

pub(crate) async fn wait_healthy(client: &reqwest::Client, base: &str) {
    for _ in 0..150 {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            if r.status() == 200 {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{base} did not become healthy");
}
