//! `almanach import`: a past season's spreadsheet into the database, all or
//! nothing. Every error is listed with its line and column before anything
//! is written; a dry run lists what would be created.

use std::path::Path;

use almanach_domain::import::parse_file;
use almanach_store::{Actor, ImportSummary, Store};
use anyhow::{Context, Result, bail};

pub async fn run(store: &Store, file: &Path, sheet: Option<&str>, dry_run: bool) -> Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let parsed = match parse_file(&bytes, sheet) {
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
    let library = store.default_library().await?;
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
