//! A tiny SMTP server for tests (RFC 5321, enough for lettre): EHLO/HELO,
//! MAIL FROM, RCPT TO, DATA with dot-unstuffing, RSET, NOOP, QUIT. It keeps
//! what it received and can be told to refuse, to play an outage. Each test
//! starts its own on port 0.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// How the server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Accept,
    /// `421` at once on connection: the service is down.
    Down,
    /// `451` to MAIL FROM: try again later.
    Busy,
    /// `550` to RCPT TO: no such mailbox, for good.
    NoSuchUser,
}

/// One message as received: the envelope and the data, unstuffed.
#[derive(Debug, Clone)]
pub struct Received {
    /// The name the client gave in EHLO or HELO.
    pub hello: String,
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

#[derive(Default)]
struct State {
    mode: Option<Mode>,
    received: Vec<Received>,
    connections: usize,
}

#[derive(Clone)]
pub struct TestSmtp {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl TestSmtp {
    pub async fn start() -> TestSmtp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = shared.clone();
                tokio::spawn(async move {
                    let _ = session(stream, state).await;
                });
            }
        });
        TestSmtp { addr, state }
    }

    /// The URL the worker is given: plain SMTP on loopback.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn set(&self, mode: Mode) {
        self.state.lock().unwrap().mode = Some(mode);
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    pub fn connections(&self) -> usize {
        self.state.lock().unwrap().connections
    }
}

async fn session(stream: TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    let mode = {
        let mut s = state.lock().unwrap();
        s.connections += 1;
        s.mode.unwrap_or(Mode::Accept)
    };
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    if mode == Mode::Down {
        write
            .write_all(b"421 4.3.2 test server down, try later\r\n")
            .await?;
        return Ok(());
    }
    write.write_all(b"220 test.smtp ESMTP ready\r\n").await?;
    let (mut hello, mut from, mut to) = (String::new(), String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_string();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" | "HELO" => {
                hello = command[4..].trim().to_string();
                if verb == "EHLO" {
                    b"250-test.smtp greets you\r\n250 8BITMIME\r\n"
                } else {
                    b"250 test.smtp\r\n"
                }
            }
            "MAIL" if mode == Mode::Busy => b"451 4.3.0 busy, try again later\r\n",
            "MAIL" => {
                from = address(&command);
                to.clear();
                b"250 2.1.0 ok\r\n"
            }
            "RCPT" if mode == Mode::NoSuchUser => b"550 5.1.1 no such user here\r\n",
            "RCPT" => {
                to.push(address(&command));
                b"250 2.1.5 ok\r\n"
            }
            "DATA" => {
                write
                    .write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    // Dot-unstuffing: a line starting with a dot was sent with two.
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                state.lock().unwrap().received.push(Received {
                    hello: hello.clone(),
                    from: from.clone(),
                    to: to.clone(),
                    data,
                });
                b"250 2.0.0 queued\r\n"
            }
            "RSET" => {
                from.clear();
                to.clear();
                b"250 2.0.0 ok\r\n"
            }
            "NOOP" => b"250 2.0.0 ok\r\n",
            "QUIT" => {
                write.write_all(b"221 2.0.0 bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 5.5.2 command not implemented\r\n",
        };
        write.write_all(reply).await?;
    }
}

/// `MAIL FROM:<a@b> BODY=8BITMIME` → `a@b`.
fn address(command: &str) -> String {
    let start = command.find('<').map_or(0, |i| i + 1);
    let end = command[start..]
        .find('>')
        .map_or(command.len(), |i| start + i);
    command[start..end].to_string()
}
