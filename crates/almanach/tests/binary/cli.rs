//! The command line as a person uses it: clear one-line errors, non-zero exits.

use std::process::{Command, Stdio};

fn almanach() -> Command {
    Command::new(env!("CARGO_BIN_EXE_almanach"))
}

fn temp_db() -> String {
    let dir = std::env::temp_dir().join(format!(
        "almanach-cli-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    format!("sqlite://{}", dir.join("db.sqlite3").display())
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

#[test]
fn an_unknown_database_scheme_stops_with_one_line() {
    let out = almanach()
        .args(["--database", "mysql://h/db", "migrate"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("unknown database URL scheme \"mysql\""),
        "{err}"
    );
}

#[test]
fn an_unreachable_postgres_stops_with_one_line_without_the_password() {
    let out = almanach()
        .args([
            "--database",
            "postgres://u:s3cret@127.0.0.1:1/db",
            "migrate",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("cannot open postgres://u:***@127.0.0.1:1/db"),
        "{err}"
    );
    assert!(!err.contains("s3cret"));
}

#[test]
fn user_add_reads_the_password_from_stdin_and_refuses_duplicates() {
    let db = temp_db();
    let add = |pw: &str| {
        let mut child = almanach()
            .args([
                "--database",
                &db,
                "user",
                "add",
                "--email",
                "Claire@Example.org",
                "--role",
                "coordinator",
                "--password-stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(pw.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let short = add("short\n");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 10 characters"));
    let ok = add("a long enough password\n");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        String::from_utf8_lossy(&ok.stdout).contains("created claire@example.org (coordinator)")
    );
    let again = add("a long enough password\n");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has an account"));
    let bad_role = almanach()
        .args([
            "--database",
            &db,
            "user",
            "add",
            "--email",
            "x@example.org",
            "--role",
            "root",
            "--password-stdin",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("unknown role \"root\""));
}

#[test]
fn demo_is_idempotent_and_backup_copies_while_open() {
    let db = temp_db();
    let first = almanach()
        .args(["--database", &db, "demo"])
        .output()
        .unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("demo season loaded"));
    let second = almanach()
        .args(["--database", &db, "demo"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&second.stdout).contains("already present"));
    let to = std::env::temp_dir().join(format!("almanach-cli-backup-{}.sqlite3", rand_suffix()));
    let backup = almanach()
        .args(["--database", &db, "backup", "--to", to.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        backup.status.success(),
        "{}",
        String::from_utf8_lossy(&backup.stderr)
    );
    let copy = format!("sqlite://{}", to.display());
    let again = almanach()
        .args(["--database", &copy, "demo"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("already present"),
        "the copy holds the demo"
    );
    let pg = almanach()
        .args([
            "--database",
            "postgres://u@127.0.0.1:1/db",
            "backup",
            "--to",
            "/tmp/x",
        ])
        .output()
        .unwrap();
    assert!(!pg.status.success());
    assert!(String::from_utf8_lossy(&pg.stderr).contains("use pg_dump"));
}

#[test]
fn every_subcommand_has_help() {
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["migrate", "--help"],
        &["user", "add", "--help"],
        &["demo", "--help"],
        &["backup", "--help"],
        &["token", "create", "--help"],
    ] {
        let out = almanach().args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage"),
            "{args:?}"
        );
    }
    let serve = String::from_utf8(
        almanach()
            .args(["serve", "--help"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(serve.contains("--listen") && serve.contains("--demo") && serve.contains("--database"));
}

#[test]
fn token_create_prints_a_token_once_within_the_role() {
    let db = temp_db();
    assert!(
        almanach()
            .args(["--database", &db, "demo"])
            .output()
            .unwrap()
            .status
            .success()
    );
    let out = almanach()
        .args([
            "--database",
            &db,
            "token",
            "create",
            "--email",
            "hugo.bernard@mediatheque.example",
            "--name",
            "site",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_eq!(token.len(), 64);
    let higher = almanach()
        .args([
            "--database",
            &db,
            "token",
            "create",
            "--email",
            "hugo.bernard@mediatheque.example",
            "--name",
            "x",
            "--role",
            "admin",
        ])
        .output()
        .unwrap();
    assert!(!higher.status.success());
    assert!(
        String::from_utf8_lossy(&higher.stderr).contains("a mediator cannot create a admin token")
    );
    let nobody = almanach()
        .args([
            "--database",
            &db,
            "token",
            "create",
            "--email",
            "nobody@example.org",
            "--name",
            "x",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("no active staff member"));
}

#[test]
fn retention_run_says_what_it_anonymises_and_refuses_a_zero_period() {
    let db = temp_db();
    assert!(
        almanach()
            .args(["--database", &db, "demo"])
            .output()
            .unwrap()
            .status
            .success()
    );
    let dry = almanach()
        .args(["--database", &db, "retention", "run", "--dry-run"])
        .output()
        .unwrap();
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    let out = String::from_utf8(dry.stdout).unwrap();
    assert!(
        out.starts_with("would anonymise 0 registrations of sessions ended before "),
        "the demo's registrations are all to come: {out}"
    );
    assert!(out.contains("(retention: 90 days)"), "{out}");
    let run = almanach()
        .args([
            "--database",
            &db,
            "--retention-days",
            "30",
            "retention",
            "run",
        ])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&run.stdout).contains("anonymised 0 registrations")
            && String::from_utf8_lossy(&run.stdout).contains("(retention: 30 days)")
    );
    let zero = almanach()
        .args(["--database", &db, "retention", "run"])
        .env("ALMANACH_RETENTION_DAYS", "0")
        .output()
        .unwrap();
    assert!(!zero.status.success());
    assert!(String::from_utf8_lossy(&zero.stderr).contains("between 1 and 3650 days"));
}

#[test]
fn logs_to_a_pipe_carry_no_colour_codes() {
    let out = almanach()
        .args(["--database", &temp_db(), "migrate"])
        .env("ALMANACH_LOG", "info")
        .env_remove("NO_COLOR")
        .env_remove("ALMANACH_LOG_FORMAT")
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("applied migration"), "a log line: {err}");
    assert!(
        !err.contains('\u{1b}'),
        "no escape sequence in a log written to a pipe: {err:?}"
    );
}

#[test]
fn json_logs_are_one_object_per_line() {
    let out = almanach()
        .args(["--database", &temp_db(), "--log-format", "json", "migrate"])
        .env("ALMANACH_LOG", "info")
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<serde_json::Value> = err
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .collect();
    assert!(lines.len() >= 2, "{err}");
    let applied = lines
        .iter()
        .find(|l| l["fields"]["message"] == "applied migration")
        .unwrap_or_else(|| panic!("{err}"));
    assert_eq!(applied["level"], "INFO");
    assert!(applied["fields"]["version"].is_number(), "{applied}");
    assert!(applied["timestamp"].is_string());
    // The same from the environment and from the configuration file.
    let config = std::env::temp_dir().join(format!("almanach-log-{}.toml", rand_suffix()));
    std::fs::write(&config, "log_format = \"json\"\n").unwrap();
    let out = almanach()
        .args(["--database", &temp_db(), "migrate"])
        .env("ALMANACH_LOG", "info")
        .env("ALMANACH_CONFIG", &config)
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
            && !err.is_empty(),
        "{err}"
    );
}

#[test]
fn user_unlock_lifts_a_sign_in_lock() {
    let db = temp_db();
    let mut child = almanach()
        .args([
            "--database",
            &db,
            "user",
            "add",
            "--email",
            "claire@example.org",
            "--role",
            "coordinator",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a long enough password\n")
        .unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
    // Five failed sign-ins lock the account, as the server counts them.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let key = almanach_store::login_account_key("claire@example.org");
    let failures = |db: &str| {
        rt.block_on(async {
            let store = almanach_store::Store::open(db).await.unwrap();
            let n = store.login_failures(&key).await.unwrap().0;
            store.close().await;
            n
        })
    };
    rt.block_on(async {
        let store = almanach_store::Store::open(&db).await.unwrap();
        for _ in 0..5 {
            let now = almanach_store::now();
            store
                .take_login_attempt(&[(key.as_str(), 5)], 900, now)
                .await
                .unwrap()
                .unwrap();
        }
        store.close().await;
    });
    assert_eq!(failures(&db), 5);
    let unlock = |email: &str| {
        almanach()
            .args(["--database", &db, "user", "unlock", "--email", email])
            .output()
            .unwrap()
    };
    let out = unlock("Claire@Example.org");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("claire@example.org may sign in again"));
    assert_eq!(failures(&db), 0);
    let out = unlock("claire@example.org");
    assert!(String::from_utf8_lossy(&out.stdout).contains("was not locked"));
    let out = unlock("nobody@example.org");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no staff member"));
}

#[cfg(unix)]
#[test]
fn sigterm_lets_a_request_in_flight_finish_and_exits_cleanly() {
    use std::io::{BufRead, BufReader, Read, Write};

    let dir = std::env::temp_dir().join(format!("almanach-term-{}", rand_suffix()));
    let db = format!("sqlite://{}", dir.join("db.sqlite3").display());
    let mut child = almanach()
        .args(["--database", &db, "--data-dir"])
        .arg(&dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        // `started`: the line a request writes when its handling begins.
        .env("ALMANACH_LOG", "info,almanach_web::trace=debug")
        .env_remove("ALMANACH_LOG_FORMAT")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let addr = loop {
        line.clear();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "no address printed"
        );
        if let Some(rest) = line.trim().strip_prefix("Almanach : http://") {
            break rest.split('/').next().unwrap().to_string();
        }
    };

    // A request whose body is still arriving when the signal comes.
    let body = "email=a%40b.fr&password=x";
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        conn,
        "POST /staff/sign-in HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{}",
        body.len(),
        &body[..6]
    )
    .unwrap();
    conn.flush().unwrap();
    // Signal once the server handles the request (not while it still
    // waits in the listen queue, which a stop rightly refuses). The line
    // must be the request's own, in its span: "mail worker started", written
    // at start, also says "started", and waiting for any "started" sent the
    // signal before the request was read.
    let mut logs = String::new();
    let mut wait_for = |what: &str, is: &dyn Fn(&str) -> bool, logs: &mut String| loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "no {what}: {logs}"
        );
        logs.push_str(&line);
        if is(line.trim_end()) {
            break;
        }
    };
    wait_for(
        "request started",
        &|l| l.contains("request{") && l.contains("/staff/sign-in") && l.ends_with(" started"),
        &mut logs,
    );
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    wait_for(
        "shutting down",
        &|l| l.ends_with("shutting down"),
        &mut logs,
    );
    conn.write_all(&body.as_bytes()[6..]).unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 403"),
        "the request in flight was answered (a form without its CSRF token): {answer}"
    );
    let status = child.wait().unwrap();
    stderr.read_to_string(&mut logs).unwrap();
    assert!(status.success(), "exit {status:?}: {logs}");
    assert!(logs.contains("mail worker stopped"), "{logs}");
    assert!(
        logs.lines()
            .any(|l| l.ends_with(" stopped") && !l.contains("mail worker")),
        "the server's own last line: {logs}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
