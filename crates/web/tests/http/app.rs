//! The test application: a fresh database, a router, typed request helpers
//! and a cookie jar per signed-in client.

use almanach_domain::ids::LibraryId;
use almanach_domain::staff::Role;
use almanach_store::{Actor, Backend, Store};
use almanach_web::{AppState, WebConfig, hash_password, router};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub struct TestApp {
    pub router: Router,
    pub store: Store,
    pub library_id: LibraryId,
}

pub struct Response {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Response {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// A browser-like client: its cookies and the CSRF token of the last page.
#[derive(Clone, Default)]
pub struct Client {
    pub cookies: Vec<(String, String)>,
    pub csrf: String,
}

pub const PASSWORD: &str = "correct horse battery";

impl TestApp {
    /// A fresh application on `backend`; None when PostgreSQL is not configured here.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        let store = almanach_store::testing::fresh_store(backend).await?;
        Some(TestApp::on(store).await)
    }

    /// The application over `store` (a migrated one).
    pub async fn on(store: Store) -> TestApp {
        let library_id = store.default_library().await.unwrap().id;
        let config = WebConfig {
            secure_cookies: false,
            ..WebConfig::default()
        };
        let router = router(AppState::new(store.clone(), config));
        TestApp {
            router,
            store,
            library_id,
        }
    }

    pub async fn add_staff(&self, email: &str, role: Role) -> i64 {
        let actor = Actor::system(self.library_id, "test");
        self.store
            .create_staff(
                &actor,
                email,
                email.split('@').next().unwrap(),
                role,
                &hash_password(PASSWORD),
            )
            .await
            .unwrap()
    }

    pub async fn send(&self, client: &mut Client, req: Request<Body>) -> Response {
        let mut req = req;
        if !client.cookies.is_empty() {
            let c = client
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            req.headers_mut().insert(header::COOKIE, c.parse().unwrap());
        }
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        for v in headers.get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            let (kv, _) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = kv.split_once('=').unwrap();
            client.cookies.retain(|(ck, _)| ck != k);
            if !val.is_empty() {
                client.cookies.push((k.to_string(), val.to_string()));
            }
        }
        let body = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec())
            .unwrap();
        if let Some(token) = extract_csrf(&body) {
            client.csrf = token;
        }
        Response {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, client: &mut Client, path: &str) -> Response {
        self.send(client, Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    /// Posts a form, adding the client's CSRF token unless the fields name one.
    pub async fn post(&self, client: &mut Client, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut pairs: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if !fields.iter().any(|(k, _)| *k == "csrf") {
            pairs.push(("csrf".into(), client.csrf.clone()));
        }
        let body = serde_html_form::to_string(&pairs).unwrap();
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(client, req).await
    }

    /// Sends JSON to the API with an optional bearer token.
    pub async fn api(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Response {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(j) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(j.to_string()))
                .unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        self.send(&mut Client::default(), req).await
    }

    /// A client signed in as a new staff member with `role`.
    pub async fn signed_in(&self, role: Role) -> Client {
        let email = format!("{}@mediatheque.test", role.slug());
        self.add_staff(&email, role).await;
        self.sign_in(&email, PASSWORD).await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Client {
        let mut c = Client::default();
        self.get(&mut c, "/staff/sign-in").await;
        let r = self
            .post(
                &mut c,
                "/staff/sign-in",
                &[("email", email), ("password", password), ("next", "/staff")],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "sign-in failed: {}",
            r.body
        );
        let page = self.get(&mut c, "/staff").await;
        assert_eq!(page.status, StatusCode::OK);
        c
    }
}

/// The path of the first « Annuler cette action » form of a page.
pub fn extract_undo(body: &str) -> Option<String> {
    let start = body.find("action=\"/staff/actions/")? + "action=\"".len();
    let rest = &body[start..];
    let path = &rest[..rest.find('"')?];
    path.ends_with("/undo").then(|| path.to_string())
}

fn extract_csrf(body: &str) -> Option<String> {
    let i = body.find("name=\"csrf\" value=\"")?;
    let rest = &body[i + "name=\"csrf\" value=\"".len()..];
    Some(rest[..rest.find('"')?].to_string())
}

/// Declares an HTTP test run once per backend: `mod name { sqlite, postgres }`.
#[macro_export]
macro_rules! http_test {
    (async fn $name:ident($app:ident: TestApp $(,)?) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_imports)]
            use $crate::app::*;
            async fn run($app: $crate::app::TestApp) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::app::TestApp::spawn(almanach_store::Backend::Sqlite).await.unwrap();
                let store = app.store.clone();
                run(app).await;
                almanach_store::testing::dispose(store).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(
                not(almanach_postgres_tests),
                ignore = "PostgreSQL: set ALMANACH_TEST_POSTGRES"
            )]
            async fn postgres() {
                let app = $crate::app::TestApp::spawn(almanach_store::Backend::Postgres).await.expect("postgres");
                let store = app.store.clone();
                run(app).await;
                almanach_store::testing::dispose(store).await
            }
        }
    };
}

#[allow(dead_code)]
pub fn backend_unused(_: Backend) {}
