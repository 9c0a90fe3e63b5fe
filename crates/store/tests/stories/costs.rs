//! Tools, cost lines, budgets and what sessions cost, as the statistics
//! read it: the same stories on SQLite and PostgreSQL.

use almanach_domain::attendance::Headcount;
use almanach_domain::costs::{Billing, CostKind};
use almanach_domain::ids::{EventId, LibraryId, SessionId};
use almanach_domain::programme::EventStatus;
use almanach_domain::stats::Period;
use almanach_store::testing::on_day;
use almanach_store::testing::series_event as event;
use almanach_store::*;

fn actor(lib: LibraryId) -> Actor {
    Actor::system(lib, "test")
}

async fn series(store: &Store, lib: LibraryId, name: &str) -> i64 {
    store
        .save_series(
            &actor(lib),
            &Series {
                name: name.into(),
                ..Series::default()
            },
        )
        .await
        .unwrap()
}

async fn session(
    store: &Store,
    lib: LibraryId,
    event_id: EventId,
    day: &str,
    themes: &[i64],
    speakers: &[i64],
) -> SessionId {
    let w = SessionWrite {
        theme_ids: themes.to_vec(),
        speaker_ids: speakers.to_vec(),
        ..on_day(event_id, day)
    };
    store
        .save_session(&actor(lib), None, &w)
        .await
        .unwrap()
        .unwrap()
}

fn tool(name: &str, cents: i64, billing: Billing) -> Tool {
    Tool {
        id: 0,
        name: name.into(),
        provider: "OpenAI".into(),
        plan: "Plus".into(),
        cost_cents: cents,
        billing,
        seats: Some(2),
        renewal_on: Some("2025-03-15".into()),
        owner_id: None,
        notes: String::new(),
        theme_ids: vec![],
        session_ids: vec![],
    }
}

fn line(session_id: SessionId, kind: CostKind, cents: i64) -> CostLine {
    CostLine {
        id: 0,
        session_id,
        kind,
        cents,
        note: "facture".into(),
    }
}

on_both_backends!(
    async fn a_subscription_is_spread_over_its_sessions_to_the_cent(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let ia = store
            .save_theme(
                &actor(lib),
                &Theme {
                    title: "IA".into(),
                    ..Theme::default()
                },
            )
            .await
            .unwrap();
        let samedis = series(&store, lib, "Samedis").await;
        let e = event(&store, lib, Some(samedis), EventStatus::Published).await;
        // Three sessions use the tool in January (two through the theme), one in February.
        let a = session(&store, lib, e, "2025-01-04", &[ia], &[]).await;
        let b = session(&store, lib, e, "2025-01-11", &[ia], &[]).await;
        let c = session(&store, lib, e, "2025-01-18", &[], &[]).await;
        let d = session(&store, lib, e, "2025-02-01", &[ia], &[]).await;
        let unused = session(&store, lib, e, "2025-01-25", &[], &[]).await;
        let mut t = tool("ChatGPT Plus", 2000, Billing::Monthly);
        t.theme_ids = vec![ia];
        t.session_ids = vec![c.get()];
        let id = store.save_tool(&actor(lib), &t).await.unwrap();
        let saved = store.tool(lib, id).await.unwrap();
        assert_eq!(
            (
                saved.theme_ids.clone(),
                saved.session_ids.clone(),
                saved.billing
            ),
            (vec![ia], vec![c.get()], Billing::Monthly)
        );

        let costs = store
            .session_costs(Some(lib), "2025-01-01", "2025-02-28")
            .await
            .unwrap();
        // 20,00 € over three January sessions: 6,67 + 6,67 + 6,66, the first by id get the cent.
        assert_eq!(
            (
                costs[&a.get()],
                costs[&b.get()],
                costs[&c.get()],
                costs[&unused.get()]
            ),
            (667, 667, 666, 0)
        );
        assert_eq!(costs[&d.get()], 2000);
        assert_eq!(costs[&a.get()] + costs[&b.get()] + costs[&c.get()], 2000);
        // A range cutting January still spreads the whole month over all three.
        let cut = store
            .session_costs(Some(lib), "2025-01-10", "2025-01-31")
            .await
            .unwrap();
        assert_eq!(
            (cut.get(&a.get()), cut[&b.get()], cut[&c.get()]),
            (None, 667, 666)
        );

        // Lines and the legacy column add up with the shares in the report.
        store
            .add_cost_line(&actor(lib), &line(a, CostKind::Fee, 15_000))
            .await
            .unwrap();
        store.set_session_cost(&actor(lib), b, 1_000).await.unwrap();
        let h = Headcount::new(Some(10), Some(0), None, None).unwrap();
        store.set_headcount(&actor(lib), a, &h).await.unwrap();
        let r = store
            .report(
                Scope::library(lib),
                &Period::parse_season("2024-2025").unwrap(),
                false,
            )
            .await
            .unwrap();
        let total = 15_000 + 1_000 + 2_000 * 2;
        assert_eq!(r.total.cost_eur, f64::from(total) / 100.0);
        assert_eq!(r.series[0].cost_eur, f64::from(total) / 100.0);
        assert_eq!(
            r.total.cost_per_participant_eur,
            Some(f64::from(total) / 1000.0)
        );
    }
);

