//! The ingest and export API against its own OpenAPI document: schemathesis,
//! a schema-driven fuzzer, generates requests from `/api/v1/openapi.json`
//! (valid ones and ones that break the schema) and checks every answer: no
//! 5xx, only documented status codes, content types and headers, bodies that
//! match their schema, invalid input refused and valid input accepted.

use crate::server::Install;
use std::{process::Command, time::Duration};

/// The schemathesis release the suite was written against (`.ci/setup test`
/// installs it from PyPI).
pub const SCHEMATHESIS_VERSION: &str = "4.32.5";

/// Which answers count as accepting or refusing input where the schema
/// cannot say it (why: see the file's comments).
const CONFIG: &str = include_str!("../schemathesis.toml");

/// How much schemathesis generates.
#[derive(Clone, Copy, Debug)]
pub enum Budget {
    /// Explore with fresh randomness until the time is spent (long runs).
    Seconds(u64),
    /// The same requests every run (CI): a fixed seed and a fixed number of
    /// examples per operation, so a pass here is a pass there.
    Seeded { seed: u64, examples: u32 },
}

#[derive(Debug)]
pub struct SpecReport {
    pub budget: Budget,
    /// Requests schemathesis generated and checked.
    pub generated: usize,
    /// Distinct failures it reported (0 when every answer matched the spec).
    pub failures: usize,
    /// Whether schemathesis itself finished with success.
    pub passed: bool,
    /// Its failure section, when there was one.
    pub details: String,
    /// `logbook verify` after the run: every chain the fuzzed ingest grew.
    pub chains_verified: bool,
    pub verify_output: String,
}

impl SpecReport {
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !self.passed || self.failures > 0 {
            problems.push(format!(
                "schemathesis found {} failures:\n{}",
                self.failures, self.details
            ));
        }
        if self.generated == 0 {
            problems.push("schemathesis generated no requests".into());
        }
        if !self.chains_verified {
            problems.push(format!(
                "the chains did not verify after the run: {}",
                self.verify_output
            ));
        }
        problems
    }

    pub fn print(&self) {
        println!(
            "API against its OpenAPI document (schemathesis {SCHEMATHESIS_VERSION}, all checks, {:?})",
            self.budget
        );
        println!("  requests generated           {}", self.generated);
        println!("  failures                     {}", self.failures);
        println!(
            "  chains verified after        {}",
            if self.chains_verified { "yes" } else { "NO" }
        );
    }
}

/// Runs schemathesis within `budget` against a fresh SQLite installation,
/// with a key that may ingest and read.
pub async fn run(budget: Budget) -> SpecReport {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let install = Install::sqlite(dir.path());
    install.cli(&["create-tenant", "--slug", "acme"]);
    let key = install.cli(&[
        "create-api-key",
        "--tenant",
        "acme",
        "--scope",
        "ingest,read,export",
    ]);
    let config = dir.path().join("schemathesis.toml");
    std::fs::write(&config, CONFIG).expect("the schemathesis configuration is written");
    let _server = install.serve().await;

    let spec = format!("{}/api/v1/openapi.json", install.base());
    let mut command = Command::new("schemathesis");
    command
        .arg("--no-color")
        .arg("--config-file")
        .arg(&config)
        .args(["run", &spec, "--checks", "all", "--workers", "2"])
        .args(match budget {
            Budget::Seconds(seconds) => vec!["--max-time".to_string(), seconds.to_string()],
            Budget::Seeded { seed, examples } => vec![
                "--seed".to_string(),
                seed.to_string(),
                "--max-examples".to_string(),
                examples.to_string(),
                "--generation-database".to_string(),
                "none".to_string(),
            ],
        })
        .args(["--request-timeout", "30"])
        .args(["--header", &format!("Authorization: Bearer {key}")])
        .current_dir(dir.path());
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the schemathesis task")
        .unwrap_or_else(|err| {
            panic!(
                "schemathesis did not run ({err}): install it with \
                 `pip install schemathesis=={SCHEMATHESIS_VERSION}` (.ci/setup test does)"
            )
        });
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    let (generated, failures) = summary(&text);
    let details = text
        .find("FAILURES")
        .map(|at| &text[at..])
        .unwrap_or(if output.status.success() { "" } else { &text })
        .lines()
        .map(|line| match line.char_indices().nth(400) {
            // Generated URLs and bodies run to megabytes.
            Some((cut, _)) => format!("{} …", &line[..cut]),
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");

    // Give the group commit its moment, then check what the fuzzing wrote.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (chains_verified, verify_output) = install.run(&["verify"]);
    SpecReport {
        budget,
        generated,
        failures,
        passed: output.status.success(),
        details,
        chains_verified,
        verify_output,
    }
}

/// From schemathesis' summary line `N generated, M found K unique failures`
/// (or `N generated, N passed`): requests generated, distinct failures.
fn summary(text: &str) -> (usize, usize) {
    let Some(line) = text.lines().rev().find(|line| line.contains(" generated")) else {
        return (0, 0);
    };
    let number_before = |word: &str| {
        let words: Vec<&str> = line.split([' ', ',']).filter(|w| !w.is_empty()).collect();
        words
            .windows(2)
            .find(|pair| pair[1].starts_with(word))
            .and_then(|pair| pair[0].parse().ok())
            .unwrap_or(0)
    };
    (number_before("generated"), number_before("unique"))
}

#[cfg(test)]
mod tests {
    use super::summary;

    #[test]
    fn the_summary_line_gives_requests_generated_and_unique_failures() {
        assert_eq!(
            summary("Test cases:\n  1627 generated, 1 found 1 unique failure, 4 skipped\n"),
            (1627, 1)
        );
        assert_eq!(
            summary("Test cases:\n  5468 generated, 2 found 2 unique failures\n"),
            (5468, 2)
        );
        assert_eq!(
            summary("Test cases:\n  812 generated, 812 passed\n"),
            (812, 0)
        );
        assert_eq!(summary("no summary at all"), (0, 0));
    }
}
