//! Petitio's site model: `petitio.toml` (config, regions), the content of `content/`
//! (front matter, petitions, static pages) loaded into a [`Site`](content::Site), Markdown
//! rendered once per file, and the optional counts file. Everything here reads sources;
//! nothing writes output. Its error type and every message about sources are in [`error`].

pub mod api_endpoints;
pub mod config;
pub mod confine;
pub mod content;
pub mod counts;
pub mod error;
pub mod frontmatter;
pub mod markdown;
pub mod regions;
pub mod site_url;
pub mod today;
pub mod where_file;

pub use error::Error;
