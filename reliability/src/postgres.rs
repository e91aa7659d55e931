//! A PostgreSQL cluster of the run's own, on a free port, so it can be
//! stopped and started under load without touching the machine's server.

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

/// A private cluster; stopped and removed when dropped.
pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
}

/// The newest installed PostgreSQL's programs (Debian's layout).
fn pg_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's programs in /usr/lib/postgresql (Debian's postgresql package)")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("pg_ctl").exists())
        .collect();
    versions.sort();
    versions.pop().expect("pg_ctl is installed")
}

impl Cluster {
    /// `initdb` and start, trust authentication on 127.0.0.1.
    pub fn start() -> Cluster {
        let dir = tempfile::Builder::new()
            .prefix("logbook-pg")
            .tempdir()
            .expect("a scratch directory");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let cluster = Cluster {
            dir,
            bin: pg_bin(),
            port,
        };
        // PostgreSQL refuses to run as root: its files belong to `postgres`.
        let _ = Command::new("chmod")
            .arg("755")
            .arg(cluster.dir.path())
            .status();
        let _ = Command::new("chown")
            .arg("postgres:postgres")
            .arg(cluster.dir.path())
            .status();
        let data = cluster.data();
        cluster.run("initdb", &["-D", &data, "-U", "postgres", "--auth=trust"]);
        let settings = format!(
            "listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{}'\n\
             shared_buffers = 64MB\n",
            cluster.dir.path().display()
        );
        append(&Path::new(&data).join("postgresql.conf"), &settings);
        cluster.up();
        cluster
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    /// Starts the cluster and waits until it takes connections.
    pub fn up(&self) {
        let log = self.dir.path().join("postgres.log").display().to_string();
        self.run("pg_ctl", &["-D", &self.data(), "-l", &log, "-w", "start"]);
    }

    /// A fast shutdown: sessions are cut, the server stops cleanly.
    pub fn down(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
    }

    /// One of PostgreSQL's programs, as the `postgres` user when this runs
    /// as root.
    fn command(&self, name: &str) -> Command {
        let path = self.bin.join(name);
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|out| out.stdout == b"0\n");
        let mut command = if root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        };
        command.stdout(Stdio::null()).stderr(Stdio::piped());
        command
    }

    fn run(&self, name: &str, args: &[&str]) {
        let out = self
            .command(name)
            .args(args)
            .output()
            .expect("PostgreSQL's program runs");
        assert!(
            out.status.success(),
            "{name} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self
            .command("pg_ctl")
            .args(["-D", &data, "-m", "immediate", "stop"])
            .output();
    }
}

fn append(path: &Path, text: &str) {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("postgresql.conf");
    file.write_all(text.as_bytes()).expect("settings written");
}
