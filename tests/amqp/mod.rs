//! `server_protocol = amqp` end to end, against a real RabbitMQ broker that these tests start
//! (node name, ports and data directory of their own, in a scratch directory) and that stops
//! when the test process ends: one broker for all of them, since starting one takes seconds.
//! A real publisher and a strict consumer (pika), our binary and the reference record the same
//! messages byte for byte and each publishes the other's recording again.
//!
//! Without rabbitmq-server the tests say so and skip, unless `CAPTUREMOCK_EXPECT_RABBITMQ=1`
//! (CI sets it), which makes a missing broker a failure.

mod bad_input;
mod forward;
mod http_replay;
mod interop;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::scratch::Scratch;
use crate::server::harness::write;

/// The publisher of the messages (sets `reference`, `full`, `bad`).
const PUBLISHER: &str = include_str!("publisher.py");
/// The strict consumer.
const CONSUMER: &str = include_str!("consumer.py");
/// Where Debian's package puts the broker.
const RABBITMQ_SERVER: &str = "/usr/lib/rabbitmq/bin/rabbitmq-server";
/// Its control command, there too.
const RABBITMQCTL: &str = "/usr/lib/rabbitmq/bin/rabbitmqctl";
/// The variable that makes a missing broker a failure.
const EXPECT_ENV: &str = "CAPTUREMOCK_EXPECT_RABBITMQ";

/// The running test broker.
pub struct Broker {
    /// The AMQP port on localhost.
    pub port: u16,
    /// The watchdog's stdin: never closed by the tests, so the broker lives until the test
    /// process ends (the watchdog then stops it).
    _watchdog: Mutex<Child>,
}

impl Broker {
    /// The broker's URL as pika and rc files want it (`%2F`, the default virtual host).
    pub fn url(&self) -> String {
        format!("amqp://guest:guest@localhost:{}/%2F", self.port)
    }
}

/// A free TCP port on localhost (free when asked; the broker takes it right after).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The shared broker, started on first use; `None` (after saying why) when rabbitmq-server
/// is not installed and not expected. Also checks that pika is there for the clients.
pub fn broker(what: &str) -> Option<&'static Broker> {
    static BROKER: OnceLock<Option<Broker>> = OnceLock::new();
    BROKER.get_or_init(start_broker).as_ref().or_else(|| {
        eprintln!("note: rabbitmq-server is not installed ({RABBITMQ_SERVER}); {what} skipped (set {EXPECT_ENV}=1 to fail instead)");
        None
    })
}

/// Starts the broker under a watchdog shell that stops it when its stdin closes (when the
/// test process ends, however it ends), then removes its directory.
fn start_broker() -> Option<Broker> {
    let expected = std::env::var(EXPECT_ENV).is_ok_and(|v| v == "1");
    if !Path::new(RABBITMQ_SERVER).exists() {
        assert!(
            !expected,
            "{EXPECT_ENV}=1 but rabbitmq-server is not installed at {RABBITMQ_SERVER}"
        );
        return None;
    }
    let pika = Command::new("python3")
        .args(["-c", "import pika"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        pika,
        "rabbitmq-server is installed but python3 cannot import pika (pip install pika)"
    );
    // Kept for the whole process: the broker's data and logs.
    let dir = Box::leak(Box::new(Scratch::new("amqp", "broker")));
    let (port, dist_port) = (free_port(), free_port());
    let dir_text = dir.path().display().to_string();
    assert!(
        !dir_text.contains('\''),
        "a scratch path with a quote: {dir_text}"
    );
    let node = format!("capturemock-{}@localhost", std::process::id());
    write(dir, "enabled_plugins", "[].\n");
    let dir = dir_text;
    let script = format!(
        r#"
export HOME="$PWD" RABBITMQ_NODENAME='{node}' RABBITMQ_NODE_PORT={port} RABBITMQ_DIST_PORT={dist_port}
export RABBITMQ_MNESIA_BASE="$PWD/mnesia" RABBITMQ_LOG_BASE="$PWD/log" RABBITMQ_PID_FILE="$PWD/pid"
export RABBITMQ_ENABLED_PLUGINS_FILE="$PWD/enabled_plugins"
{RABBITMQ_SERVER} > broker.out 2>&1 &
echo started
cat > /dev/null
if {RABBITMQCTL} -n '{node}' stop > stop.out 2>&1; then
  wait
  # Its data and logs go with it; a broker that would not stop keeps them for a look.
  cd / && rm -rf '{dir}'
else
  kill $!
fi
"#
    );
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sh");
    let mut line = String::new();
    let stdout: ChildStdout = child.stdout.take().expect("stdout");
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("watchdog");
    let started = Instant::now();
    let deadline = started + Duration::from_secs(60);
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the test broker did not listen on port {port} within 60 s; see {}",
            Path::new(&dir).join("broker.out").display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!(
        "note: test broker {node} up on port {port} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Some(Broker {
        port,
        _watchdog: Mutex::new(child),
    })
}

