//! Server functions: thin, stable endpoints between the pages and the store.
//! Each starts with an access check (`access`), which is where the caller's
//! tenant scope comes from.

#[cfg(feature = "ssr")]
mod access;
#[cfg(feature = "ssr")]
mod alert_forms;
mod alerts;
mod analytics;
mod auth;
mod chains;
mod embed;
mod embedding;
mod events;
mod exports;
mod keys;
mod notes;
#[cfg(feature = "ssr")]
mod sign_in;
mod team;
#[cfg(feature = "ssr")]
mod team_rules;
mod tenants;
mod views;

#[cfg(feature = "ssr")]
pub use access::Db;
pub use alerts::{
    delete_alert_destination, delete_alert_rule, load_alerts, preview_alert_rule,
    save_alert_destination, save_alert_rule, test_alert_destination, AlertsOverview,
    DeleteAlertDestination, DeleteAlertRule, DestinationForm, LoadAlerts, PreviewAlertRule,
    RuleForm, RulePreview, SaveAlertDestination, SaveAlertRule, TestAlertDestination,
};
pub use analytics::{load_analytics, load_sparkline, LoadAnalytics, LoadSparkline, TZ_COOKIE};
pub use auth::{
    begin_totp, change_password, confirm_totp, current_viewer, disable_totp, sign_in, sign_out,
    verify_code, BeginTotp, ChangePassword, ConfirmTotp, DisableTotp, SignIn, SignInStep, SignOut,
    TotpEnrolment, VerifyCode,
};
pub use chains::{
    load_integrity, sign_checkpoint, verify_chain, LoadIntegrity, SignCheckpoint, VerifyChain,
};
pub use embed::{open_viewer, viewer_event, viewer_events};
pub use embedding::{list_embed_origins, save_embed_origins, EmbedOrigins, SaveEmbedOrigins};
pub use events::{get_event, list_events, list_tenants, suggest_actors, SuggestActors};
pub use exports::{cancel_export, export_progress, CancelExport, ExportProgress};
pub use keys::{
    create_api_key, list_api_keys, revoke_api_key, CreateApiKey, CreatedKey, RevokeApiKey,
};
pub use notes::{add_comment, add_tag, list_notes, AddComment, AddTag, ListNotes};
pub use team::{
    create_member, list_members, reset_member_password, set_member_active, update_member,
    CreateMember, CreatedMember, MemberForm, ResetMemberPassword, SetMemberActive, UpdateMember,
};
pub use tenants::{load_settings, update_settings, LoadSettings, UpdateSettings};
pub use views::{delete_view, list_views, save_view, DeleteView, ListViews, SaveView};
