//! User agents are stored once, in a dictionary the events number into,
//! and read back as the text on every path.

use crate::support::{event, postgres_store, sqlite_store};
use app::store::{DbError, NewEvent, Store, TenantScope};
use futures::future::join_all;
use sqlx::Connection;

fn with_agent(minutes: i64, actor: &str, agent: &str) -> NewEvent {
    NewEvent {
        user_agent: Some(agent.to_string()),
        ..event(minutes, "user.login", actor)
    }
}

/// How many events each stored text is named by, by text.
const NAMED: &str = "SELECT u.text, (SELECT COUNT(*) FROM events e WHERE e.user_agent_id = u.id) \
                     FROM user_agents u ORDER BY u.text";

/// Appends the same agents from two tenants in one group and apart, with a
/// failing request that names a new agent first; each event the
/// store kept is read back with its text, and the failing one is gone.
async fn append_and_read(store: &dyn Store) {
    let acme = store.ensure_tenant("acme", "Acme").await.unwrap().id;
    let globex = store.ensure_tenant("globex", "Globex").await.unwrap().id;
    let stored = with_agent(0, "ann", "curl/8.5.0");
    store
        .append(acme, std::slice::from_ref(&stored), None)
        .await
        .unwrap();
    // The failing request (it repeats a stored id) is the first to name
    // "Firefox/133"; the requests after it in the group name it too.
    let bad = vec![with_agent(1, "bob", "Firefox/133"), stored.clone()];
    let good = vec![
        with_agent(2, "cy", "Firefox/133"),
        event(3, "user.login", "dee"),
    ];
    let other = vec![
        with_agent(4, "eve", "Firefox/133"),
        with_agent(5, "fay", "curl/8.5.0"),
    ];
    let outcomes = join_all([
        store.append(acme, &bad, None),
        store.append(acme, &good, None),
        store.append(globex, &other, None),
    ])
    .await;
    assert!(
        matches!(outcomes[0], Err(DbError::Sqlx(_))),
        "{:?}",
        outcomes[0]
    );
    assert!(outcomes[1].is_ok() && outcomes[2].is_ok(), "{outcomes:?}");
    let all = TenantScope::all_tenants();
    assert!(store.get_event(&all, &bad[0].id).await.unwrap().is_none());
    for sent in [&stored, &good[0], &good[1], &other[0], &other[1]] {
        let got = store
            .get_event(&all, &sent.id)
            .await
            .unwrap()
            .expect("kept");
        assert_eq!(got.user_agent, sent.user_agent, "{}", store.backend());
    }
}

fn expected_counts() -> Vec<(String, i64)> {
    vec![
        ("Firefox/133".into(), 2),
        ("curl/8.5.0".into(), 2),
        ("test-agent".into(), 1),
    ]
}

#[tokio::test]
async fn a_user_agent_named_by_many_events_of_several_tenants_is_stored_once_on_sqlite() {
    let store = sqlite_store().await;
    append_and_read(&store).await;
    let counts: Vec<(String, i64)> = sqlx::query_as(NAMED)
        .fetch_all(store.read_pool())
        .await
        .unwrap();
    assert_eq!(counts, expected_counts());
}

#[tokio::test]
async fn a_user_agent_named_by_many_events_of_several_tenants_is_stored_once_on_postgres() {
    let store = postgres_store().await;
    append_and_read(&store).await;
    let mut owner = store.owner_connection().await.unwrap();
    let counts: Vec<(String, i64)> = sqlx::query_as(NAMED).fetch_all(&mut owner).await.unwrap();
    owner.close().await.unwrap();
    assert_eq!(counts, expected_counts());
}
