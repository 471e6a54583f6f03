//! `quzheng bench import`: a generator of realistic synthetic Chinese collection SMS in SB&R
//! XML, and the measurement of the SB&R reader against `xmllint --stream --noout` (libxml2)
//! on the same messages.
//!
//! The reader is timed on the file as phones write it (emoji as UTF-16 surrogate-pair
//! references, which xmllint rejects); xmllint on the same messages with raw UTF-8 emoji.
//! Peak memory is the process's `VmHWM` (Linux), read right after parsing, before anything
//! else large runs. The caller may pass the full import pipeline (read → classify →
//! encrypt → store, which lives in `api`) as a closure so it is timed in the same run.
//! Messages come from `bench_corpus.txt` (synthetic templates; no real data).

use super::{read, Format, Progress};
use crate::measure::{peak_rss_mb, process_cpu_seconds};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::fmt;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant as Clock;

const CORPUS: &str = include_str!("bench_corpus.txt");

/// What `quzheng bench import` measured.
#[derive(Debug, Clone)]
pub struct BenchReport {
    /// Messages generated.
    pub n: usize,
    /// Size of the generated SB&R file (surrogate references), bytes.
    pub file_bytes: u64,
    /// Seconds to generate both files.
    pub generate_s: f64,
    /// Seconds for [`read`] over the whole file (messages dropped).
    pub parse_s: f64,
    /// Records the reader delivered.
    pub records: u64,
    /// Peak resident memory after parsing, MB (`None` off Linux).
    pub parse_peak_mb: Option<f64>,
    /// Seconds for `xmllint --stream --noout` on the raw-UTF-8 twin, if xmllint ran.
    pub xmllint_s: Option<f64>,
    /// Why xmllint did not run, if it did not.
    pub xmllint_note: Option<String>,
    /// Seconds for the full pipeline passed in by the caller, if any, and its outcome.
    pub pipeline_s: Option<f64>,
    /// An error from the pipeline, as text.
    pub pipeline_note: Option<String>,
    /// Peak resident memory after the pipeline, MB.
    pub pipeline_peak_mb: Option<f64>,
    /// CPU seconds (user + system, all threads) of the reader, xmllint and the pipeline:
    /// the machine may be shared, and wall time then says little.
    pub cpu_s: [Option<f64>; 3],
}

fn cpu_since(start: Option<f64>, children: bool) -> Option<f64> {
    Some(process_cpu_seconds(children)? - start?)
}

struct Corpus {
    creditors: Vec<&'static str>,
    names: Vec<&'static str>,
    emoji: Vec<&'static str>,
    incoming: Vec<&'static str>,
    outgoing: Vec<&'static str>,
}

fn corpus() -> Corpus {
    let mut c = Corpus {
        creditors: Vec::new(),
        names: Vec::new(),
        emoji: Vec::new(),
        incoming: Vec::new(),
        outgoing: Vec::new(),
    };
    for line in CORPUS
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let mut parts = line.split('|');
        match parts.next() {
            Some("creditors") => c.creditors.extend(parts),
            Some("names") => c.names.extend(parts),
            Some("emoji") => c.emoji.extend(parts),
            Some("out") => c.outgoing.extend(parts),
            _ => c.incoming.push(line),
        }
    }
    c
}

fn pick<'a>(rng: &mut StdRng, v: &[&'a str]) -> &'a str {
    v.get(rng.gen_range(0..v.len().max(1)))
        .copied()
        .unwrap_or("")
}

/// One message body from a template.
fn body(rng: &mut StdRng, c: &Corpus, template: &str) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find('}') else {
            out.push_str(&rest[i..]);
            return out;
        };
        match &rest[i + 1..i + j] {
            "c" => out.push_str(pick(rng, &c.creditors)),
            "n" => out.push_str(pick(rng, &c.names)),
            "a" => out.push_str(&rng.gen_range(300..50_000).to_string()),
            "d" => out.push_str(&rng.gen_range(1..120).to_string()),
            "p" => out.push_str(&format!(
                "1{}",
                rng.gen_range(3_000_000_000u64..9_999_999_999)
            )),
            "t" => out.push_str(&format!("{}:00", rng.gen_range(8..23))),
            "e" => out.push_str(pick(rng, &c.emoji)),
            other => out.push_str(other),
        }
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    out
}

/// XML-escapes `s` for an attribute; non-BMP characters become surrogate-pair references
/// when `surrogates`, as SMS Backup & Restore writes them.
fn escape(s: &str, surrogates: bool, out: &mut String) {
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            c if surrogates && (c as u32) > 0xFFFF => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("&#{u};"));
                }
            }
            c => out.push(c),
        }
    }
}

