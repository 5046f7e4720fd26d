//! One poller for everything AWS does not finish at once (state transitions,
//! eventual consistency, DependencyViolation while dependents go away): backoff, a
//! deadline from the resource's `timeouts`, progress in the log, and a prompt stop
//! when Terraform sends StopProvider (Ctrl-C).

use super::error::{api_error, code_of, is_not_found};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::framework::Operation;
use tokio::sync::Notify;

/// Set once Terraform asks the provider to stop; every waiter watches it.
#[derive(Clone, Debug, Default)]
pub struct Stop(Arc<(AtomicBool, Notify)>);

impl Stop {
    pub fn trigger(&self) {
        self.0.0.store(true, Ordering::SeqCst);
        self.0.1.notify_waiters();
    }

    pub fn is_stopped(&self) -> bool {
        self.0.0.load(Ordering::SeqCst)
    }

    /// Resolves once stopped (at once if already).
    pub async fn stopped(&self) {
        let notified = self.0.1.notified();
        if self.is_stopped() {
            return;
        }
        notified.await;
    }
}

/// How long an operation may wait, which `timeouts` entry sets it, and the stop signal.
#[derive(Clone, Debug)]
pub struct Deadline {
    until: Instant,
    limit: Duration,
    op: Operation,
    stop: Stop,
}

impl Deadline {
    pub fn new(limit: Duration, op: Operation, stop: Stop) -> Self {
        // A limit as long as Go allows (292 years) still fits an Instant here, but
        // never trust a sum with input in it.
        let now = Instant::now();
        Self {
            until: now
                .checked_add(limit)
                .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 86_400)),
            limit,
            op,
            stop,
        }
    }

    pub fn op(&self) -> Operation {
        self.op
    }

    /// The same deadline and stop signal, ending no later than `max` from now.
    pub fn capped(&self, max: Duration) -> Deadline {
        let now = Instant::now();
        let until = now
            .checked_add(max)
            .map_or(self.until, |m| self.until.min(m));
        Deadline {
            until,
            limit: self.limit.min(max),
            op: self.op,
            stop: self.stop.clone(),
        }
    }
}

/// What one attempt says.
pub enum Poll<T, E> {
    Done(T),
    /// Not yet: try again after the backoff, remembering why.
    Retry(String),
    Fail(E),
}

/// Why the poller gave up.
#[derive(Clone, Debug, PartialEq)]
pub enum GaveUp {
    /// The deadline passed; the last reason to wait.
    TimedOut(String),
    /// Terraform asked the provider to stop; the last reason to wait.
    Stopped(String),
}

/// Calls `attempt` until it is done or fails, the deadline passes, or Terraform asks
/// the provider to stop; then `give_up` builds the error. Backoff doubles from 250 ms
/// to 10 s. Progress is logged at info level about every 30 s, each retry at debug.
pub async fn poll<T, E, F, Fut>(
    deadline: &Deadline,
    what: &str,
    mut attempt: F,
    give_up: impl FnOnce(GaveUp) -> E,
) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Poll<T, E>>,
{
    let started = Instant::now();
    let mut delay = Duration::from_millis(250);
    let mut next_report = started + Duration::from_secs(30);
    loop {
        if deadline.stop.is_stopped() {
            return Err(give_up(GaveUp::Stopped("before the first attempt".into())));
        }
        match attempt().await {
            Poll::Done(v) => return Ok(v),
            Poll::Fail(e) => return Err(e),
            Poll::Retry(why) => {
                let now = Instant::now();
                if now >= deadline.until {
                    return Err(give_up(GaveUp::TimedOut(why)));
                }
                if now >= next_report {
                    tracing::info!(waiting_for = what, reason = %why, elapsed_s = started.elapsed().as_secs(), "still waiting");
                    next_report = now + Duration::from_secs(30);
                } else {
                    tracing::debug!(waiting_for = what, reason = %why, "retrying");
                }
                tokio::select! {
                    _ = tokio::time::sleep(delay.min(deadline.until - now)) => {}
                    _ = deadline.stop.stopped() => return Err(give_up(GaveUp::Stopped(why))),
                }
                delay = (delay * 2).min(Duration::from_secs(10));
            }
        }
    }
}

