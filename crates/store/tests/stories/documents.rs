//! Speakers' documents kept as bytes in the database, on both backends.

use almanach_domain::documents::DocumentKind;
use almanach_domain::ids::LibraryId;
use almanach_store::*;

fn actor(lib: LibraryId) -> Actor {
    Actor::system(lib, "test")
}

on_both_backends!(
    async fn documents_keep_their_bytes_and_are_audited_without_them(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let rec = SpeakerRecord {
            speaker: Speaker {
                name: "Ada".into(),
                ..Default::default()
            },
            ..Default::default()
        };
        let ada = store.save_speaker_record(&actor(lib), &rec).await.unwrap();
        // Every byte value, so a text column or an encoding would show.
        let bytes: Vec<u8> = b"%PDF-1.7\n".iter().copied().chain(0..=255u8).collect();
        let new = NewDocument {
            speaker_id: ada,
            kind: DocumentKind::Agreement,
            file_name: "convention.pdf",
            content_type: "application/pdf",
            bytes: &bytes,
        };
        let id = store.add_document(&actor(lib), &new).await.unwrap();
        let listed = store.speaker_documents(lib, ada).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            (listed[0].kind, listed[0].file_name.as_str(), listed[0].size),
            (
                DocumentKind::Agreement,
                "convention.pdf",
                bytes.len() as i64
            )
        );
        let (doc, back) = store.document_bytes(lib, id).await.unwrap();
        assert_eq!(doc, listed[0]);
        assert_eq!(back, bytes);

        // Not on a speaker of another library, nor an unknown one.
        let other = NewDocument {
            speaker_id: ada + 1000,
            ..new
        };
        assert!(matches!(
            store.add_document(&actor(lib), &other).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.document_bytes(LibraryId(lib.get() + 1000), id).await,
            Err(StoreError::NotFound)
        ));

        store.delete_document(&actor(lib), id).await.unwrap();
        assert!(store.speaker_documents(lib, ada).await.unwrap().is_empty());
        assert!(matches!(
            store.document_bytes(lib, id).await,
            Err(StoreError::NotFound)
        ));
        let audit = store
            .audit_log(lib, Some(("document", id)), 10)
            .await
            .unwrap();
        assert_eq!(
            audit.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(),
            ["delete", "create"]
        );
        assert_eq!(
            audit[1].after.as_ref().unwrap()["file_name"],
            "convention.pdf"
        );
        assert!(audit.iter().all(|a| {
            a.after
                .iter()
                .chain(a.before.iter())
                .all(|v| v.get("bytes").is_none())
        }));
    }
);