/// Writes `n` synthetic SMS as an SB&R backup to `path` (same `seed` → same messages);
/// returns the file size. With `surrogates` false, emoji are raw UTF-8.
///
/// # Errors
/// When the file cannot be written.
pub fn generate_sbr(path: &Path, n: usize, seed: u64, surrogates: bool) -> std::io::Result<u64> {
    let c = corpus();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(
        w,
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>"
    )?;
    writeln!(
        w,
        "<!--File Created By SMS Backup & Restore v10.20.002 (synthetic benchmark)-->"
    )?;
    writeln!(w, "<?xml-stylesheet type=\"text/xsl\" href=\"sms.xsl\"?>")?;
    writeln!(
        w,
        "<smses count=\"{n}\" backup_set=\"00000000-bench\" backup_date=\"1773190000000\" type=\"full\">"
    )?;
    let senders: Vec<String> = (0u32..200)
        .map(|i| {
            if i.is_multiple_of(3) {
                format!("1069{:07}", rng.gen_range(0..10_000_000))
            } else {
                format!("1{}", rng.gen_range(3_000_000_000u64..9_999_999_999))
            }
        })
        .collect();
    let mut date: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
    let mut line = String::with_capacity(1024);
    for _ in 0..n {
        date += rng.gen_range(1_000..600_000);
        let out = rng.gen_bool(0.1);
        let template = if out {
            pick(&mut rng, &c.outgoing)
        } else {
            pick(&mut rng, &c.incoming)
        };
        let text = body(&mut rng, &c, template);
        let addr = &senders[rng.gen_range(0..senders.len())];
        line.clear();
        line.push_str("  <sms protocol=\"0\" address=\"");
        line.push_str(addr);
        line.push_str(&format!(
            "\" date=\"{date}\" type=\"{}\" subject=\"null\" body=\"",
            if out { 2 } else { 1 }
        ));
        escape(&text, surrogates, &mut line);
        line.push_str(&format!(
            "\" toa=\"null\" sc_toa=\"null\" service_center=\"+8613800100500\" read=\"1\" status=\"-1\" locked=\"0\" date_sent=\"{}\" sub_id=\"1\" readable_date=\"2026/01/01 08:00:00\" contact_name=\"(Unknown)\" />\n",
            date - 2_000
        ));
        w.write_all(line.as_bytes())?;
    }
    writeln!(w, "</smses>")?;
    w.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

/// The full import of one file, supplied by the caller (it lives in `api`).
pub type Pipeline<'a> = dyn FnMut(&Path) -> Result<(), crate::Error> + 'a;

/// Runs the benchmark in `dir` with `n` messages; `pipeline`, when given, runs the full
/// import of the generated file and is timed too.
///
/// # Errors
/// When the files cannot be written or the reader fails on them.
pub fn run(
    dir: &Path,
    n: usize,
    pipeline: Option<&mut Pipeline<'_>>,
) -> Result<BenchReport, crate::Error> {
    let sur: PathBuf = dir.join("bench-surrogates.xml");
    let raw: PathBuf = dir.join("bench-utf8.xml");
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |e| crate::Error::io(p, e)
    };
    let t = Clock::now();
    let file_bytes = generate_sbr(&sur, n, 7, true).map_err(io(&sur))?;
    generate_sbr(&raw, n, 7, false).map_err(io(&raw))?;
    let generate_s = t.elapsed().as_secs_f64();

    let t = Clock::now();
    let c = process_cpu_seconds(false);
    let mut records = 0u64;
    let mut body_bytes = 0usize;
    let report = read(
        &sur,
        Format::Sbr,
        &mut |m| {
            records += 1;
            body_bytes += m.body.len();
            Ok(())
        },
        &mut |_: Progress| {},
    )?;
    let parse_s = t.elapsed().as_secs_f64();
    let parse_cpu = cpu_since(c, false);
    let mut xmllint_cpu = None;
    std::hint::black_box(body_bytes);
    let parse_peak_mb = peak_rss_mb();
    debug_assert_eq!(report.found, records);

    let (xmllint_s, xmllint_note) = match std::process::Command::new("xmllint")
        .args(["--stream", "--noout"])
        .arg(&raw)
        .stderr(std::process::Stdio::null())
        .status()
    {
        Ok(_) => {
            // Timed in a second run so the file is equally warm in the page cache for both.
            let t = Clock::now();
            let c = process_cpu_seconds(true);
            let st = std::process::Command::new("xmllint")
                .args(["--stream", "--noout"])
                .arg(&raw)
                .status();
            xmllint_cpu = cpu_since(c, true);
            match st {
                Ok(s) if s.success() => (Some(t.elapsed().as_secs_f64()), None),
                Ok(s) => (None, Some(format!("xmllint exited with {s}"))),
                Err(e) => (None, Some(e.to_string())),
            }
        }
        Err(e) => (None, Some(format!("xmllint not available: {e}"))),
    };

    let (mut pipeline_s, mut pipeline_note, mut pipeline_peak_mb) = (None, None, None);
    let mut pipeline_cpu = None;
    if let Some(p) = pipeline {
        let t = Clock::now();
        let c = process_cpu_seconds(false);
        match p(&sur) {
            Ok(()) => pipeline_s = Some(t.elapsed().as_secs_f64()),
            Err(e) => pipeline_note = Some(e.to_string()),
        }
        pipeline_cpu = cpu_since(c, false);
        pipeline_peak_mb = peak_rss_mb();
    }
    let _ = std::fs::remove_file(&sur);
    let _ = std::fs::remove_file(&raw);
    Ok(BenchReport {
        n,
        file_bytes,
        generate_s,
        parse_s,
        records,
        parse_peak_mb,
        xmllint_s,
        xmllint_note,
        pipeline_s,
        pipeline_note,
        pipeline_peak_mb,
        cpu_s: [parse_cpu, xmllint_cpu, pipeline_cpu],
    })
}

