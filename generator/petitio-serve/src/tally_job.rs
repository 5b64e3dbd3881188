//! The counting job, run in the background every few seconds (production's cron runs it
//! every minute): it folds sealed buckets into the tally and publishes the snapshot that
//! `GET /api/counts` reads. It is the only writer of those keys (invariant 2).

use std::sync::Arc;
use std::time::Duration;

use petitio_signatures::tally::run_scheduled;
use tokio::time::MissedTickBehavior;

use crate::api_bridge::{unix_millis_now, SignatureApi};
use crate::terminal;

/// Runs the job every `interval`, forever, once the site has been built; a failed run is
/// reported and retried next time.
pub async fn run_every(api: Arc<SignatureApi>, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
    loop {
        ticks.tick().await;
        let site = api.site.current();
        let Some(manifest) = &site.manifest else {
            continue;
        };
        if let Err(error) =
            run_scheduled(&api.store, manifest, &api.config, unix_millis_now()).await
        {
            terminal::counting_failed(&error, interval);
        }
    }
}
