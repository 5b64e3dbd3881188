//! Calendar dates and instants, without a date crate: the one date type of the generator,
//! `petitio serve` and the worker.
//!
//! Petitions only ever need whole days (`created = 2026-03-01`, deadlines), signatures an
//! instant (unix milliseconds, printed as RFC 3339). A deadline day ends in the site's time
//! zone, a fixed [`UtcOffset`] (+05:00 in all of Kazakhstan). Civil-date conversions follow
//! Howard Hinnant's `days_from_civil` algorithms.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

const MS_PER_DAY: i64 = 86_400_000;

/// A valid Gregorian calendar date. Serialised as `YYYY-MM-DD` (the manifest's deadlines).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Builds a date, returning `None` when the day does not exist (e.g. 2026-02-30).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let valid = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        valid.then_some(Date { year, month, day })
    }

    /// Parses exactly `YYYY-MM-DD`.
    pub fn parse_iso(text: &str) -> Option<Date> {
        if !is_digits_with(text, 10, b'-', [4, 7]) {
            return None;
        }
        Date::new(
            text[0..4].parse().ok()?,
            text[5..7].parse().ok()?,
            text[8..10].parse().ok()?,
        )
    }

    /// Days since 1970-01-01.
    pub fn days_since_epoch(self) -> i64 {
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let month = i64::from(self.month);
        let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5
            + i64::from(self.day)
            - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The date `days` days after 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let mp = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (year_of_era + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// The day after this one.
    pub fn next_day(self) -> Date {
        Date::from_days_since_epoch(self.days_since_epoch() + 1)
    }

    /// The UTC date of a moment given as seconds since 1970-01-01.
    pub fn from_unix_seconds(seconds: u64) -> Date {
        Date::from_days_since_epoch((seconds / 86_400) as i64)
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

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = String::deserialize(deserializer)?;
        Date::parse_iso(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("expected a date like 2026-03-01, found {text:?}"))
        })
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// An instant as RFC 3339 in UTC with whole seconds, e.g. "2026-03-01T12:00:05Z": the time
/// of a signature record and of a published snapshot.
pub fn rfc3339_timestamp(unix_ms: u64) -> String {
    let ms = unix_ms as i64;
    let date = Date::from_days_since_epoch(ms.div_euclid(MS_PER_DAY));
    let seconds_of_day = ms.rem_euclid(MS_PER_DAY) / 1000;
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        seconds_of_day / 3600,
        seconds_of_day / 60 % 60,
        seconds_of_day % 60
    )
}

/// Whether `text` is `len` ASCII bytes: `separator` at both `at` positions, digits elsewhere
/// ("2026-03-01", "12:00:05").
fn is_digits_with(text: &str, len: usize, separator: u8, at: [usize; 2]) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == len
        && bytes.iter().enumerate().all(|(i, &b)| {
            if at.contains(&i) {
                b == separator
            } else {
                b.is_ascii_digit()
            }
        })
}

/// Reads back exactly what [`rfc3339_timestamp`] writes ("2026-03-01T12:00:05Z"), as unix
/// milliseconds; `None` for anything else, or an instant before 1970.
pub fn parse_rfc3339_timestamp(text: &str) -> Option<u64> {
    let (date, time) = text.strip_suffix('Z')?.split_once('T')?;
    let days = Date::parse_iso(date)?.days_since_epoch();
    if !is_digits_with(time, 8, b':', [2, 5]) {
        return None;
    }
    let (hours, minutes, seconds): (i64, i64, i64) = (
        time[0..2].parse().ok()?,
        time[3..5].parse().ok()?,
        time[6..8].parse().ok()?,
    );
    if hours > 23 || minutes > 59 || seconds > 59 {
        return None;
    }
    let ms = (days * 86_400 + hours * 3600 + minutes * 60 + seconds) * 1000;
    u64::try_from(ms).ok()
}

/// The site's time zone: a fixed offset from UTC, e.g. "+05:00", in which "today" and the
/// end of a deadline day are reckoned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcOffset {
    pub minutes: i32,
}

impl Default for UtcOffset {
    /// All of Kazakhstan has used UTC+5 since March 2024.
    fn default() -> UtcOffset {
        UtcOffset { minutes: 5 * 60 }
    }
}

impl UtcOffset {
    /// Parses "+HH:MM" or "-HH:MM" (at most 14 hours).
    pub fn parse(text: &str) -> Option<UtcOffset> {
        let (sign, rest) = match text.as_bytes().first()? {
            b'+' => (1, &text[1..]),
            b'-' => (-1, &text[1..]),
            _ => return None,
        };
        let (hours, minutes) = rest.split_once(':')?;
        let shaped = hours.len() == 2
            && minutes.len() == 2
            && hours
                .bytes()
                .chain(minutes.bytes())
                .all(|b| b.is_ascii_digit());
        if !shaped {
            return None;
        }
        let hours: i32 = hours.parse().ok()?;
        let minutes: i32 = minutes.parse().ok()?;
        let total = hours * 60 + minutes;
        (minutes < 60 && total <= 14 * 60).then_some(UtcOffset {
            minutes: sign * total,
        })
    }

