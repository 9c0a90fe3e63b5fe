//! Almanach served in the bench's process, and the benches' own minimal
//! HTTP/1.1 client: one request at a time on a
//! keep-alive connection, the whole answer read (by length or chunks). Its
//! cost is small and the same for every route, so ratios between routes
//! measure the server.

use std::net::SocketAddr;

use almanach_store::Store;
use almanach_web::{AppState, Rate, WebConfig};
use anyhow::{Context, Result, bail};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

/// Almanach over `store` on a loopback port of this process, registration
/// limits off: its address, and the task serving (abort it to stop).
pub async fn start(store: Store) -> Result<(SocketAddr, JoinHandle<std::io::Result<()>>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let config = WebConfig {
        rate_limit_ip: Rate::OFF,
        rate_limit_email: Rate::OFF,
        public_url: Some(format!("http://{addr}")),
        ..WebConfig::default()
    };
    let app = almanach_web::router(AppState::new(store, config));
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    Ok((addr, server))
}

/// Sends one request and reads the whole answer: its status and body.
pub async fn exchange(
    conn: &mut BufReader<TcpStream>,
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<(u16, Vec<u8>)> {
    let (status, _, body) = answer(conn, addr, method, path, headers, body).await?;
    Ok((status, body))
}

/// `exchange`, with the answer's headers (name in lower case, value).
pub async fn answer(
    conn: &mut BufReader<TcpStream>,
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<(u16, Vec<(String, String)>, Vec<u8>)> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    conn.get_mut().write_all(head.as_bytes()).await?;
    conn.get_mut().write_all(body).await?;
    let mut line = String::new();
    if conn.read_line(&mut line).await? == 0 {
        bail!("connection closed");
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("status line {line:?}"))?;
    let (mut length, mut chunked) = (0usize, false);
    let mut got = Vec::new();
    loop {
        line.clear();
        conn.read_line(&mut line).await?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (name, value) = l.split_once(':').unwrap_or((l, ""));
        if name.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse()?;
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.to_ascii_lowercase().contains("chunked");
        }
        got.push((name.to_ascii_lowercase(), value.trim().to_string()));
    }
    let mut answer = Vec::new();
    if status == 304 || status == 204 {
        return Ok((status, got, answer));
    }
    if chunked {
        loop {
            line.clear();
            conn.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim(), 16)?;
            let mut chunk = vec![0; size + 2];
            conn.read_exact(&mut chunk).await?;
            if size == 0 {
                break;
            }
            answer.extend_from_slice(&chunk[..size]);
        }
    } else {
        answer.resize(length, 0);
        conn.read_exact(&mut answer).await?;
    }
    Ok((status, got, answer))
}
