//! Real local receivers for alert tests: an HTTP server standing in for
//! Slack, Telegram and webhooks, and a small SMTP server that keeps what it
//! is sent.

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode, Uri},
    routing::post,
    Router,
};
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

/// One request as the receiver saw it.
#[derive(Clone, Debug)]
pub(crate) struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Received {
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    pub(crate) fn header(&self, name: &str) -> String {
        self.headers[name].to_str().unwrap().to_string()
    }
}

#[derive(Default)]
struct Inbox {
    received: Vec<Received>,
    /// Answer 500 to this many requests first.
    fail_first: usize,
    seen: usize,
    delay: Duration,
}

/// An HTTP receiver on a free loopback port.
#[derive(Clone)]
pub(crate) struct HttpReceiver {
    pub base: String,
    inbox: Arc<Mutex<Inbox>>,
}

impl HttpReceiver {
    pub(crate) async fn start() -> HttpReceiver {
        Self::failing(0, Duration::ZERO).await
    }

    /// Answers 500 to the first `fail_first` requests, and takes `delay` for each.
    pub(crate) async fn failing(fail_first: usize, delay: Duration) -> HttpReceiver {
        let inbox = Arc::new(Mutex::new(Inbox {
            fail_first,
            delay,
            ..Inbox::default()
        }));
        let router = Router::new()
            .route("/{*path}", post(receive))
            .with_state(inbox.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        HttpReceiver {
            base: format!("http://{addr}"),
            inbox,
        }
    }

    /// Requests answered with success.
    pub(crate) fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().received.clone()
    }

    /// Every request, failed or not.
    pub(crate) fn attempts(&self) -> usize {
        self.inbox.lock().unwrap().seen
    }

    /// Waits (up to 30 s) until `n` requests have succeeded.
    pub(crate) async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..600 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{} of {n} notifications arrived", self.received().len());
    }
}

async fn receive(
    State(inbox): State<Arc<Mutex<Inbox>>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let (fail, delay) = {
        let mut inbox = inbox.lock().unwrap();
        inbox.seen += 1;
        (inbox.seen <= inbox.fail_first, inbox.delay)
    };
    tokio::time::sleep(delay).await;
    if fail {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    inbox.lock().unwrap().received.push(Received {
        path: uri.path().to_string(),
        headers,
        body,
    });
    StatusCode::OK
}

/// A minimal SMTP server: accepts every message and keeps its DATA.
#[derive(Clone)]
pub(crate) struct SmtpSink {
    pub port: u16,
    messages: Arc<Mutex<Vec<String>>>,
}

impl SmtpSink {
    pub(crate) async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let kept = messages.clone();
        tokio::spawn(async move {
            loop {
                let (socket, _) = listener.accept().await.unwrap();
                tokio::spawn(session(socket, kept.clone()));
            }
        });
        SmtpSink { port, messages }
    }

    /// Waits (up to 30 s) for the first message.
    pub(crate) async fn wait_for_message(&self) -> String {
        for _ in 0..600 {
            if let Some(m) = self.messages.lock().unwrap().first() {
                return m.clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no email arrived");
    }
}

async fn session(socket: tokio::net::TcpStream, messages: Arc<Mutex<Vec<String>>>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
    let mut data: Option<String> = None;
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(body) = data.as_mut() {
            if line == "." {
                messages.lock().unwrap().push(data.take().unwrap());
                write.write_all(b"250 queued\r\n").await.unwrap();
            } else {
                body.push_str(line.strip_prefix('.').unwrap_or(&line));
                body.push('\n');
            }
            continue;
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
            "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 ok\r\n",
            "DATA" => {
                data = Some(String::new());
                b"354 go ahead\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await.unwrap();
                return;
            }
            _ => b"502 not implemented\r\n",
        };
        write.write_all(reply).await.unwrap();
    }
}
