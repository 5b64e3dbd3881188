//! The idle timeout: a connection on which no byte is received or sent for a while is
//! closed, whatever state it is in. hyper's own timer covers only the wait for a request
//! head; this covers the rest, above all a client that stops reading an answer (the
//! server's writes then stall forever, holding a connection slot).
//!
//! `Tracked` wraps the socket and records the time of each read or write that moved
//! bytes; `Activity::idle_for` completes once none has for the given time. The
//! connection's task races the two and drops the connection when the latter wins. The
//! watch is separate from the socket because a stalled connection may not be polled at
//! all (an answer waiting on a full socket is, but a handler waiting on something else
//! is not).

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Instant;

/// When bytes last moved on one connection.
#[derive(Debug, Clone)]
pub struct Activity {
    opened: Instant,
    /// Milliseconds from `opened` to the last read or write.
    last_ms: Arc<AtomicU64>,
}

impl Activity {
    pub fn new() -> Self {
        Self {
            opened: Instant::now(),
            last_ms: Arc::new(AtomicU64::new(0)),
        }
    }

    fn record(&self) {
        let elapsed = u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.fetch_max(elapsed, Ordering::Relaxed);
    }

    fn last(&self) -> Instant {
        self.opened + Duration::from_millis(self.last_ms.load(Ordering::Relaxed))
    }

    /// No byte has moved for `time`.
    pub fn quiet_for(&self, time: Duration) -> bool {
        Instant::now() >= self.last() + time
    }

    /// Completes once no byte has moved for `limit`.
    pub async fn idle_for(&self, limit: Duration) {
        loop {
            let deadline = self.last() + limit;
            if Instant::now() >= deadline {
                return;
            }
            tokio::time::sleep_until(deadline).await;
        }
    }
}

/// A socket that records its traffic in an `Activity`.
#[derive(Debug)]
pub struct Tracked<S> {
    inner: S,
    activity: Activity,
}

impl<S> Tracked<S> {
    pub fn new(inner: S, activity: Activity) -> Self {
        Self { inner, activity }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Tracked<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.record();
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tracked<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.record_written(&polled);
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.record_written(&polled);
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl<S> Tracked<S> {
    fn record_written(&self, polled: &Poll<io::Result<usize>>) {
        if matches!(polled, Poll::Ready(Ok(written)) if *written > 0) {
            self.activity.record();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    const LIMIT: Duration = Duration::from_secs(10);

    #[tokio::test(start_paused = true)]
    async fn traffic_in_either_direction_postpones_the_timeout() {
        let (client, server) = tokio::io::duplex(64);
        let activity = Activity::new();
        let mut server = Tracked::new(server, activity.clone());
        let mut client = client;
        let idle = activity.idle_for(LIMIT);
        tokio::pin!(idle);

        tokio::time::advance(Duration::from_secs(8)).await;
        client.write_all(b"x").await.unwrap();
        let mut byte = [0u8; 1];
        server.read_exact(&mut byte).await.unwrap();
        tokio::time::advance(Duration::from_secs(8)).await;
        server.write_all(b"y").await.unwrap();
        tokio::time::advance(Duration::from_secs(8)).await;
        assert!(futures::poll!(idle.as_mut()).is_pending());

        tokio::time::advance(Duration::from_secs(3)).await;
        assert!(futures::poll!(idle.as_mut()).is_ready());
    }

    #[tokio::test(start_paused = true)]
    async fn a_connection_with_no_traffic_is_idle_after_the_limit() {
        let activity = Activity::new();
        let idle = activity.idle_for(LIMIT);
        tokio::pin!(idle);
        tokio::time::advance(LIMIT - Duration::from_millis(1)).await;
        assert!(futures::poll!(idle.as_mut()).is_pending());
        assert!(!activity.quiet_for(LIMIT));
        tokio::time::advance(Duration::from_millis(1)).await;
        assert!(futures::poll!(idle.as_mut()).is_ready());
        assert!(activity.quiet_for(LIMIT));
    }
}
