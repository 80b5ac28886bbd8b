//! `/metrics` (Prometheus text) and `/healthz` (200 when a full refresh succeeded recently, else 503) over
//! plain HTTP/1.1: one request per connection, nothing else served.
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::metrics::Metrics;

/// Serves `metrics` on `listener` until `shutdown` changes. `max_age_seconds`: how old the last refresh may
/// be for `/healthz` to say healthy.
pub async fn serve(
    listener: TcpListener,
    metrics: Arc<Metrics>,
    max_age_seconds: u64,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((mut stream, _)) = accepted else { continue };
                let metrics = metrics.clone();
                tokio::spawn(async move {
                    let mut request = [0u8; 1024];
                    let Ok(read) = stream.read(&mut request).await else { return };
                    let response = respond(&String::from_utf8_lossy(&request[..read]), &metrics, max_age_seconds);
                    let _ = stream.write_all(response.as_bytes()).await;
                });
            }
            _ = shutdown.changed() => return,
        }
    }
}

/// The whole HTTP response to `request`.
fn respond(request: &str, metrics: &Metrics, max_age_seconds: u64) -> String {
    let path = request.lines().next().and_then(|line| line.split_whitespace().nth(1)).unwrap_or("");
    let (status, content_type, body) = match path {
        "/metrics" => ("200 OK", "text/plain; version=0.0.4", metrics.render()),
        "/healthz" => {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
            if metrics.is_healthy(now, max_age_seconds) {
                ("200 OK", "text/plain", "ok\n".to_string())
            } else {
                ("503 Service Unavailable", "text/plain", "no recent refresh\n".to_string())
            }
        }
        _ => ("404 Not Found", "text/plain", "not found\n".to_string()),
    };
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// GETs `path` from `address` and returns (status line, body): what a scraper (or a test) sees.
pub async fn get(address: &str, path: &str) -> std::io::Result<(String, String)> {
    let mut stream = tokio::net::TcpStream::connect(address).await?;
    stream.write_all(format!("GET {path} HTTP/1.1\r\nHost: {address}\r\n\r\n").as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    Ok((head.lines().next().unwrap_or("").to_string(), body.to_string()))
}
