//! The handle that decides which tenants' rows a caller may read.

use super::{backend::Dialect, sql::Sql};

/// Which tenants a store call may touch. Every read takes one, so the data
/// layer, not the page, enforces isolation. Requests get theirs only from a
/// signed-in `Member` (see `Member::scope`); the constructors here are for
/// operator commands, tests and benchmarks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantScope(Inner);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Inner {
    All,
    One(i64),
    Nothing,
}

impl TenantScope {
    /// Every tenant: for staff-wide views and operator commands.
    pub fn all_tenants() -> Self {
        TenantScope(Inner::All)
    }

    /// Exactly one tenant.
    pub fn tenant(id: i64) -> Self {
        TenantScope(Inner::One(id))
    }

    /// No tenant at all: what an account with no log access reads.
    pub fn nothing() -> Self {
        TenantScope(Inner::Nothing)
    }

    /// The single tenant this scope is limited to, if any.
    pub fn tenant_id(&self) -> Option<i64> {
        match self.0 {
            Inner::One(id) => Some(id),
            Inner::All | Inner::Nothing => None,
        }
    }

    /// Whether a row owned by `tenant_id` (none: staff-wide) is in scope.
    pub fn allows(&self, tenant_id: Option<i64>) -> bool {
        match self.0 {
            Inner::All => true,
            Inner::One(id) => tenant_id == Some(id),
            Inner::Nothing => false,
        }
    }

    pub fn is_all(&self) -> bool {
        self.0 == Inner::All
    }

    /// Appends ` AND <column> …` restricting a query to the scope.
    pub(crate) fn push_sql<D: Dialect>(&self, qb: &mut Sql<D>, column: &str) {
        match self.0 {
            Inner::All => {}
            Inner::One(id) => {
                qb.push(format!(" AND {column} = ")).push_bind(id);
            }
            Inner::Nothing => {
                qb.push(" AND 1 = 0");
            }
        }
    }

    /// The per-transaction setting PostgreSQL's row-level security reads:
    /// `*`, one tenant id, or empty for nothing.
    pub(crate) fn rls_setting(&self) -> String {
        match self.0 {
            Inner::All => "*".into(),
            Inner::One(id) => id.to_string(),
            Inner::Nothing => String::new(),
        }
    }
}
