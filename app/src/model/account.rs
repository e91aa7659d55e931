//! Who uses the dashboard: roles, the permissions a role allows, and what the
//! browser is told about the signed-in person.

use super::{ParseEnumError, Tenant};
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

super::event::vocabulary!(
    /// What a dashboard account is. The role caps the permissions a member can hold.
    Role, "role", {
        Admin => "admin",
        Auditor => "auditor",
        Partner => "partner",
        Staff => "staff",
        Customer => "customer",
    }
);

super::event::vocabulary!(
    /// A finer grant an admin gives a member, within what the role allows.
    Permission, "permission", {
        ViewLogs => "view_logs",
        Export => "export",
        ManageKeys => "manage_keys",
        ManageAlerts => "manage_alerts",
        Annotate => "annotate",
    }
);

impl Role {
    /// Every permission the role can hold; grants outside it never count.
    pub fn ceiling(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Admin | Role::Partner => Permission::ALL,
            // Read-only by definition: an auditor can never manage anything.
            Role::Auditor => &[ViewLogs, Export],
            Role::Staff | Role::Customer => &[],
        }
    }

    /// Whether members of this role belong to one tenant (and see only it).
    pub fn is_tenant_bound(self) -> bool {
        self == Role::Partner
    }

    /// Whether the role reads every tenant's log.
    pub fn sees_all_tenants(self) -> bool {
        matches!(self, Role::Admin | Role::Auditor)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Auditor => "Auditor",
            Role::Partner => "Partner",
            Role::Staff => "Staff",
            Role::Customer => "Customer",
        }
    }
}

impl Permission {
    pub fn label(self) -> &'static str {
        match self {
            Permission::ViewLogs => "View logs",
            Permission::Export => "Export",
            Permission::ManageKeys => "Manage API keys",
            Permission::ManageAlerts => "Manage alert rules",
            Permission::Annotate => "Comment and tag entries",
        }
    }
}

/// A set of permissions, stored as comma-separated names.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions(Vec<Permission>);

impl Permissions {
    pub fn new(list: impl IntoIterator<Item = Permission>) -> Self {
        let mut set = Permissions::default();
        for p in list {
            set.insert(p);
        }
        set
    }

    pub fn insert(&mut self, p: Permission) {
        if !self.0.contains(&p) {
            self.0.push(p);
            self.0.sort_by_key(|p| p.as_str());
        }
    }

    pub fn contains(&self, p: Permission) -> bool {
        self.0.contains(&p)
    }

    pub fn iter(&self) -> impl Iterator<Item = Permission> + '_ {
        self.0.iter().copied()
    }

    /// What a member of `role` holding these grants may actually do.
    pub fn effective(&self, role: Role) -> Permissions {
        if role == Role::Admin {
            return Permissions::new(Permission::ALL.iter().copied());
        }
        Permissions::new(self.iter().filter(|p| role.ceiling().contains(p)))
    }

    pub fn to_db(&self) -> String {
        self.0
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Parses stored grants; unknown names (from a newer version) are ignored
    /// rather than granting anything.
    pub fn from_db(text: &str) -> Permissions {
        Permissions::new(text.split(',').filter_map(|p| p.trim().parse().ok()))
    }
}

/// The signed-in person as the pages see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub account_id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// The tenant a partner is limited to.
    pub tenant: Option<Tenant>,
    /// Effective permissions (already capped by the role).
    pub permissions: Permissions,
    pub totp_enabled: bool,
}

impl Viewer {
    pub fn can(&self, p: Permission) -> bool {
        self.permissions.contains(p)
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// One row of the team page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberInfo {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub tenant: Option<String>,
    /// As granted (the role may cap them).
    pub permissions: Permissions,
    pub totp_enabled: bool,
    pub active: bool,
    pub created_at: i64,
    pub last_sign_in_at: Option<i64>,
}

/// One row of the API keys page: never the secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyInfo {
    pub id: i64,
    pub tenant: String,
    pub prefix: String,
    pub name: String,
    /// What the key may do.
    pub scopes: KeyScopes,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl fmt::Display for Viewer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.email, self.role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_auditor_never_holds_a_managing_permission_even_when_granted() {
        let granted = Permissions::new(Permission::ALL.iter().copied());
        let effective = granted.effective(Role::Auditor);
        assert!(effective.contains(Permission::ViewLogs));
        assert!(!effective.contains(Permission::ManageKeys));
        assert!(!effective.contains(Permission::ManageAlerts));
    }

