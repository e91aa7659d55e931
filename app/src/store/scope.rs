//! The handle that decides which tenants' rows a caller may read.

/// Which tenants a store call may touch. Every read takes one, so the data
/// layer, not the page, enforces isolation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantScope(Inner);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Inner {
    All,
    One(i64),
}

impl TenantScope {
    /// Every tenant: for staff-wide views and operator commands.
    pub fn all_tenants() -> Self {
        TenantScope(Inner::All)
    }

    /// Exactly one tenant, e.g. the tenant an API key is bound to.
    pub fn tenant(id: i64) -> Self {
        TenantScope(Inner::One(id))
    }

    /// The single tenant this scope is limited to, if any.
    pub fn tenant_id(&self) -> Option<i64> {
        match self.0 {
            Inner::All => None,
            Inner::One(id) => Some(id),
        }
    }
}
