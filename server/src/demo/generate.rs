//! A seeded generator of wire-format events, shared by demo seeding and the benchmark.

use super::catalogue::{ActionSpec, Change, AUTH, CASINO, KEYS_STORE, LOYALTY, PAYMENTS};
use chrono::{DateTime, SecondsFormat, Utc};
use rand::{rngs::StdRng, seq::SliceRandom, Rng, SeedableRng};
use serde_json::{json, Value};

/// One demo tenant: who it is and what its panel logs.
pub struct TenantProfile {
    pub slug: &'static str,
    pub name: &'static str,
    pub domain: &'static str,
    pub actions: &'static [ActionSpec],
    /// Share of all demo traffic.
    pub weight: u32,
}

pub const PROFILES: &[TenantProfile] = &[
    TenantProfile {
        slug: "keyforge",
        name: "KeyForge Licences",
        domain: "keyforge.io",
        actions: KEYS_STORE,
        weight: 40,
    },
    TenantProfile {
        slug: "stampy",
        name: "Stampy Loyalty",
        domain: "stampy.app",
        actions: LOYALTY,
        weight: 25,
    },
    TenantProfile {
        slug: "luckyspin",
        name: "LuckySpin Casino",
        domain: "luckyspin.bet",
        actions: CASINO,
        weight: 20,
    },
    TenantProfile {
        slug: "paybridge",
        name: "PayBridge Payments",
        domain: "paybridge.com",
        actions: PAYMENTS,
        weight: 15,
    },
];

const FIRST: &[&str] = &[
    "Alice", "Bogdan", "Chen", "Dana", "Emeka", "Fatima", "Gustav", "Hana", "Ivan", "Julia",
    "Kofi", "Lena", "Marco", "Nadia", "Omar", "Priya",
];
const LAST: &[&str] = &[
    "Novak", "Okafor", "Schmidt", "Tanaka", "Moreau", "Silva", "Kowalski", "Haddad",
];
/// Per tenant: 2 admins, 2 partners, 6 staff, 4 customers, an API key, the system.
const ROLES: &[&str] = &[
    "admin", "admin", "partner", "partner", "staff", "staff", "staff", "staff", "staff", "staff",
    "customer", "customer", "customer", "customer", "api_key", "system",
];
const AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
];

struct DemoActor {
    id: String,
    name: String,
    email: Option<String>,
    kind: &'static str,
    ip: String,
}

impl DemoActor {
    fn is_person(&self) -> bool {
        !matches!(self.kind, "api_key" | "system")
    }
}

pub struct Generator {
    rng: StdRng,
    actors: Vec<Vec<DemoActor>>,
}

impl Generator {
    pub fn new(seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let actors = PROFILES
            .iter()
            .enumerate()
            .map(|(t, profile)| {
                ROLES
                    .iter()
                    .enumerate()
                    .map(|(i, &kind)| {
                        let first = FIRST[(i + t * 3) % FIRST.len()];
                        let last = LAST[(i * 5 + t) % LAST.len()];
                        let ip = format!(
                            "{}.{}.{}.{}",
                            [81, 94, 185, 203][t],
                            rng.gen_range(1..250),
                            rng.gen_range(1..250),
                            rng.gen_range(1..250)
                        );
                        match kind {
                            "api_key" => DemoActor {
                                id: format!("key_{}_backend", profile.slug),
                                name: "Backend integration".into(),
                                email: None,
                                kind,
                                ip,
                            },
                            "system" => DemoActor {
                                id: "system".into(),
                                name: "Scheduler".into(),
                                email: None,
                                kind,
                                ip: "10.0.0.1".into(),
                            },
                            _ => DemoActor {
                                id: format!("usr_{}_{i:02}", profile.slug),
                                name: format!("{first} {last}"),
                                email: Some(format!(
                                    "{}.{}@{}",
                                    first.to_lowercase(),
                                    last.to_lowercase(),
                                    profile.domain
                                )),
                                kind,
                                ip,
                            },
                        }
                    })
                    .collect()
            })
            .collect();
        Generator { rng, actors }
    }

    /// A tenant index, drawn by traffic share.
    pub fn pick_tenant(&mut self) -> usize {
        let total: u32 = PROFILES.iter().map(|p| p.weight).sum();
        let mut roll = self.rng.gen_range(0..total);
        for (i, profile) in PROFILES.iter().enumerate() {
            if roll < profile.weight {
                return i;
            }
            roll -= profile.weight;
        }
        0
    }

