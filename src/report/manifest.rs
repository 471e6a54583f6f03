//! The manifest inside every pack, the whole-file seal, and [`verify`].
//!
//! Layout of a sealed pack (every byte is covered by something):
//!
//! ```text
//! %PDF-1.7 … objects (font, pages, catalog, info) … manifest object … xref … trailer
//! startxref … %%EOF\n
//! %QZSEAL-1 sha256=<SHA-256 of every byte before this line> manifest=<SHA-256 of the JSON>\n
//! ```
//!
//! * The **manifest** (a stream object `/Type /QuzhengManifest`, uncompressed JSON) lists
//!   the canonical per-message hashes (the model fingerprint of each message, plus a hash
//!   of its effective verdict and corrections), the pages with the SHA-256 of their
//!   uncompressed content stream and of their visible text, and the byte range and SHA-256
//!   of every object written before it. It also repeats the sources, chain head and rule
//!   version so the cover's manifest hash can be recomputed.
//! * The **seal** is the file's last line. Changing any byte before it changes the file
//!   hash; the object list then names *what* changed (page 7, the font, the trailer). Bytes
//!   after the seal — an incremental update appended by a PDF editor, or anything else — are
//!   reported as such.
//!
//! What this proves and what it does not: the seal is a hash, not a signature; someone who
//! rewrites the file *and* recomputes every hash defeats it. That is why the manifest hash
//! is printed on the cover, reported by `quzheng report`, and logged in the vault's hash
//! chain as an export event: a re-sealed forgery no longer matches those records.

use super::content::{ManifestMessage, Rendered};
use super::pdf::{text_string, write_font, ObjectRange, Writer};
use super::PackSource;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const SEAL: &[u8] = b"%QZSEAL-1 sha256=";
const MANIFEST_MARK: &[u8] = b"/Type /QuzhengManifest";

/// One page in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageHash {
    /// 1-based page number.
    pub page: usize,
    /// Object number of its content stream.
    pub obj: u32,
    /// SHA-256 of the uncompressed content stream.
    pub content_sha256: String,
    /// SHA-256 of the text drawn on the page (UTF-8, one run per line).
    pub text_sha256: String,
}

/// The embedded manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always `quzheng-pack`.
    pub format: String,
    /// Manifest schema version (1).
    pub v: u32,
    /// Pack id.
    pub pack_id: String,
    /// Hash over messages, sources, chain head and rule version (on the cover).
    pub manifest_hash: String,
    /// Generation time, RFC 3339 UTC.
    pub generated: String,
    /// Per-message hashes, in table order.
    pub messages: Vec<ManifestMessage>,
    /// Source files.
    pub sources: Vec<PackSource>,
    /// Vault chain head.
    pub chain_head: String,
    /// Rule-pack version.
    pub rule_version: String,
    /// Pages.
    pub pages: Vec<PageHash>,
    /// Every object before the manifest.
    pub objects: Vec<ObjectRange>,
}

/// A sealed PDF and what the cover shows.
#[derive(Debug)]
pub struct Sealed {
    /// The file.
    pub bytes: Vec<u8>,
    /// Pack id.
    pub pack_id: String,
    /// Manifest hash.
    pub manifest_hash: String,
    /// Page count.
    pub pages: usize,
    /// Facts for the DOCX letter.
    pub model: super::content::LetterFacts,
}

