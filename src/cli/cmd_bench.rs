//! `quzheng bench WHAT`: measures speed and memory and prints the numbers. Each area adds
//! its own arm (`vault` lives here; `import`, `classify`, `report` add theirs).

use super::args::BenchArgs;
use quzheng::i18n::Lang;
use quzheng::vault::KdfParams;
use quzheng::{Error, Result};
use std::process::ExitCode;

fn mark(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "MISSED"
    }
}

/// Runs `quzheng bench`: `all`, or one area's benchmark by name.
pub fn run(args: &BenchArgs, lang: Lang) -> Result<ExitCode> {
    let all = args.what == "all";
    let mut ran = false;
    if all || args.what == "vault" {
        vault(args.n)?;
        ran = true;
    }
    // import area
    if all || args.what == "import" {
        import(args.n)?;
        ran = true;
    }
    // The reader alone (no vault), e.g. for the 1 GB memory check: --n 2600000.
    if args.what == "import-parse" {
        let dir = tempfile_dir()?;
        let r = quzheng::import::bench::run(&dir, args.n, None);
        let _ = std::fs::remove_dir_all(&dir);
        print!("{}", r?);
        ran = true;
    }
    if all || args.what == "classify" {
        super::cmd_classify::run_bench(args.n, lang)?;
        ran = true;
    }
    // report area
    if all || args.what == "report" {
        super::cmd_report::bench(args.n)?;
        ran = true;
    }
    // Other areas add their `if` here.
    if !ran {
        return Err(Error::bad_input("bench_what", args.what.clone()));
    }
    Ok(ExitCode::SUCCESS)
}

fn vault(n: usize) -> Result<()> {
    let dir = tempfile_dir()?;
    // The real product parameters: unlock time is what a user waits for.
    let r = quzheng::vault::bench::run(&dir, n, KdfParams::DEFAULT, &|| {
        quzheng::measure::process_cpu_seconds(false)
    });
    let _ = std::fs::remove_dir_all(&dir);
    let r = r?;
    let scale = 100_000.0 / n.max(1) as f64;
    println!(
        "vault benchmark ({} messages, release build recommended)",
        r.n
    );
    println!(
        "  unlock (Argon2id {} MiB, {} passes, {} lane): {:.3} s",
        r.kdf.m_kib / 1024,
        r.kdf.t,
        r.kdf.p,
        r.unlock_s
    );
    println!(
        "  insert: {:.3} s = {:.0} messages/s (goal >= 200000: {})",
        r.insert_s,
        r.insert_per_s,
        mark(r.insert_per_s >= 200_000.0)
    );
    println!(
        "  decrypt and list: {:.3} s (goal <= 0.5 s per 100000: {})",
        r.list_s,
        mark(r.list_s * scale <= 0.5)
    );
    println!("  check (every tag and link): {:.3} s", r.check_s);
    if let Some([i, l, c]) = r.cpu_s {
        println!(
            "  CPU time of insert / list / check: {i:.2} / {l:.2} / {c:.2} s (= {:.0} messages/s on one free core)",
            n as f64 / i.max(0.01)
        );
    }
    println!(
        "  import 1,000 more into the full vault: {:.3} s",
        r.append_1000_s
    );
    println!("  passwd (re-wrap only): {:.3} s", r.passwd_s);
    println!("  vault file: {:.1} MB", r.file_bytes as f64 / 1e6);
    match quzheng::measure::peak_rss_mb() {
        Some(mb) => println!(
            "  peak memory (VmHWM): {mb:.1} MB (goal <= 150 MB: {})",
            mark(mb <= 150.0)
        ),
        None => println!("  peak memory: not available on this platform"),
    }
    Ok(())
}

/// `quzheng bench import` (import area): the SB&R reader vs xmllint, memory, and the full
/// import pipeline into a throw-away vault.
fn import(n: usize) -> Result<()> {
    use quzheng::api::import::{import_files, ImportOptions};
    let dir = tempfile_dir()?;
    let vault = dir.join("bench-import.qz");
    let mut phases = Vec::new();
    let mut pipeline = |xml: &std::path::Path| -> Result<()> {
        let opts = ImportOptions {
            format: quzheng::import::Format::Sbr,
            create: true,
            rules: None,
        };
        let out = import_files(&vault, "bench", &[xml.to_path_buf()], &opts, &mut |_| {})?;
        phases = out.phases;
        match out.files.into_iter().find_map(|f| f.error) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    };
    let r = quzheng::import::bench::run(&dir, n, Some(&mut pipeline));
    // A small backup added to the full vault: the stored messages' text facts are read
    // back, not analysed again.
    let more = dir.join("bench-more.xml");
    let appended = quzheng::import::bench::generate_sbr(&more, 1000, 11, true)
        .map_err(|e| Error::io(&more, e))
        .and_then(|_| {
            let opts = ImportOptions {
                format: quzheng::import::Format::Sbr,
                create: false,
                rules: None,
            };
            let t = std::time::Instant::now();
            let out = import_files(
                &vault,
                "bench",
                std::slice::from_ref(&more),
                &opts,
                &mut |_| {},
            )?;
            Ok((t.elapsed().as_secs_f64(), out))
        });
    let _ = std::fs::remove_dir_all(&dir);
    print!("{}", r?);
    print_phases("full import", &phases);
    if let Ok((s, out)) = appended {
        println!(
            "  then 1,000 more SMS into that vault ({} stored): {s:.3} s",
            out.total
        );
        print_phases("adding 1,000", &out.phases);
    }
    let m = quzheng::vault::bench::micro(20_000);
    println!(
        "  storing one message, step by step on one thread ({} records, {:.0} B of JSON each): JSON {:.2} us, AES-256-GCM seal {:.2} us, chain link {:.2} us, dedup HMAC {:.2} us, SQLite insert {:.2} us",
        m.n, m.record_bytes, m.json_us, m.seal_us, m.chain_us, m.dedup_us, m.sqlite_us
    );
    println!(
        "  ciphers on 1 MiB: AES-256-GCM {:.0} MB/s, SHA-256 {:.0} MB/s (software: ~100-200 and ~400-500 MB/s; faster means AES-NI/PCLMULQDQ and SHA-NI are used)",
        m.aes_gcm_mb_s, m.sha256_mb_s
    );
    Ok(())
}

fn print_phases(what: &str, phases: &[quzheng::api::import::Phase]) {
    if phases.is_empty() {
        return;
    }
    println!("  {what}, phase by phase (wall / CPU of all threads, s):");
    for p in phases {
        match p.cpu_s {
            Some(c) => println!("    {:<60} {:>6.3} / {c:.2}", p.name, p.wall_s),
            None => println!("    {:<60} {:>6.3}", p.name, p.wall_s),
        }
    }
}

/// A fresh private directory under the system temp dir (no extra crate in the binary).
fn tempfile_dir() -> Result<std::path::PathBuf> {
    let base = std::env::temp_dir();
    let name = format!("quzheng-bench-{}", std::process::id());
    let dir = base.join(name);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    Ok(dir)
}
