//! The release binary as a separate process: started, asked, killed.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

pub const ADMIN: &str = "ops@example.com";
pub const PASSWORD: &str = "correct horse battery staple";

/// The `logbook` binary: `LOGBOOK_BIN`, else the one built beside this
/// program (`target/release/logbook`, also from `target/release/deps/`).
pub fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("LOGBOOK_BIN") {
        return path.into();
    }
    let me = std::env::current_exe().expect("the running program's path");
    for dir in me.ancestors().skip(1).take(2) {
        let candidate = dir.join("logbook");
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!(
        "no logbook binary beside {}: build it (cargo build --release -p server) or set LOGBOOK_BIN",
        me.display()
    )
}

/// A port nobody listens on yet.
pub fn free_addr() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").to_string()
}

/// One Logbook installation: a data directory and a database.
#[derive(Clone, Debug)]
pub struct Install {
    pub data: PathBuf,
    pub url: String,
    pub addr: String,
    /// Extra environment for `serve` (alert timings, limits).
    pub env: Vec<(String, String)>,
    /// Where the server's log goes (kept off a filesystem made to fill up).
    pub log: PathBuf,
}

impl Install {
    /// SQLite in `data/logbook.db`.
    pub fn sqlite(data: &Path) -> Install {
        Install {
            data: data.to_path_buf(),
            url: format!("sqlite://{}?mode=rwc", data.join("logbook.db").display()),
            addr: free_addr(),
            env: Vec::new(),
            log: data.join("server.log"),
        }
    }

    /// The last `lines` lines the server logged, for a report of a failure.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Sends the keyed requests left pending again; a failure says what the
    /// server answered and logged.
    pub async fn resend(
        &self,
        ledger: &crate::ingest::Shared,
        failures: &mut Vec<String>,
    ) -> usize {
        match crate::ingest::resend_pending(&self.base(), ledger).await {
            Ok(count) => count,
            Err(err) => {
                failures.push(format!("{err}\nserver log:\n{}", self.log_tail(20)));
                0
            }
        }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn command(&self) -> Command {
        let mut command = Command::new(binary());
        command
            .env("LOGBOOK_DATA_DIR", &self.data)
            .env("DATABASE_URL", &self.url)
            .env("LOGBOOK_ADDR", &self.addr)
            .env("LOGBOOK_DEMO_DATA", "false")
            .env("LOGBOOK_ADMIN__EMAIL", ADMIN)
            .env("LOGBOOK_ADMIN__PASSWORD", PASSWORD)
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }

    /// Runs `logbook <args>`; what it printed, and whether it succeeded.
    pub fn run(&self, args: &[&str]) -> (bool, String) {
        let out = self.command().args(args).output().expect("logbook runs");
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        (out.status.success(), text.trim().to_string())
    }

    /// Runs `logbook <args>`, which must succeed; its standard output.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = self.command().args(args).output().expect("logbook runs");
        assert!(
            out.status.success(),
            "logbook {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// `logbook serve`, answering `/healthz` before this returns.
    pub async fn serve(&self) -> Server {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("the server's log file");
        let child = self
            .command()
            .arg("serve")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("logbook serve starts");
        let server = Server { child: Some(child) };
        let client = client();
        for _ in 0..300 {
            if let Ok(response) = client.get(format!("{}/healthz", self.base())).send().await {
                if response.status() == 200 {
                    return server;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("logbook did not become healthy at {}", self.base());
    }
}

/// A running server; killed (SIGKILL) when dropped.
pub struct Server {
    child: Option<Child>,
}

impl Server {
    /// SIGKILL: no shutdown, no flush.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The server's resident memory in kB (Linux `/proc`): its own (heap
    /// and stacks, `RssAnon`) and the mapped files (`RssFile`: SQLite maps
    /// the database, so this grows with the file, not with a leak).
    pub fn memory_kb(&self) -> Option<(u64, u64)> {
        let pid = self.child.as_ref()?.id();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        };
        Some((field("RssAnon:")?, field("RssFile:")?))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An HTTP client that follows no redirects and gives up after 30 s.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client")
}

/// Signs the made-at-start admin in: a client carrying the session.
pub async fn admin_session(base: &str) -> reqwest::Client {
    let response = client()
        .post(format!("{base}/api/auth/sign_in"))
        .form(&[("email", ADMIN), ("password", PASSWORD)])
        .send()
        .await
        .expect("sign-in answers");
    assert_eq!(response.status(), 200, "the admin made at start signs in");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("logbook_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_string();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("cookie", cookie.parse().expect("a cookie header"));
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .default_headers(headers)
        .build()
        .expect("an HTTP client")
}