    /// The date at `unix_seconds` in this time zone.
    pub fn date_at_seconds(self, unix_seconds: u64) -> Date {
        self.date_at(unix_seconds.saturating_mul(1000))
    }

    /// The date at `unix_ms` in this time zone: "today", when `unix_ms` is now.
    pub fn date_at(self, unix_ms: u64) -> Date {
        let local_ms = unix_ms as i64 + i64::from(self.minutes) * 60_000;
        Date::from_days_since_epoch(local_ms.div_euclid(MS_PER_DAY))
    }
}

/// "+05:00", as [`UtcOffset::parse`] reads it.
impl std::fmt::Display for UtcOffset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.minutes < 0 { '-' } else { '+' };
        let total = self.minutes.unsigned_abs();
        write!(f, "{sign}{:02}:{:02}", total / 60, total % 60)
    }
}

impl serde::Serialize for UtcOffset {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for UtcOffset {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        UtcOffset::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("{text:?} is not a UTC offset like \"+05:00\""))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_print_as_they_parse() {
        for text in ["+05:00", "-03:30", "+00:00", "+14:00"] {
            assert_eq!(UtcOffset::parse(text).unwrap().to_string(), text);
        }
        let json = serde_json::to_string(&UtcOffset::default()).unwrap();
        assert_eq!(json, "\"+05:00\"");
        assert_eq!(
            serde_json::from_str::<UtcOffset>(&json).unwrap(),
            UtcOffset::default()
        );
        assert!(serde_json::from_str::<UtcOffset>("\"UTC+5\"").is_err());
    }

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
            "2026-1-01",
            "26-01-01x",
            "",
        ] {
            assert_eq!(Date::parse_iso(text), None, "{text}");
        }
        assert!(Date::parse_iso("2024-02-29").is_some());
        assert_eq!(
            Date::parse_iso("2028-02-29"),
            Some(Date {
                year: 2028,
                month: 2,
                day: 29
            })
        );
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

    #[test]
    fn serialises_as_an_iso_string() {
        let date = Date::new(2026, 9, 1).unwrap();
        let json = serde_json::to_string(&date).unwrap();
        assert_eq!(json, "\"2026-09-01\"");
        assert_eq!(serde_json::from_str::<Date>(&json).unwrap(), date);
        let error = serde_json::from_str::<Date>("\"2026-02-30\"").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("expected a date like 2026-03-01, found \"2026-02-30\""),
            "{error}"
        );
    }

    #[test]
    fn formats_rfc3339() {
        assert_eq!(rfc3339_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_timestamp(1_772_366_405_999), "2026-03-01T12:00:05Z");
    }

    #[test]
    fn offsets_move_the_date() {
        let almaty = UtcOffset::parse("+05:00").unwrap();
        assert_eq!(almaty, UtcOffset::default());
        // 2026-03-01T20:00:00Z is already March 2nd in Almaty.
        let ms = 1_772_395_200_000;
        assert_eq!(almaty.date_at(ms), Date::parse_iso("2026-03-02").unwrap());
        assert_eq!(
            UtcOffset::parse("-03:30").unwrap().date_at(ms),
            Date::parse_iso("2026-03-01").unwrap()
        );
        for bad in ["05:00", "+5:00", "+15:00", "+05:60"] {
            assert_eq!(UtcOffset::parse(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn civil_dates_round_trip(days in -1_000_000i64..1_000_000) {
            proptest::prop_assert_eq!(Date::from_days_since_epoch(days).days_since_epoch(), days);
        }

        #[test]
        fn unix_seconds_and_days_agree(seconds in 0u64..10_000_000_000) {
            let date = Date::from_unix_seconds(seconds);
            proptest::prop_assert_eq!(date.days_since_epoch(), (seconds / 86_400) as i64);
            proptest::prop_assert_eq!(Date::parse_iso(&date.to_string()), Some(date));
        }
    }

    #[test]
    fn timestamps_read_back_exactly_as_written() {
        for ms in [0, 1_772_366_405_000, 4_102_444_799_000] {
            let text = rfc3339_timestamp(ms);
            assert_eq!(parse_rfc3339_timestamp(&text), Some(ms), "{text}");
        }
        for bad in [
            "2026-03-01T12:00:05",
            "2026-03-01 12:00:05Z",
            "2026-03-01T24:00:00Z",
            "2026-02-30T12:00:00Z",
            "2026-03-01T12:00:5Z",
            "1969-12-31T23:59:59Z",
        ] {
            assert_eq!(parse_rfc3339_timestamp(bad), None, "{bad}");
        }
    }
}
