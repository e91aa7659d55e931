//! The checkpoint signing key and the secrets key: each from configuration,
//! or generated on first run into the data folder and reused from there.

use crate::config::Config;
use app::{auth::Sealer, store::Signer};
use secrecy::ExposeSecret;
use std::{error::Error, path::PathBuf};

const KEY_FILE: &str = "signing.key";
const SECRETS_FILE: &str = "secrets.key";

/// The key that seals stored secrets (alert tokens, one-time-code seeds);
/// `integrity.secrets_key` when several servers share one database.
pub fn load_sealer(config: &Config) -> Result<(Sealer, Option<PathBuf>), BoxError> {
    load_key(
        config,
        config.integrity.secrets_key.as_ref(),
        ("integrity.secrets_key", SECRETS_FILE),
        Sealer::from_base64,
        Sealer::generate,
    )
}

/// The key and, when one was just generated, where it was written.
pub fn load_signer(config: &Config) -> Result<(Signer, Option<PathBuf>), BoxError> {
    load_key(
        config,
        config.integrity.signing_key.as_ref(),
        ("integrity.signing_key", KEY_FILE),
        Signer::from_base64,
        Signer::generate,
    )
}

type BoxError = Box<dyn Error + Send + Sync>;

/// A key from its setting, else from its file in the data folder, else
/// generated into that file (returned, to be announced).
fn load_key<K, E: std::fmt::Display>(
    config: &Config,
    configured: Option<&secrecy::SecretString>,
    (setting, file): (&str, &str),
    parse: impl Fn(&str) -> Result<K, E>,
    generate: impl Fn() -> (K, String),
) -> Result<(K, Option<PathBuf>), BoxError> {
    if let Some(text) = configured {
        let key = parse(text.expose_secret()).map_err(|e| format!("{setting}: {e}"))?;
        return Ok((key, None));
    }
    let path = config.data_dir.join(file);
    if path.exists() {
        let text = std::fs::read_to_string(&path)?;
        let key = parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok((key, None));
    }
    std::fs::create_dir_all(&config.data_dir)?;
    let (key, text) = generate();
    write_private(&path, &text)?;
    Ok((key, Some(path)))
}

/// Writes the seed readable by its owner only.
fn write_private(path: &PathBuf, seed: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(seed.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use figment::Figment;

    #[test]
    fn a_key_generated_on_first_run_is_reused_on_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let mut config: Config = Figment::new().extract().unwrap();
        config.data_dir = dir.path().to_path_buf();
        let (first, written) = load_signer(&config).unwrap();
        assert_eq!(written, Some(dir.path().join(KEY_FILE)));
        let (second, written) = load_signer(&config).unwrap();
        assert_eq!(written, None);
        assert_eq!(first.public_key(), second.public_key());
    }

    #[test]
    fn the_secrets_key_is_written_owner_only_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let mut config: Config = Figment::new().extract().unwrap();
        config.data_dir = dir.path().to_path_buf();
        let (first, written) = load_sealer(&config).unwrap();
        let path = written.unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (second, again) = load_sealer(&config).unwrap();
        assert_eq!(again, None);
        assert_eq!(second.open(&first.seal("x")).unwrap(), "x");
    }
}