/// Serialises the laid-out document and seals it.
pub fn seal(r: Rendered, input: &super::PackInput) -> Sealed {
    let mut w = Writer::new();
    let catalog = w.alloc();
    let pages_obj = w.alloc();
    let info = w.alloc();
    let manifest_obj = w.alloc();
    let font = write_font(&mut w, &r.flow.glyphs);
    let mut kids = Vec::new();
    let mut page_hashes = Vec::new();
    for (i, p) in r.flow.pages.iter().enumerate() {
        let content = w.alloc();
        let page = w.alloc();
        let what = format!("page:{}", i + 1);
        w.stream(content, &what, "", &p.ops, true);
        w.object(
            page,
            &what,
            format!(
                "<< /Type /Page /Parent {pages_obj} 0 R /MediaBox [0 0 {} {}] /Resources << /Font << /F1 {font} 0 R >> >> /Contents {content} 0 R >>",
                super::pdf::A4_W,
                super::pdf::A4_H
            )
            .as_bytes(),
        );
        kids.push(format!("{page} 0 R"));
        page_hashes.push(PageHash {
            page: i + 1,
            obj: content,
            content_sha256: hex::encode(Sha256::digest(&p.ops)),
            text_sha256: hex::encode(Sha256::digest(p.text.as_bytes())),
        });
    }
    w.object(
        pages_obj,
        "pages",
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            kids.len()
        )
        .as_bytes(),
    );
    w.object(
        catalog,
        "catalog",
        format!("<< /Type /Catalog /Pages {pages_obj} 0 R /QuzhengManifest {manifest_obj} 0 R /PageMode /UseNone >>").as_bytes(),
    );
    let date = r.now.format("D:%Y%m%d%H%M%SZ").to_string();
    w.object(
        info,
        "info",
        format!(
            "<< /Title {} /Producer (Quzheng {}) /Creator (Quzheng) /CreationDate ({date}) /ModDate ({date}) /Subject ({}) >>",
            text_string(&r.title),
            super::TOOL_VERSION,
            r.pack_id
        )
        .as_bytes(),
    );
    let manifest = Manifest {
        format: "quzheng-pack".into(),
        v: 1,
        pack_id: r.pack_id.clone(),
        manifest_hash: r.manifest_hash.clone(),
        generated: r.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        messages: r.manifest.clone(),
        sources: input.sources.clone(),
        chain_head: input.chain_head.clone(),
        rule_version: input.rule_version.clone(),
        pages: page_hashes,
        objects: w.ranges.clone(),
    };
    let json = serde_json::to_vec(&manifest).unwrap_or_default();
    let mut body = format!(
        "<< {} /Length {} >>\nstream\n",
        std::str::from_utf8(MANIFEST_MARK).unwrap_or_default(),
        json.len()
    )
    .into_bytes();
    body.extend_from_slice(&json);
    body.extend_from_slice(b"\nendstream");
    w.object(manifest_obj, "manifest", &body);
    let id = &r.manifest_hash[..32.min(r.manifest_hash.len())];
    w.finish(catalog, info, id);
    let file_hash = hex::encode(Sha256::digest(&w.buf));
    let json_hash = hex::encode(Sha256::digest(&json));
    let mut bytes = w.buf;
    bytes.extend_from_slice(SEAL);
    bytes.extend_from_slice(format!("{file_hash} manifest={json_hash}\n").as_bytes());
    Sealed {
        bytes,
        pack_id: r.pack_id,
        manifest_hash: r.manifest_hash,
        pages: r.flow.pages.len(),
        model: r.model,
    }
}

/// One difference found by [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// Bytes follow the seal: an incremental update or other appended data.
    Appended {
        /// How many bytes.
        bytes: usize,
    },
    /// The seal line is missing or unreadable.
    SealMissing,
    /// The manifest cannot be read (its bytes were changed).
    ManifestUnreadable,
    /// The manifest's JSON differs from what the seal recorded.
    ManifestChanged,
    /// The manifest's own hash does not match its message list (edited manifest).
    ManifestInconsistent,
    /// An object's bytes differ from the manifest.
    Object {
        /// Object number.
        obj: u32,
        /// `page:N`, `font`, `pages`, `catalog`, `info`.
        what: String,
    },
    /// The file hash differs but every object matches: the cross-reference table or
    /// trailer was changed.
    Structure,
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Pack id from the manifest (empty if unreadable).
    pub pack_id: String,
    /// Manifest hash from the manifest.
    pub manifest_hash: String,
    /// Messages listed.
    pub messages: usize,
    /// Pages listed.
    pub pages: usize,
    /// Differences; empty when intact.
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    /// True when every hash matches and nothing was appended.
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn parse_manifest(bytes: &[u8], mark: usize) -> Option<(Manifest, Vec<u8>)> {
    let after = &bytes[mark..];
    let s_pos = after.windows(7).position(|w| w == b"stream\n")?;
    let head = std::str::from_utf8(&after[..s_pos]).ok()?;
    let len: usize = head
        .split("/Length")
        .nth(1)?
        .trim()
        .trim_end_matches(">>")
        .trim()
        .parse()
        .ok()?;
    let start = mark + s_pos + 7;
    let json = bytes.get(start..start + len)?;
    let m: Manifest = serde_json::from_slice(json).ok()?;
    Some((m, json.to_vec()))
}

