//! Import of past seasons as an upload: dry run, then an all-or-nothing
//! import; errors listed with line and column; only coordinators and admins.

use almanach_domain::staff::Role;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use crate::app::{Client, Response, TestApp};
use crate::http_test;

const GOOD: &str = "date;cycle;type;titre;thématique;lieu;participants;moins de 14 ans\n\
13/01/2024;Samedis de l'innovation;atelier;Images et IA;IA générative;Auditorium;19;2\n\
13/01/2024;Samedis de l'innovation;rencontre;Parler aux machines;IA générative;Auditorium;73;\n\
10/02/2024;Samedis de l'innovation;atelier;Musique et IA;Création;Salle 2;;\n";

const BAD: &str = "date;cycle;type;participants\n\
31/02/2024;Samedis de l'innovation;atelier;12\n\
13/01/2024;Samedis de l'innovation;jonglage;12\n\
13/01/2024;Samedis de l'innovation;atelier;douze\n";

async fn upload(
    app: &TestApp,
    c: &mut Client,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> Response {
    upload_to(app, c, "/staff/import", fields, file).await
}

/// Posts `fields` (name, value) and an optional file as multipart/form-data.
pub async fn upload_to(
    app: &TestApp,
    c: &mut Client,
    path: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> Response {
    let boundary = "----almanach-test-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let req = Request::post(path)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    app.send(c, req).await
}

/// The hidden field the dry run hands back for the confirmation.
fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let i = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no hidden {name}"))
        + marker.len();
    body[i..].split('"').next().unwrap().to_string()
}

http_test!(
    async fn dry_run_then_import(app: TestApp) {
        let mut c = app.signed_in(Role::Coordinator).await;
        assert_eq!(
            app.get(&mut c, "/staff/import").await.status,
            StatusCode::OK
        );
        let csrf = c.csrf.clone();
        let r = upload(
            &app,
            &mut c,
            &[("csrf", &csrf), ("sheet", "")],
            Some(("saison.csv", GOOD.as_bytes())),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("saison.csv"), "{}", r.body);
        assert!(
            r.body.contains("Samedis de l&#39;innovation")
                || r.body.contains("Samedis de l&#x27;innovation"),
            "{}",
            r.body
        );
        assert!(r.body.contains("Auditorium") && r.body.contains("Salle 2"));
        // The dry run wrote nothing.
        assert!(
            app.store
                .list_series(app.library_id)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            app.store
                .list_rooms(app.library_id)
                .await
                .unwrap()
                .is_empty()
        );

        let kept = hidden(&r.body, "kept");
        let csrf = c.csrf.clone();
        // A forged confirmation without the token is refused and writes nothing.
        let forged = upload(
            &app,
            &mut c,
            &[
                ("csrf", "nope"),
                ("kept", &kept),
                ("file_name", "saison.csv"),
                ("confirm", "1"),
            ],
            None,
        )
        .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert!(
            app.store
                .list_series(app.library_id)
                .await
                .unwrap()
                .is_empty()
        );

        let r = upload(
            &app,
            &mut c,
            &[
                ("csrf", &csrf),
                ("kept", &kept),
                ("file_name", "saison.csv"),
                ("sheet", ""),
                ("confirm", "1"),
            ],
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let series = app.store.list_series(app.library_id).await.unwrap();
        assert_eq!(series.len(), 1);
        assert_eq!(series[0].name, "Samedis de l'innovation");
        assert_eq!(app.store.list_rooms(app.library_id).await.unwrap().len(), 2);
        assert_eq!(
            app.store
                .list_events(app.library_id, None, 100)
                .await
                .unwrap()
                .len(),
            2
        );

        // The same file again creates nothing more.
        let csrf = c.csrf.clone();
        let r = upload(
            &app,
            &mut c,
            &[
                ("csrf", &csrf),
                ("kept", &kept),
                ("file_name", "saison.csv"),
                ("confirm", "1"),
            ],
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            app.store
                .list_events(app.library_id, None, 100)
                .await
                .unwrap()
                .len(),
            2
        );
    }
);

http_test!(
    async fn errors_are_listed_and_nothing_written(app: TestApp) {
        let mut c = app.signed_in(Role::Admin).await;
        app.get(&mut c, "/staff/import").await;
        let csrf = c.csrf.clone();
        let r = upload(
            &app,
            &mut c,
            &[("csrf", &csrf), ("confirm", "1")],
            Some(("bad.csv", BAD.as_bytes())),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let row = |line: &str, column: &str| format!("<tr><td>{line}</td><td>{column}</td>");
        assert!(r.body.contains(&row("2", "date")), "{}", r.body);
        assert!(r.body.contains(&row("3", "type")), "{}", r.body);
        assert!(r.body.contains(&row("4", "participants")), "{}", r.body);
        assert!(r.body.contains("jonglage") && r.body.contains("douze"));
        assert!(
            app.store
                .list_series(app.library_id)
                .await
                .unwrap()
                .is_empty()
        );

        // No file at all: said next to the field.
        let csrf = c.csrf.clone();
        let r = upload(&app, &mut c, &[("csrf", &csrf)], None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"e-file\""), "{}", r.body);
    }
);

http_test!(
    async fn a_viewer_is_refused(app: TestApp) {
        let mut c = app.signed_in(Role::Viewer).await;
        assert_eq!(
            app.get(&mut c, "/staff/import").await.status,
            StatusCode::FORBIDDEN
        );
        let mut admin = app.signed_in(Role::Admin).await;
        app.get(&mut admin, "/staff/import").await;
        // Even with a valid token of its own session the viewer may not import.
        app.get(&mut c, "/staff/rooms").await;
        let csrf = c.csrf.clone();
        let r = upload(
            &app,
            &mut c,
            &[("csrf", &csrf), ("confirm", "1")],
            Some(("saison.csv", GOOD.as_bytes())),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(
            app.store
                .list_series(app.library_id)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

http_test!(
    async fn a_count_of_a_session_still_to_come_is_refused(app: TestApp) {
        let mut c = app.signed_in(Role::Coordinator).await;
        app.get(&mut c, "/staff/import").await;
        let ahead = jiff::Zoned::now()
            .date()
            .checked_add(jiff::Span::new().days(42))
            .unwrap()
            .strftime("%d/%m/%Y")
            .to_string();
        // The programme to come may be imported, not its attendance.
        let file = format!(
            "date;cycle;type;participants\n\
             13/01/2024;Samedis de l'innovation;atelier;19\n\
             {ahead};Samedis de l'innovation;atelier;25\n\
             {ahead};Samedis de l'innovation;rencontre;\n"
        );
        let csrf = c.csrf.clone();
        let r = upload(
            &app,
            &mut c,
            &[("csrf", &csrf), ("confirm", "1")],
            Some(("saison.csv", file.as_bytes())),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(
            r.body.contains("<tr><td>3</td><td>participants</td>"),
            "{}",
            r.body
        );
        assert!(r.body.contains("séance à venir"), "{}", r.body);
        assert!(
            app.store
                .list_series(app.library_id)
                .await
                .unwrap()
                .is_empty(),
            "all or nothing"
        );
    }
);

/// Posts `bytes` as the file `name` for a dry run and checks it is refused
/// with a French message next to the file field, and nothing written.
async fn refused(app: &TestApp, c: &mut Client, name: &str, bytes: &[u8], says: &str) -> Response {
    let csrf = c.csrf.clone();
    let r = upload(
        app,
        c,
        &[("csrf", &csrf), ("confirm", "1")],
        Some((name, bytes)),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{name}: {}",
        r.body
    );
    let i = r
        .body
        .find("<p class=\"error\" id=\"e-file\">")
        .unwrap_or_else(|| panic!("{name}: no error next to the file field: {}", r.body));
    let next_to_field = &r.body[i..i + r.body[i..].find("</p>").unwrap()];
    assert!(
        next_to_field.contains(says),
        "{name}: {says:?} not in {next_to_field:?}"
    );
    assert!(r.body.contains("aria-invalid=\"true\""));
    assert!(
        app.store
            .list_series(app.library_id)
            .await
            .unwrap()
            .is_empty(),
        "{name}: nothing written"
    );
    r
}

http_test!(
    async fn hostile_spreadsheets_are_refused_next_to_the_file_field(app: TestApp) {
        use almanach_domain::import::build;
        let mut c = app.signed_in(Role::Coordinator).await;
        app.get(&mut c, "/staff/import").await;
        // 1.6 KB whose dense range would take 512 GiB: refused, the server lives.
        let far = build::zip(&build::parts(&build::sheet(
            None,
            &[("A1", "date"), ("XFD1048576", "x")],
        )));
        assert!(far.len() < 4000, "a few kilobytes, stored uncompressed");
        refused(
            &app,
            &mut c,
            "loin.xlsx",
            &far,
            "la cellule XFD1048576 est remplie",
        )
        .await;
        let declared = build::zip(&build::parts(&build::sheet(
            Some("A1:XFD1048576"),
            &[("A1", "date")],
        )));
        refused(
            &app,
            &mut c,
            "etendue.xlsx",
            &declared,
            "annonce l&#39;étendue A1:XFD1048576",
        )
        .await;
        // 250 MB of sheet from 1.6 MB: refused before it inflates.
        let parts = build::parts(&build::sheet(None, &[("A1", "date")]));
        let bomb = build::zip_with_bomb(&parts, "xl/worksheets/sheet1.xml", 250 << 20, 250 << 20);
        assert!(bomb.len() < 2 << 20);
        refused(
            &app,
            &mut c,
            "bombe.xlsx",
            &bomb,
            "trop volumineux une fois décompressé",
        )
        .await;
        // A size that lies: the reading stops at the lie.
        let liar = build::zip_with_bomb(&parts, "xl/worksheets/sheet1.xml", 1000, 100 << 20);
        refused(
            &app,
            &mut c,
            "menteur.xlsx",
            &liar,
            "plus grande qu&#39;elle ne l&#39;annonce",
        )
        .await;
        let mut strings = parts.clone();
        strings.push((
            "xl/sharedStrings.xml".into(),
            br#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="9999999999"><si><t>a</t></si></sst>"#.to_vec(),
        ));
        refused(
            &app,
            &mut c,
            "textes.xlsx",
            &build::zip(&strings),
            "textes différents",
        )
        .await;
        let mut styles = parts.clone();
        styles.push((
            "xl/styles.xml".into(),
            format!(
                "<styleSheet><cellXfs>{}</cellXfs></styleSheet>",
                "<xf/>".repeat(66_000)
            )
            .into_bytes(),
        ));
        refused(
            &app,
            &mut c,
            "styles.xlsx",
            &build::zip(&styles),
            "styles de cellule",
        )
        .await;
        let mut many = parts.clone();
        for i in 0..1001 {
            many.push((format!("xl/media/{i}.png"), Vec::new()));
        }
        refused(
            &app,
            &mut c,
            "parties.xlsx",
            &build::zip(&many),
            "1\u{202f}006 parties",
        )
        .await;
        refused(
            &app,
            &mut c,
            "faux.xlsx",
            b"PK\x03\x04 pas un zip",
            "archive zip abîmée",
        )
        .await;
        let mut ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
        ole.resize(2048, 0);
        refused(
            &app,
            &mut c,
            "chiffre.xlsx",
            &ole,
            "protégé par un mot de passe",
        )
        .await;
        let ods = build::zip(&[(
            "mimetype".into(),
            b"application/vnd.oasis.opendocument.spreadsheet".to_vec(),
        )]);
        refused(&app, &mut c, "saison.ods", &ods, "OpenDocument (.ods)").await;
        refused(
            &app,
            &mut c,
            "saison.csv",
            b"%PDF-1.7 ...",
            "fichier binaire",
        )
        .await;
        // The bare 413 of a body over the limit is a French page too, and a
        // file over 2 MB within the limit says the same.
        for size in [3 << 20, 5 << 20] {
            let csrf = c.csrf.clone();
            let r = upload(
                &app,
                &mut c,
                &[("csrf", &csrf)],
                Some(("gros.csv", &vec![b'a'; size])),
            )
            .await;
            assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{size}");
            assert!(
                r.body
                    .contains("<p class=\"error\" id=\"e-file\">Le fichier dépasse 2\u{a0}Mo"),
                "{size}: {}",
                r.body
            );
        }
        // Not even a multipart form: a page, not a bare rejection.
        let csrf = c.csrf.clone();
        let r = app.post(&mut c, "/staff/import", &[("csrf", &csrf)]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(
            r.body
                .contains("id=\"e-file\">Le formulaire envoyé est illisible"),
            "{}",
            r.body
        );
        assert!(
            app.store
                .list_series(app.library_id)
                .await
                .unwrap()
                .is_empty()
        );
        // After all that, the server still imports a good file.
        let csrf = c.csrf.clone();
        let r = upload(
            &app,
            &mut c,
            &[("csrf", &csrf)],
            Some(("saison.csv", GOOD.as_bytes())),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
);

http_test!(
    async fn encodings_a_missing_sheet_and_a_nul_in_a_cell(app: TestApp) {
        use almanach_domain::import::build;
        let mut c = app.signed_in(Role::Coordinator).await;
        app.get(&mut c, "/staff/import").await;
        // Excel's "Unicode text": UTF-16 with tabs; Windows-1252; a BOM.
        let text = "date\tcycle\ttype\tparticipants\tlieu\r\n13/01/2024\tSamedis\tatelier\t12\tMédiathèque\r\n";
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let cp1252 =
            b"date;cycle;type;participants;lieu\n13/01/2024;Samedis;atelier;12;M\xe9diath\xe8que\n";
        let bom = "\u{feff}date;cycle;type;participants;lieu\n13/01/2024;Samedis;atelier;12;Médiathèque\n";
        for (name, bytes, says) in [
            (
                "unicode.txt",
                utf16.as_slice(),
                "CSV «\u{a0}tabulation\u{a0}», UTF-16",
            ),
            (
                "ansi.csv",
                cp1252.as_slice(),
                "CSV «\u{a0};\u{a0}», Windows-1252",
            ),
            (
                "bom.csv",
                bom.as_bytes(),
                "CSV «\u{a0};\u{a0}», UTF-8 avec BOM",
            ),
        ] {
            let csrf = c.csrf.clone();
            let r = upload(&app, &mut c, &[("csrf", &csrf)], Some((name, bytes))).await;
            assert_eq!(r.status, StatusCode::OK, "{name}: {}", r.body);
            let read = format!("{name} ({says})\u{a0}: 1 ligne lue");
            assert!(r.body.contains(&read), "{read:?} in {}", r.body);
            assert!(
                r.body.contains("<td>Médiathèque</td>"),
                "{name}: {}",
                r.body
            );
        }
        // The sheet asked for is missing: said next to the sheet field.
        let book = build::table(&[&["date", "cycle", "type", "participants"]]);
        let csrf = c.csrf.clone();
        let r = upload(
            &app,
            &mut c,
            &[("csrf", &csrf), ("sheet", "Bilan")],
            Some(("s.xlsx", &book)),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains(
                "id=\"e-sheet\">feuille «\u{a0}Bilan\u{a0}» introuvable (feuilles\u{a0}: Séances)"
            ),
            "{}",
            r.body
        );
        // A NUL in a cell: its line and column, and nothing written.
        let csrf = c.csrf.clone();
        let r = upload(
            &app,
            &mut c,
            &[("csrf", &csrf), ("confirm", "1")],
            Some((
                "nul.csv",
                b"date;cycle;type;participants\n13/01/2024;Sam\x00edis;atelier;3\n",
            )),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("<tr><td>2</td><td>cycle</td><td>caractère de contrôle interdit dans «\u{a0}SamU+0000edis\u{a0}»</td></tr>"),
            "{}",
            r.body
        );
        assert!(
            app.store
                .list_series(app.library_id)
                .await
                .unwrap()
                .is_empty()
        );
    }
);
