//! Configuration: command-line flags first, then `ALMANACH_*` environment
//! variables (clap reads both), then an optional TOML file, then defaults.
//! Secrets (the database password) never reach the logs.

use std::path::{Path, PathBuf};

use almanach_domain::import::ImportLimits;
use almanach_web::{IpNet, Rate, parse_networks};
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
    /// "text" or "json".
    pub log_format: Option<crate::LogFormat>,
    pub smtp_url: Option<String>,
    pub smtp_from: Option<String>,
    pub public_url: Option<String>,
    pub reminder_hour: Option<i8>,
    /// Days a registration's personal data is kept after its session.
    pub retention_days: Option<u32>,
    /// "20/min", "5/hour", "0" (off).
    pub rate_limit_ip: Option<String>,
    pub rate_limit_email: Option<String>,
    /// Who may frame the embeddable agenda: "*" or "https://www.ville.fr …".
    pub frame_ancestors: Option<String>,
    /// What a spreadsheet import may cost (see `ImportArgs`).
    pub import_max_rows: Option<usize>,
    pub import_max_columns: Option<usize>,
    pub import_max_file_mb: Option<u64>,
    pub import_max_unpacked_mb: Option<u64>,
    /// Reverse proxies whose X-Forwarded-For is believed: a list of
    /// addresses or networks, or one string of them.
    pub trusted_proxies: Option<Networks>,
    /// The library's own networks, where a locked account may still sign in.
    pub staff_networks: Option<Networks>,
}

/// What a spreadsheet import may cost to read, for `almanach import` and
/// the upload page of `almanach serve` (docs/decisions/0013).
#[derive(clap::Args, Debug, Default, Clone)]
pub struct ImportArgs {
    /// Rows (lines) a spreadsheet import reads at most [default: 100000].
    #[arg(long, global = true, env = "ALMANACH_IMPORT_MAX_ROWS")]
    pub import_max_rows: Option<usize>,
    /// Columns a spreadsheet import reads at most [default: 200].
    #[arg(long, global = true, env = "ALMANACH_IMPORT_MAX_COLUMNS")]
    pub import_max_columns: Option<usize>,
    /// Size of a file to import, in MB [default: 10; the upload page takes 2 at most].
    #[arg(long, global = true, env = "ALMANACH_IMPORT_MAX_FILE_MB")]
    pub import_max_file_mb: Option<u64>,
    /// What an XLSX workbook may unpack to, in MB [default: 50].
    #[arg(long, global = true, env = "ALMANACH_IMPORT_MAX_UNPACKED_MB")]
    pub import_max_unpacked_mb: Option<u64>,
}

/// The import's limits: flags, else the file, else the defaults; within
/// sane bounds, so a typo cannot lift them altogether.
pub fn import_limits(args: &ImportArgs, file: &FileConfig) -> Result<ImportLimits> {
    let d = ImportLimits::default();
    const MB: u64 = 1024 * 1024;
    fn within<T: PartialOrd + std::fmt::Display + Copy>(
        key: &str,
        v: Option<T>,
        default: T,
        range: std::ops::RangeInclusive<T>,
    ) -> Result<T> {
        let v = v.unwrap_or(default);
        if !range.contains(&v) {
            anyhow::bail!(
                "{key} must be between {} and {}, not {v}",
                range.start(),
                range.end()
            );
        }
        Ok(v)
    }
    let rows = within(
        "import_max_rows",
        args.import_max_rows.or(file.import_max_rows),
        d.max_rows,
        1..=1_000_000,
    )?;
    let columns = within(
        "import_max_columns",
        args.import_max_columns.or(file.import_max_columns),
        d.max_columns,
        4..=2_000,
    )?;
    let file_mb = within(
        "import_max_file_mb",
        args.import_max_file_mb.or(file.import_max_file_mb),
        d.max_file_bytes / MB,
        1..=1_024,
    )?;
    let unpacked_mb = within(
        "import_max_unpacked_mb",
        args.import_max_unpacked_mb.or(file.import_max_unpacked_mb),
        d.max_unpacked_bytes / MB,
        1..=4_096,
    )?;
    Ok(ImportLimits {
        max_file_bytes: file_mb * MB,
        max_unpacked_bytes: unpacked_mb * MB,
        max_rows: rows,
        max_columns: columns,
        // The grid, but no more than twenty columns a row on a large table.
        max_cells: rows
            .saturating_mul(columns)
            .min(d.max_cells.max(rows.saturating_mul(20))),
    })
}

/// Networks in the file: `["10.0.0.0/8", "127.0.0.1"]` or `"10.0.0.0/8, 127.0.0.1"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Networks {
    List(Vec<String>),
    Text(String),
}

/// Networks from the flag (or environment), else the file, else none.
pub fn networks(flag: Option<String>, file: Option<&Networks>, key: &str) -> Result<Vec<IpNet>> {
    let text = match (flag, file) {
        (Some(f), _) => f,
        (None, Some(Networks::Text(t))) => t.clone(),
        (None, Some(Networks::List(l))) => l.join(","),
        (None, None) => return Ok(Vec::new()),
    };
    parse_networks(&text).map_err(|e| anyhow::anyhow!("{key}: {e}"))
}

