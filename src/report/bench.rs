//! `quzheng bench report`: the pack builder against headless Chromium printing the same
//! rows as an HTML table, side by side, and peak memory for a 10,000-message pack.
//!
//! Targets (issue 5): a 1,000-message pack in at most 1/4 of Chromium's time and a smaller
//! file; 10,000 messages within 300 MB peak resident memory (VmHWM, Linux).
//! Chromium is found on `PATH` as `chromium`, `chromium-browser` or `google-chrome`; without
//! it the Chromium side is reported as missing, not guessed.

use super::{build, sample, Audience, PackInput, PackOptions};
use crate::i18n::{label_name, Lang};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One side of the comparison.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Side {
    /// Wall time in seconds.
    pub seconds: f64,
    /// Output size in bytes.
    pub bytes: u64,
    /// Pages, when known.
    pub pages: Option<usize>,
}

/// The benchmark's numbers.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BenchReport {
    /// Messages in the compared pack.
    pub n: usize,
    /// Quzheng's pack builder (median of 3 runs).
    pub quzheng: Side,
    /// Headless Chromium printing the same rows, or why it could not run.
    pub chromium: Result<Side, String>,
    /// Messages in the memory run.
    pub big_n: usize,
    /// Time for the big pack.
    pub big_seconds: f64,
    /// Size of the big pack.
    pub big_bytes: u64,
    /// Peak resident memory of the process after the big pack, MB (Linux only).
    pub peak_mb: Option<f64>,
}

fn opts() -> PackOptions {
    PackOptions {
        now: chrono::DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
            .map(|d| d.with_timezone(&chrono::Utc))
            .unwrap_or_default(),
        audience: Some(Audience::Police),
        lang: Lang::Zh,
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The same rows as the evidence table, as a plain HTML table (what a web-based tool would
/// print), with the Noto Sans CJK system font.
pub fn html_table(input: &PackInput) -> String {
    let mut h = String::from("<!doctype html><meta charset=utf-8><style>body{font-family:'Noto Sans CJK SC',sans-serif;font-size:8pt}table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:2px;vertical-align:top}mark{background:#ffdd59}</style><table><tr><th>#</th><th>time</th><th>sender</th><th>body</th><th>labels</th><th>sha256</th></tr>");
    for (i, pm) in input.messages.iter().enumerate() {
        let m = &pm.message;
        let labels: Vec<&str> = pm
            .verdict
            .labels
            .iter()
            .map(|l| label_name(*l, Lang::Zh))
            .collect();
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}<br>UTC {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            i + 1,
            m.instant.rfc3339_in(input.zone),
            m.instant.rfc3339_in(chrono_tz::UTC),
            esc(&m.address),
            esc(&m.body),
            labels.join("<br>"),
            &hex::encode(m.fingerprint())[..12]
        ));
    }
    h.push_str("</table>");
    h
}

fn find_chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn chromium(input: &PackInput, dir: &Path) -> Result<Side, String> {
    let exe = find_chromium().ok_or("chromium is not installed (apt-get install chromium)")?;
    let html = dir.join("table.html");
    let pdf = dir.join("table.pdf");
    std::fs::write(&html, html_table(input)).map_err(|e| e.to_string())?;
    let mut times = Vec::new();
    for _ in 0..3 {
        let _ = std::fs::remove_file(&pdf);
        let t = Instant::now();
        let status = std::process::Command::new(&exe)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
                "--no-pdf-header-footer",
            ])
            .arg(format!("--user-data-dir={}", dir.join("profile").display()))
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(format!("file://{}", html.display()))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .map_err(|e| e.to_string())?;
        times.push(t.elapsed().as_secs_f64());
        if !status.success() {
            return Err(format!("chromium exited with {status}"));
        }
    }
    times.sort_by(f64::total_cmp);
    let bytes = std::fs::metadata(&pdf).map_err(|e| e.to_string())?.len();
    Ok(Side {
        seconds: times[1],
        bytes,
        pages: None,
    })
}

/// Runs the benchmark with `n` messages in the compared pack and `big_n` in the memory run.
///
/// # Errors
/// A broken bundled asset, or a temporary directory that cannot be made.
pub fn run(n: usize, big_n: usize) -> Result<BenchReport, super::Error> {
    let input = sample::scaled(n);
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let t = Instant::now();
        let p = build(&input, &opts())?;
        times.push(t.elapsed().as_secs_f64());
        last = Some(p);
    }
    times.sort_by(f64::total_cmp);
    let pack = last.expect("three runs above");
    let dir = std::env::temp_dir().join(format!("quzheng-bench-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|source| super::Error::Output {
        path: dir.clone(),
        source,
    })?;
    let chromium = chromium(&input, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    drop(input);
    let big = sample::scaled(big_n);
    let t = Instant::now();
    let big_pack = build(&big, &opts())?;
    let big_seconds = t.elapsed().as_secs_f64();
    Ok(BenchReport {
        n,
        quzheng: Side {
            seconds: times[1],
            bytes: pack.pdf.len() as u64,
            pages: Some(pack.pages),
        },
        chromium,
        big_n,
        big_seconds,
        big_bytes: big_pack.pdf.len() as u64,
        peak_mb: crate::measure::peak_rss_mb(),
    })
}
