//! Serving a simulator on a loopback port. The listener is bound first so that the
//! simulator can know its own base URL (it appears in `Location` headers, form URLs,
//! webhook payloads) before its router is built.

use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A bound loopback listener and the base URL it answers on (no trailing slash).
pub struct Bound {
    pub listener: TcpListener,
    pub addr: SocketAddr,
    pub base_url: String,
}

/// Binds `127.0.0.1:port` (0 = any free port).
pub async fn bind_local(port: u16) -> std::io::Result<Bound> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    Ok(Bound {
        listener,
        addr,
        base_url: format!("http://{addr}"),
    })
}

/// Serves `router` on `listener` until the task is aborted.
pub fn serve(listener: TcpListener, router: Router) -> JoinHandle<()> {
    tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        if let Err(err) = axum::serve(listener, service).await {
            tracing::error!(%err, "simulator server stopped");
        }
    })
}
