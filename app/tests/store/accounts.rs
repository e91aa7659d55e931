//! Accounts, sessions, sign-in failures and API-key management on both backends.

use crate::support::backends;
use app::{
    model::{Permission, Permissions, Role},
    store::{DbError, NewAccount, NewApiKey, NewSession, SessionStage, Store, TenantScope},
};

fn account(email: &str, role: Role, tenant_id: Option<i64>) -> NewAccount {
    NewAccount {
        email: email.into(),
        name: "Someone".into(),
        role,
        tenant_id,
        permissions: Permissions::new(role.ceiling().iter().copied()),
        password_hash: "$argon2id$stub".into(),
        created_by: None,
    }
}

fn session(token_hash: &str, account_id: i64, stage: SessionStage, now: i64) -> NewSession {
    NewSession {
        token_hash: token_hash.into(),
        account_id,
        stage,
        now,
        expires_at: now + 1_000,
        ip: Some("198.51.100.1".into()),
        user_agent: None,
    }
}

#[tokio::test]
async fn a_session_resolves_to_its_member_until_it_expires_or_the_account_is_deactivated() {
    for store in backends().await {
        let acme = store.ensure_tenant("acme", "Acme").await.unwrap();
        let id = store
            .create_account(&account("p@acme.io", Role::Partner, Some(acme.id)))
            .await
            .unwrap();
        store
            .create_session(&session("h1", id, SessionStage::Full, 100))
            .await
            .unwrap();
        let active = store.session("h1", 500).await.unwrap().unwrap();
        let (stage, member) = (active.stage, active.member);
        assert_eq!(stage, SessionStage::Full);
        assert_eq!(member.tenant().unwrap().slug, "acme");
        assert_eq!(member.scope(), TenantScope::tenant(acme.id));
        assert!(
            store.session("h1", 1_100).await.unwrap().is_none(),
            "expired"
        );
        store
            .touch_session("h1", 100_000_000, 200_000_000)
            .await
            .unwrap();
        assert!(
            store.session("h1", 150_000_000).await.unwrap().is_some(),
            "extended"
        );
        store.set_active(id, false, 5).await.unwrap();
        assert!(
            store.session("h1", 150_000_000).await.unwrap().is_none(),
            "{}",
            store.backend()
        );
        assert!(store.member(id).await.unwrap().is_none());
        store.set_active(id, true, 6).await.unwrap();
        assert!(
            store.session("h1", 150_000_000).await.unwrap().is_none(),
            "sessions stay ended"
        );
        assert!(store.member(id).await.unwrap().is_some());
    }
}

#[tokio::test]
async fn a_half_signed_in_session_counts_code_attempts_and_a_new_password_ends_all_sessions() {
    for store in backends().await {
        let id = store
            .create_account(&account("a@x.io", Role::Auditor, None))
            .await
            .unwrap();
        store
            .create_session(&session("otp", id, SessionStage::AwaitingOtp, 0))
            .await
            .unwrap();
        assert_eq!(
            store.session("otp", 1).await.unwrap().unwrap().stage,
            SessionStage::AwaitingOtp
        );
        assert_eq!(store.otp_attempted("otp").await.unwrap(), 1);
        assert_eq!(store.otp_attempted("otp").await.unwrap(), 2);
        store
            .create_session(&session("other", id, SessionStage::Full, 0))
            .await
            .unwrap();
        store.set_password(id, "$argon2id$new", true).await.unwrap();
        assert!(store.session("otp", 1).await.unwrap().is_none());
        assert!(store.session("other", 1).await.unwrap().is_none());
        assert_eq!(
            store
                .sign_in_record("a@x.io")
                .await
                .unwrap()
                .unwrap()
                .password_hash,
            "$argon2id$new"
        );
    }
}

#[tokio::test]
async fn an_email_can_belong_to_one_account_only() {
    for store in backends().await {
        store
            .create_account(&account("dup@x.io", Role::Admin, None))
            .await
            .unwrap();
        let err = store
            .create_account(&account("dup@x.io", Role::Auditor, None))
            .await
            .unwrap_err();
        assert!(
            matches!(err, DbError::Conflict(_)),
            "{} {err}",
            store.backend()
        );
    }
}

