//! What every handler can reach.

use crate::{config::Limits, ingest::Redactor};
use app::{
    auth::Sealer,
    export::ExportJobs,
    guard::{Limiters, TargetPolicy},
    integrity::RetentionPolicy,
    store::{Signer, Store},
};
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use leptos_axum::AxumRouteListing;
use std::{
    path::Path,
    sync::{Arc, LazyLock},
};

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Arc<dyn Store>,
    pub limits: Limits,
    pub redactor: Arc<Redactor>,
    pub routes: Vec<AxumRouteListing>,
    pub network: Network,
    /// Downloads in progress, for the progress line and Cancel.
    pub exports: ExportJobs,
    /// Signs checkpoints; its public half verifies them.
    pub signer: Arc<Signer>,
    /// Seals secrets stored in the database.
    pub sealer: Sealer,
    /// Default retention, shown on the Retention page.
    pub retention: RetentionPolicy,
    /// Where alert destinations may point.
    pub targets: TargetPolicy,
    /// Rate limits shared by every request this server answers.
    pub limiters: Limiters,
    /// A session ends this long after sign-in, however busy.
    pub session_max_age_us: i64,
    /// Serving demo data: the demo customer portal is shown.
    pub demo: bool,
}

/// How the server is reached.
#[derive(Clone, Debug, Default)]
pub struct Network {
    /// Believe `X-Forwarded-For` / `X-Forwarded-Proto` (behind a reverse proxy).
    pub trust_proxy: bool,
    /// Proxies in front of that one, skipped from the right of `X-Forwarded-For`.
    pub trusted_proxies: Arc<[ipnet::IpNet]>,
    /// Always mark cookies `Secure` (the public URL is https).
    pub secure_cookies: bool,
}

impl AppState {
    /// A state with a throwaway signing key (tests); the server passes the
    /// configured one with `with_signer`.
    pub fn new(store: Arc<dyn Store>, site_root: &Path, limits: Limits) -> Self {
        let leptos_options = LeptosOptions::builder()
            .output_name("logbook")
            .site_root(site_root.display().to_string())
            .site_pkg_dir("pkg")
            .build();
        let routes = route_list();
        AppState {
            leptos_options,
            store,
            limits,
            redactor: Arc::new(Redactor::default()),
            routes,
            network: Network::default(),
            exports: ExportJobs::default(),
            signer: Arc::new(Signer::generate().0),
            sealer: Sealer::generate().0,
            retention: RetentionPolicy::default(),
            targets: TargetPolicy::default(),
            limiters: Limiters::default(),
            session_max_age_us: app::auth::MAX_SESSION_AGE_US,
            demo: false,
        }
    }

    /// Shows the demo customer portal (`/demo/portal`).
    pub fn with_demo(mut self, demo: bool) -> Self {
        self.demo = demo;
        self
    }

    pub fn with_session_max_age(mut self, max_age: std::time::Duration) -> Self {
        self.session_max_age_us = max_age.as_micros().min(i64::MAX as u128) as i64;
        self
    }

    /// Lets alert destinations name private addresses (on-premise receivers).
    pub fn with_targets(mut self, targets: TargetPolicy) -> Self {
        self.targets = targets;
        self
    }

    pub fn with_retention(mut self, retention: RetentionPolicy) -> Self {
        self.retention = retention;
        self
    }

    pub fn with_sealer(mut self, sealer: Sealer) -> Self {
        self.sealer = sealer;
        self
    }

    pub fn with_signer(mut self, signer: Arc<Signer>) -> Self {
        self.signer = signer;
        self
    }

    /// Replaces the default redaction rules (the configured extra words).
    pub fn with_redactor(mut self, redactor: Redactor) -> Self {
        self.redactor = Arc::new(redactor);
        self
    }

    /// How the server is reached: behind proxies or not, over TLS or not.
    pub fn with_network(mut self, network: Network) -> Self {
        self.network = network;
        self
    }
}

/// The app's routes, generated once per process. Generating them renders the
/// app with resource loading suppressed by a process-wide flag, and a page
/// whose resource first polls meanwhile waits forever (leptos-rs/leptos#4773):
/// the HTTP tests start many servers in one process while others render.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: LazyLock<Vec<AxumRouteListing>> =
        LazyLock::new(|| leptos_axum::generate_route_list(app::App));
    ROUTES.clone()
}