/// The diagnostic for a poller that gave up waiting for `what`.
pub fn gave_up(deadline: &Deadline, what: &str, why: GaveUp) -> Diagnostics {
    let op = deadline.op.as_str();
    match why {
        GaveUp::TimedOut(reason) => Diagnostic::error(
            format!("Timed out waiting for {what}"),
            format!(
                "After {}s the last answer was: {reason}. Raise timeouts.{op} if AWS is just slow, or fix what keeps it from finishing, then run terraform apply again: the state records what already exists.",
                deadline.limit.as_secs()
            ),
        ),
        GaveUp::Stopped(reason) => Diagnostic::error(
            format!("Interrupted while waiting for {what}"),
            format!(
                "Terraform asked the provider to stop (Ctrl-C) while {reason}. The state records what already exists; run terraform apply again to finish."
            ),
        ),
    }
    .into()
}

/// `poll` with the standard diagnostics when it gives up.
pub async fn wait_for<T, F, Fut>(
    deadline: &Deadline,
    what: &str,
    attempt: F,
) -> Result<T, Diagnostics>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Poll<T, Diagnostics>>,
{
    poll(deadline, what, attempt, |why| gave_up(deadline, what, why)).await
}

/// Reads an object just created until AWS shows it: right after a create, "not
/// found" (`Ok(None)` from `read`) is eventual consistency, not absence.
pub async fn until_visible<T, F, Fut>(
    deadline: &Deadline,
    what: &str,
    mut read: F,
) -> Result<T, Diagnostics>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, Diagnostics>>,
{
    wait_for(deadline, what, || {
        let fut = read();
        async move {
            match fut.await {
                Ok(Some(v)) => Poll::Done(v),
                Ok(None) => Poll::Retry(format!("{what} is not visible yet")),
                Err(d) => Poll::Fail(d),
            }
        }
    })
    .await
}

/// Runs a delete (or detach) until AWS takes it: while AWS answers that dependents
/// still exist or an address is still in use (eventual consistency after deleting
/// them), it retries; "not found" means done. Timing out names the likely cause.
pub async fn delete_when_free<E, R, F, Fut>(
    deadline: &Deadline,
    service: &str,
    operation: &str,
    mut f: F,
) -> Result<(), Diagnostics>
where
    E: ProvideErrorMetadata
        + aws_types::request_id::RequestId
        + std::error::Error
        + Send
        + Sync
        + 'static,
    R: std::fmt::Debug,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), SdkError<E, R>>>,
{
    poll(
        deadline,
        operation,
        || {
            let fut = f();
            async move {
                match fut.await {
                    Ok(()) => Poll::Done(()),
                    Err(e) => {
                        let code = code_of(&e);
                        if code == "DependencyViolation" || code.ends_with("InUse") {
                            Poll::Retry(format!("{operation}: {code}"))
                        } else if is_not_found(code) {
                            Poll::Done(())
                        } else {
                            Poll::Fail(api_error(service, operation, &e).into())
                        }
                    }
                }
            }
        },
        |why| match why {
            GaveUp::TimedOut(reason) => Diagnostic::error(
                format!("Timed out: {operation}"),
                format!(
                    "AWS kept answering {reason}: something outside Terraform still uses this object. Remove it, or raise timeouts.{}, and apply again.",
                    deadline.op().as_str()
                ),
            )
            .into(),
            stopped => gave_up(deadline, operation, stopped),
        },
    )
    .await
}

/// How long a call naming an object created moments ago may keep answering
/// NotFound before the answer is believed (AWS's read-after-create consistency;
/// hashicorp/aws waits up to 2 minutes for EC2's).
pub const PROPAGATION: Duration = Duration::from_secs(120);

