//! Speakers' documents over HTTP: upload, refusals by content and size,
//! download headers, delete, and who may see them.

use almanach_domain::documents::MAX_DOCUMENT_BYTES;
use almanach_domain::staff::Role;
use almanach_store::{Actor, Speaker, SpeakerRecord};
use axum::http::{StatusCode, header};

use crate::app::TestApp;
use crate::http_test;
use crate::import::upload_to;

async fn speaker(app: &TestApp) -> i64 {
    let rec = SpeakerRecord {
        speaker: Speaker {
            name: "Ada Lovelace".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    app.store
        .save_speaker_record(&Actor::system(app.library_id, "test"), &rec)
        .await
        .unwrap()
}

http_test!(
    async fn upload_download_and_delete(app: TestApp) {
        let ada = speaker(&app).await;
        let path = format!("/staff/speakers/{ada}/documents");
        let mut c = app.signed_in(Role::Mediator).await;
        assert_eq!(
            app.get(&mut c, &format!("/staff/speakers/{ada}"))
                .await
                .status,
            StatusCode::OK
        );
        app.get(&mut c, &path).await;
        let csrf = c.csrf.clone();
        // ASCII only: the test client reads bodies as text (the store test covers every byte).
        let pdf = b"%PDF-1.4\nfin".to_vec();
        let r = upload_to(
            &app,
            &mut c,
            &path,
            &[("csrf", &csrf), ("kind", "invoice")],
            Some(("facture été.pdf", &pdf)),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let docs = app
            .store
            .speaker_documents(app.library_id, ada)
            .await
            .unwrap();
        assert_eq!(docs.len(), 1);
        assert_eq!(
            (docs[0].content_type.as_str(), docs[0].file_name.as_str()),
            ("application/pdf", "facture été.pdf")
        );
        let r = app.get(&mut c, &path).await;
        assert!(
            r.body.contains("facture été.pdf") && r.body.contains("Facture"),
            "{}",
            r.body
        );

        let r = app
            .get(&mut c, &format!("/staff/documents/{}", docs[0].id))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.headers[header::CONTENT_TYPE], "application/pdf");
        assert_eq!(r.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        let disposition = r.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(
            disposition.starts_with("attachment;")
                && disposition.contains("filename*=UTF-8''facture%20%C3%A9t%C3%A9.pdf"),
            "{disposition}"
        );

        app.get(&mut c, &path).await;
        let r = app
            .post(
                &mut c,
                &format!("/staff/documents/{}/delete", docs[0].id),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(
            app.store
                .speaker_documents(app.library_id, ada)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

http_test!(
    async fn disguised_and_oversized_files_are_refused(app: TestApp) {
        let ada = speaker(&app).await;
        let path = format!("/staff/speakers/{ada}/documents");
        let mut c = app.signed_in(Role::Coordinator).await;
        app.get(&mut c, &path).await;
        let csrf = c.csrf.clone();
        let exe =
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00This program cannot be run in DOS mode".to_vec();
        let r = upload_to(
            &app,
            &mut c,
            &path,
            &[("csrf", &csrf), ("kind", "agreement")],
            Some(("convention.pdf", &exe)),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("id=\"e-file\"") && r.body.contains("son contenu"),
            "{}",
            r.body
        );
        let mut big = b"%PDF-1.4\n".to_vec();
        big.resize(MAX_DOCUMENT_BYTES + 1, b' ');
        let csrf = c.csrf.clone();
        let r = upload_to(
            &app,
            &mut c,
            &path,
            &[("csrf", &csrf), ("kind", "agreement")],
            Some(("gros.pdf", &big)),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            &r.body[..r.body.len().min(300)]
        );
        assert!(r.body.contains("10 Mo"), "{}", r.body);
        // Without the token nothing is stored either.
        let pdf = b"%PDF-1.4 ok".to_vec();
        let r = upload_to(
            &app,
            &mut c,
            &path,
            &[("csrf", "forged"), ("kind", "agreement")],
            Some(("ok.pdf", &pdf)),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(
            app.store
                .speaker_documents(app.library_id, ada)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

http_test!(
    async fn only_those_who_read_private_details_see_them(app: TestApp) {
        let ada = speaker(&app).await;
        let path = format!("/staff/speakers/{ada}/documents");
        let mut coord = app.signed_in(Role::Coordinator).await;
        app.get(&mut coord, &path).await;
        let csrf = coord.csrf.clone();
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec();
        upload_to(
            &app,
            &mut coord,
            &path,
            &[("csrf", &csrf), ("kind", "insurance")],
            Some(("assurance.png", &png)),
        )
        .await;
        let doc = app
            .store
            .speaker_documents(app.library_id, ada)
            .await
            .unwrap()
            .remove(0);
        assert!(
            app.get(&mut coord, &format!("/staff/speakers/{ada}"))
                .await
                .body
                .contains(&path)
        );
        for role in [Role::Viewer, Role::It, Role::Communication] {
            let mut c = app.signed_in(role).await;
            assert_eq!(
                app.get(&mut c, &path).await.status,
                StatusCode::FORBIDDEN,
                "{role:?}"
            );
            assert_eq!(
                app.get(&mut c, &format!("/staff/documents/{}", doc.id))
                    .await
                    .status,
                StatusCode::FORBIDDEN,
                "{role:?}"
            );
            assert!(
                !app.get(&mut c, &format!("/staff/speakers/{ada}"))
                    .await
                    .body
                    .contains(&path),
                "{role:?}"
            );
            app.get(&mut c, "/staff").await;
            let r = app
                .post(&mut c, &format!("/staff/documents/{}/delete", doc.id), &[])
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?}");
        }
        assert_eq!(
            app.store
                .speaker_documents(app.library_id, ada)
                .await
                .unwrap()
                .len(),
            1
        );
    }
);
