//! One shared poller with backoff and a deadline, for AWS operations without an SDK
//! waiter (eventual consistency, DependencyViolation during deletes).

use std::future::Future;
use std::time::{Duration, Instant};

/// What one attempt says.
pub enum Poll<T, E> {
    Done(T),
    /// Not yet: try again after the backoff, remembering why.
    Retry(String),
    Fail(E),
}

/// Calls `attempt` until it is done, fails, or `timeout` passes; then `on_timeout`
/// gets the last reason to build the error. Backoff doubles from 250 ms to 10 s.
pub async fn poll<T, E, F, Fut>(
    timeout: Duration,
    mut attempt: F,
    on_timeout: impl FnOnce(String) -> E,
) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Poll<T, E>>,
{
    let deadline = Instant::now() + timeout;
    let mut delay = Duration::from_millis(250);
    loop {
        match attempt().await {
            Poll::Done(v) => return Ok(v),
            Poll::Fail(e) => return Err(e),
            Poll::Retry(why) => {
                let now = Instant::now();
                if now >= deadline {
                    return Err(on_timeout(why));
                }
                tracing::debug!(reason = %why, "retrying");
                tokio::time::sleep(delay.min(deadline - now)).await;
                delay = (delay * 2).min(Duration::from_secs(10));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn retries_until_done() {
        let mut n = 0;
        let r: Result<u32, String> = poll(
            Duration::from_secs(60),
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
            |why| why,
        )
        .await;
        assert_eq!(r, Ok(3));
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_at_the_deadline_with_the_last_reason() {
        let r: Result<(), String> = poll(
            Duration::from_secs(5),
            || async { Poll::Retry("DependencyViolation".into()) },
            |why| format!("timed out: {why}"),
        )
        .await;
        assert_eq!(r, Err("timed out: DependencyViolation".into()));
    }
}
