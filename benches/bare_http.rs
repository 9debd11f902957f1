//! The limit the HTTP proxy is measured against (started by `benches/http.rs`): hyper's
//! HTTP/1.1 server on tokio, with keep-alive, answering every request with one fixed
//! response of the same size as the replayed one. Prints `http://127.0.0.1:PORT`, then
//! serves until killed.

use std::convert::Infallible;
use std::io::Write;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let mut stdout = std::io::stdout();
        let _ = writeln!(stdout, "http://{}", listener.local_addr().expect("address"));
        let _ = stdout.flush();
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let service = service_fn(|_request: Request<hyper::body::Incoming>| async {
                    let mut response = Response::new(Full::new(Bytes::from_static(b"item 7")));
                    response.headers_mut().insert(
                        "content-type",
                        hyper::header::HeaderValue::from_static("text/plain"),
                    );
                    Ok::<_, Infallible>(response)
                });
                let _ = http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
}