    /// One event for tenant `tenant` that happened at `at`, in the ingest wire format.
    pub fn event(&mut self, tenant: usize, at: DateTime<Utc>) -> Value {
        let profile = &PROFILES[tenant];
        let spec = *[AUTH, profile.actions]
            .concat()
            .choose_weighted(&mut self.rng, |s| s.weight)
            .unwrap_or(&AUTH[0]);
        let is_auth = spec.category == "auth";
        let actor_index = loop {
            let i = self.rng.gen_range(0..ROLES.len());
            let actor = &self.actors[tenant][i];
            let fits = if is_auth {
                actor.is_person()
            } else {
                actor.kind != "customer"
            };
            if fits {
                break i;
            }
        };
        let failed = spec.event_type == "login_failed";
        let outcome = match self.rng.gen_range(0..100) {
            _ if failed => "failure",
            0..=1 => "failure",
            2 => "denied",
            _ => "success",
        };
        let n = self.rng.gen_range(0..400);
        let resource_id = format!("{}_{n:04}", spec.resource);
        let resource_name = format!("{} #{n:04}", spec.resource.replace('_', " "));
        // Sign-ins are about the account itself, not some other resource.
        let resource = if is_auth {
            Value::Null
        } else {
            json!({ "type": spec.resource, "id": resource_id, "name": resource_name })
        };
        let (before, after, metadata) = self.change(spec.change, &resource_id);
        let actor = &self.actors[tenant][actor_index];
        // Failed sign-ins often come from somewhere else entirely.
        let ip = if failed && self.rng.gen_bool(0.6) {
            format!(
                "45.{}.{}.{}",
                self.rng.gen_range(1..250),
                self.rng.gen_range(1..250),
                self.rng.gen_range(1..250)
            )
        } else {
            actor.ip.clone()
        };
        let description = match spec.change {
            Change::Balance => format!(
                "{} {} #{n:04}: {} USD",
                actor.name, spec.verb, metadata["amount"]
            ),
            _ if is_auth => format!("{} {}", actor.name, spec.verb),
            _ => format!("{} {} #{n:04}", actor.name, spec.verb),
        };
        let severity = if spec.critical {
            "critical"
        } else if failed || outcome != "success" {
            "notice"
        } else {
            "info"
        };
        json!({
            "occurred_at": at.to_rfc3339_opts(SecondsFormat::Micros, true),
            "actor": { "id": actor.id, "name": actor.name, "email": actor.email, "type": actor.kind },
            "action": spec.action,
            "category": spec.category,
            "event_type": spec.event_type,
            "outcome": outcome,
            "severity": severity,
            "resource": resource,
            "ip": ip,
            "user_agent": AGENTS[actor_index % AGENTS.len()],
            "request_id": format!("req_{:012x}", self.rng.gen::<u64>() & 0xffff_ffff_ffff),
            "before": before,
            "after": after,
            "description": description,
            "metadata": metadata,
        })
    }

    fn change(&mut self, change: Change, resource_id: &str) -> (Value, Value, Value) {
        match change {
            Change::None => (
                Value::Null,
                Value::Null,
                json!({ "resource_id": resource_id }),
            ),
            Change::Create => {
                let plan = ["basic", "pro", "enterprise"]
                    .choose(&mut self.rng)
                    .copied()
                    .unwrap_or("basic");
                (
                    Value::Null,
                    json!({ "id": resource_id, "status": "active", "plan": plan }),
                    json!({ "resource_id": resource_id }),
                )
            }
            Change::Field(name, values) => {
                let a = self.rng.gen_range(0..values.len());
                let b = (a + self.rng.gen_range(1..values.len().max(2))) % values.len();
                (
                    json!({ name: values[a] }),
                    json!({ name: values[b] }),
                    json!({ "resource_id": resource_id }),
                )
            }
            Change::Balance => {
                let balance = self.rng.gen_range(100..50_000) as f64;
                let amount = (self.rng.gen_range(500..500_000) as f64) / 100.0;
                (
                    json!({ "balance": balance }),
                    json!({ "balance": balance + amount }),
                    json!({ "amount": amount, "currency": "USD" }),
                )
            }
        }
    }
}
