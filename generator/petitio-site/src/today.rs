//! "Today" for the generator: the day content dates are checked against, a petition past
//! its deadline is shown closed, and a new petition is dated: the date in the site's time
//! zone (`utc_offset` in petitio.toml, which the manifest passes on to the signature API),
//! unless [`TODAY_VARIABLE`] names a date: for tests, and for builds that must give the
//! same result on any day.

use petitio_model::date::{Date, UtcOffset};

use crate::error::Error;

/// The environment variable that replaces today's date. Read in [`today`] only.
pub const TODAY_VARIABLE: &str = "PETITIO_TODAY";

/// Today's date at `offset` from UTC, or the date [`TODAY_VARIABLE`] gives when it is set.
pub fn today(offset: UtcOffset) -> Result<Date, Error> {
    match std::env::var(TODAY_VARIABLE) {
        Ok(value) => Date::parse_iso(&value).ok_or(Error::InvalidToday { value }),
        Err(_) => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            Ok(offset.date_at_seconds(now))
        }
    }
}
