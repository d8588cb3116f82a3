//! Bench client for the ScyllaDB Rust driver. Client protocol: see
//! `bench/clients/harness.mjs` (same arguments, one JSON line on stdout).
//!
//! - `read`/`write`: `query_unpaged(cql)` with the values in the text;
//! - `*_bind`: `query_unpaged(cql, values)`: the driver prepares the statement
//!   first (an extra round trip per call) to learn the value types;
//! - `*_prepared`: `prepare` once, then `execute_unpaged(&ps, values)`;
//! - `paged_read`: prepared with page size 5000, `execute_iter` + `rows_stream`;
//! - `batch`: one `Batch::new(BatchType::Unlogged)` holding the prepared INSERT ten
//!   times, built once, `session.batch(&b, ten (k, k) tuples)` (routed by its first
//!   statement's token).
//!
//! - `tablets_read`: `SELECT v FROM t WHERE k = ?` prepared (the tablets simulation's table).
//!
//! `rss_warm_kb` in the JSON line is VmRSS right after the warm-up.
//!
//! CPU is getrusage(RUSAGE_SELF) user+sys over the measured phase (all threads
//! of the tokio runtime); peak RSS is VmHWM from /proc/self/status at exit.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use hdrhistogram::Histogram;
use scylla::client::session::Session;
use scylla::client::session_builder::SessionBuilder;
use scylla::statement::batch::{Batch, BatchType};
use scylla::statement::prepared::PreparedStatement;

#[derive(Clone)]
struct Opts {
    workload: String,
    concurrency: usize,
    hosts: Vec<String>,
    duration: f64,
    ops: u64,
    warmup: f64,
    warmup_ops: u64,
    keyspace: String,
    page_size: i32,
    keys: u32,
}

fn parse_args() -> Opts {
    let mut o = Opts {
        workload: "read_prepared".into(),
        concurrency: 32,
        hosts: vec!["127.0.0.3:9042".into()],
        duration: 0.0,
        ops: 0,
        warmup: 0.0,
        warmup_ops: 0,
        keyspace: "benchks".into(),
        page_size: 5000,
        keys: 65536,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "--null" || a == "--routing-forced" {
            i += 1;
            continue;
        }
        let v = args.get(i + 1).cloned().unwrap_or_else(|| panic!("{a} needs a value"));
        match a {
            "--workload" => o.workload = v,
            "--concurrency" => o.concurrency = v.parse().unwrap(),
            "--hosts" => o.hosts = v.split(',').map(String::from).collect(),
            "--duration" => o.duration = v.parse().unwrap(),
            "--ops" => o.ops = v.parse().unwrap(),
            "--warmup" => o.warmup = v.parse().unwrap(),
            "--warmup-ops" => o.warmup_ops = v.parse().unwrap(),
            "--keyspace" => o.keyspace = v,
            "--page-size" => o.page_size = v.parse().unwrap(),
            "--keys" => o.keys = v.parse().unwrap(),
            "--inflight" => {}
            _ => panic!("unknown argument {a}"),
        }
        i += 2;
    }
    if o.duration == 0.0 && o.ops == 0 {
        o.duration = 5.0;
    }
    if o.warmup == 0.0 && o.warmup_ops == 0 {
        o.warmup = 1.0;
    }
    o
}

const READ_BIND: &str = "SELECT id, value FROM test WHERE id = ?";
const WRITE_BIND: &str = "INSERT INTO test (id, value) VALUES (?, ?)";
const PAGED: &str = "SELECT ck, v FROM paged WHERE pk = ?";
const TABLETS_READ: &str = "SELECT v FROM t WHERE k = ?";

struct Ctx {
    session: Session,
    workload: String,
    ps: Option<PreparedStatement>,
    batch: Option<Batch>,
    keys: u32,
}

const BATCH_SIZE: u32 = 10;

type Res = Result<u64, Box<dyn std::error::Error + Send + Sync>>;

async fn op(ctx: &Ctx, k: i32) -> Res {
    let s = &ctx.session;
    match ctx.workload.as_str() {
        "read" => {
            let r = s
                .query_unpaged(format!("SELECT id, value FROM test WHERE id = {k}"), &[])
                .await?
                .into_rows_result()?;
            Ok(r.rows::<(i32, i32)>()?.count() as u64)
        }
        "read_bind" => {
            let r = s.query_unpaged(READ_BIND, (k,)).await?.into_rows_result()?;
            Ok(r.rows::<(i32, i32)>()?.count() as u64)
        }
        "read_prepared" => {
            let r = s
                .execute_unpaged(ctx.ps.as_ref().unwrap(), (k,))
                .await?
                .into_rows_result()?;
            Ok(r.rows::<(i32, i32)>()?.count() as u64)
        }
        "tablets_read" => {
            let r = s
                .execute_unpaged(ctx.ps.as_ref().unwrap(), (k,))
                .await?
                .into_rows_result()?;
            Ok(r.rows::<(i32,)>()?.count() as u64)
        }
        "write" => {
            s.query_unpaged(format!("INSERT INTO test (id, value) VALUES ({k}, {k})"), &[])
                .await?;
            Ok(0)
        }
        "write_bind" => {
            s.query_unpaged(WRITE_BIND, (k, k)).await?;
            Ok(0)
        }
        "write_prepared" => {
            s.execute_unpaged(ctx.ps.as_ref().unwrap(), (k, k)).await?;
            Ok(0)
        }
        "batch" => {
            let keys = ctx.keys;
            let values: Vec<(i32, i32)> = (0..BATCH_SIZE)
                .map(|i| {
                    let x = ((k as u32 + i) % keys) as i32;
                    (x, x)
                })
                .collect();
            s.batch(ctx.batch.as_ref().unwrap(), values).await?;
            Ok(0)
        }
        "paged_read" => {
            let mut rows = s
                .execute_iter(ctx.ps.clone().unwrap(), (0i32,))
                .await?
                .rows_stream::<(i32, i32)>()?;
            let mut n = 0u64;
            while let Some(r) = rows.next().await {
                r?;
                n += 1;
            }
            Ok(n)
        }
        w => panic!("unknown workload {w}"),
    }
}