fn mark(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "MISSED"
    }
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mb = self.file_bytes as f64 / 1e6;
        writeln!(
            f,
            "import benchmark ({} SMS in SB&R XML, {mb:.1} MB, emoji as surrogate references; release build recommended)",
            self.n
        )?;
        writeln!(f, "  generate both files: {:.2} s", self.generate_s)?;
        writeln!(
            f,
            "  SB&R reader (parse, unescape, build messages): {:.3} s = {:.0} MB/s, {} records",
            self.parse_s,
            mb / self.parse_s.max(1e-9),
            self.records
        )?;
        match (self.xmllint_s, &self.xmllint_note) {
            (Some(x), _) => writeln!(
                f,
                "  xmllint --stream --noout (raw UTF-8 emoji): {x:.3} s; reader / xmllint = {:.2}",
                self.parse_s / x.max(1e-9)
            )?,
            (None, note) => writeln!(
                f,
                "  xmllint: not measured ({})",
                note.as_deref().unwrap_or("unknown")
            )?,
        }
        let goal = if self.file_bytes > 500_000_000 {
            300.0
        } else {
            200.0
        };
        match self.parse_peak_mb {
            Some(p) => writeln!(
                f,
                "  peak memory after parsing (VmHWM): {p:.1} MB (goal <= {goal:.0} MB: {})",
                mark(p <= goal)
            )?,
            None => writeln!(f, "  peak memory: not available on this platform")?,
        }
        match (self.pipeline_s, &self.pipeline_note, self.xmllint_s) {
            (Some(s), _, Some(x)) => writeln!(
                f,
                "  full import (read, classify, encrypt, store, incl. vault unlock): {s:.3} s = {:.2} x xmllint (goal <= 1.5: {})",
                s / x.max(1e-9),
                mark(s <= 1.5 * x)
            )?,
            (Some(s), _, None) => writeln!(f, "  full import: {s:.3} s")?,
            (None, Some(note), _) => writeln!(f, "  full import failed: {note}")?,
            (None, None, _) => {}
        }
        if let [Some(r), Some(x), Some(p)] = self.cpu_s {
            writeln!(
                f,
                "  CPU time (user + system, all threads) of reader / xmllint / full import: {r:.2} / {x:.2} / {p:.2} s; full import / xmllint = {:.2}",
                p / x.max(0.01)
            )?;
        }
        if let Some(p) = self.pipeline_peak_mb {
            writeln!(f, "  peak memory after full import (VmHWM): {p:.1} MB")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_backups_read_back_identically_in_both_spellings() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.xml");
        let b = dir.path().join("b.xml");
        generate_sbr(&a, 300, 1, true).unwrap();
        generate_sbr(&b, 300, 1, false).unwrap();
        let (ma, ra) = crate::import::testutil::run(&a, Format::Sbr);
        let (mb, _) = crate::import::testutil::run(&b, Format::Sbr);
        assert_eq!(ra.found, 300);
        assert!(ra.warnings.is_empty() && ra.skipped.is_empty());
        assert_eq!(ma, mb);
        assert!(ma.iter().any(|m| m.body.chars().any(|c| c as u32 > 0xFFFF)));
        assert!(std::fs::read_to_string(&a).unwrap().contains("&#55357;"));
    }
}