impl FileConfig {
    pub fn load(path: Option<&Path>) -> Result<FileConfig> {
        let Some(path) = path else {
            return Ok(FileConfig::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("{} is not a valid Almanach configuration", path.display()))
    }
}

/// The database URL: given, or `sqlite://<data dir>/almanach.sqlite3`.
pub fn database_url(flag: Option<&str>, file: &FileConfig, data_dir: Option<&Path>) -> String {
    if let Some(u) = flag.or(file.database.as_deref()) {
        return u.to_string();
    }
    format!(
        "sqlite://{}",
        self::data_dir(data_dir, file)
            .join("almanach.sqlite3")
            .display()
    )
}

/// The data directory: given, else the file's, else `data`.
pub fn data_dir(flag: Option<&Path>, file: &FileConfig) -> PathBuf {
    flag.map(Path::to_path_buf)
        .or_else(|| file.data_dir.clone())
        .unwrap_or_else(|| PathBuf::from("data"))
}

/// A rate from the flag, else the file, else the default.
pub fn rate(flag: Option<Rate>, file: Option<&str>, key: &str, default: Rate) -> Result<Rate> {
    match (flag, file) {
        (Some(r), _) => Ok(r),
        (None, Some(s)) => s
            .parse()
            .map_err(|e: String| anyhow::anyhow!("{key} in the configuration file: {e}")),
        (None, None) => Ok(default),
    }
}

/// Days of retention from the flag, else the file, else 90; at least one
/// day, so head counts and follow-ups can still be done after a session.
pub fn retention_days(flag: Option<u32>, file: &FileConfig) -> Result<u32> {
    let days = flag.or(file.retention_days).unwrap_or(90);
    if !(1..=3650).contains(&days) {
        anyhow::bail!("the retention period must be between 1 and 3650 days, not {days}");
    }
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_the_file_which_beats_defaults() {
        let file = FileConfig {
            database: Some("postgres://u@h/db".into()),
            ..Default::default()
        };
        assert_eq!(
            database_url(Some("sqlite://x.db"), &file, None),
            "sqlite://x.db"
        );
        assert_eq!(database_url(None, &file, None), "postgres://u@h/db");
        assert_eq!(
            database_url(None, &FileConfig::default(), None),
            "sqlite://data/almanach.sqlite3"
        );
        assert_eq!(
            database_url(None, &FileConfig::default(), Some(Path::new("/srv/a"))),
            "sqlite:///srv/a/almanach.sqlite3"
        );
    }

    #[test]
    fn import_limits_come_from_flags_then_the_file_within_bounds() {
        let d = ImportLimits::default();
        assert_eq!(
            import_limits(&ImportArgs::default(), &FileConfig::default()).unwrap(),
            d
        );
        let file = FileConfig {
            import_max_rows: Some(500),
            import_max_unpacked_mb: Some(5),
            ..Default::default()
        };
        let flags = ImportArgs {
            import_max_rows: Some(1000),
            ..Default::default()
        };
        let l = import_limits(&flags, &file).unwrap();
        assert_eq!(
            (l.max_rows, l.max_unpacked_bytes, l.max_columns),
            (1000, 5 << 20, 200)
        );
        let huge = ImportArgs {
            import_max_unpacked_mb: Some(1 << 40),
            ..Default::default()
        };
        assert!(
            import_limits(&huge, &FileConfig::default())
                .unwrap_err()
                .to_string()
                .contains("import_max_unpacked_mb")
        );
    }

    #[test]
    fn limits_and_retention_come_from_flags_then_the_file() {
        let file = FileConfig {
            rate_limit_ip: Some("0".into()),
            retention_days: Some(30),
            ..Default::default()
        };
        let default = Rate {
            count: 20,
            per_secs: 60,
        };
        assert!(
            rate(
                None,
                file.rate_limit_ip.as_deref(),
                "rate_limit_ip",
                default
            )
            .unwrap()
            .is_off()
        );
        assert_eq!(
            rate(Some(default), Some("0"), "rate_limit_ip", Rate::OFF).unwrap(),
            default
        );
        assert_eq!(rate(None, None, "rate_limit_ip", default).unwrap(), default);
        assert!(
            rate(None, Some("lots"), "rate_limit_ip", default)
                .unwrap_err()
                .to_string()
                .contains("rate_limit_ip")
        );
        assert_eq!(retention_days(None, &file).unwrap(), 30);
        assert_eq!(retention_days(Some(7), &file).unwrap(), 7);
        assert_eq!(retention_days(None, &FileConfig::default()).unwrap(), 90);
        assert!(retention_days(Some(0), &file).is_err());
    }

    #[test]
    fn networks_come_from_the_flag_then_the_file_as_a_list_or_a_string() {
        let file: FileConfig =
            toml::from_str("trusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\"]\nstaff_networks = \"192.168.1.0/24\"\n")
                .unwrap();
        let proxies = networks(None, file.trusted_proxies.as_ref(), "trusted_proxies").unwrap();
        assert_eq!(proxies.len(), 2);
        assert!(proxies[1].contains("10.1.2.3".parse().unwrap()));
        let staff = networks(None, file.staff_networks.as_ref(), "staff_networks").unwrap();
        assert!(staff[0].contains("192.168.1.20".parse().unwrap()));
        assert_eq!(
            networks(Some("::1".into()), file.trusted_proxies.as_ref(), "x")
                .unwrap()
                .len(),
            1
        );
        assert!(networks(None, None, "x").unwrap().is_empty());
        let e = networks(Some("10.0.0.0/99".into()), None, "trusted_proxies").unwrap_err();
        assert!(e.to_string().contains("trusted_proxies"), "{e}");
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
        assert_eq!(
            FileConfig::load(Some(&p)).unwrap().listen.as_deref(),
            Some("0.0.0.0:80")
        );
    }
}
