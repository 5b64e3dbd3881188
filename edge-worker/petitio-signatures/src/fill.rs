//! The values a page filler writes into a served page (the contract is
//! `petitio_model::fill`): live counts from the published snapshot, written exactly as the
//! build writes them (digit groups from the manifest, the same percentages and badge
//! widths). The worker (HTMLRewriter) and `petitio serve` (`lol_html`) both ask this, so a
//! page shows the same values whoever serves it.
//!
//! | name | value (for the element's `data-fill-for` petition) |
//! |---|---|
//! | `count` | the count, digits grouped for the page's language ("1 234") |
//! | `digits` | the count as plain digits ("1234"), for attributes scripts read |
//! | `percent:<goal>` | the count as a percentage of `goal`, capped at 100 ("12.5", "100") |
//! | `reached:<n>` | " reached" once the count is at least `n`, else "" (a class suffix) |
//! | `reached_on:<n>` | the day (`YYYY-MM-DD`, site time zone) the count reached milestone `n`; none before |
//! | `region:<code>` | the count from one region, digits grouped |
//! | `count_width:<px>` | the badge's width of the count's text plus `px` |
//! | `count_center:<px>` | `px` plus half the badge's box around the count's text |
//! | `plural:<forms>` | the form the count takes among `one=…\|other=…` (`petitio_model::plurals`) |
//! | `plural_width:<forms>` | the badge's width of that form's text |
//! | `rank_region:<i>`, `rank_name:<i>`, `rank_count:<i>`, `rank_share:<i>`, `rank_width:<i>`, `rank_y:<i>` | the `i`-th most signed region (from 1): its code, name, count, share in percent, chart bar length and row offset (`petitio_model::regions`) |
//! | `chart_height` | the region chart's height for the regions it draws |
//! | `hidden_if_regions`, `hidden_unless_regions` | " is-hidden" (a class suffix) when some / no region has signatures, else "" |
//! | `live` | "hidden", needing no petition: hides a note saying counts are as of the build |
//!
//! Lists (`each` targets): `regions` or `regions:<n>`, the regions with signatures, at most
//! `n`, most signed first.
//! | `token` | the request's `?token=` (a confirmation link's), if it has a token's form |
//! | `receipt` | the request's `?receipt=` (the `signed/` page after a no-JS signature), if it is a receipt as Petitio writes it |
//!
//! A petition the snapshot does not list has 0 signatures; without a snapshot (before the
//! counting job's first run) there are no counts at all and those targets stay as built.
//! The request's own values ([`RequestValues`]) need no snapshot: the confirm page's form
//! gets its token without JavaScript from the first signature on.

use petitio_model::date::parse_rfc3339_timestamp;
use petitio_model::fill::Values;
use petitio_model::manifest::Manifest;
use petitio_model::numbers::{badge_text_width, percent_text, BADGE_PAD};
use petitio_model::regions::{self, RankedRegion};
use petitio_model::transparency::Receipt;

use crate::snapshot::{PetitionCount, Snapshot};
use crate::token::MAX_TOKEN_CHARS;

/// The published counts as values of the page-fill contract, for a page in `lang`.
#[derive(Debug, Clone, Copy)]
pub struct LiveCounts<'a> {
    pub snapshot: &'a Snapshot,
    pub manifest: &'a Manifest,
    pub lang: &'a str,
}

/// The value of `live`: the attribute value hiding an "as of the build" note.
pub const LIVE: &str = "hidden";

/// The class suffix hiding part of the region section (`hidden_if_regions`, ...).
pub const HIDDEN: &str = " is-hidden";

/// The values naming the region table and chart ([`LiveCounts::region_value`]).
const REGION_VALUES: [&str; 9] = [
    "rank_region",
    "rank_name",
    "rank_count",
    "rank_share",
    "rank_width",
    "rank_y",
    "chart_height",
    "hidden_if_regions",
    "hidden_unless_regions",
];

impl<'a> LiveCounts<'a> {
    /// Whether the manifest lists the petition (an unknown one has no values at all).
    fn knows(&self, slug: &str) -> bool {
        self.manifest.petitions.iter().any(|p| p.slug == slug)
    }

    fn count_of(&self, slug: &str) -> Option<PetitionCount> {
        self.knows(slug).then(|| {
            self.snapshot
                .petitions
                .get(slug)
                .cloned()
                .unwrap_or_default()
        })
    }

