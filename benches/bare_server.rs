//! The limit of the classic protocol, for `benches/server_load.rs`: a server that does nothing
//! but what every CaptureMock exchange needs (accept, read to end of input, write a reply,
//! close), with no matching, ordering or recording.
//!
//! ```text
//! bare_server threads   one OS thread per connection (the design of the reference's server)
//! bare_server tokio     one tokio task per connection on a multi-threaded runtime (as ours)
//! ```
//! Prints `127.0.0.1:<port>` on stdout, then serves until killed.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};

/// About as long as the replies of the benchmark's replay file.
const REPLY: &[u8] = b"result 1234";
/// Larger than any message of the benchmark, so that reading one takes one `read` (plus the
/// one that sees end of input): `read_to_end` would first probe with 32 bytes and grow.
const BUFFER: usize = 4096;

fn main() {
    let flavour = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_else(|| "threads".into());
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let address = listener.local_addr().expect("local address");
    match flavour.as_str() {
        "threads" => {
            announce(address);
            threads(listener);
        }
        "tokio" => {
            listener
                .set_nonblocking(true)
                .expect("non-blocking listener");
            tokio_server(listener, address);
        }
        other => {
            eprintln!("bare_server: unknown flavour {other:?} (threads or tokio)");
            std::process::exit(2);
        }
    }
}

fn announce(address: std::net::SocketAddr) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{address}").and_then(|()| stdout.flush());
}

fn threads(listener: TcpListener) {
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                std::thread::spawn(move || serve_blocking(stream));
            }
            Err(e) => eprintln!("bare_server: accept failed: {e}"),
        }
    }
}

fn serve_blocking(mut stream: TcpStream) {
    let mut buffer = [0u8; BUFFER];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(_) => {}
            Err(_) => return,
        }
    }
    let _ = stream.write_all(REPLY);
    let _ = stream.shutdown(Shutdown::Write);
}

fn tokio_server(listener: TcpListener, address: std::net::SocketAddr) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    // Accepting on a worker thread (a spawned task, as our server does) rather than in
    // block_on's thread lets each connection's task start on the same thread, without a
    // cross-thread wake-up per connection.
    let served = runtime.block_on(async move {
        tokio::spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
            announce(address);
            loop {
                let mut stream = match listener.accept().await {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        eprintln!("bare_server: accept failed: {e}");
                        continue;
                    }
                };
                tokio::spawn(async move {
                    let mut buffer = [0u8; BUFFER];
                    loop {
                        match stream.read(&mut buffer).await {
                            Ok(0) => break,
                            Ok(_) => {}
                            Err(_) => return,
                        }
                    }
                    let _ = stream.write_all(REPLY).await;
                    let _ = stream.shutdown().await;
                });
            }
        })
        .await
    });
    if let Err(e) = served {
        eprintln!("bare_server: the accept task failed: {e}");
    }
}
