//! Calendar arithmetic on unix milliseconds, without a date crate: RFC 3339 timestamps for
//! records and snapshots, and "is this deadline day over" in the site's time zone.
//! Civil-date conversions follow Howard Hinnant's `days_from_civil` algorithms.

const MS_PER_DAY: i64 = 86_400_000;

/// A civil date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i64,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Parses "YYYY-MM-DD" (the manifest's deadline format).
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        let shaped = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shaped {
            return None;
        }
        let date = Date {
            year: text[0..4].parse().ok()?,
            month: text[5..7].parse().ok()?,
            day: text[8..10].parse().ok()?,
        };
        let valid = (1..=12).contains(&date.month)
            && date.day >= 1
            && date.day <= days_in_month(date.year, date.month);
        valid.then_some(date)
    }

    /// Days since 1970-01-01.
    pub fn days_since_epoch(self) -> i64 {
        let year = if self.month <= 2 {
            self.year - 1
        } else {
            self.year
        };
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let month = i64::from(self.month);
        let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5
            + i64::from(self.day)
            - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let mp = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Date { year, month, day }
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// RFC 3339 in UTC with whole seconds, e.g. "2026-03-01T12:00:05Z".
pub fn rfc3339(unix_ms: u64) -> String {
    let ms = unix_ms as i64;
    let date = Date::from_days_since_epoch(ms.div_euclid(MS_PER_DAY));
    let seconds_of_day = ms.rem_euclid(MS_PER_DAY) / 1000;
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        date.year,
        date.month,
        date.day,
        seconds_of_day / 3600,
        seconds_of_day / 60 % 60,
        seconds_of_day % 60
    )
}

/// A fixed offset from UTC, e.g. "+05:00" (all of Kazakhstan since March 2024).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcOffset {
    pub minutes: i32,
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

    /// The civil date at `unix_ms` in this offset.
    pub fn date_at(self, unix_ms: u64) -> Date {
        let local_ms = unix_ms as i64 + i64::from(self.minutes) * 60_000;
        Date::from_days_since_epoch(local_ms.div_euclid(MS_PER_DAY))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_772_366_405_999), "2026-03-01T12:00:05Z");
    }

    #[test]
    fn parses_dates() {
        assert_eq!(
            Date::parse("2028-02-29"),
            Some(Date {
                year: 2028,
                month: 2,
                day: 29
            })
        );
        for bad in ["2026-02-29", "2026-13-01", "2026-1-01", "26-01-01x", ""] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn offsets_move_the_date() {
        let almaty = UtcOffset::parse("+05:00").unwrap();
        // 2026-03-01T20:00:00Z is already March 2nd in Almaty.
        let ms = 1_772_395_200_000;
        assert_eq!(almaty.date_at(ms), Date::parse("2026-03-02").unwrap());
        assert_eq!(
            UtcOffset::parse("-03:30").unwrap().date_at(ms),
            Date::parse("2026-03-01").unwrap()
        );
        for bad in ["05:00", "+5:00", "+15:00", "+05:60"] {
            assert_eq!(UtcOffset::parse(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn civil_dates_round_trip(days in -1_000_000i64..1_000_000) {
            prop_assert_eq!(Date::from_days_since_epoch(days).days_since_epoch(), days);
        }
    }
}