    /// The petition's regions with signatures, most signed first, named in the page's
    /// language.
    /// (Reads the snapshot's counts in place: a page asks this for every cell of its table.)
    fn ranked(&self, slug: &str) -> Option<Vec<RankedRegion<'a>>> {
        if !self.knows(slug) {
            return None;
        }
        let Some(count) = self.snapshot.petitions.get(slug) else {
            return Some(Vec::new());
        };
        Some(regions::rank(
            self.manifest.regions_in(self.lang),
            &count.by_region,
        ))
    }

    /// A value of the region table or chart.
    fn region_value(&self, slug: &str, name: &str, arg: Option<&str>) -> Option<String> {
        let ranked = self.ranked(slug)?;
        let hidden_if = |hide: bool| if hide { HIDDEN } else { "" }.to_owned();
        match name {
            "chart_height" => return Some(regions::chart_height(ranked.len()).to_string()),
            "hidden_if_regions" => return Some(hidden_if(!ranked.is_empty())),
            "hidden_unless_regions" => return Some(hidden_if(ranked.is_empty())),
            _ => {}
        }
        let index = arg?.parse::<usize>().ok()?.checked_sub(1)?;
        let row = ranked.get(index)?;
        Some(match name {
            "rank_region" => row.code.to_owned(),
            "rank_name" => row.name.to_owned(),
            "rank_count" => self.number(row.count),
            "rank_share" => row.share.clone(),
            "rank_width" => row.width.clone(),
            "rank_y" => row.y.to_string(),
            _ => return None,
        })
    }

    fn plural<'f>(&self, n: u64, forms: &'f str) -> Option<&'f str> {
        self.manifest.plural(self.lang, n, forms)
    }

    fn number(&self, n: u64) -> String {
        self.manifest.format_number(self.lang, n)
    }
}

impl Values for LiveCounts<'_> {
    fn value(&self, petition: Option<&str>, name: &str, arg: Option<&str>) -> Option<String> {
        if name == "live" {
            return Some(LIVE.to_owned());
        }
        if REGION_VALUES.contains(&name) {
            return self.region_value(petition?, name, arg);
        }
        let count = self.count_of(petition?)?;
        let number = |arg: Option<&str>| arg?.parse::<u64>().ok();
        let text_width = || badge_text_width(&self.number(count.count));
        Some(match name {
            "count" => self.number(count.count),
            "digits" => count.count.to_string(),
            "percent" => percent_text(count.count, number(arg)?),
            "reached" => if count.count >= number(arg)? {
                " reached"
            } else {
                ""
            }
            .to_owned(),
            "reached_on" => {
                let reached_at = count.reached.get(&number(arg)?)?;
                let ms = parse_rfc3339_timestamp(reached_at)?;
                self.manifest.utc_offset.date_at(ms).to_string()
            }
            "plural" => self.plural(count.count, arg?)?.to_owned(),
            "plural_width" => badge_text_width(self.plural(count.count, arg?)?).to_string(),
            "region" => self.number(*count.by_region.get(arg?).unwrap_or(&0)),
            "count_width" => (text_width() + u32::try_from(number(arg)?).ok()?).to_string(),
            "count_center" => {
                let plus = u32::try_from(number(arg)?).ok()?;
                (plus + (text_width() + 2 * BADGE_PAD) / 2).to_string()
            }
            _ => return None,
        })
    }

    fn items(&self, petition: Option<&str>, name: &str, arg: Option<&str>) -> Option<usize> {
        if name != "regions" {
            return None;
        }
        let limit = match arg {
            Some(limit) => limit.parse().ok()?,
            None => usize::MAX,
        };
        Some(self.ranked(petition?)?.len().min(limit))
    }
}

/// `Cache-Control` of a page filled with a request's own values ([`RequestValues::is_personal`]).
pub const PERSONAL_CACHE_CONTROL: &str = "private, no-store";

/// Values a page takes from the request serving it: the token of a confirmation link
/// (`<confirm page>?token=<token>`), so the confirm page's form posts it without JavaScript,
/// and a new signature's receipt (`<signed page>?receipt=<receipt>`, #13), so the page
/// shows it to a signer without JavaScript.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestValues<'q> {
    pub token: Option<&'q str>,
    pub receipt: Option<&'q str>,
}

impl<'q> RequestValues<'q> {
    /// The values in a URL's query string (without its `?`). A token is taken only when it
    /// has a token's form (hex digits and one `.`, at most [`MAX_TOKEN_CHARS`]): whatever
    /// else a link carries is never written into a page. Whether the token is valid is
    /// checked when it is posted, not here.
    /// A receipt only in its exact written form (`transparency::Receipt`'s).
    pub fn from_query(query: Option<&'q str>) -> Self {
        let parameter = |name: &str| {
            query
                .into_iter()
                .flat_map(|query| query.split('&'))
                .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
        };
        let token =
            parameter(petitio_model::urls::TOKEN_PARAMETER).filter(|token| has_token_form(token));
        let receipt = parameter(petitio_model::urls::RECEIPT_PARAMETER)
            .filter(|text| Receipt::parse(text).is_ok_and(|receipt| receipt.to_string() == *text));
        RequestValues { token, receipt }
    }

