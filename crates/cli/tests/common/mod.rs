//! Helpers of the tests that run the real binary as a server.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // each test uses some

pub mod sim;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::process::Child;
use std::time::Duration;

/// A loopback port nobody listens on (the next bind may still race).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One HTTP/1.1 exchange (`Connection: close` in `raw`); None when the
/// connection fails, e.g. because the server was killed.
pub fn request(port: u16, raw: &[u8]) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .ok()?;
    stream.write_all(raw).ok()?;
    let bytes = harrier_core::bounded::read_to_end(stream, 1 << 24).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// Waits (up to 30 s) until the server `child` started on `port` answers
/// `/healthz` with 200; kills it and fails the test otherwise.
pub fn wait_ready(mut child: Child, port: u16) -> Child {
    for _ in 0..600 {
        if request(
            port,
            b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .is_some_and(|r| r.starts_with("HTTP/1.1 200"))
        {
            return child;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("harrier serve did not become ready");
}
