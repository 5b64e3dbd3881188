//! Milestone dates as open data writes them: the one spelling of the `milestones_reached`
//! cell of `data/petitions.csv`, which the generator writes and the live servers patch with
//! the published dates (`petitio_signatures::live_data`), so both write the same bytes.

use std::collections::BTreeMap;

/// Name of the open data field and CSV column holding the dates.
pub const REACHED_FIELD: &str = "milestones_reached";

/// `milestone=timestamp` pairs, lowest milestone first, separated by spaces:
/// "1000=2026-03-01T12:00:00Z 5000=2026-03-04T08:17:00Z" ("" when none is reached).
pub fn csv_cell(reached: &BTreeMap<u64, String>) -> String {
    let pairs: Vec<String> = reached
        .iter()
        .map(|(milestone, at)| format!("{milestone}={at}"))
        .collect();
    pairs.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_in_milestone_order() {
        let reached = BTreeMap::from([
            (5000, "2026-03-04T08:17:00Z".to_owned()),
            (1000, "2026-03-01T12:00:00Z".to_owned()),
        ]);
        assert_eq!(
            csv_cell(&reached),
            "1000=2026-03-01T12:00:00Z 5000=2026-03-04T08:17:00Z"
        );
        assert_eq!(csv_cell(&BTreeMap::new()), "");
    }
}