    /// Whether filling a page with these values makes it personal: it must then not be
    /// stored by any cache (`Cache-Control: private, no-store`).
    pub fn is_personal(&self) -> bool {
        self.token.is_some() || self.receipt.is_some()
    }
}

fn has_token_form(text: &str) -> bool {
    text.len() <= MAX_TOKEN_CHARS
        && text.bytes().filter(|b| *b == b'.').count() == 1
        && text.bytes().all(|b| b == b'.' || b.is_ascii_hexdigit())
}

/// Everything a served page or badge is filled from: the published counts (none before the
/// counting job's first run) and the request's own values.
#[derive(Debug, Clone, Copy)]
pub struct PageValues<'a> {
    pub counts: Option<LiveCounts<'a>>,
    pub request: RequestValues<'a>,
}

impl PageValues<'_> {
    /// Whether serving the page with these values can change it at all.
    pub fn fill_anything(&self) -> bool {
        self.counts.is_some() || self.request != RequestValues::default()
    }
}

impl Values for PageValues<'_> {
    fn value(&self, petition: Option<&str>, name: &str, arg: Option<&str>) -> Option<String> {
        match name {
            "token" => self.request.token.map(str::to_owned),
            "receipt" => self.request.receipt.map(str::to_owned),
            _ => self.counts.as_ref()?.value(petition, name, arg),
        }
    }

    fn items(&self, petition: Option<&str>, name: &str, arg: Option<&str>) -> Option<usize> {
        self.counts.as_ref()?.items(petition, name, arg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use petitio_model::fill::{edits, Edit};
    use petitio_model::manifest::ManifestPetition;
    use petitio_model::status::Status;
    use std::collections::BTreeMap;

    fn manifest() -> Manifest {
        Manifest {
            log_key: None,
            witnesses: Vec::new(),
            where_note: None,
            version: 1,
            base_path: "/".into(),
            default_language: "kk".into(),
            languages: vec!["kk".into(), "en".into()],
            regions: vec!["abroad".into()],
            region_names: Default::default(),
            number_groups: BTreeMap::from([("kk".into(), "\u{202f}".into())]),
            // kk's CLDR table: 1 is `one`, every other number `other`.
            plural_tables: BTreeMap::from([("kk".into(), format!("5{}{}", "1", "5".repeat(198)))]),
            utc_offset: Default::default(),
            petitions: ["clean-air", "unsigned"]
                .map(|slug| ManifestPetition {
                    slug: slug.into(),
                    status: Status::Open,
                    deadline: None,
                    languages: vec!["kk".into()],
                    titles: Default::default(),
                    milestones: vec![1000, 2000],
                })
                .to_vec(),
        }
    }

    fn snapshot() -> Snapshot {
        let mut count = PetitionCount::default();
        for _ in 0..1234 {
            count.add("abroad");
        }
        // Reached at 21:30 UTC: already the next day in the site's time zone (+05:00).
        count.mark_reached(1000, || "2026-02-28T21:30:00Z".into());
        Snapshot {
            updated_at: "2026-03-01T12:00:00Z".into(),
            petitions: BTreeMap::from([("clean-air".into(), count)]),
        }
    }

    #[test]
    fn every_name_has_the_value_the_build_would_write() {
        let (snapshot, manifest) = (snapshot(), manifest());
        let kk = LiveCounts {
            snapshot: &snapshot,
            manifest: &manifest,
            lang: "kk",
        };
        let en = LiveCounts { lang: "en", ..kk };
        let value = |values: &LiveCounts, name, arg| values.value(Some("clean-air"), name, arg);
        assert_eq!(value(&kk, "count", None).as_deref(), Some("1\u{202f}234"));
        assert_eq!(
            value(&en, "count", None).as_deref(),
            Some("1,234"),
            "',' by default"
        );
        assert_eq!(value(&kk, "digits", None).as_deref(), Some("1234"));
        assert_eq!(value(&kk, "percent", Some("5000")).as_deref(), Some("24.7"));
        assert_eq!(value(&kk, "percent", Some("1000")).as_deref(), Some("100"));
        assert_eq!(
            value(&kk, "reached", Some("1000")).as_deref(),
            Some(" reached")
        );
        assert_eq!(value(&kk, "reached", Some("2000")).as_deref(), Some(""));
        assert_eq!(
            value(&kk, "reached_on", Some("1000")).as_deref(),
            Some("2026-03-01")
        );
        assert_eq!(value(&kk, "reached_on", Some("2000")), None, "not reached");
        assert_eq!(value(&kk, "reached_on", None), None);
        assert_eq!(
            value(&kk, "region", Some("abroad")).as_deref(),
            Some("1\u{202f}234")
        );
        assert_eq!(value(&kk, "region", Some("astana")).as_deref(), Some("0"));
        assert_eq!(value(&kk, "count_width", Some("12")).as_deref(), Some("47"));
        assert_eq!(
            value(&kk, "count_center", Some("68")).as_deref(),
            Some("91")
        );
        assert_eq!(kk.value(None, "live", None).as_deref(), Some(LIVE));
        let forms = Some("one=қол|other=қолдар");
        assert_eq!(value(&kk, "plural", forms).as_deref(), Some("қолдар"));
        assert_eq!(
            value(&kk, "plural_width", forms),
            Some(badge_text_width("қолдар").to_string())
        );
        assert_eq!(value(&en, "plural", forms), None, "no table for en");
    }

    #[test]
    fn the_noun_follows_the_live_count() {
        let manifest = manifest();
        let mut count = PetitionCount::default();
        count.add("abroad");
        let one = Snapshot {
            updated_at: "2026-03-01T12:00:00Z".into(),
            petitions: BTreeMap::from([("clean-air".into(), count)]),
        };
        let kk = LiveCounts {
            snapshot: &one,
            manifest: &manifest,
            lang: "kk",
        };
        let forms = Some("one=қол|other=қолдар");
        assert_eq!(
            kk.value(Some("clean-air"), "plural", forms).as_deref(),
            Some("қол")
        );
        assert_eq!(
            kk.value(Some("unsigned"), "plural", forms).as_deref(),
            Some("қолдар"),
            "0 is other"
        );
    }

    #[test]
    fn unknown_petitions_names_and_arguments_leave_the_build_value() {
        let (snapshot, manifest) = (snapshot(), manifest());
        let kk = LiveCounts {
            snapshot: &snapshot,
            manifest: &manifest,
            lang: "kk",
        };
        assert_eq!(
            kk.value(Some("unsigned"), "count", None).as_deref(),
            Some("0")
        );
        assert_eq!(kk.value(Some("gone"), "count", None), None);
        assert_eq!(kk.value(None, "count", None), None);
        assert_eq!(kk.value(Some("clean-air"), "percent", Some("x")), None);
        assert_eq!(kk.value(Some("clean-air"), "percent", None), None);
        assert_eq!(kk.value(Some("clean-air"), "token", None), None);
        let attributes = |name: &str| match name {
            "data-fill" => Some("text".to_owned()),
            "data-fill-for" => Some("clean-air".to_owned()),
            "data-fill-text" => Some("{count} of {percent:oops}".to_owned()),
            _ => None,
        };
        assert_eq!(edits(attributes, &kk), Vec::<Edit>::new());
    }

    #[test]
    fn the_region_table_and_chart_follow_the_live_counts() {
        let mut manifest = manifest();
        manifest.regions = vec!["abai".into(), "abroad".into(), "astana".into()];
        manifest.region_names = BTreeMap::from([(
            "kk".into(),
            vec!["Абай".into(), "Шетел".into(), "Астана".into()],
        )]);
        let mut count = PetitionCount::default();
        for region in ["astana", "abroad", "astana", "astana"] {
            count.add(region);
        }
        let snapshot = Snapshot {
            updated_at: "2026-03-01T12:00:00Z".into(),
            petitions: BTreeMap::from([("clean-air".into(), count)]),
        };
        let kk = LiveCounts {
            snapshot: &snapshot,
            manifest: &manifest,
            lang: "kk",
        };
        let en = LiveCounts { lang: "en", ..kk };
        let value = |values: &LiveCounts, name, arg| values.value(Some("clean-air"), name, arg);
        assert_eq!(
            value(&kk, "rank_name", Some("1")).as_deref(),
            Some("Астана")
        );
        assert_eq!(
            value(&en, "rank_name", Some("1")).as_deref(),
            Some("astana"),
            "no en names: codes"
        );
        assert_eq!(
            value(&kk, "rank_region", Some("2")).as_deref(),
            Some("abroad")
        );
        assert_eq!(value(&kk, "rank_count", Some("1")).as_deref(), Some("3"));
        assert_eq!(value(&kk, "rank_share", Some("2")).as_deref(), Some("25.0"));
        assert_eq!(
            value(&kk, "rank_width", Some("2")).as_deref(),
            Some("133.3")
        );
        assert_eq!(value(&kk, "rank_y", Some("2")).as_deref(), Some("36"));
        assert_eq!(value(&kk, "rank_name", Some("3")), None, "abai has none");
        assert_eq!(value(&kk, "rank_name", Some("0")), None);
        assert_eq!(value(&kk, "chart_height", None).as_deref(), Some("72"));
        assert_eq!(
            value(&kk, "hidden_if_regions", None).as_deref(),
            Some(HIDDEN)
        );
        assert_eq!(
            value(&kk, "hidden_unless_regions", None).as_deref(),
            Some("")
        );
        assert_eq!(kk.items(Some("clean-air"), "regions", None), Some(2));
        assert_eq!(kk.items(Some("clean-air"), "regions", Some("1")), Some(1));
        assert_eq!(kk.items(Some("unsigned"), "regions", None), Some(0));
        assert_eq!(
            kk.value(Some("unsigned"), "hidden_unless_regions", None)
                .as_deref(),
            Some(HIDDEN)
        );
        assert_eq!(kk.items(Some("gone"), "regions", None), None);
        assert_eq!(kk.items(Some("clean-air"), "towns", None), None);
    }

    #[test]
    fn a_receipt_is_taken_from_the_query_only_as_petitio_writes_it() {
        let secret = "ab".repeat(32);
        let receipt = format!("petitio-receipt-v1:clean-air:{secret}");
        let taken = |query: &str| {
            RequestValues::from_query(Some(query))
                .receipt
                .map(str::to_owned)
        };
        assert_eq!(
            taken(&format!("result=recorded&receipt={receipt}")),
            Some(receipt.clone())
        );
        for bad in [
            format!("receipt=petitio-receipt-v1%3Aclean-air%3A{secret}"),
            format!("receipt={}", receipt.to_uppercase()),
            format!("receipt={receipt}<b>"),
            "receipt=123-abc".to_owned(),
        ] {
            assert_eq!(taken(&bad), None, "{bad}");
        }
        let query = format!("receipt={receipt}");
        let values = RequestValues::from_query(Some(&query));
        assert!(values.is_personal());
        let page = PageValues {
            counts: None,
            request: values,
        };
        assert_eq!(page.value(None, "receipt", None), Some(receipt.clone()));
    }

    #[test]
    fn a_token_is_taken_from_the_query_only_in_a_tokens_form() {
        let token = |query| RequestValues::from_query(Some(query)).token;
        assert_eq!(token("token=0a1b.ff"), Some("0a1b.ff"));
        assert_eq!(token("lang=kk&token=0a.ff&x=1"), Some("0a.ff"));
        assert_eq!(RequestValues::from_query(None).token, None);
        for refused in [
            "token=",
            "token=0a1b",
            "token=0a.ff.00",
            "token=0a.f%22f",
            "token=\"><script>",
            "tokens=0a.ff",
            "xtoken=0a.ff",
        ] {
            assert_eq!(token(refused), None, "{refused}");
        }
        let long = format!("token={}.{}", "0".repeat(MAX_TOKEN_CHARS), "f");
        assert_eq!(token(&long), None, "longer than any token");
        assert!(RequestValues::from_query(Some("token=0a.ff")).is_personal());
        assert!(!RequestValues::from_query(Some("page=2")).is_personal());
    }

    #[test]
    fn a_page_takes_the_token_with_or_without_counts() {
        let (snapshot, manifest) = (snapshot(), manifest());
        let request = RequestValues::from_query(Some("token=0a.ff"));
        let without_counts = PageValues {
            counts: None,
            request,
        };
        assert!(without_counts.fill_anything());
        assert_eq!(
            without_counts.value(None, "token", None).as_deref(),
            Some("0a.ff")
        );
        assert_eq!(without_counts.value(Some("clean-air"), "count", None), None);
        let with_counts = PageValues {
            counts: Some(LiveCounts {
                snapshot: &snapshot,
                manifest: &manifest,
                lang: "kk",
            }),
            request: RequestValues::default(),
        };
        assert_eq!(
            with_counts.value(None, "token", None),
            None,
            "no token asked"
        );
        assert_eq!(
            with_counts
                .value(Some("clean-air"), "count", None)
                .as_deref(),
            Some("1\u{202f}234")
        );
        let nothing = PageValues {
            counts: None,
            request: RequestValues::default(),
        };
        assert!(!nothing.fill_anything());
    }
}
