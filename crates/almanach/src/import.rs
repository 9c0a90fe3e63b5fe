//! `almanach import`: a past season's spreadsheet into the database, all or
//! nothing. Every error is listed with its line and column before anything
//! is written; a dry run lists what would be created.

use std::io::Read;
use std::path::Path;

use almanach_domain::import::{ImportError, ImportLimits, nothing_counted_ahead, parse_file_with};
use almanach_store::{Actor, ImportSummary, Store};
use anyhow::{Result, bail};

pub async fn run(
    store: &Store,
    file: &Path,
    sheet: Option<&str>,
    dry_run: bool,
    limits: &ImportLimits,
) -> Result<()> {
    let parsed = match read(file, limits).map(|bytes| parse_file_with(&bytes, sheet, limits)) {
        Ok(parsed) => parsed,
        Err(e) => Err(vec![e]),
    };
    let library = store.default_library().await?;
    let now = jiff::Zoned::now().with_time_zone(library.tz()).datetime();
    // Attendance of sessions still to come is refused like any error of the file.
    let parsed = parsed.and_then(|p| nothing_counted_ahead(p, now));
    let parsed = match parsed {
        Ok(p) => p,
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            bail!(
                "{} dans {} : rien n'a été importé",
                count("{n} {n|erreur|erreurs}", errors.len()),
                file.display()
            );
        }
    };
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let actor = Actor::system(library.id, &format!("import {name}"));
    let summary = store
        .import_history(
            &actor,
            &parsed.rows,
            &format!("{name} ({})", parsed.source),
            dry_run,
        )
        .await?;
    println!(
        "{} : {}, {}",
        file.display(),
        parsed.source,
        count("{n} {n|ligne lue|lignes lues}", parsed.rows.len())
    );
    if !parsed.ignored_columns.is_empty() {
        println!("colonnes ignorées : {}", parsed.ignored_columns.join(", "));
    }
    print_summary(&summary, dry_run);
    Ok(())
}

/// The file's bytes, never more than the limit (a FIFO or `/dev/zero`
/// has no size to check first).
fn read(file: &Path, limits: &ImportLimits) -> Result<Vec<u8>, ImportError> {
    let cannot = |e: std::io::Error| {
        ImportError::unreadable(&format!("impossible de lire {} ({e})", file.display()))
    };
    let f = std::fs::File::open(file).map_err(cannot)?;
    let declared = f.metadata().map_err(cannot)?.len();
    if declared > limits.max_file_bytes {
        return Err(ImportError::too_large(declared, limits.max_file_bytes));
    }
    let mut bytes = Vec::new();
    f.take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ImportError::too_large(
            bytes.len() as u64,
            limits.max_file_bytes,
        ));
    }
    Ok(bytes)
}

fn print_summary(s: &ImportSummary, dry_run: bool) {
    let verb = if dry_run {
        "à créer (essai : rien n'est écrit)"
    } else {
        "ajouts"
    };
    println!("{verb} :");
    for (label, names) in [
        ("cycles", &s.series),
        ("thématiques", &s.themes),
        ("lieux", &s.rooms),
        ("intervenants", &s.speakers),
    ] {
        if names.is_empty() {
            println!("  {label} : 0");
        } else {
            println!("  {label} : {} — {}", names.len(), names.join(", "));
        }
    }
    println!("  événements : {}", s.events.len());
    for e in &s.events {
        println!("    {e}");
    }
    println!("  séances : {}", s.sessions);
    if s.already_imported > 0 {
        println!(
            "{}",
            count(
                "déjà {n|importée, laissée telle quelle|importées, laissées telles quelles} : {n} {n|séance|séances}",
                s.already_imported
            )
        );
    }
}

/// `template` with its count `n`, in French (`plural::fill`).
fn count(template: &str, n: usize) -> String {
    almanach_domain::plural::fill(
        template,
        almanach_domain::Lang::Fr,
        &[("n", &n.to_string())],
    )
}
