//! Accounts: members, sessions, second factors, sign-in throttling and API
//! keys as the team page lists them.

pub(crate) mod api;
pub(crate) mod rows;
pub(crate) mod sql;

pub use api::{
    AccountStore, ActiveSession, FailureCounts, Member, MemberChange, NewAccount, NewSession,
    SessionStage, SignInRecord,
};
