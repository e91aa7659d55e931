//! The first accounts: an admin on first run (from configuration, or with a
//! generated password printed once), and one account per role with demo data.

use crate::{
    config::{Config, Demo},
    demo::PROFILES,
};
use app::{
    auth::{generate_password, hash_password},
    model::{Permission, Permissions, Role},
    store::{DbError, NewAccount, Store},
};
use secrecy::ExposeSecret;
use std::error::Error;

/// The documented password of every demo account.
pub const DEMO_PASSWORD: &str = "logbook-demo";

/// `(email, name, role, tenant slug)` of the demo accounts.
pub const DEMO_ACCOUNTS: &[(&str, &str, Role, Option<&str>)] = &[
    ("admin@logbook.demo", "Ada Admin", Role::Admin, None),
    ("auditor@logbook.demo", "Aud Itor", Role::Auditor, None),
    (
        "partner@keyforge.demo",
        "Pat Partner",
        Role::Partner,
        Some("keyforge"),
    ),
    (
        "staff@keyforge.demo",
        "Sam Staff",
        Role::Staff,
        Some("keyforge"),
    ),
    (
        "customer@keyforge.demo",
        "Cat Customer",
        Role::Customer,
        Some("keyforge"),
    ),
];

/// Creates the first accounts when there are none; returns lines to print.
/// `demo` is what [`Config::demo`] decided. Several servers starting at once
/// on one new database all see none: the first to create an account prints
/// them, the others find one taken and print nothing.
pub async fn ensure_first_accounts(
    store: &dyn Store,
    config: &Config,
    demo: Demo,
) -> Result<Vec<String>, Box<dyn Error + Send + Sync>> {
    match first_accounts(store, config, demo).await {
        Err(DbError::Conflict(_)) => Ok(Vec::new()),
        made => Ok(made?),
    }
}

async fn first_accounts(
    store: &dyn Store,
    config: &Config,
    demo: Demo,
) -> Result<Vec<String>, DbError> {
    if store.account_count().await? > 0 {
        return Ok(Vec::new());
    }
    let mut lines = Vec::new();
    if let Some(admin) = &config.admin {
        let (password, shown) = match &admin.password {
            Some(p) => (p.expose_secret().to_string(), false),
            None => (generate_password(), true),
        };
        create(
            store,
            &admin.email,
            "Administrator",
            Role::Admin,
            None,
            &password,
        )
        .await?;
        lines.push(if shown {
            format!("Admin account: {} / {password} (shown once)", admin.email)
        } else {
            format!("Admin account {} created from configuration.", admin.email)
        });
    }
    if demo == Demo::On {
        lines.push(format!("Demo accounts (password '{DEMO_PASSWORD}'):"));
        for (email, name, role, tenant) in DEMO_ACCOUNTS {
            let tenant_id = match tenant {
                Some(slug) => {
                    let name = PROFILES
                        .iter()
                        .find(|p| p.slug == *slug)
                        .map_or(*slug, |p| p.name);
                    Some(store.ensure_tenant(slug, name).await?.id)
                }
                None => None,
            };
            create(store, email, name, *role, tenant_id, DEMO_PASSWORD).await?;
            lines.push(format!("  {:<9} {email}", role.as_str()));
        }
    } else if config.admin.is_none() {
        let password = generate_password();
        create(
            store,
            "admin@localhost",
            "Administrator",
            Role::Admin,
            None,
            &password,
        )
        .await?;
        lines.push(format!(
            "Admin account: admin@localhost / {password} (shown once; change it under Account)"
        ));
    }
    Ok(lines)
}

async fn create(
    store: &dyn Store,
    email: &str,
    name: &str,
    role: Role,
    tenant_id: Option<i64>,
    password: &str,
) -> Result<i64, DbError> {
    store
        .create_account(&NewAccount {
            email: email.trim().to_lowercase(),
            name: name.to_string(),
            role,
            tenant_id,
            permissions: Permissions::new(
                role.ceiling().iter().copied().chain([Permission::ViewLogs]),
            )
            .effective(role),
            password_hash: hash_password(password),
            created_by: None,
        })
        .await
}
