//! Signatures by region as a petition page shows them: which regions, in which order, with
//! which share and bar length, and the chart's geometry. One definition for the build (which
//! writes the table and chart with the build's counts) and the page fillers (which write them
//! with the published counts, `crate::fill`), so a filled page is what a build with those
//! counts writes.

use std::collections::BTreeMap;

/// Width of the region chart's drawing area, in SVG units.
pub const CHART_WIDTH: u32 = 400;
/// Height of one region in the chart: a label line and a bar.
pub const CHART_ROW_HEIGHT: u32 = 36;
/// Regions drawn in the chart (the table lists them all).
pub const CHART_REGIONS: usize = 10;

/// One region with signatures, ranked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RankedRegion<'a> {
    pub code: &'a str,
    /// The region's name in the page's language.
    pub name: &'a str,
    pub count: u64,
    /// Share of all signatures with a region, in percent with one decimal: "12.5".
    pub share: String,
    /// Bar length in the chart's units (`CHART_WIDTH` for the most signed region), at most
    /// one decimal: "400", "133.3".
    pub width: String,
    /// The row's offset from the chart's top, in its units.
    pub y: u32,
}

/// Every region of `regions` (code and name, in the site's order) with signatures in
/// `by_region`, most signed first, ties by name.
pub fn rank<'a>(
    regions: impl IntoIterator<Item = (&'a str, &'a str)>,
    by_region: &BTreeMap<String, u64>,
) -> Vec<RankedRegion<'a>> {
    let mut rows: Vec<(&str, &str, u64)> = regions
        .into_iter()
        .filter_map(|(code, name)| {
            let count = *by_region.get(code)?;
            (count > 0).then_some((code, name, count))
        })
        .collect();
    rows.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(b.1)));
    let total: u64 = rows.iter().map(|row| row.2).sum();
    let max = rows.first().map_or(1, |row| row.2).max(1);
    rows.into_iter()
        .zip(0..)
        .map(|((code, name, count), index)| RankedRegion {
            code,
            name,
            count,
            share: format!("{:.1}", count as f64 * 100.0 / total.max(1) as f64),
            width: one_decimal(count as f64 * f64::from(CHART_WIDTH) / max as f64),
            y: index * CHART_ROW_HEIGHT,
        })
        .collect()
}

/// The chart's height for `ranked` regions: one row per drawn region, at least one.
pub fn chart_height(ranked: usize) -> u32 {
    let rows = ranked.clamp(1, CHART_REGIONS);
    CHART_ROW_HEIGHT * u32::try_from(rows).unwrap_or(1)
}

/// `x` rounded to one decimal, without a trailing ".0" (as the page's script writes it).
fn one_decimal(x: f64) -> String {
    let tenths = (x * 10.0).round();
    if tenths % 10.0 == 0.0 {
        format!("{}", tenths / 10.0)
    } else {
        format!("{:.1}", tenths / 10.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_signed_first_ties_by_name_and_unsigned_regions_left_out() {
        let regions = [
            ("astana", "Astana"),
            ("abai", "Abai"),
            ("almaty", "Almaty"),
            ("abroad", "Abroad"),
        ];
        let counts = BTreeMap::from([
            ("astana".into(), 1),
            ("abai".into(), 3),
            ("almaty".into(), 1),
            ("abroad".into(), 0),
            ("unknown".into(), 9),
        ]);
        let ranked = rank(regions, &counts);
        let summary: Vec<_> = ranked
            .iter()
            .map(|r| (r.code, r.count, r.share.as_str(), r.width.as_str(), r.y))
            .collect();
        assert_eq!(
            summary,
            [
                ("abai", 3, "60.0", "400", 0),
                ("almaty", 1, "20.0", "133.3", 36),
                ("astana", 1, "20.0", "133.3", 72),
            ]
        );
        assert!(rank(regions, &BTreeMap::new()).is_empty());
    }

    #[test]
    fn the_chart_is_one_row_high_at_least_and_ten_at_most() {
        assert_eq!(chart_height(0), CHART_ROW_HEIGHT);
        assert_eq!(chart_height(3), 3 * CHART_ROW_HEIGHT);
        assert_eq!(chart_height(25), 10 * CHART_ROW_HEIGHT);
    }
}
