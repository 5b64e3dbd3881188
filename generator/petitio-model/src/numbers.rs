//! Numbers as pages show them, computed the same way by the generator (build-time counts)
//! and by the page filler (live counts): digit groups, a percentage of a goal, and the width
//! a count takes in the SVG badge.

/// `n` with digit groups of three joined by `separator`, e.g. "12 500" or "12,500".
pub fn group_digits(n: u64, separator: &str) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * separator.len());
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(digit);
    }
    out
}

/// `value` as a percentage of `of`, capped at 100, to one decimal.
pub fn percent(value: u64, of: u64) -> f64 {
    let ratio = value as f64 / of.max(1) as f64;
    (ratio.min(1.0) * 1000.0).round() / 10.0
}

/// [`percent`] as pages write it: "24.7", "100", "0" (no ".0" for whole numbers, as a
/// template prints a number), in integer arithmetic: formatting a float would add the
/// float printer to the worker's wasm (it fills this into pages).
pub fn percent_text(value: u64, of: u64) -> String {
    let of = of.max(1);
    let tenths = (value.saturating_mul(2000).saturating_add(of) / of.saturating_mul(2)).min(1000);
    match tenths % 10 {
        0 => (tenths / 10).to_string(),
        rest => format!("{}.{rest}", tenths / 10),
    }
}

/// Padding on each side of a badge's text, in px.
pub const BADGE_PAD: u32 = 6;

/// Approximate advance of a text at 11 px in Verdana-like fonts, as the badge fits it.
pub fn badge_text_width(text: &str) -> u32 {
    let chars = u32::try_from(text.chars().count()).unwrap_or(u32::MAX / 8);
    chars.saturating_mul(7).max(7)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped_by_three_from_the_right() {
        assert_eq!(
            group_digits(1_234_567, "\u{202f}"),
            "1\u{202f}234\u{202f}567"
        );
        assert_eq!(group_digits(12_500, ","), "12,500");
        assert_eq!(group_digits(999, ","), "999");
        assert_eq!(group_digits(0, ","), "0");
    }

    #[test]
    fn percent_text_is_the_percentage_as_a_template_prints_it() {
        for (value, of) in [
            (1, 3),
            (5, 4),
            (0, 0),
            (2, 3),
            (1, 2000),
            (1, 20000),
            (3, 2000),
            (999, 1000),
            (1, 8),
        ] {
            let float = percent(value, of);
            let printed = if float.fract() == 0.0 {
                format!("{float:.0}")
            } else {
                float.to_string()
            };
            assert_eq!(percent_text(value, of), printed, "{value} of {of}");
        }
    }

    #[test]
    fn percentages_are_capped_and_rounded() {
        assert_eq!(percent(1, 3), 33.3);
        assert_eq!(percent(5, 4), 100.0);
        assert_eq!(percent(0, 0), 0.0);
    }
}
