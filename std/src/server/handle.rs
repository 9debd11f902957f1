//! Running a server in the background: [`start`] on a tokio runtime you already have, or
//! [`BackgroundServer`] from blocking code (a thread with its own runtime).

use std::thread::JoinHandle;

use tokio::sync::oneshot;

use super::{address_of, bind, run, ServerConfig, ServerError, ServerReport};

/// A server running as a task of the current tokio runtime.
/// Dropping it stops the server too (its stop channel closes), without waiting: the task
/// finishes its connections and writes the record file on its own, as long as the runtime
/// runs. Use [`stop`](Self::stop) to wait for that and get the report.
#[derive(Debug)]
pub struct ServerHandle {
    address: String,
    /// Sending on it, or dropping it, asks the server to stop; `None` once used.
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<ServerReport, ServerError>>,
}

/// Binds (port 0: any free port) and starts serving `config` in a new task.
/// The socket is bound before the task starts, so when this returns the address is known
/// and a bind error has been returned rather than logged.
pub async fn start(config: ServerConfig, port: u16) -> Result<ServerHandle, ServerError> {
    let listener = bind(&config, port).await?;
    let address = config.client_address(&address_of(&listener, &config)?);
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(run(listener, config, async {
        // A dropped handle counts as a stop request too.
        let _ = stopped.await;
    }));
    Ok(ServerHandle {
        address,
        stop: Some(stop),
        task,
    })
}

impl ServerHandle {
    /// The value for `CAPTUREMOCK_SERVER`: `host:port`, or `http://host:port` for HTTP.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// Stops accepting, finishes the connections in progress, writes the record file and
    /// reports.
    pub async fn stop(mut self) -> Result<ServerReport, ServerError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.join().await
    }

    /// Waits until a client sends `TERMINATE_SERVER` (or the server fails).
    /// The stop channel is kept open while waiting, since closing it would itself stop the
    /// server.
    pub async fn wait(mut self) -> Result<ServerReport, ServerError> {
        let stop = self.stop.take();
        let result = self.join().await;
        drop(stop);
        result
    }

    /// The task's result; a task that panicked or was cancelled is [`ServerError::Task`].
    async fn join(&mut self) -> Result<ServerReport, ServerError> {
        (&mut self.task)
            .await
            .map_err(|e| ServerError::Task(e.to_string()))?
    }
}

/// A server on a thread of its own, for code without a tokio runtime.
/// The listener is bound before the thread starts, so [`address`](Self::address) is known,
/// and a bind error returned, by the time [`start`](Self::start) returns. Dropping it stops
/// the server and waits for its thread, so the record file is complete once the drop
/// returns.
#[derive(Debug)]
pub struct BackgroundServer {
    address: String,
    /// Sending on it, or dropping it, asks the server to stop; `None` once used.
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<Result<ServerReport, ServerError>>>,
}

impl BackgroundServer {
    /// Binds (port 0: any free port) and serves `config` on a new thread.
    ///
    /// The thread binds, and this waits for its address: nothing here runs a tokio runtime,
    /// so a server can be started from async code (an async test) as well as from blocking
    /// code.
    pub fn start(config: ServerConfig, port: u16) -> Result<Self, ServerError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("capturemock-server")
            .build()
            .map_err(|e| ServerError::Task(format!("cannot start a tokio runtime: {e}")))?;
        let (stop, stopped) = oneshot::channel::<()>();
        let (bound, address) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("capturemock-server".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match bind(&config, port).await {
                        Ok(listener) => listener,
                        Err(e) => {
                            let _ = bound.send(Err(e));
                            return Err(ServerError::Task("the server could not listen".into()));
                        }
                    };
                    let address = address_of(&listener, &config).map(|a| config.client_address(&a));
                    let listening = address.is_ok();
                    let _ = bound.send(address);
                    if !listening {
                        return Err(ServerError::Task("the server could not listen".into()));
                    }
                    run(listener, config, async {
                        let _ = stopped.await;
                    })
                    .await
                })
            })
            .map_err(|e| ServerError::Task(format!("cannot start the server thread: {e}")))?;
        let address = address
            .recv()
            .map_err(|_| ServerError::Task("the server thread ended before listening".into()))??;
        Ok(BackgroundServer {
            address,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The value for `CAPTUREMOCK_SERVER`: `host:port`, or `http://host:port` for HTTP.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// Stops the server and reports (see [`ServerHandle::stop`]).
    pub fn stop(mut self) -> Result<ServerReport, ServerError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.join()
    }

    /// Waits until a client sends `TERMINATE_SERVER`.
    /// As with [`ServerHandle::wait`], the stop channel stays open until then.
    pub fn wait(mut self) -> Result<ServerReport, ServerError> {
        let stop = self.stop.take();
        let result = self.join();
        drop(stop);
        result
    }

    fn join(&mut self) -> Result<ServerReport, ServerError> {
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .map_err(|_| ServerError::Task("the server thread panicked".into()))?,
            None => Err(ServerError::Task("the server was already stopped".into())),
        }
    }
}

impl Drop for BackgroundServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
