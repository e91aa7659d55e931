//! The command line: `serve` (default) and the operator subcommands.

mod partitions;
mod trust;

use crate::signing::{load_sealer, load_signer};
use crate::{
    config::{Config, Demo},
    demo::{seed_demo, DEMO_EVENTS},
    http::{bind, AppState, Network},
    ingest::{Redactor, Rules},
    keys,
};
use app::{
    integrity::run_retention,
    model::{KeyScope, KeyScopes, SELF_TENANT},
    store::{connect_with, NewApiKey, Signer, Store, TenantScope},
};
use clap::{Parser, Subcommand};
use std::{error::Error, path::PathBuf, sync::Arc};

pub type CliResult = Result<(), Box<dyn Error + Send + Sync>>;

#[derive(Debug, Parser)]
#[command(
    name = "logbook",
    version,
    about = "Self-hosted activity and audit log"
)]
pub struct Cli {
    /// Configuration file (default: logbook.toml, if present).
    #[arg(long, env = "LOGBOOK_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the dashboard and the ingest API (the default).
    Serve,
    /// Apply database migrations and exit. On PostgreSQL, also copies the
    /// events of a database from before time partitions into them.
    Migrate,
    /// Create a tenant (idempotent).
    CreateTenant {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// Create an API key bound to a tenant and print it once.
    CreateApiKey {
        #[arg(long)]
        tenant: String,
        #[arg(long, default_value = "api key")]
        name: String,
        /// What the key may do, comma-separated: `ingest` (send events),
        /// `read` (the read API), `export` (whole-log exports).
        #[arg(long = "scope", value_delimiter = ',', default_value = "ingest")]
        scopes: Vec<KeyScope>,
    },
    /// Show, or with --set replace, the sites (origins) that may embed a
    /// tenant's log in a frame with a viewer token.
    EmbedOrigins {
        #[arg(long)]
        tenant: String,
        /// Origins separated by commas or spaces (`https://portal.acme.io`);
        /// an empty value allows none.
        #[arg(long)]
        set: Option<String>,
    },
    /// Verify tenants' hash chains (all, or one) against their signed
    /// checkpoints; or, with --file, an NDJSON export with its proof, offline.
    /// Exits non-zero if anything is broken.
    Verify {
        #[arg(long, conflicts_with = "file")]
        tenant: Option<String>,
        /// An NDJSON export made with `proof=1`; needs no database or server.
        #[arg(long, requires = "public_key")]
        file: Option<PathBuf>,
        /// The base64 public key shown on the Integrity page (or by `logbook public-key`).
        #[arg(long)]
        public_key: Option<String>,
    },
    /// Sign the chain heads of all tenants (or one) now.
    Checkpoint {
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Run retention once: delete expired events after signing the cut.
    Retention,
    /// Print the public key that verifies this server's checkpoints.
    PublicKey,
}

pub async fn run(cli: Cli) -> CliResult {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Verify {
        file: Some(file),
        public_key: Some(key),
        ..
    } = &command
    {
        return trust::verify_file(file, key);
    }
    let config = Config::load(cli.config)?;
    let (signer, generated) = load_signer(&config)?;
    if let Some(path) = generated {
        println!(
            "Generated the checkpoint signing key in {} (back it up; its public half is {}).",
            path.display(),
            signer.public_key().to_base64()
        );
    }
    let signer = Arc::new(signer);
    if let Command::PublicKey = command {
        println!("{}", signer.public_key().to_base64());
        return Ok(());
    }
    let store = open(&config).await?;
    if matches!(command, Command::Migrate) {
        partitions::copy_into_partitions(store.as_ref()).await?;
    } else {
        partitions::refuse_until_copied(store.as_ref()).await?;
    }
    match command {
        Command::Serve => serve(config, store, signer).await,
        Command::Migrate => {
            println!("Migrations applied to {}.", config.database_label());
            Ok(())
        }
        Command::CreateTenant { slug, .. } if slug == SELF_TENANT => {
            Err("'logbook' is reserved for Logbook's own log".into())
        }
        Command::CreateTenant { slug, name } => {
            let tenant = store
                .ensure_tenant(&slug, name.as_deref().unwrap_or(&slug))
                .await?;
            println!("Tenant '{}' ({}) is ready.", tenant.slug, tenant.name);
            Ok(())
        }
        Command::Verify { tenant, .. } => {
            let trusted = signer.public_key();
            trust::verify(store.as_ref(), &trusted, tenant.as_deref()).await
        }
        Command::Checkpoint { tenant } => {
            trust::checkpoint(store.as_ref(), &signer, tenant.as_deref()).await
        }
        Command::Retention => {
            let policy = config.retention.policy();
            let now = chrono::Utc::now().timestamp_micros();
            let purges = run_retention(store.as_ref(), &signer, policy, now, None).await?;
            if purges.is_empty() {
                println!("Nothing has expired.");
            }
            for p in purges {
                println!(
                    "{}: deleted {} events, the chain now starts after #{}",
                    p.tenant, p.deleted, p.cut_seq
                );
            }
            Ok(())
        }
        Command::CreateApiKey {
            tenant,
            name,
            scopes,
        } => {
            let scopes = scopes
                .into_iter()
                .fold(KeyScopes::default(), KeyScopes::with);
            create_api_key(store.as_ref(), &tenant, &name, scopes).await
        }
        Command::EmbedOrigins { tenant, set } => {
            let slug = tenant;
            let tenant = store
                .tenant_by_slug(&slug)
                .await?
                .filter(|t| t.slug != SELF_TENANT)
                .ok_or_else(|| format!("unknown tenant '{slug}'"))?;
            if let Some(set) = set {
                let origins = app::model::check_origins(set.split([',', ' ']))?;
                store.set_embed_origins(tenant.id, &origins).await?;
            }
            for origin in store.embed_origins(tenant.id).await? {
                println!("{origin}");
            }
            Ok(())
        }
        Command::PublicKey => unreachable!("handled above"),
    }
}

/// Connects and migrates; a failed migration stops everything.
async fn open(config: &Config) -> Result<Arc<dyn Store>, Box<dyn Error + Send + Sync>> {
    if config.database_url.is_none() {
        std::fs::create_dir_all(&config.data_dir)?;
    }
    let store = connect_with(&config.database_url(), config.pg_options()).await?;
    store.migrate().await?;
    store
        .ensure_partitions(chrono::Utc::now().timestamp_micros())
        .await?;
    for warning in store.set_up_warnings().await? {
        tracing::warn!("{warning}");
    }
    if config.database_url.is_none() {
        owner_only(&config.data_dir)?;
    }
    store.set_read_budget(std::time::Duration::from_secs(
        config.limits.query_budget_secs.max(1),
    ));
    Ok(store)
}

/// The data folder and the SQLite files in it, readable by their owner
/// only: they hold every tenant's log.
fn owner_only(dir: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        for name in ["logbook.db", "logbook.db-wal", "logbook.db-shm"] {
            let path = dir.join(name);
            if path.exists() {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

async fn serve(config: Config, store: Arc<dyn Store>, signer: Arc<Signer>) -> CliResult {
    let (sealer, generated) = load_sealer(&config)?;
    if let Some(path) = generated {
        println!(
            "Generated the secrets key in {} (back it up with the database: stored alert \
             tokens and one-time-code seeds open with it only).",
            path.display()
        );
    }
    let redactor = Redactor::new(&config.redaction.extra_words);
    let demo = config.demo()?;
    if demo == Demo::SkippedForAdmin {
        tracing::warn!("demo data was asked for but an admin is configured: not seeded");
    }
    if demo == Demo::On {
        let rules = Rules {
            redactor: redactor.clone(),
            earliest: config.limits.earliest_event,
        };
        if let Some(seed) = seed_demo(store.as_ref(), DEMO_EVENTS, &rules).await? {
            println!(
                "Seeded {} demo events for {} tenants.",
                seed.events, seed.tenants
            );
            println!(
                "Demo API key for tenant '{}' (shown once, keep it): {}",
                seed.tenant, seed.api_key
            );
        }
    }
    for line in crate::accounts::ensure_first_accounts(store.as_ref(), &config, demo).await? {
        println!("{line}");
    }
    if !config.site_root.join("pkg").exists() {
        tracing::warn!(site_root = %config.site_root.display(), "browser bundle not found: pages render but do not hydrate; run `cargo leptos build --release`");
    }
    crate::jobs::spawn(store.clone(), signer.clone(), &config);
    let alerts = crate::alerts::spawn(
        store.clone(),
        &config.alerts,
        config.link_base(),
        sealer.clone(),
    )?;
    let state = AppState::new(store, &config.site_root, config.limits)
        .with_redactor(redactor)
        .with_signer(signer)
        .with_sealer(sealer)
        .with_retention(config.retention.policy())
        .with_targets(config.alerts.target_policy())
        .with_demo(demo == Demo::On)
        .with_session_max_age(std::time::Duration::from_secs(
            config.session_max_age_hours.max(1) * 3600,
        ))
        .with_network(Network {
            trust_proxy: config.trust_proxy,
            trusted_proxies: config.trusted_proxies.clone().into(),
            secure_cookies: config.serves_tls(),
        });
    let bound = bind(state, config.addr).await?;
    println!(
        "Logbook is running at http://{} (database: {}); sign in there",
        bound.addr,
        config.database_label()
    );
    bound.run().await?;
    alerts.stop().await;
    Ok(())
}

async fn create_api_key(store: &dyn Store, slug: &str, name: &str, scopes: KeyScopes) -> CliResult {
    if slug == SELF_TENANT {
        return Err("'logbook' holds Logbook's own log and is written by Logbook only".into());
    }
    let Some(tenant) = store.tenant_by_slug(slug).await? else {
        let known: Vec<String> = store
            .list_tenants(&TenantScope::all_tenants())
            .await?
            .into_iter()
            .map(|t| t.slug)
            .collect();
        return Err(format!(
            "unknown tenant '{slug}'; known tenants: {}. Create one with `logbook create-tenant --slug {slug}`",
            if known.is_empty() { "none".to_string() } else { known.join(", ") }
        )
        .into());
    };
    let key = keys::generate();
    store
        .insert_api_key(&NewApiKey {
            tenant_id: tenant.id,
            prefix: key.prefix,
            secret_hash: key.secret_hash,
            name: name.to_string(),
            created_by: None,
            scopes,
        })
        .await?;
    println!("{}", key.plaintext);
    eprintln!(
        "API key for tenant '{}' that may {scopes} created. It is shown only this once.",
        tenant.slug
    );
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_data_folder_and_database_files_are_made_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["logbook.db", "logbook.db-wal"] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        owner_only(dir.path()).unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(dir.path()), 0o700);
        assert_eq!(mode(&dir.path().join("logbook.db")), 0o600);
        assert_eq!(mode(&dir.path().join("logbook.db-wal")), 0o600);
    }
}
