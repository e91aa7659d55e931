//! Binding a listener and serving until shutdown.

use super::{router, AppState};
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// A server bound to a port (0 picks a free one) and ready to run.
pub struct Bound {
    pub addr: SocketAddr,
    listener: TcpListener,
    state: AppState,
}

pub async fn bind(state: AppState, addr: SocketAddr) -> std::io::Result<Bound> {
    let listener = TcpListener::bind(addr).await?;
    Ok(Bound {
        addr: listener.local_addr()?,
        listener,
        state,
    })
}

impl Bound {
    /// Serves until Ctrl-C or SIGTERM; requests in flight finish first.
    pub async fn run(self) -> std::io::Result<()> {
        axum::serve(self.listener, service(self.state))
            .with_graceful_shutdown(shutdown_signal())
            .await
    }

    /// Serves in the background (tests and benchmarks).
    pub fn spawn(self) -> SocketAddr {
        let addr = self.addr;
        tokio::spawn(async move { axum::serve(self.listener, service(self.state)).await });
        addr
    }
}

/// The router, told each connection's peer address (for the self-log's IPs).
fn service(
    state: AppState,
) -> axum::extract::connect_info::IntoMakeServiceWithConnectInfo<axum::Router, SocketAddr> {
    router(state).into_make_service_with_connect_info::<SocketAddr>()
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
