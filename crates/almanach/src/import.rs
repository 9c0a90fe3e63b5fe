//! `almanach import`: a past season's spreadsheet into the database, all or
//! nothing. Every error is listed with its line and column before anything
//! is written; a dry run lists what would be created.

use std::path::Path;

use almanach_domain::import::{counted_ahead, parse_file};
use almanach_store::{Actor, ImportSummary, Store};
use anyhow::{Context, Result, bail};

pub async fn run(store: &Store, file: &Path, sheet: Option<&str>, dry_run: bool) -> Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let library = store.default_library().await?;
    let now = jiff::Zoned::now().with_time_zone(library.tz()).datetime();
    // Attendance of sessions still to come is refused like any error of the file.
    let parsed = match parse_file(&bytes, sheet).and_then(|p| {
        let ahead = counted_ahead(&p.rows, now);
        if ahead.is_empty() { Ok(p) } else { Err(ahead) }
    }) {
        Ok(p) => p,
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            bail!(
                "{} erreur(s) dans {} : rien n'a été importé",
                errors.len(),
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
        "{} : {}, {} ligne(s) lue(s)",
        file.display(),
        parsed.source,
        parsed.rows.len()
    );
    if !parsed.ignored_columns.is_empty() {
        println!("colonnes ignorées : {}", parsed.ignored_columns.join(", "));
    }
    print_summary(&summary, dry_run);
    Ok(())
}

fn print_summary(s: &ImportSummary, dry_run: bool) {
    let verb = if dry_run {
        "à créer (essai : rien n'est écrit)"
    } else {
        "créé(e)s"
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
            "déjà importées, laissées telles quelles : {} séance(s)",
            s.already_imported
        );
    }
}