on_both_backends!(
    async fn a_yearly_tool_and_cancelled_sessions(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let e = event(&store, lib, None, EventStatus::Published).await;
        let gone = event(&store, lib, None, EventStatus::Cancelled).await;
        let a = session(&store, lib, e, "2025-03-01", &[], &[]).await;
        let x = session(&store, lib, gone, "2025-03-02", &[], &[]).await;
        let mut t = tool("MidJourney", 100, Billing::Yearly);
        t.session_ids = vec![a.get(), x.get()];
        store.save_tool(&actor(lib), &t).await.unwrap();
        let costs = store
            .session_costs(Some(lib), "2025-01-01", "2025-12-31")
            .await
            .unwrap();
        // 1,00 € a year: March's share is 9 cents (January to April get 9, the rest 8), all on the live session.
        assert_eq!(costs[&a.get()], 9);
        assert!(!costs.contains_key(&x.get()));
    }
);

on_both_backends!(
    async fn cost_lines_are_audited_and_stay_in_their_library(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let e = event(&store, lib, None, EventStatus::Published).await;
        let s = session(&store, lib, e, "2025-03-01", &[], &[]).await;
        let id = store
            .add_cost_line(&actor(lib), &line(s, CostKind::Travel, 4_550))
            .await
            .unwrap();
        let lines = store.cost_lines(s).await.unwrap();
        assert_eq!(
            (
                lines.len(),
                lines[0].kind,
                lines[0].cents,
                lines[0].note.as_str()
            ),
            (1, CostKind::Travel, 4_550, "facture")
        );
        let other: LibraryId = sqlx::query_scalar(
            "insert into libraries (name, created_at) values ('B', 0) returning id",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert!(matches!(
            store
                .add_cost_line(&actor(other), &line(s, CostKind::Fee, 1))
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.delete_cost_line(&actor(other), s, id).await,
            Err(StoreError::NotFound)
        ));
        store.delete_cost_line(&actor(lib), s, id).await.unwrap();
        assert!(store.cost_lines(s).await.unwrap().is_empty());
        let log = store
            .audit_log(lib, Some(("cost_line", id)), 5)
            .await
            .unwrap();
        assert_eq!(
            log.iter().map(|l| l.action.as_str()).collect::<Vec<_>>(),
            ["delete", "create"]
        );
    }
);

on_both_backends!(
    async fn budgets_planned_against_spent_and_renewals(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let samedis = series(&store, lib, "Samedis").await;
        let points = series(&store, lib, "Points de l'IA").await;
        let e = event(&store, lib, Some(samedis), EventStatus::Published).await;
        let s = session(&store, lib, e, "2025-10-04", &[], &[]).await;
        let before = session(&store, lib, e, "2025-08-30", &[], &[]).await;
        store
            .add_cost_line(&actor(lib), &line(s, CostKind::Fee, 30_000))
            .await
            .unwrap();
        store
            .add_cost_line(&actor(lib), &line(before, CostKind::Fee, 99))
            .await
            .unwrap();
        store
            .set_budget(&actor(lib), samedis, "2025-2026", 100_000)
            .await
            .unwrap();
        store
            .set_budget(&actor(lib), samedis, "2025-2026", 120_000)
            .await
            .unwrap();
        let b = store.budgets(lib, "2025-2026").await.unwrap();
        let find = |id| b.iter().find(|x| x.series_id == id).unwrap();
        assert_eq!(
            (find(samedis).planned_cents, find(samedis).spent_cents),
            (Some(120_000), 30_000)
        );
        assert_eq!(
            (find(points).planned_cents, find(points).spent_cents),
            (None, 0)
        );
        assert!(
            store
                .set_budget(&actor(lib), samedis, "2025", 1)
                .await
                .is_err()
        );
        let log = store
            .audit_log(lib, Some(("budget", samedis)), 5)
            .await
            .unwrap();
        assert_eq!(log[0].after.as_ref().unwrap()["planned_cents"], 120_000);
        assert_eq!(log[0].before.as_ref().unwrap()["planned_cents"], 100_000);

        store
            .save_tool(&actor(lib), &tool("HeyGen", 2_900, Billing::Monthly))
            .await
            .unwrap();
        assert_eq!(
            store
                .renewals_due(lib, "2025-02-20", "2025-03-22")
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(
            store
                .renewals_due(lib, "2025-01-01", "2025-01-31")
                .await
                .unwrap()
                .is_empty()
        );
    }
);

on_both_backends!(
    async fn what_a_speaker_costs_per_participant(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let sp = store
            .save_speaker(
                &actor(lib),
                &Speaker {
                    name: "Ada".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let e = event(&store, lib, None, EventStatus::Published).await;
        let a = session(&store, lib, e, "2025-03-01", &[], &[sp]).await;
        let b = session(&store, lib, e, "2025-03-08", &[], &[sp]).await;
        session(&store, lib, e, "2025-03-09", &[], &[]).await;
        store
            .add_cost_line(&actor(lib), &line(a, CostKind::Fee, 20_000))
            .await
            .unwrap();
        store
            .add_cost_line(&actor(lib), &line(b, CostKind::Travel, 5_000))
            .await
            .unwrap();
        for (s, n) in [(a, 15), (b, 10)] {
            store
                .set_headcount(
                    &actor(lib),
                    s,
                    &Headcount::new(Some(n), Some(0), None, None).unwrap(),
                )
                .await
                .unwrap();
        }
        let c = store.speaker_cost(lib, sp).await.unwrap();
        assert_eq!(
            (c.cents, c.participants, c.per_participant_cents()),
            (25_000, 25, Some(1_000))
        );
    }
);

on_both_backends!(
    async fn a_session_ticks_its_tools_once_and_only_its_library_s(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let e = event(&store, lib, None, EventStatus::Published).await;
        let s = session(&store, lib, e, "2025-03-01", &[], &[]).await;
        let t = store
            .save_tool(&actor(lib), &tool("HeyGen", 2_900, Billing::Monthly))
            .await
            .unwrap();
        store
            .set_session_tools(&actor(lib), s, &[t, t])
            .await
            .unwrap();
        assert_eq!(store.session_tools(s).await.unwrap(), vec![t]);
        assert_eq!(
            store
                .session_costs(Some(lib), "2025-03-01", "2025-03-01")
                .await
                .unwrap()[&s.get()],
            2_900
        );
        assert!(matches!(
            store.set_session_tools(&actor(lib), s, &[t + 99]).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            store.session_tools(s).await.unwrap(),
            vec![t],
            "nothing half-saved"
        );
        store.set_session_tools(&actor(lib), s, &[]).await.unwrap();
        assert!(store.session_tools(s).await.unwrap().is_empty());
        let log = store
            .audit_log(lib, Some(("session_tools", s.get())), 5)
            .await
            .unwrap();
        assert_eq!(log.len(), 2);
    }
);
