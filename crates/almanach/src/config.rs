//! Configuration: command-line flags first, then `ALMANACH_*` environment
//! variables (clap reads both), then an optional TOML file, then defaults.
//! Secrets (the database password) never reach the logs.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

/// What the optional configuration file may hold.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub listen: Option<String>,
    pub secure_cookies: Option<bool>,
    pub log: Option<String>,
    pub smtp_url: Option<String>,
    pub smtp_from: Option<String>,
    pub public_url: Option<String>,
    pub reminder_hour: Option<i8>,
}

impl FileConfig {
    pub fn load(path: Option<&Path>) -> Result<FileConfig> {
        let Some(path) = path else { return Ok(FileConfig::default()) };
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("{} is not a valid Almanach configuration", path.display()))
    }
}

/// The database URL: given, or `sqlite://<data dir>/almanach.sqlite3`.
pub fn database_url(flag: Option<&str>, file: &FileConfig, data_dir: Option<&Path>) -> String {
    if let Some(u) = flag.or(file.database.as_deref()) {
        return u.to_string();
    }
    format!("sqlite://{}", self::data_dir(data_dir, file).join("almanach.sqlite3").display())
}

/// The data directory: given, else the file's, else `data`.
pub fn data_dir(flag: Option<&Path>, file: &FileConfig) -> PathBuf {
    flag.map(Path::to_path_buf).or_else(|| file.data_dir.clone()).unwrap_or_else(|| PathBuf::from("data"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_the_file_which_beats_defaults() {
        let file = FileConfig { database: Some("postgres://u@h/db".into()), ..Default::default() };
        assert_eq!(database_url(Some("sqlite://x.db"), &file, None), "sqlite://x.db");
        assert_eq!(database_url(None, &file, None), "postgres://u@h/db");
        assert_eq!(database_url(None, &FileConfig::default(), None), "sqlite://data/almanach.sqlite3");
        assert_eq!(database_url(None, &FileConfig::default(), Some(Path::new("/srv/a"))), "sqlite:///srv/a/almanach.sqlite3");
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        let dir = std::env::temp_dir().join(format!("almanach-conf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("almanach.toml");
        std::fs::write(&p, "listen = \"0.0.0.0:80\"\ndatabse = \"typo\"\n").unwrap();
        let e = format!("{:#}", FileConfig::load(Some(&p)).unwrap_err());
        assert!(e.contains("databse"), "{e}");
        std::fs::write(&p, "listen = \"0.0.0.0:80\"\n").unwrap();
        assert_eq!(FileConfig::load(Some(&p)).unwrap().listen.as_deref(), Some("0.0.0.0:80"));
    }
}
