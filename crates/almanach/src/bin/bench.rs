//! `almanach-bench`: the scale benchmark. `generate` fills an empty
//! database with a network's made-up history; `report` times the season
//! review of one library, of the whole network, and the network's
//! ten-season trend, against their targets. A binary of its own so the
//! `almanach` that runs a library cannot write two million invented
//! sessions into it by a slip (it takes `--database` only from its
//! arguments, never from ALMANACH_DATABASE). See docs/benchmarks.md.

// The demo season, for `pages` on an empty database (the bench uses its
// loader only).
#[path = "../demo/mod.rs"]
#[allow(dead_code)]
mod demo;
#[path = "bench/driver.rs"]
mod driver;
#[path = "bench/http.rs"]
mod http;
#[path = "bench/memory.rs"]
mod memory;
#[path = "bench/pages.rs"]
mod pages;
#[path = "bench/rush.rs"]
mod rush;
#[path = "bench/soak.rs"]
mod soak;

use std::future::Future;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use almanach_domain::programme::season_of;
use almanach_domain::stats::Period;
use almanach_store::bench::{Dataset, Progress, Shape, dataset, generate, touch};
use almanach_store::{DatabaseUrl, Scope, Store};
use anyhow::{Result, bail};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "almanach-bench",
    about = "Scale benchmark of Almanach's statistics (see docs/benchmarks.md)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fill an empty database with a network's history: libraries × seasons × sessions, with attendance.
    Generate {
        /// sqlite://PATH or postgres://USER@HOST/DB (created and migrated if needed; must hold no sessions).
        #[arg(long)]
        database: String,
        #[arg(long, default_value_t = 1000)]
        libraries: u32,
        #[arg(long, default_value_t = 10)]
        seasons: u32,
        /// Sessions per library and season.
        #[arg(long, default_value_t = 250)]
        sessions: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The first season's starting year.
        #[arg(long, default_value_t = 2015)]
        first_season: i16,
    },
    /// Time the season reviews and the trend, median and 95th percentile, against the targets.
    Report {
        #[arg(long)]
        database: String,
        /// Timed runs of each measure, after the warm-up.
        #[arg(long, default_value_t = 20)]
        runs: usize,
        #[arg(long, default_value_t = 3)]
        warmup: usize,
    },
    /// Check that the last season's reviews read from the summaries equal the same dates added up from the sessions.
    Verify {
        #[arg(long)]
        database: String,
    },
    /// A crowd registers for one workshop at once over HTTP; checks the database after and prints the rate beside a bare seat transaction's.
    Rush {
        /// sqlite://PATH or postgres://USER@HOST/DB (created and migrated if needed).
        #[arg(long)]
        database: String,
        /// Concurrent clients, each on its own keep-alive connection.
        #[arg(long, default_value_t = 256)]
        clients: usize,
        #[arg(long, default_value_t = 20)]
        capacity: u32,
        /// Registrations sent in all.
        #[arg(long, default_value_t = 5000)]
        registrations: usize,
        /// Registrations already on the session before the crowd comes (the cost must not grow with them).
        #[arg(long, default_value_t = 0)]
        already: usize,
        /// Servers sharing the database, the clients spread over them (PostgreSQL: as a network runs).
        #[arg(long, default_value_t = 1)]
        servers: usize,
        /// Seconds to wait idle after the rush, then print the memory held.
        #[arg(long, default_value_t = 0)]
        rest: u64,
    },
    /// The public pages and the API's session list over HTTP, each beside the same server's static stylesheet (an empty database gets the demo season).
    Pages {
        /// sqlite://PATH or postgres://USER@HOST/DB (created and migrated if needed).
        #[arg(long)]
        database: String,
        /// Concurrent keep-alive connections.
        #[arg(long, default_value_t = 64)]
        connections: usize,
        /// Seconds each route is measured.
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
    },
    /// The registrar's write and the agenda's read through sqlx's Any layer and through rusqlite, on the same SQLite file (issue 11 §5).
    Driver {
        /// sqlite://PATH (created and migrated if needed; an empty one gets the demo season).
        #[arg(long)]
        database: String,
        /// Seconds in all (each path gets a quarter, in two halves, alternately).
        #[arg(long, default_value_t = 8.0)]
        seconds: f64,
    },
    /// A long mixed load (pages, feeds, the API, registrations, programme changes) printing each minute's rate, answers other than 2xx and memory; fails on any non-2xx or memory still growing after warm-up.
    Soak {
        /// sqlite://PATH or postgres://USER@HOST/DB (created and migrated if needed).
        #[arg(long)]
        database: String,
        /// Concurrent keep-alive clients.
        #[arg(long, default_value_t = 16)]
        clients: usize,
        #[arg(long, default_value_t = 30)]
        minutes: u64,
        /// Each client's pause between two requests, in milliseconds (0: as fast as it can).
        #[arg(long, default_value_t = 0)]
        pause_ms: u64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    // The allocator trimmed as `almanach serve` trims it: the memory the
    // benches report is the server's.
    let _trim = {
        let _in = runtime.enter();
        almanach_web::memory::keep_trimmed()
    };
    let result = match cli.command {
        Command::Generate {
            database,
            libraries,
            seasons,
            sessions,
            seed,
            first_season,
        } => {
            let shape = Shape {
                libraries,
                seasons,
                sessions,
                seed,
                first_season,
            };
            runtime
                .block_on(run_generate(&database, &shape))
                .map(|()| true)
        }
        Command::Report {
            database,
            runs,
            warmup,
        } => runtime.block_on(run_report(&database, runs.max(1), warmup)),
        Command::Verify { database } => runtime.block_on(run_verify(&database)),
        Command::Rush {
            database,
            clients,
            capacity,
            registrations,
            already,
            servers,
            rest,
        } => runtime.block_on(rush::run(&rush::Rush {
            database,
            clients,
            capacity,
            registrations,
            already,
            servers,
            rest,
        })),
        Command::Pages {
            database,
            connections,
            seconds,
        } => runtime.block_on(pages::run(&pages::Pages {
            database,
            connections,
            seconds,
        })),
        Command::Driver { database, seconds } => runtime.block_on(driver::run(&database, seconds)),
        Command::Soak {
            database,
            clients,
            minutes,
            pause_ms,
        } => runtime.block_on(soak::run(&soak::Soak {
            database,
            clients,
            minutes,
            pause_ms,
        })),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(2),
        Err(e) => {
            eprintln!("almanach-bench: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run_generate(url: &str, shape: &Shape) -> Result<()> {
    let shown = DatabaseUrl::parse(url)?.redacted();
    if shape.libraries == 0 || shape.seasons == 0 || shape.sessions == 0 {
        bail!("--libraries, --seasons and --sessions must be at least 1");
    }
    let total = u64::from(shape.libraries) * u64::from(shape.seasons) * u64::from(shape.sessions);
    println!(
        "generating into {shown}: {} libraries × {} seasons × {} sessions = {} sessions, seed {}",
        shape.libraries,
        shape.seasons,
        shape.sessions,
        thousands(total as i64),
        shape.seed
    );
    let start = Instant::now();
    let mut last_line = Instant::now();
    let mut progress = |p: Progress| match p {
        Progress::Rows {
            season,
            libraries_done,
            sessions,
        } => {
            let done_all = season == shape.seasons && libraries_done == shape.libraries;
            if last_line.elapsed() >= Duration::from_secs(5) || done_all {
                let secs = start.elapsed().as_secs_f64();
                println!(
                    "  season {season}/{} library {libraries_done}/{}: {} sessions, {secs:.0} s, {} sessions/s",
                    shape.seasons,
                    shape.libraries,
                    thousands(sessions),
                    thousands((sessions as f64 / secs.max(0.001)) as i64)
                );
                last_line = Instant::now();
            }
        }
        Progress::Summaries => println!(
            "  {:.0} s: building the season summaries",
            start.elapsed().as_secs_f64()
        ),
        Progress::Statistics => println!(
            "  {:.0} s: refreshing the planner's statistics",
            start.elapsed().as_secs_f64()
        ),
    };
    let g = generate(url, shape, &mut progress).await?;
    println!(
        "done in {:.1} s: {} libraries, {} rooms, {} series, {} themes, {} events, {} sessions, {} session themes",
        start.elapsed().as_secs_f64(),
        thousands(g.libraries),
        thousands(g.rooms),
        thousands(g.series),
        thousands(g.themes),
        thousands(g.events),
        thousands(g.sessions),
        thousands(g.session_themes)
    );
    Ok(())
}

async fn run_verify(url: &str) -> Result<bool> {
    let store = Store::open(url).await?;
    let Some(Dataset {
        last_date,
        libraries,
        ..
    }) = dataset(&store).await?
    else {
        bail!("the database holds no sessions: run almanach-bench generate first");
    };
    let (year, label) = season_of(last_date);
    let season = Period::Season(year);
    let same_dates = Period::Range {
        from: season.from(),
        to: season.to(),
    };
    let mut scopes = vec![Scope {
        library_id: None,
        series: None,
    }];
    scopes.extend(
        libraries
            .iter()
            .step_by((libraries.len() / 5).max(1))
            .map(|&id| Scope::library(id)),
    );
    let mut agree = true;
    for scope in scopes {
        let summed = store.report(scope, &season, false).await?;
        let counted = store.report(scope, &same_dates, false).await?;
        let same = summed.series == counted.series && summed.total == counted.total;
        agree &= same;
        let who = scope
            .library_id
            .map_or("the network".to_string(), |id| format!("library {id}"));
        println!(
            "{label}, {who}: {} sessions, {} participants: {}",
            thousands(summed.total.sessions),
            thousands(summed.total.participants),
            if same {
                "the summaries agree with the sessions"
            } else {
                "DIFFERENT from the sessions"
            }
        );
    }
    store.close().await;
    Ok(agree)
}

/// A measure, its target, and how it went.
struct Measure {
    what: String,
    target_ms: Option<f64>,
    times: Vec<Duration>,
    /// This process's CPU time per timed run: with SQLite, all the work
    /// whatever else the machine runs; with PostgreSQL, the client's share.
    cpu: Option<Duration>,
}

async fn run_report(url: &str, runs: usize, warmup: usize) -> Result<bool> {
    let shown = DatabaseUrl::parse(url)?.redacted();
    let store = Store::open(url).await?;
    let Some(Dataset {
        first_date,
        last_date,
        sessions,
        libraries,
    }) = dataset(&store).await?
    else {
        bail!("the database holds no sessions: run almanach-bench generate first");
    };
    let (first_season, _) = season_of(first_date);
    let (last_season, label) = season_of(last_date);
    let season = Period::Season(last_season);
    let trend_from = first_season.max(last_season - 9);
    println!("almanach-bench report on {shown}");
    println!(
        "dataset: {} libraries, {} sessions, seasons {}-{} to {label}",
        thousands(libraries.len() as i64),
        thousands(sessions),
        first_season,
        first_season + 1
    );
    println!("load average before: {}", load_average());
    let rebuild = Instant::now();
    let rebuilt = store.refresh_season_summaries().await?;
    if rebuilt > 0 {
        println!(
            "season summaries of {} library seasons rebuilt first, in {:.1} s",
            thousands(rebuilt),
            rebuild.elapsed().as_secs_f64()
        );
    }
    println!(
        "{runs} timed runs after {warmup} warm-up runs; PASS when the median is under the target;"
    );
    println!(
        "cpu: this process's CPU time per run (with SQLite all the work, with PostgreSQL the client's)"
    );

    let mut measures = Vec::new();
    let (store, season) = (&store, &season);
    // A different library each run, spread over the network, so the
    // figure is not one library's pages kept warm.
    let libraries = &libraries;
    let pick = move |i: usize| libraries[(i * 7919) % libraries.len()];
    let label_one = format!("one library's season review ({label})");
    measures.push(
        time(label_one, Some(20.0), warmup, runs, |i| async move {
            store.report(Scope::library(pick(i)), season, false).await
        })
        .await?,
    );
    let network = Scope {
        library_id: None,
        series: None,
    };
    let label_all = format!("the network's season review ({label})");
    measures.push(
        time(label_all, Some(250.0), warmup, runs, |_| {
            store.report(network, season, false)
        })
        .await?,
    );
    let label_trend = format!(
        "the network's {}-season trend",
        last_season - trend_from + 1
    );
    let seasons = trend_from..=last_season;
    measures.push(
        time(label_trend, Some(500.0), warmup, runs, |_| {
            store.trend(network, seasons.clone())
        })
        .await?,
    );
    // The review as handed over, with the previous season beside it.
    measures.push(
        time(
            "  … one library, with the previous season".into(),
            None,
            warmup,
            runs,
            |i| async move { store.report(Scope::library(pick(i)), season, true).await },
        )
        .await?,
    );
    let label_cmp = "  … the network, with the previous season".to_string();
    measures.push(
        time(label_cmp, None, warmup, runs, |_| {
            store.report(network, season, true)
        })
        .await?,
    );

    // After a head count: the library's season summary is rebuilt first,
    // and for the network its season's summary too.
    for (what, network) in [
        ("  … one library, just after a head count", false),
        ("  … the network, just after a head count", true),
    ] {
        let mut times = Vec::with_capacity(runs);
        for i in 0..warmup + runs {
            let lib = pick(i);
            touch(store, lib, last_season).await?;
            let scope = Scope {
                library_id: (!network).then_some(lib),
                series: None,
            };
            let start = Instant::now();
            store.report(scope, season, false).await?;
            if i >= warmup {
                times.push(start.elapsed());
            }
        }
        measures.push(Measure {
            what: what.into(),
            target_ms: None,
            times,
            cpu: None,
        });
    }

    let mut all_pass = true;
    for m in &mut measures {
        m.times.sort();
        let median = ms(percentile(&m.times, 50));
        let p95 = ms(percentile(&m.times, 95));
        let verdict = match m.target_ms {
            Some(t) if median < t => format!("target < {t:>3.0} ms  PASS"),
            Some(t) => {
                all_pass = false;
                format!("target < {t:>3.0} ms  MISS")
            }
            None => String::new(),
        };
        let cpu = m
            .cpu
            .map(|c| format!("{:>8.1} ms", ms(c)))
            .unwrap_or_else(|| format!("{:>11}", "-"));
        println!(
            "{:<46} median {median:>8.1} ms   p95 {p95:>8.1} ms   cpu {cpu}   {verdict}",
            m.what
        );
    }
    println!("load average after: {}", load_average());
    store.close().await;
    Ok(all_pass)
}

/// The machine is shared: the load says how much the figures can be trusted.
fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `f` `warmup` times untimed, then `runs` times timed.
async fn time<F, Fut, T>(
    what: String,
    target_ms: Option<f64>,
    warmup: usize,
    runs: usize,
    f: F,
) -> Result<Measure>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = almanach_store::Result<T>>,
{
    for i in 0..warmup {
        f(runs + i).await?;
    }
    let mut times = Vec::with_capacity(runs);
    let cpu = process_cpu();
    for i in 0..runs {
        let start = Instant::now();
        f(i).await?;
        times.push(start.elapsed());
    }
    let cpu = process_cpu().saturating_sub(cpu) / runs as u32;
    Ok(Measure {
        what,
        target_ms,
        times,
        cpu: Some(cpu),
    })
}

/// User and system time of this process so far, from /proc/self/stat
/// (clock ticks of 10 ms, the Linux default): coarse, so only totals over
/// many runs are read.
fn process_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

/// Nearest-rank percentile of sorted times.
fn percentile(sorted: &[Duration], p: usize) -> Duration {
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn thousands(n: i64) -> String {
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}