/// Checks a pack against the manifest and seal inside it.
///
/// # Errors
/// `None`-like: returns `Err(())` when the bytes are not a Quzheng pack at all (not a PDF,
/// or neither a manifest nor a seal is present); the caller turns that into
/// [`super::Error::NotAPack`].
#[allow(clippy::result_unit_err)]
pub fn verify(bytes: &[u8]) -> Result<VerifyReport, ()> {
    if !bytes.starts_with(b"%PDF-") {
        return Err(());
    }
    let mark = find_last(bytes, MANIFEST_MARK);
    let seal_at = find_last(bytes, SEAL);
    if mark.is_none() && seal_at.is_none() {
        return Err(());
    }
    let mut report = VerifyReport {
        pack_id: String::new(),
        manifest_hash: String::new(),
        messages: 0,
        pages: 0,
        problems: Vec::new(),
    };
    let manifest = mark.and_then(|m| parse_manifest(bytes, m));
    // The seal line: SEAL + 64 hex + " manifest=" + 64 hex + "\n".
    let mut sealed_file = None;
    let mut sealed_json = None;
    match seal_at {
        Some(p) => {
            let line_end = bytes[p..]
                .iter()
                .position(|&b| b == b'\n')
                .map(|e| p + e + 1);
            let line =
                std::str::from_utf8(&bytes[p..line_end.unwrap_or(bytes.len())]).unwrap_or("");
            let rest = line
                .trim_end()
                .strip_prefix("%QZSEAL-1 sha256=")
                .unwrap_or("");
            let (f, j) = rest.split_once(" manifest=").unwrap_or(("", ""));
            if f.len() == 64 && j.len() == 64 {
                sealed_file = Some((p, f.to_string()));
                sealed_json = Some(j.to_string());
            } else {
                report.problems.push(Problem::SealMissing);
            }
            if let Some(e) = line_end {
                if e < bytes.len() {
                    report.problems.push(Problem::Appended {
                        bytes: bytes.len() - e,
                    });
                }
            }
        }
        None => report.problems.push(Problem::SealMissing),
    }
    let Some((m, json)) = manifest else {
        report.problems.push(Problem::ManifestUnreadable);
        return Ok(report);
    };
    report.pack_id = m.pack_id.clone();
    report.manifest_hash = m.manifest_hash.clone();
    report.messages = m.messages.len();
    report.pages = m.pages.len();
    if let Some(j) = &sealed_json {
        if hex::encode(Sha256::digest(&json)) != *j {
            report.problems.push(Problem::ManifestChanged);
        }
    }
    let recomputed = {
        let v = serde_json::json!({
            "v": 1,
            "messages": m.messages,
            "sources": m.sources,
            "chain_head": m.chain_head,
            "rule_version": m.rule_version,
        });
        hex::encode(Sha256::digest(v.to_string().as_bytes()))
    };
    if recomputed != m.manifest_hash {
        report.problems.push(Problem::ManifestInconsistent);
    }
    let mut object_diffs = 0;
    for o in &m.objects {
        let ok = bytes
            .get(o.offset..o.offset + o.len)
            .is_some_and(|b| hex::encode(Sha256::digest(b)) == o.sha256);
        if !ok {
            object_diffs += 1;
            // Name each page once, the rest by kind.
            let p = Problem::Object {
                obj: o.obj,
                what: o.what.clone(),
            };
            if !report
                .problems
                .iter()
                .any(|q| matches!(q, Problem::Object { what, .. } if *what == o.what))
            {
                report.problems.push(p);
            }
        }
    }
    if let Some((p, f)) = sealed_file {
        if hex::encode(Sha256::digest(&bytes[..p])) != f
            && object_diffs == 0
            && !report.problems.contains(&Problem::ManifestChanged)
        {
            report.problems.push(Problem::Structure);
        }
    }
    Ok(report)
}