#[tokio::test]
async fn a_role_that_reads_all_tenants_cannot_be_bound_to_one_and_a_partner_must_be() {
    for store in backends().await {
        let acme = store.ensure_tenant("acme", "Acme").await.unwrap();
        assert!(store
            .create_account(&account("a@x.io", Role::Admin, Some(acme.id)))
            .await
            .is_err());
        assert!(store
            .create_account(&account("p@x.io", Role::Partner, None))
            .await
            .is_err());
    }
}

#[tokio::test]
async fn failed_sign_ins_are_counted_per_email_and_per_address_within_the_window() {
    for store in backends().await {
        for at in [10, 20, 30] {
            store
                .record_sign_in_failure("v@x.io", Some("203.0.113.5"), at)
                .await
                .unwrap();
        }
        store
            .record_sign_in_failure("w@x.io", Some("203.0.113.5"), 40)
            .await
            .unwrap();
        let counts = store
            .sign_in_failures("v@x.io", Some("203.0.113.5"), 15)
            .await
            .unwrap();
        assert_eq!((counts.by_email, counts.oldest_by_email), (2, Some(20)));
        assert_eq!((counts.by_ip, counts.oldest_by_ip), (3, Some(20)));
        let none = store.sign_in_failures("new@x.io", None, 0).await.unwrap();
        assert_eq!((none.by_email, none.by_ip), (0, 0));
    }
}

#[tokio::test]
async fn api_keys_are_listed_and_revoked_only_within_the_scope() {
    for store in backends().await {
        let acme = store.ensure_tenant("acme", "Acme").await.unwrap();
        let globex = store.ensure_tenant("globex", "Globex").await.unwrap();
        let creator = store
            .create_account(&account("adm@x.io", Role::Admin, None))
            .await
            .unwrap();
        let key = |tenant_id, prefix: &str| NewApiKey {
            tenant_id,
            prefix: prefix.into(),
            secret_hash: "h".into(),
            name: prefix.into(),
            created_by: Some(creator),
            scopes: app::model::KeyScopes::ALL,
        };
        store
            .insert_api_key(&key(acme.id, "acmekey1"))
            .await
            .unwrap();
        let theirs = store
            .insert_api_key(&key(globex.id, "globkey1"))
            .await
            .unwrap();
        let acme_scope = TenantScope::tenant(acme.id);
        let listed = store.list_api_keys(&acme_scope).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].created_by.as_deref(), Some("adm@x.io"));
        assert!(store
            .revoke_api_key(&acme_scope, theirs.id, 7)
            .await
            .unwrap()
            .is_none());
        assert!(store
            .api_key_by_prefix("globkey1")
            .await
            .unwrap()
            .unwrap()
            .revoked_at
            .is_none());
        let revoked = store
            .revoke_api_key(&TenantScope::all_tenants(), theirs.id, 7)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(revoked.revoked_at, Some(7));
        assert_eq!(
            store
                .list_api_keys(&TenantScope::all_tenants())
                .await
                .unwrap()
                .len(),
            2
        );
    }
}

#[tokio::test]
async fn member_permissions_are_capped_by_the_role() {
    for store in backends().await {
        let mut auditor = account("aud@x.io", Role::Auditor, None);
        auditor.permissions = Permissions::new(Permission::ALL.iter().copied());
        let id = store.create_account(&auditor).await.unwrap();
        let member = store.member(id).await.unwrap().unwrap();
        assert!(member.can(Permission::Export));
        assert!(!member.can(Permission::ManageKeys));
        assert!(member.scope().is_all());
    }
}

#[tokio::test]
async fn the_reserved_tenant_for_logbooks_own_log_exists_after_migration() {
    for store in backends().await {
        let own = store.tenant_by_slug("logbook").await.unwrap();
        assert!(own.is_some(), "{}", store.backend());
        let _: &dyn Store = &*store;
    }
}
