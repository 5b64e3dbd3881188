//! Fuzzes the `snapshot` key's decoder (the body of `GET /api/counts`, read on every sign
//! answer and count request). Any bytes decode to a value or an error, never a panic; a
//! decoded value, and any value built from the input, encodes to bytes that decode back to
//! the same value (milestone dates included), and encoding is stable.

#![no_main]

use std::collections::BTreeMap;

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use petitio_signatures::snapshot::{PetitionCount, Snapshot};

fn assert_round_trip(snapshot: &Snapshot) {
    let bytes = snapshot.encode();
    let again = Snapshot::decode(&bytes).expect("an encoded snapshot decodes");
    assert_eq!(&again, snapshot);
    assert_eq!(again.encode(), bytes, "encoding is stable");
}

/// A snapshot made of whatever the input says, strings and numbers unrestricted.
fn built(input: &mut Unstructured<'_>) -> arbitrary::Result<Snapshot> {
    type Entry = (String, u64, BTreeMap<String, u64>, BTreeMap<u64, String>);
    let petitions = <Vec<Entry>>::arbitrary(input)?;
    Ok(Snapshot {
        updated_at: String::arbitrary(input)?,
        petitions: petitions
            .into_iter()
            .map(|(slug, count, by_region, reached)| {
                let count = PetitionCount {
                    count,
                    by_region,
                    reached,
                    log: None,
                };
                (slug, count)
            })
            .collect(),
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        if let Ok(snapshot) = Snapshot::decode(rest) {
            assert_round_trip(&snapshot);
        }
    } else if let Ok(snapshot) = built(&mut Unstructured::new(rest)) {
        assert_round_trip(&snapshot);
    }
});
