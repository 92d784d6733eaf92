//! Sending notifications: passes that claim what is due on the clock, POST it, and
//! record the shop's answers; a background worker that runs passes when something is
//! queued and on every tick; `drain` for tests (the same pass, awaited).
//!
//! Passes never overlap (the `lane`). Within a pass, one order's notifications go out
//! one at a time in queue order, different orders in parallel.

use std::pin::pin;
use std::sync::{Arc, Weak};

use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::SequraOptions;
use super::records::{Attempt, AttemptOutcome};
use super::state::{Planned, Policy, State};

pub(crate) struct Shared {
    pub options: SequraOptions,
    pub base_url: String,
    pub policy: Policy,
    pub state: Mutex<State>,
    /// `None` if a client could not be built; attempts then fail as connection errors.
    ipn_http: Option<reqwest::Client>,
    event_http: Option<reqwest::Client>,
    lane: tokio::sync::Mutex<()>,
    wake: Arc<Notify>,
    recorded: Notify,
    worker: Mutex<Option<JoinHandle<()>>>,
}

fn client(redirects: usize, options: &SequraOptions) -> Option<reqwest::Client> {
    let policy = if redirects == 0 {
        reqwest::redirect::Policy::none()
    } else {
        reqwest::redirect::Policy::limited(redirects)
    };
    match reqwest::Client::builder()
        .redirect(policy)
        .no_proxy()
        .timeout(options.attempt_timeout)
        .build()
    {
        Ok(client) => Some(client),
        Err(err) => {
            tracing::error!(%err, "notification HTTP client could not be built");
            None
        }
    }
}

impl Shared {
    pub fn new(base_url: String, options: SequraOptions) -> Self {
        let policy = Policy {
            ipn_retries: options.ipn_retry_schedule.clone(),
            event_retries: options.event_retry_schedule.clone(),
            review_delay: options.review_delay,
        };
        // IPNs: redirects are not followed (a 302/307 answer counts as success, §2.1);
        // events: up to 4 redirects are followed (§2.2).
        let ipn_http = client(0, &options);
        let event_http = client(4, &options);
        Self {
            base_url,
            policy,
            state: Mutex::new(State::default()),
            ipn_http,
            event_http,
            lane: tokio::sync::Mutex::new(()),
            wake: Arc::new(Notify::new()),
            recorded: Notify::new(),
            worker: Mutex::new(None),
            options,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.options.clock.now()
    }

    /// Wakes (starting it if needed) the background worker.
    pub fn wake(self: &Arc<Self>) {
        self.ensure_worker();
        self.wake.notify_one();
    }

    /// Starts the background worker on the current tokio runtime, if there is one.
    pub fn ensure_worker(self: &Arc<Self>) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let mut worker = self.worker.lock();
        if worker.as_ref().is_some_and(|handle| !handle.is_finished()) {
            return;
        }
        let shared: Weak<Shared> = Arc::downgrade(self);
        let wake = Arc::clone(&self.wake);
        let tick = self.options.tick_interval;
        *worker = Some(runtime.spawn(async move {
            loop {
                {
                    // Only a weak reference between passes: the worker ends with the
                    // last handle.
                    let Some(shared) = shared.upgrade() else {
                        return;
                    };
                    shared.drain().await;
                }
                match tick {
                    Some(tick) => {
                        tokio::select! {
                            () = wake.notified() => {}
                            () = tokio::time::sleep(tick) => {}
                        }
                    }
                    None => wake.notified().await,
                }
            }
        }));
    }

    /// Runs passes until nothing is due and nothing is in flight.
    pub async fn drain(self: &Arc<Self>) {
        loop {
            if self.run_pass().await > 0 {
                continue;
            }
            let mut recorded = pin!(self.recorded.notified());
            recorded.as_mut().enable();
            if !self.state.lock().has_in_flight() {
                return;
            }
            recorded.await;
        }
    }

    async fn run_pass(self: &Arc<Self>) -> usize {
        let _lane = self.lane.lock().await;
        let planned = {
            let now = self.now();
            self.state.lock().plan(now)
        };
        let attempted = planned.len();
        let mut groups: Vec<Vec<Planned>> = Vec::new();
        for item in planned {
            match groups
                .iter_mut()
                .find(|g| g.first().is_some_and(|f| f.order == item.order))
            {
                Some(group) => group.push(item),
                None => groups.push(vec![item]),
            }
        }
        self.send_groups(groups).await;
        attempted
    }

    /// Sends each group sequentially, groups in parallel, in their own tasks (a caller
    /// that stops waiting does not cancel an attempt half-way).
    pub async fn send_groups(self: &Arc<Self>, groups: Vec<Vec<Planned>>) {
        let tasks: Vec<JoinHandle<()>> = groups
            .into_iter()
            .map(|group| {
                let shared = Arc::clone(self);
                tokio::spawn(async move {
                    let mut claimed = Claimed {
                        shared: Arc::clone(&shared),
                        ids: group.iter().map(|p| p.id).collect(),
                    };
                    for item in group {
                        let id = item.id;
                        shared.attempt_and_record(item).await;
                        claimed.ids.retain(|other| *other != id);
                    }
                })
            })
            .collect();
        for task in tasks {
            if let Err(err) = task.await {
                tracing::error!(%err, "notification task failed");
            }
        }
    }

    async fn attempt_and_record(&self, planned: Planned) {
        let at = self.now();
        let outcome = self.attempt(&planned).await;
        let attempt = Attempt {
            number: planned.number,
            at,
            fields: planned.fields.clone(),
            headers: planned.headers.clone(),
            outcome,
            shop_acknowledged: None,
        };
        let now = self.now();
        self.state
            .lock()
            .record(planned, attempt, now, &self.policy);
        self.recorded.notify_waiters();
    }

    async fn attempt(&self, planned: &Planned) -> AttemptOutcome {
        let http = if planned.is_event {
            &self.event_http
        } else {
            &self.ipn_http
        };
        let Some(http) = http else {
            return AttemptOutcome::ConnectionError {
                message: "the simulator's HTTP client is unavailable".to_owned(),
            };
        };
        let body = match serde_urlencoded::to_string(&planned.fields) {
            Ok(body) => body,
            Err(err) => {
                return AttemptOutcome::ConnectionError {
                    message: format!("the body could not be encoded: {err}"),
                };
            }
        };
        let mut request = http.post(&planned.url).body(body);
        for (name, value) in &planned.headers {
            request = request.header(name, value);
        }
        match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                // Only the status matters; reading the body frees the connection.
                let _ = response.bytes().await;
                AttemptOutcome::Answered { status }
            }
            Err(err) if err.is_timeout() => AttemptOutcome::Timeout,
            Err(err) => AttemptOutcome::ConnectionError {
                message: error_chain(&err),
            },
        }
    }
}

/// Claimed attempts a dropped task never made go back to the queue.
struct Claimed {
    shared: Arc<Shared>,
    ids: Vec<u64>,
}

impl Drop for Claimed {
    fn drop(&mut self) {
        if self.ids.is_empty() {
            return;
        }
        let now = self.shared.now();
        let mut state = self.shared.state.lock();
        for id in &self.ids {
            state.unclaim(*id, now);
        }
        drop(state);
        self.shared.recorded.notify_waiters();
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        if let Some(worker) = self.worker.get_mut().take() {
            worker.abort();
        }
    }
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
