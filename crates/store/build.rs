//! Whether this build runs the PostgreSQL variants of the tests. They need a
//! server: with `ALMANACH_TEST_POSTGRES` (or in CI, where a missing server is
//! then a failure) the cfg `almanach_postgres_tests` is set; without it they
//! are compiled as `#[ignore]`d, so the test run counts them as skipped
//! instead of reporting tests that did nothing as passed.
//!
//! Shared by every crate that has such tests (`build = "../store/build.rs"`).
//! Changing either variable rebuilds those crates once.

fn main() {
    println!("cargo::rerun-if-env-changed=ALMANACH_TEST_POSTGRES");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rustc-check-cfg=cfg(almanach_postgres_tests)");
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if set("ALMANACH_TEST_POSTGRES") || set("CI") {
        println!("cargo::rustc-cfg=almanach_postgres_tests");
    }
}
