//! Runs Pagefind over the records on a current-thread tokio runtime and returns its bundle:
//! the script, UI, wasm and, per language, the index, its filters and one fragment per
//! record, at paths under `pagefind/` of the output.

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use petitio_model::urls::SEARCH_INDEX_DIR;

use crate::error::Error;
use crate::records::Record;

/// Maps a Pagefind error (its whole chain) to ours, saying what was being done.
fn failed<E: std::fmt::Display>(doing: &'static str) -> impl Fn(E) -> Error {
    move |error| Error::Pagefind {
        doing,
        cause: format!("{error:#}"),
    }
}

/// The files of the index of `records`, paths relative to the output folder.
pub(crate) fn index(records: Vec<Record>) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(Error::Runtime)?;
    runtime.block_on(async {
        let config = PagefindServiceConfig::builder()
            .keep_index_url(true)
            .build();
        let mut index = PagefindIndex::new(Some(config)).map_err(failed("starting"))?;
        for record in records {
            index
                .add_html_file(None, Some(record.url), record.html)
                .await
                .map_err(failed("indexing a petition"))?;
        }
        let files = index
            .get_files()
            .await
            .map_err(failed("writing the index"))?;
        Ok(files
            .into_iter()
            .map(|file| {
                let path: Vec<String> = file
                    .filename
                    .components()
                    .map(|part| part.as_os_str().to_string_lossy().into_owned())
                    .collect();
                (
                    format!("{SEARCH_INDEX_DIR}{}", path.join("/")),
                    file.contents,
                )
            })
            .collect())
    })
}
