//! Where a petition stands. The generator reads it from front matter, writes it into the
//! open data and the manifest (as the same lowercase strings), and the worker decides from
//! it whether a petition accepts signatures.

use serde::{Deserialize, Serialize};

use crate::date::Date;

/// Where a petition stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Open,
    Closed,
    Responded,
    PartiallySatisfied,
    Rejected,
    Removed,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Draft,
        Status::Open,
        Status::Closed,
        Status::Responded,
        Status::PartiallySatisfied,
        Status::Rejected,
        Status::Removed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Open => "open",
            Status::Closed => "closed",
            Status::Responded => "responded",
            Status::PartiallySatisfied => "partially_satisfied",
            Status::Rejected => "rejected",
            Status::Removed => "removed",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Rejected and removed petitions must say why.
    pub fn needs_reason(self) -> bool {
        matches!(self, Status::Rejected | Status::Removed)
    }

    /// Where a petition stands on `today` (in the site's time zone): an `open` petition
    /// whose deadline day is over is closed, whatever its front matter still says. Pages,
    /// listings, feeds, open data, the manifest and the signature API all go by this.
    pub fn effective(self, deadline: Option<Date>, today: Date) -> Status {
        match (self, deadline) {
            (Status::Open, Some(last_day)) if today > last_day => Status::Closed,
            (status, _) => status,
        }
    }

    /// Whether an official answer settled the petition.
    pub fn is_answered(self) -> bool {
        matches!(
            self,
            Status::Responded | Status::PartiallySatisfied | Status::Rejected
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_uses_the_front_matter_strings() {
        for status in Status::ALL {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(serde_json::from_str::<Status>(&json).unwrap(), status);
            assert_eq!(Status::parse(status.as_str()), Some(status));
        }
        assert_eq!(Status::parse("Open"), None);
        assert!(serde_json::from_str::<Status>("\"reopened\"").is_err());
    }

    #[test]
    fn an_open_petition_closes_the_day_after_its_deadline() {
        let day = |d| Date::new(2026, 3, d).unwrap();
        assert_eq!(Status::Open.effective(Some(day(1)), day(1)), Status::Open);
        assert_eq!(Status::Open.effective(Some(day(1)), day(2)), Status::Closed);
        assert_eq!(Status::Open.effective(None, day(2)), Status::Open);
        assert_eq!(
            Status::Responded.effective(Some(day(1)), day(2)),
            Status::Responded
        );
    }
}