/// A scratch directory with the scripts and `amqp.rc` for `exchange` (a topic exchange that
/// the recorder declares, as `exchange_type` asks).
pub fn amqp_scratch(name: &str, broker: &Broker, exchange: &str) -> Scratch {
    let dir = Scratch::new("amqp", name);
    write(&dir, "publisher.py", PUBLISHER);
    write(&dir, "consumer.py", CONSUMER);
    // `%%`: rc files are read with interpolation, as ConfigParser reads them.
    write(
        &dir,
        "amqp.rc",
        &format!(
            "[general]\nserver_protocol = amqp\n[amqp]\nurl = {}\nexchange = {exchange}\nexchange_type = topic\n",
            broker.url().replace('%', "%%")
        ),
    );
    dir
}

/// A consumer of `exchange` running in `dir` until it has `count` messages (at most
/// `timeout` seconds between them); ready to receive once this returns.
pub struct Consumer {
    child: Child,
    stdout: BufReader<ChildStdout>,
}

impl Consumer {
    pub fn start(dir: &Path, broker: &Broker, exchange: &str, count: usize, timeout: f64) -> Self {
        let mut child = Command::new("python3")
            .arg("consumer.py")
            .args([
                broker.url(),
                exchange.to_string(),
                count.to_string(),
                timeout.to_string(),
            ])
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 consumer.py");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("consumer output");
        assert_eq!(line.trim(), "ready", "the consumer did not start");
        Consumer { child, stdout }
    }

    /// The messages received (one JSON value each), after asserting the consumer succeeded.
    pub fn messages(mut self) -> Vec<serde_json::Value> {
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut self.stdout, &mut rest).expect("consumer output");
        let output = self.child.wait_with_output().expect("consumer");
        assert!(
            output.status.success(),
            "the consumer failed: {}\n{rest}",
            String::from_utf8_lossy(&output.stderr)
        );
        rest.lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }
}

/// Whether `exchange` still exists on the broker (a passive declare succeeds).
pub fn exchange_exists(dir: &Path, broker: &Broker, exchange: &str) -> bool {
    queue_or_exchange_exists(
        dir,
        broker,
        &format!("channel.exchange_declare('{exchange}', passive=True)"),
    )
}

/// Whether `queue` still exists on the broker.
pub fn queue_exists(dir: &Path, broker: &Broker, queue: &str) -> bool {
    queue_or_exchange_exists(
        dir,
        broker,
        &format!("channel.queue_declare('{queue}', passive=True)"),
    )
}

fn queue_or_exchange_exists(dir: &Path, broker: &Broker, declare: &str) -> bool {
    let script = format!(
        "import pika, sys\nc = pika.BlockingConnection(pika.URLParameters('{}'))\nchannel = c.channel()\n\
         try:\n    {declare}\nexcept pika.exceptions.ChannelClosedByBroker as e:\n    sys.exit(3 if e.reply_code == 404 else 1)\n",
        broker.url()
    );
    let status = Command::new("python3")
        .args(["-c", &script])
        .current_dir(dir)
        .status()
        .expect("python3");
    match status.code() {
        Some(0) => true,
        Some(3) => false,
        other => panic!("checking the broker failed: {other:?}"),
    }
}
