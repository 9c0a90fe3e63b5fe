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
