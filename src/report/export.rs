//! The selection as CSV and JSON, and the letter as an editable DOCX.
//!
//! The DOCX is a minimal Office Open XML package (`[Content_Types].xml`, `_rels/.rels`,
//! `word/document.xml`) in a ZIP written here with stored (uncompressed) entries and a
//! fixed timestamp, so it is deterministic and needs no ZIP crate. Word, WPS and
//! LibreOffice open it; lawyers edit it there.

use super::PackInput;
use crate::model::time::DEFAULT_ZONE;
use serde_json::json;

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The selection as CSV: UTF-8 with a byte-order mark (so Excel reads Chinese correctly),
/// one row per message, bodies verbatim and quoted where needed.
pub fn csv(input: &PackInput) -> Vec<u8> {
    let mut out = String::from("\u{feff}id,time_local,time_utc,address,kind,direction,status,creditor,collection,labels,body,sha256,source\n");
    let mut msgs: Vec<_> = input.messages.iter().collect();
    msgs.sort_by_key(|m| (m.message.instant.utc_ms(), m.id));
    for pm in msgs {
        let m = &pm.message;
        let labels: Vec<&str> = pm.verdict.labels.iter().map(|l| l.id()).collect();
        let source = pm
            .source
            .and_then(|i| input.sources.get(i))
            .map(|s| format!("{} ({})", s.name, s.sha256))
            .unwrap_or_default();
        let row = [
            pm.id.to_string(),
            m.instant.rfc3339_in(input.zone),
            m.instant.rfc3339_in(chrono_tz::UTC),
            m.address.clone(),
            m.kind.as_str().to_string(),
            m.direction.as_str().to_string(),
            serde_json::to_value(m.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            pm.verdict.creditor.clone().unwrap_or_default(),
            pm.verdict.collection.to_string(),
            labels.join(";"),
            m.body.clone(),
            hex::encode(m.fingerprint()),
            source,
        ];
        let cells: Vec<String> = row.iter().map(|c| csv_field(c)).collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out.into_bytes()
}

/// The selection as JSON: pack id, manifest hash, sources and every message with the same
/// field names as `quzheng messages --format jsonl`.
pub fn json(input: &PackInput, pack_id: &str, manifest_hash: &str) -> Vec<u8> {
    let zone = if input.zone == chrono_tz::UTC {
        DEFAULT_ZONE
    } else {
        input.zone
    };
    let mut msgs: Vec<_> = input.messages.iter().collect();
    msgs.sort_by_key(|m| (m.message.instant.utc_ms(), m.id));
    let messages: Vec<serde_json::Value> = msgs
        .iter()
        .map(|pm| {
            let m = &pm.message;
            json!({
                "id": pm.id,
                "address": m.address,
                "body": m.body,
                "ts": m.instant.rfc3339_in(zone),
                "direction": m.direction,
                "kind": m.kind,
                "status": m.status,
                "duration_s": m.duration_s,
                "source": pm.source.and_then(|i| input.sources.get(i)).map(|s| json!({"name": s.name, "sha256": s.sha256})),
                "collection": pm.verdict.collection,
                "labels": pm.verdict.labels,
                "creditor": pm.verdict.creditor,
                "findings": pm.verdict.findings,
                "corrections": pm.corrections,
                "sha256": hex::encode(m.fingerprint()),
            })
        })
        .collect();
    let v = json!({
        "pack_id": pack_id,
        "manifest_hash": manifest_hash,
        "chain_head": input.chain_head,
        "rule_version": input.rule_version,
        "sources": input.sources,
        "messages": messages,
    });
    serde_json::to_vec_pretty(&v).unwrap_or_default()
}

fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            // XML 1.0 forbids most control characters; a message could contain them.
            c if (c as u32) < 0x20 && c != '\t' => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

/// The letter as a DOCX: the first paragraph is the centred bold title, paragraphs
/// starting with `## ` are bold sub-headings, line breaks inside a paragraph are kept.
pub fn letter_docx(paragraphs: &[String]) -> Vec<u8> {
    let mut body = String::new();
    for (i, p) in paragraphs.iter().enumerate() {
        let (text, bold, center) = if i == 0 {
            (p.as_str(), true, true)
        } else if let Some(h) = p.strip_prefix("## ") {
            (h, true, false)
        } else {
            (p.as_str(), false, false)
        };
        body.push_str("<w:p><w:pPr>");
        if center {
            body.push_str("<w:jc w:val=\"center\"/>");
        }
        body.push_str("<w:spacing w:after=\"120\"/></w:pPr>");
        for (k, line) in text.split('\n').enumerate() {
            body.push_str("<w:r><w:rPr><w:rFonts w:ascii=\"SimSun\" w:eastAsia=\"SimSun\" w:hAnsi=\"SimSun\"/>");
            if bold {
                body.push_str("<w:b/>");
            }
            body.push_str(if i == 0 {
                "<w:sz w:val=\"36\"/>"
            } else {
                "<w:sz w:val=\"24\"/>"
            });
            body.push_str("</w:rPr>");
            if k > 0 {
                body.push_str("<w:br/>");
            }
            body.push_str(&format!(
                "<w:t xml:space=\"preserve\">{}</w:t></w:r>",
                xml_escape(line)
            ));
        }
        body.push_str("</w:p>");
    }
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1440\" w:right=\"1440\" w:bottom=\"1440\" w:left=\"1440\" w:header=\"720\" w:footer=\"720\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>"
    );
    let types = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>";
    let rels = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>";
    zip_stored(&[
        ("[Content_Types].xml", types.as_bytes()),
        ("_rels/.rels", rels.as_bytes()),
        ("word/document.xml", document.as_bytes()),
    ])
}

/// A ZIP archive with stored entries (PKWARE APPNOTE 4.3), DOS time 1980-01-01 00:00.
fn zip_stored(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let mut crc = flate2::Crc::new();
        crc.update(data);
        let crc = crc.sum();
        let offset = out.len() as u32;
        let (time, date) = (0u16, 0x21u16); // 1980-01-01 00:00
        let mut local = Vec::new();
        local.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        local.extend_from_slice(&20u16.to_le_bytes());
        local.extend_from_slice(&0x0800u16.to_le_bytes()); // UTF-8 names
        local.extend_from_slice(&0u16.to_le_bytes());
        local.extend_from_slice(&time.to_le_bytes());
        local.extend_from_slice(&date.to_le_bytes());
        local.extend_from_slice(&crc.to_le_bytes());
        local.extend_from_slice(&(data.len() as u32).to_le_bytes());
        local.extend_from_slice(&(data.len() as u32).to_le_bytes());
        local.extend_from_slice(&(name.len() as u16).to_le_bytes());
        local.extend_from_slice(&0u16.to_le_bytes());
        local.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&local);
        out.extend_from_slice(data);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&0x0800u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&time.to_le_bytes());
        central.extend_from_slice(&date.to_le_bytes());
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 12]); // extra, comment, disk, internal attrs
        central.extend_from_slice(&0u32.to_le_bytes()); // external attrs
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_commas_quotes_and_newlines() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
    }

    #[test]
    fn docx_is_a_zip_with_the_three_parts() {
        let d = letter_docx(&["T".into(), "## H".into(), "a & b <c>".into()]);
        assert!(d.starts_with(b"PK\x03\x04"));
        let s = String::from_utf8_lossy(&d);
        assert!(s.contains("word/document.xml"));
        assert!(s.contains("a &amp; b &lt;c&gt;"));
        assert_eq!(
            d,
            letter_docx(&["T".into(), "## H".into(), "a & b <c>".into()])
        );
    }
}
