//! "Today" for the generator: the day content dates are checked against and a new petition
//! is dated. The generator has no time zone of its own (the signature API's
//! `SITE_UTC_OFFSET` is a setting of the worker), so today is UTC's, unless
//! [`TODAY_VARIABLE`] names a date: for tests, and for builds that must give the same result
//! on any day.

use petitio_model::date::Date;

use crate::error::Error;

/// The environment variable that replaces today's date. Read in [`today`] only.
pub const TODAY_VARIABLE: &str = "PETITIO_TODAY";

/// Today's date in UTC, or the date [`TODAY_VARIABLE`] gives when it is set.
pub fn today() -> Result<Date, Error> {
    match std::env::var(TODAY_VARIABLE) {
        Ok(value) => Date::parse_iso(&value).ok_or(Error::InvalidToday { value }),
        Err(_) => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            Ok(Date::from_unix_seconds(now))
        }
    }
}
