//! Calendar dates as they appear in front matter (`created = 2026-03-01`).
//!
//! Petitions only ever need whole days, so this is a tiny validated value type rather than a
//! dependency on a date-time library: it parses, orders and prints ISO dates, nothing more.

use std::fmt;

use crate::error::Error;

/// The environment variable that replaces today's date: for tests, and for builds that must
/// give the same result on any day. Read in [`Date::today`] only.
pub const TODAY_VARIABLE: &str = "PETITIO_TODAY";

/// A valid Gregorian calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Builds a date, returning `None` when the day does not exist (e.g. 2026-02-30).
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let valid = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        valid.then_some(Date { year, month, day })
    }

    /// Parses exactly `YYYY-MM-DD`.
    pub fn parse_iso(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<u16> {
            let part = &text[range];
            part.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| part.parse().ok())
                .flatten()
        };
        let month = u8::try_from(number(5..7)?).ok()?;
        let day = u8::try_from(number(8..10)?).ok()?;
        Date::new(number(0..4)?, month, day)
    }

    /// The UTC date of a moment given as seconds since 1970-01-01.
    pub fn from_unix_seconds(seconds: u64) -> Date {
        // Howard Hinnant's days-to-civil algorithm.
        let days = (seconds / 86_400) as i64 + 719_468;
        let era = days.div_euclid(146_097);
        let day_of_era = days.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_index = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u8;
        let month = if month_index < 10 {
            month_index + 3
        } else {
            month_index - 9
        } as u8;
        let year = (year_of_era + era * 400 + i64::from(month <= 2)) as u16;
        Date { year, month, day }
    }

    /// Today's date in UTC, or the date [`TODAY_VARIABLE`] gives when it is set. The
    /// generator has no time zone of its own (the signature API's `SITE_UTC_OFFSET` is a
    /// setting of the worker), so "today" is UTC's.
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

    /// The day after this one.
    pub fn next_day(self) -> Date {
        Date::new(self.year, self.month, self.day + 1)
            .or_else(|| Date::new(self.year, self.month + 1, 1))
            .unwrap_or(Date {
                year: self.year + 1,
                month: 1,
                day: 1,
            })
    }

    /// RFC 3339 timestamp at midnight UTC, as Atom feeds require.
    pub fn rfc3339(self) -> String {
        format!("{self}T00:00:00Z")
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::Date;

    #[test]
    fn parses_and_prints_iso_dates() {
        let date = Date::parse_iso("2026-03-01").unwrap();
        assert_eq!((date.year, date.month, date.day), (2026, 3, 1));
        assert_eq!(date.to_string(), "2026-03-01");
        assert_eq!(date.rfc3339(), "2026-03-01T00:00:00Z");
    }

    #[test]
    fn rejects_days_that_do_not_exist_and_other_shapes() {
        for text in [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-4-01",
            "tomorrow",
            "2026-04-31",
        ] {
            assert_eq!(Date::parse_iso(text), None, "{text}");
        }
        assert!(Date::parse_iso("2024-02-29").is_some());
    }

    #[test]
    fn converts_unix_time_to_dates() {
        assert_eq!(Date::from_unix_seconds(0).to_string(), "1970-01-01");
        assert_eq!(
            Date::from_unix_seconds(951_782_400).to_string(),
            "2000-02-29"
        );
        assert_eq!(
            Date::from_unix_seconds(1_798_675_199).to_string(),
            "2026-12-30"
        );
    }

    #[test]
    fn the_next_day_rolls_over_months_and_years() {
        for (day, next) in [
            ("2026-03-01", "2026-03-02"),
            ("2026-02-28", "2026-03-01"),
            ("2024-02-28", "2024-02-29"),
            ("2026-12-31", "2027-01-01"),
        ] {
            assert_eq!(Date::parse_iso(day).unwrap().next_day().to_string(), next);
        }
    }

    #[test]
    fn orders_chronologically() {
        assert!(Date::parse_iso("2025-12-31") < Date::parse_iso("2026-01-01"));
    }
}
