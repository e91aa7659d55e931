//! First-run demo data: tenants, 50,000 events over 90 days, and an API key.

use super::generate::{Generator, PROFILES};
use crate::{
    ingest::{self, Rules},
    keys,
};
use app::{
    model::NoteKind,
    model::{DestinationKind, GroupBy, Tenant, Threshold},
    store::{DestinationInput, NewApiKey, NewEvent, NewNote, RuleInput, Store, TenantScope},
};
use chrono::{Duration, Utc};
use rand::{rngs::StdRng, Rng, SeedableRng};
use std::error::Error;

pub const DEMO_EVENTS: usize = 50_000;
const DAYS: i64 = 90;

/// What the operator needs to know after seeding: printed once.
pub struct DemoSeed {
    pub tenant: String,
    pub api_key: String,
    pub events: usize,
    pub tenants: usize,
}

/// Seeds demo data unless the database already holds events. Events go
/// through the same validation and append path as the ingest API, so their
/// hash chains are real.
pub async fn seed_demo(
    store: &dyn Store,
    count: usize,
    rules: &Rules,
) -> Result<Option<DemoSeed>, Box<dyn Error + Send + Sync>> {
    if store.has_events().await? {
        return Ok(None);
    }
    let mut tenants = Vec::new();
    for profile in PROFILES {
        tenants.push(store.ensure_tenant(profile.slug, profile.name).await?);
    }
    let now = Utc::now();
    let mut times: Vec<_> = {
        let mut rng = StdRng::seed_from_u64(7);
        (0..count)
            .map(|_| now - Duration::seconds(rng.gen_range(60..DAYS * 86_400)))
            .collect()
    };
    times.sort();
    let mut generator = Generator::new(42);
    let mut ids = ulid::Generator::new();
    let mut per_tenant: Vec<Vec<NewEvent>> = vec![Vec::new(); tenants.len()];
    for at in times {
        let t = generator.pick_tenant();
        let wire = serde_json::from_value(generator.event(t, at))?;
        let id = ids.generate()?.to_string();
        per_tenant[t].push(ingest::validate(wire, &tenants[t].slug, id, now, rules)?);
    }
    for (tenant, events) in tenants.iter().zip(&per_tenant) {
        for batch in events.chunks(1_000) {
            store.append(tenant.id, batch, None).await?;
        }
    }
    annotate(store, &per_tenant[0]).await?;
    alert_rules(store, &tenants[0]).await?;
    let key = keys::generate();
    store
        .insert_api_key(&NewApiKey {
            tenant_id: tenants[0].id,
            prefix: key.prefix,
            secret_hash: key.secret_hash,
            name: "demo key".into(),
            created_by: None,
            scopes: app::model::KeyScopes::ALL,
        })
        .await?;
    Ok(Some(DemoSeed {
        tenant: tenants[0].slug.clone(),
        api_key: key.plaintext,
        events: count,
        tenants: tenants.len(),
    }))
}

/// A few tags and comments on the newest support-style events of the first
/// tenant, the way its staff would leave them.
async fn annotate(
    store: &dyn Store,
    events: &[NewEvent],
) -> Result<(), Box<dyn Error + Send + Sync>> {
    let notes: [(&str, &str, &str); 3] = [
        (
            "balance.added",
            "player-request",
            "Manual top-up at the request of the player (ticket #4411).",
        ),
        (
            "license.hwid_reset",
            "support",
            "Customer replaced their motherboard; reset approved.",
        ),
        (
            "license.deleted",
            "chargeback",
            "Deleted after the card payment was disputed.",
        ),
    ];
    for (action, tag, comment) in notes {
        for event in events.iter().rev().filter(|e| e.action == action).take(3) {
            for (kind, text) in [(NoteKind::Tag, tag), (NoteKind::Comment, comment)] {
                let note = NewNote {
                    event_id: event.id.clone(),
                    kind,
                    text: text.to_string(),
                    author_id: None,
                    author: "partner@keyforge.demo".into(),
                };
                store.add_note(&TenantScope::all_tenants(), &note).await?;
            }
        }
    }
    Ok(())
}

/// Two rules a back office would start with, sending to one email
/// destination (it reports "SMTP is not configured" until `[alerts.smtp]`
/// is set, which the Alerts page shows).
async fn alert_rules(
    store: &dyn Store,
    tenant: &Tenant,
) -> Result<(), Box<dyn Error + Send + Sync>> {
    let all = TenantScope::all_tenants();
    let email = store
        .save_alert_destination(
            &all,
            &DestinationInput {
                tenant_id: None,
                name: "Security team".into(),
                kind: DestinationKind::Email,
                target: "security@logbook.demo".into(),
                secret: None,
                by: None,
            },
        )
        .await?
        .ok_or("the demo destination was refused")?;
    let rules = [
        RuleInput {
            id: None,
            tenant_id: None,
            name: "Password guessing".into(),
            conditions: "category:auth outcome:failure".into(),
            threshold: Some(Threshold {
                count: 5,
                window_secs: 600,
                group_by: GroupBy::Actor,
            }),
            silence_secs: None,
            enabled: true,
            destinations: vec![email.id],
            by: None,
        },
        RuleInput {
            id: None,
            tenant_id: Some(tenant.id),
            name: "Manual balance additions".into(),
            conditions: "action:balance.added actor_type:staff".into(),
            threshold: Some(Threshold {
                count: 4,
                window_secs: 3_600,
                group_by: GroupBy::Actor,
            }),
            silence_secs: None,
            enabled: true,
            destinations: vec![email.id],
            by: None,
        },
    ];
    for rule in &rules {
        store
            .save_alert_rule(&all, rule)
            .await?
            .ok_or("the demo rule was refused")?;
    }
    Ok(())
}