/// Runs a call that names an object this operation created moments ago: AWS may
/// answer NotFound for it for a while, so NotFound is retried (backoff from 250 ms to
/// 5 s) until PROPAGATION, the deadline or a stop ends it, then the last error is
/// returned; any other answer is returned at once.
pub async fn while_not_found<T, E, R, F, Fut>(
    deadline: &Deadline,
    what: &str,
    mut call: F,
) -> Result<T, SdkError<E, R>>
where
    E: ProvideErrorMetadata,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, R>>>,
{
    let until = (Instant::now() + PROPAGATION).min(deadline.until);
    let mut delay = Duration::from_millis(250);
    loop {
        match call().await {
            Err(e) if is_not_found(code_of(&e)) && !deadline.stop.is_stopped() => {
                let now = Instant::now();
                if now >= until {
                    return Err(e);
                }
                tracing::debug!(
                    call = what,
                    code = code_of(&e),
                    "not visible yet after create; retrying"
                );
                tokio::select! {
                    _ = tokio::time::sleep(delay.min(until - now)) => {}
                    _ = deadline.stop.stopped() => return Err(e),
                }
                delay = (delay * 2).min(Duration::from_secs(5));
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deadline(secs: u64, stop: Stop) -> Deadline {
        Deadline::new(Duration::from_secs(secs), Operation::Create, stop)
    }

    #[tokio::test(start_paused = true)]
    async fn retries_until_done() {
        let mut n = 0;
        let r: Result<u32, String> = poll(
            &deadline(60, Stop::default()),
            "x",
            || {
                n += 1;
                let k = n;
                async move {
                    if k < 3 {
                        Poll::Retry("not yet".into())
                    } else {
                        Poll::Done(k)
                    }
                }
            },
            |why| format!("{why:?}"),
        )
        .await;
        assert_eq!(r, Ok(3));
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_at_the_deadline_with_the_last_reason() {
        let d = deadline(5, Stop::default());
        let r: Result<(), Diagnostics> = wait_for(&d, "the subnet to go", || async {
            Poll::Retry("DependencyViolation".into())
        })
        .await;
        let diags = r.expect_err("times out");
        let x = diags.iter().next().expect("one diagnostic");
        assert_eq!(x.summary, "Timed out waiting for the subnet to go");
        assert!(x.detail.contains("DependencyViolation"), "{}", x.detail);
        assert!(x.detail.contains("timeouts.create"), "{}", x.detail);
    }

    #[tokio::test(start_paused = true)]
    async fn a_stop_ends_the_wait_promptly() {
        let stop = Stop::default();
        let d = deadline(3600, stop.clone());
        let waiter = tokio::spawn(async move {
            poll(
                &d,
                "the cluster",
                || async { Poll::<(), GaveUp>::Retry("CREATE_IN_PROGRESS".into()) },
                |why| why,
            )
            .await
        });
        tokio::time::sleep(Duration::from_secs(2)).await;
        stop.trigger();
        let r = tokio::time::timeout(Duration::from_secs(1), waiter)
            .await
            .expect("stopped within a second")
            .expect("task");
        assert_eq!(r, Err(GaveUp::Stopped("CREATE_IN_PROGRESS".into())));
    }

    // The deadlines below are std Instants (real time); the tests that reach one use
    // real time with deadlines of a second or two, and a tokio timeout that turns a
    // wait that would not end into a failure. Backoff is measured in paused time.
    use aws_sdk_ec2::operation::describe_vpcs::DescribeVpcsError;
    use aws_smithy_types::error::ErrorMetadata;
    use std::cell::Cell;

    /// An AWS answer with this error code (as the SDK hands it to the caller).
    fn answer(code: &str) -> SdkError<DescribeVpcsError, ()> {
        SdkError::service_error(
            DescribeVpcsError::generic(
                ErrorMetadata::builder()
                    .code(code)
                    .message("AWS says so")
                    .build(),
            ),
            (),
        )
    }

    fn code<T>(r: Result<T, SdkError<DescribeVpcsError, ()>>) -> Result<T, String> {
        r.map_err(|e| code_of(&e).to_string())
    }

    /// Fails the test when `f` takes longer than `secs` (a wait that should have ended).
    async fn within<T>(secs: u64, f: impl Future<Output = T>) -> T {
        tokio::time::timeout(Duration::from_secs(secs), f)
            .await
            .expect("the wait should have ended by now")
    }

    /// A delete answered with these codes in turn (then success), and how many calls
    /// it took.
    async fn delete(d: &Deadline, codes: &[&str]) -> (Result<(), Diagnostics>, usize) {
        let calls = Cell::new(0);
        let r = delete_when_free(d, "EC2", "DeleteSubnet", || {
            let n = calls.get();
            calls.set(n + 1);
            let code = codes.get(n).map(|c| c.to_string());
            async move {
                match code {
                    Some(c) => Err(answer(&c)),
                    None => Ok(()),
                }
            }
        })
        .await;
        (r, calls.get())
    }

    #[tokio::test]
    async fn a_delete_retries_while_dependents_remain_and_not_found_is_done() {
        let d = deadline(60, Stop::default());
        // Dependents going away: retried until AWS takes the delete.
        let (r, calls) = within(
            10,
            delete(&d, &["DependencyViolation", "InvalidIPAddress.InUse"]),
        )
        .await;
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(calls, 3);
        // Already gone (deleted outside Terraform, or by an earlier attempt): done.
        let (r, calls) = within(10, delete(&d, &["InvalidSubnetID.NotFound"])).await;
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(calls, 1);
        // Anything else fails at once with AWS's code and the advice.
        let (r, calls) = within(10, delete(&d, &["UnauthorizedOperation"])).await;
        assert_eq!(calls, 1);
        let diags = r.expect_err("refused");
        let x = diags.iter().next().expect("one diagnostic");
        assert_eq!(x.summary, "AWS EC2 DeleteSubnet failed");
        assert!(
            x.detail.starts_with("UnauthorizedOperation: AWS says so"),
            "{}",
            x.detail
        );
        assert!(x.detail.contains("ec2:DeleteSubnet"), "{}", x.detail);
    }

    #[tokio::test]
    async fn a_delete_still_blocked_at_the_deadline_names_the_cause_and_the_timeout() {
        let d = Deadline::new(Duration::from_secs(2), Operation::Delete, Stop::default());
        let codes = ["DependencyViolation"; 100];
        let started = Instant::now();
        let (r, calls) = within(10, delete(&d, &codes)).await;
        assert!(started.elapsed() >= Duration::from_secs(2));
        // 0, 0.25, 0.75, 1.75 and 2 s.
        assert!((3..=6).contains(&calls), "{calls} calls in 2 s");
        let diags = r.expect_err("times out");
        let x = diags.iter().next().expect("one diagnostic");
        assert_eq!(x.summary, "Timed out: DeleteSubnet");
        assert!(
            x.detail.contains("DeleteSubnet: DependencyViolation"),
            "{}",
            x.detail
        );
        assert!(x.detail.contains("timeouts.delete"), "{}", x.detail);
        // A stop says it was interrupted, not that it timed out.
        let stop = Stop::default();
        stop.trigger();
        let d = Deadline::new(Duration::from_secs(2), Operation::Delete, stop);
        let (r, calls) = within(10, delete(&d, &codes)).await;
        assert_eq!(calls, 0, "no call after the stop");
        let diags = r.expect_err("stopped");
        let x = diags.iter().next().expect("one diagnostic");
        assert_eq!(x.summary, "Interrupted while waiting for DeleteSubnet");
        assert!(x.detail.contains("Ctrl-C"), "{}", x.detail);
    }

    #[tokio::test]
    async fn not_found_right_after_create_is_retried_until_the_object_shows() {
        let d = deadline(60, Stop::default());
        let calls = Cell::new(0);
        let r = within(
            10,
            while_not_found(&d, "DescribeVpcs", || {
                let n = calls.get();
                calls.set(n + 1);
                async move {
                    if n < 2 {
                        Err(answer("InvalidVpcID.NotFound"))
                    } else {
                        Ok(n)
                    }
                }
            }),
        )
        .await;
        assert_eq!(code(r), Ok(2));
        // Any other answer is returned at once, error or not.
        let calls = Cell::new(0);
        let r: Result<(), _> = within(
            10,
            while_not_found(&d, "DescribeVpcs", || {
                calls.set(calls.get() + 1);
                async { Err(answer("UnauthorizedOperation")) }
            }),
        )
        .await;
        assert_eq!(calls.get(), 1);
        assert_eq!(code(r), Err("UnauthorizedOperation".into()));
    }

    #[tokio::test]
    async fn not_found_is_believed_at_the_deadline_or_after_a_stop() {
        // The propagation window is two minutes; a deadline of one second ends it.
        let started = Instant::now();
        let calls = Cell::new(0);
        let r: Result<(), _> = within(
            10,
            while_not_found(&deadline(1, Stop::default()), "DescribeVpcs", || {
                calls.set(calls.get() + 1);
                async { Err(answer("InvalidVpcID.NotFound")) }
            }),
        )
        .await;
        assert_eq!(code(r), Err("InvalidVpcID.NotFound".into()));
        assert!(started.elapsed() >= Duration::from_secs(1));
        // 0, 0.25, 0.75 and 1 s.
        assert!((3..=5).contains(&calls.get()), "{} calls", calls.get());
        // After a stop NotFound is returned at once.
        let stop = Stop::default();
        stop.trigger();
        let calls = Cell::new(0);
        let r: Result<(), _> = within(
            10,
            while_not_found(&deadline(60, stop), "DescribeVpcs", || {
                calls.set(calls.get() + 1);
                async { Err(answer("InvalidVpcID.NotFound")) }
            }),
        )
        .await;
        assert_eq!(code(r), Err("InvalidVpcID.NotFound".into()));
        assert_eq!(calls.get(), 1);
    }

    #[tokio::test]
    async fn an_object_not_visible_yet_is_read_again_and_a_read_error_fails_at_once() {
        let d = deadline(60, Stop::default());
        let calls = Cell::new(0);
        let r = within(
            10,
            until_visible(&d, "the VPC", || {
                let n = calls.get();
                calls.set(n + 1);
                async move { Ok(if n < 2 { None } else { Some("vpc-1") }) }
            }),
        )
        .await;
        assert_eq!(r.ok(), Some("vpc-1"));
        assert_eq!(calls.get(), 3);
        let calls = Cell::new(0);
        let r: Result<(), _> = within(
            10,
            until_visible(&d, "the VPC", || {
                calls.set(calls.get() + 1);
                async { Err(Diagnostic::error("read failed", "AWS said no").into()) }
            }),
        )
        .await;
        assert_eq!(calls.get(), 1);
        let first = r
            .expect_err("fails")
            .iter()
            .next()
            .map(|x| x.summary.clone());
        assert_eq!(first, Some("read failed".into()));
        // Never visible: the timeout says what it waited for.
        let r: Result<(), _> = within(
            10,
            until_visible(&deadline(1, Stop::default()), "the VPC", || async {
                Ok(None)
            }),
        )
        .await;
        let diags = r.expect_err("times out");
        let x = diags.iter().next().expect("one diagnostic");
        assert_eq!(x.summary, "Timed out waiting for the VPC");
        assert!(
            x.detail.contains("the VPC is not visible yet"),
            "{}",
            x.detail
        );
        assert!(x.detail.contains("After 1s"), "{}", x.detail);
    }

    #[tokio::test]
    async fn a_capped_deadline_ends_at_the_sooner_of_both_and_keeps_the_stop() {
        let busy = || async { Poll::<(), Diagnostics>::Retry("busy".into()) };
        let stop = Stop::default();
        let d = Deadline::new(Duration::from_secs(3600), Operation::Update, stop.clone());
        let short = d.capped(Duration::from_secs(1));
        assert_eq!(short.op(), Operation::Update);
        let started = Instant::now();
        let r = within(10, wait_for(&short, "the listener", busy)).await;
        assert!(started.elapsed() >= Duration::from_secs(1));
        let diags = r.expect_err("times out");
        let x = diags.iter().next().expect("one diagnostic");
        assert!(x.detail.contains("After 1s"), "{}", x.detail);
        assert!(x.detail.contains("timeouts.update"), "{}", x.detail);
        // A cap longer than the deadline leaves the deadline.
        let d = Deadline::new(Duration::from_secs(1), Operation::Update, stop.clone());
        let long = d.capped(Duration::from_secs(3600));
        let r = within(10, wait_for(&long, "the listener", busy)).await;
        let diags = r.expect_err("times out");
        let x = diags.iter().next().expect("one diagnostic");
        assert!(x.detail.contains("After 1s"), "{}", x.detail);
        // The stop of the original reaches the capped one.
        stop.trigger();
        assert!(long.stop.is_stopped());
        // A limit too large for an Instant does not panic.
        let huge = Deadline::new(Duration::MAX, Operation::Create, Stop::default());
        assert!(huge.until > Instant::now() + Duration::from_secs(50 * 365 * 86_400));
    }

    #[tokio::test(start_paused = true)]
    async fn backoff_doubles_from_250_ms_to_10_s() {
        let d = deadline(600, Stop::default());
        let mut at = Vec::new();
        let started = tokio::time::Instant::now();
        let _: Result<(), ()> = poll(
            &d,
            "x",
            || {
                at.push(started.elapsed().as_millis());
                let n = at.len();
                async move {
                    if n < 9 {
                        Poll::Retry("not yet".into())
                    } else {
                        Poll::Done(())
                    }
                }
            },
            |_| (),
        )
        .await;
        let gaps: Vec<u128> = at.windows(2).map(|w| w[1] - w[0]).collect();
        assert_eq!(gaps, vec![250, 500, 1000, 2000, 4000, 8000, 10000, 10000]);
    }

    /// Records each event's level and message (the provider has no subscriber crate
    /// as a dependency; this is the least of one).
    #[derive(Clone, Default)]
    struct Recorder(Arc<std::sync::Mutex<Vec<(tracing::Level, String)>>>);

    struct Message(String);

    impl tracing::field::Visit for Message {
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
            if field.name() == "message" {
                self.0 = format!("{value:?}");
            }
        }
    }

    impl tracing::Subscriber for Recorder {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, event: &tracing::Event<'_>) {
            let mut m = Message(String::new());
            event.record(&mut m);
            if let Ok(mut v) = self.0.lock() {
                v.push((*event.metadata().level(), m.0));
            }
        }
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }

    /// Each retry is logged at debug; the info line "still waiting" comes only once 30 s
    /// have passed (a wait of a second never says it).
    #[tokio::test]
    async fn retries_are_logged_at_debug_and_progress_only_after_30_s() {
        let rec = Recorder::default();
        let _guard = tracing::subscriber::set_default(rec.clone());
        let d = deadline(1, Stop::default());
        let r = within(
            10,
            wait_for(&d, "the subnet", || async {
                Poll::<(), Diagnostics>::Retry("busy".into())
            }),
        )
        .await;
        assert!(r.is_err());
        let lines = rec.0.lock().map(|v| v.clone()).unwrap_or_default();
        let retrying = lines
            .iter()
            .filter(|(level, m)| *level == tracing::Level::DEBUG && m == "retrying")
            .count();
        assert!(retrying >= 2, "{lines:?}");
        assert!(
            !lines.iter().any(|(_, m)| m == "still waiting"),
            "{lines:?}"
        );
    }
}