struct Phase {
    done: u64,
    errors: u64,
    rows: u64,
    hist: Histogram<u64>,
}

async fn phase(ctx: Arc<Ctx>, o: &Opts, seconds: f64, ops: u64, record: bool) -> Phase {
    let stop = Arc::new(AtomicBool::new(false));
    let issued = Arc::new(AtomicU64::new(0));
    // Requests that fail at once (the node is gone) never yield to the runtime: the stop timer
    // below would never run and the client would spin until killed (seen when the null server was
    // killed mid-run). After a failure each task also reads the clock, as the JS harness does.
    let end = Instant::now() + Duration::from_secs_f64(seconds.max(0.0));
    if seconds > 0.0 {
        let stop = stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
            stop.store(true, Ordering::Relaxed);
        });
    }
    let mut tasks = Vec::new();
    for t in 0..o.concurrency {
        let (ctx, stop, issued, keys) = (ctx.clone(), stop.clone(), issued.clone(), o.keys);
        tasks.push(tokio::spawn(async move {
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
            let (mut done, mut errors, mut rows) = (0u64, 0u64, 0u64);
            let mut x: u32 = 0x9e37_79b9 ^ (t as u32).wrapping_mul(0x85eb_ca6b) | 1;
            let mut first_error: Option<String> = None;
            while !stop.load(Ordering::Relaxed)
                && (ops == 0 || issued.fetch_add(1, Ordering::Relaxed) < ops)
            {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                let key = (x % keys) as i32;
                let t0 = Instant::now();
                match op(&ctx, key).await {
                    Ok(n) => rows += n,
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert_with(|| e.to_string());
                        if seconds > 0.0 && Instant::now() >= end {
                            stop.store(true, Ordering::Relaxed);
                        }
                    }
                }
                if record {
                    let us = t0.elapsed().as_micros() as u64;
                    hist.saturating_record(us.max(1));
                }
                done += 1;
            }
            if let Some(e) = first_error {
                eprintln!("first error: {e}");
            }
            (done, errors, rows, hist)
        }));
    }
    let mut p = Phase {
        done: 0,
        errors: 0,
        rows: 0,
        hist: Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap(),
    };
    for t in tasks {
        let (d, e, r, h) = t.await.unwrap();
        p.done += d;
        p.errors += e;
        p.rows += r;
        p.hist.add(h).unwrap();
    }
    p
}

fn cpu_us() -> f64 {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| t.tv_sec as f64 * 1e6 + t.tv_usec as f64;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

fn rss_now_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn peak_rss_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::main]
async fn main() {
    let o = parse_args();
    let session = SessionBuilder::new()
        .known_nodes(&o.hosts)
        .use_keyspace(&o.keyspace, false)
        .build()
        .await
        .expect("connect");
    let ps = match o.workload.as_str() {
        "read_prepared" => Some(session.prepare(READ_BIND).await.expect("prepare")),
        "write_prepared" | "batch" => Some(session.prepare(WRITE_BIND).await.expect("prepare")),
        "tablets_read" => Some(session.prepare(TABLETS_READ).await.expect("prepare")),
        "paged_read" => {
            let mut ps = session.prepare(PAGED).await.expect("prepare");
            ps.set_page_size(o.page_size);
            Some(ps)
        }
        _ => None,
    };
    let batch = if o.workload == "batch" {
        let mut b = Batch::new(BatchType::Unlogged);
        for _ in 0..BATCH_SIZE {
            b.append_statement(ps.clone().unwrap());
        }
        Some(b)
    } else {
        None
    };
    let ctx = Arc::new(Ctx { session, workload: o.workload.clone(), ps, batch, keys: o.keys });
    phase(ctx.clone(), &o, o.warmup, o.warmup_ops, false).await;
    let rss_warm = rss_now_kb();
    let c0 = cpu_us();
    let t0 = Instant::now();
    let p = phase(ctx.clone(), &o, o.duration, o.ops, true).await;
    let elapsed = t0.elapsed().as_secs_f64();
    let cpu = cpu_us() - c0;
    let ok = p.done - p.errors;
    let h = &p.hist;
    let out = serde_json::json!({
        "driver": "scylla-rust 1.9",
        "runtime": "rust (tokio multi-thread)",
        "workload": o.workload,
        "concurrency": o.concurrency,
        "ops": ok,
        "errors": p.errors,
        "rows": p.rows,
        "elapsed_s": elapsed,
        "ops_per_s": ok as f64 / elapsed,
        "lat_us": {
            "mean": h.mean(),
            "p50": h.value_at_quantile(0.5),
            "p90": h.value_at_quantile(0.9),
            "p99": h.value_at_quantile(0.99),
            "p999": h.value_at_quantile(0.999),
            "max": h.max(),
        },
        "cpu_us": cpu,
        "cpu_us_per_op": if ok > 0 { serde_json::json!(cpu / ok as f64) } else { serde_json::Value::Null },
        "rss_kb": peak_rss_kb(),
        "rss_warm_kb": rss_warm,
    });
    println!("{out}");
    std::process::exit(0);
}