    #[test]
    fn staff_and_customers_hold_nothing_and_admins_hold_everything() {
        let granted = Permissions::new([Permission::ViewLogs]);
        assert_eq!(granted.effective(Role::Staff), Permissions::default());
        assert_eq!(granted.effective(Role::Customer), Permissions::default());
        assert_eq!(
            Permissions::default().effective(Role::Admin).iter().count(),
            Permission::ALL.len()
        );
    }

    #[test]
    fn permissions_round_trip_through_the_database_text_and_ignore_unknown_names() {
        let set = Permissions::new([Permission::Export, Permission::ViewLogs]);
        assert_eq!(set.to_db(), "export,view_logs");
        assert_eq!(Permissions::from_db("export,view_logs,fly"), set);
        assert_eq!(Permissions::from_db(""), Permissions::default());
    }
}

super::event::vocabulary!(
    /// One thing an API key may do.
    KeyScope, "scope", {
        Ingest => "ingest",
        Read => "read",
        Export => "export",
    }
);

/// What an API key may do: stored as its scopes' names, comma-separated
/// (`ingest`, `ingest,read,export`, …).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyScopes {
    /// Send events (`POST /api/v1/events`).
    pub ingest: bool,
    /// Read the tenant's log page by page (`GET /api/v1/events`).
    pub read: bool,
    /// Export the tenant's log as one file (`GET /api/v1/events/export`).
    pub export: bool,
}

impl KeyScopes {
    /// What a key may do when nobody chose: send events, nothing more.
    pub const INGEST: KeyScopes = KeyScopes {
        ingest: true,
        read: false,
        export: false,
    };

    /// Every scope: the demo's and the tests' keys.
    pub const ALL: KeyScopes = KeyScopes {
        ingest: true,
        read: true,
        export: true,
    };

    pub fn allows(self, scope: KeyScope) -> bool {
        match scope {
            KeyScope::Ingest => self.ingest,
            KeyScope::Read => self.read,
            KeyScope::Export => self.export,
        }
    }

    pub fn with(mut self, scope: KeyScope) -> Self {
        match scope {
            KeyScope::Ingest => self.ingest = true,
            KeyScope::Read => self.read = true,
            KeyScope::Export => self.export = true,
        }
        self
    }

    pub fn is_empty(self) -> bool {
        self == KeyScopes::default()
    }
}

impl fmt::Display for KeyScopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = KeyScope::ALL
            .iter()
            .filter(|s| self.allows(**s))
            .map(|s| s.as_str())
            .collect();
        f.write_str(&names.join(","))
    }
}

impl FromStr for KeyScopes {
    type Err = ParseEnumError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .try_fold(KeyScopes::default(), |scopes, name| {
                Ok(scopes.with(name.parse::<KeyScope>()?))
            })
    }
}

#[cfg(test)]
mod scope_tests {
    use super::*;

    #[test]
    fn key_scopes_read_and_write_as_a_comma_list() {
        let both: KeyScopes = "ingest,read".parse().unwrap();
        assert!(both.allows(KeyScope::Ingest) && both.allows(KeyScope::Read));
        assert_eq!(both.to_string(), "ingest,read");
        let ingest: KeyScopes = "ingest".parse().unwrap();
        assert_eq!(ingest, KeyScopes::INGEST);
        assert!(!ingest.allows(KeyScope::Read) && !ingest.allows(KeyScope::Export));
        let all: KeyScopes = " export, read ,ingest".parse().unwrap();
        assert_eq!(all.to_string(), "ingest,read,export");
        assert!("delete".parse::<KeyScopes>().is_err());
    }
}
