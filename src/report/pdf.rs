//! A small PDF 1.7 writer: pages of vector operators and text in the bundled font.
//!
//! Why not printpdf: printpdf 0.12 names fonts and the trailer `/ID` from a process-wide
//! counter, so two packs built in one process differ byte for byte, and the integrity seal
//! ([`super::manifest`]) needs to know the offset and bytes of every object it covers. This
//! writer is deterministic (same pages → same bytes), writes objects in a fixed order and
//! records each object's byte range.
//!
//! Units: PDF points (1/72 inch); A4 is 595.28 × 841.89 pt. [`Page`] takes *top-down* y
//! (0 = top edge) and converts, so layout code reads like the page.
//!
//! Text is written as 2-byte glyph ids (`Identity-H`) in one embedded CIDFontType2 subset,
//! with a `/ToUnicode` map so text can be searched and copied (pdftotext reads it).

use super::font::Font;
use flate2::{write::ZlibEncoder, Compression};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;

/// A4 width in points.
pub const A4_W: f32 = 595.28;
/// A4 height in points.
pub const A4_H: f32 = 841.89;

/// An RGB colour, components 0–1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb(pub f32, pub f32, pub f32);

impl Rgb {
    /// Black.
    pub const BLACK: Rgb = Rgb(0.0, 0.0, 0.0);
    /// Body grey.
    pub const GREY: Rgb = Rgb(0.4, 0.4, 0.4);
}

/// One page's content: PDF operators plus the plain text drawn on it.
#[derive(Debug, Default, Clone)]
pub struct Page {
    /// Content-stream operators (uncompressed).
    pub ops: Vec<u8>,
    /// The text drawn, in drawing order, one line per text run (hashed into the manifest).
    pub text: String,
}

fn n(v: f32) -> String {
    // Two decimals are finer than any printer (1/7200 inch); fixed formatting keeps the
    // output deterministic across platforms.
    let r = (v * 100.0).round() / 100.0;
    let s = format!("{r:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

impl Page {
    /// Draws `text` with its baseline at top-down `y`, starting at `x`.
    pub fn text(&mut self, doc: &mut Glyphs, x: f32, y: f32, size: f32, color: Rgb, text: &str) {
        if text.is_empty() {
            return;
        }
        let mut hex = String::with_capacity(text.len() * 4);
        for c in text.chars() {
            if c.is_control() {
                continue;
            }
            let g = doc.use_char(c);
            let _ = write!(hex, "{g:04X}");
        }
        let _ = writeln!(
            self.ops_str(),
            "BT {} {} {} rg /F1 {} Tf {} {} Td <{}> Tj ET",
            n(color.0),
            n(color.1),
            n(color.2),
            n(size),
            n(x),
            n(A4_H - y),
            hex
        );
        self.text.push_str(text);
        self.text.push('\n');
    }

    /// Fills a rectangle whose top-left corner is (`x`, `y`) top-down.
    pub fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        let _ = writeln!(
            self.ops_str(),
            "{} {} {} rg {} {} {} {} re f",
            n(color.0),
            n(color.1),
            n(color.2),
            n(x),
            n(A4_H - y - h),
            n(w),
            n(h)
        );
    }

    /// Strokes a rectangle outline.
    pub fn stroke_rect(&mut self, x: f32, y: f32, w: f32, h: f32, width: f32, color: Rgb) {
        let _ = writeln!(
            self.ops_str(),
            "{} {} {} RG {} w {} {} {} {} re S",
            n(color.0),
            n(color.1),
            n(color.2),
            n(width),
            n(x),
            n(A4_H - y - h),
            n(w),
            n(h)
        );
    }

    /// Draws a straight line.
    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32, color: Rgb) {
        let _ = writeln!(
            self.ops_str(),
            "{} {} {} RG {} w {} {} m {} {} l S",
            n(color.0),
            n(color.1),
            n(color.2),
            n(width),
            n(x1),
            n(A4_H - y1),
            n(x2),
            n(A4_H - y2)
        );
    }

    /// Draws a polyline through `points` (top-down coordinates).
    pub fn polyline(&mut self, points: &[(f32, f32)], width: f32, color: Rgb) {
        if points.len() < 2 {
            return;
        }
        let mut s = format!(
            "{} {} {} RG {} w ",
            n(color.0),
            n(color.1),
            n(color.2),
            n(width)
        );
        for (i, (x, y)) in points.iter().enumerate() {
            let _ = write!(
                s,
                "{} {} {} ",
                n(*x),
                n(A4_H - y),
                if i == 0 { "m" } else { "l" }
            );
        }
        s.push_str("S\n");
        self.ops.extend_from_slice(s.as_bytes());
    }

    fn ops_str(&mut self) -> OpsWriter<'_> {
        OpsWriter(&mut self.ops)
    }
}

struct OpsWriter<'a>(&'a mut Vec<u8>);
impl std::fmt::Write for OpsWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// The glyphs a document uses, for the subset, `/W` and `/ToUnicode`.
#[derive(Debug)]
pub struct Glyphs<'f> {
    /// The font.
    pub font: &'f Font,
    /// Glyph id → the character it was first used for.
    pub used: BTreeMap<u16, char>,
}

impl<'f> Glyphs<'f> {
    /// An empty set over `font`.
    pub fn new(font: &'f Font) -> Self {
        Glyphs {
            font,
            used: BTreeMap::new(),
        }
    }

    /// The glyph id for `c`, recording its use.
    pub fn use_char(&mut self, c: char) -> u16 {
        let g = self.font.glyph(c);
        self.used.entry(g).or_insert(c);
        g
    }
}

/// Where one object landed in the file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ObjectRange {
    /// Object number.
    pub obj: u32,
    /// What it is (`page 3`, `font`, `catalog`), for verify's messages.
    pub what: String,
    /// Byte offset of `N 0 obj`.
    pub offset: usize,
    /// Length in bytes through `endobj\n`.
    pub len: usize,
    /// Lowercase hex SHA-256 of those bytes.
    pub sha256: String,
}

/// Low-level serialiser: objects in order, then xref and trailer.
pub struct Writer {
    /// The file so far.
    pub buf: Vec<u8>,
    offsets: Vec<usize>,
    /// Every object written, with its byte range.
    pub ranges: Vec<ObjectRange>,
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

impl Writer {
    /// A file with the PDF header (binary comment marks it as binary for transfer tools).
    pub fn new() -> Self {
        let mut buf = Vec::with_capacity(1 << 20);
        buf.extend_from_slice(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");
        Writer {
            buf,
            offsets: vec![0],
            ranges: Vec::new(),
        }
    }

    /// Reserves the next object number.
    pub fn alloc(&mut self) -> u32 {
        self.offsets.push(0);
        (self.offsets.len() - 1) as u32
    }

    /// Writes object `num` with a dictionary or other body.
    pub fn object(&mut self, num: u32, what: &str, body: &[u8]) {
        let start = self.buf.len();
        self.offsets[num as usize] = start;
        self.buf
            .extend_from_slice(format!("{num} 0 obj\n").as_bytes());
        self.buf.extend_from_slice(body);
        self.buf.extend_from_slice(b"\nendobj\n");
        let bytes = &self.buf[start..];
        self.ranges.push(ObjectRange {
            obj: num,
            what: what.to_string(),
            offset: start,
            len: bytes.len(),
            sha256: hex::encode(Sha256::digest(bytes)),
        });
    }

    /// Writes a stream object; `dict` is the dictionary content without `/Length`.
    pub fn stream(&mut self, num: u32, what: &str, dict: &str, data: &[u8], compress: bool) {
        let (data, filter) = if compress {
            let mut e = ZlibEncoder::new(Vec::new(), Compression::new(6));
            // Writing into a Vec cannot fail.
            let _ = e.write_all(data);
            (e.finish().unwrap_or_default(), " /Filter /FlateDecode")
        } else {
            (data.to_vec(), "")
        };
        let mut body =
            format!("<< {dict}{filter} /Length {} >>\nstream\n", data.len()).into_bytes();
        body.extend_from_slice(&data);
        body.extend_from_slice(b"\nendstream");
        self.object(num, what, &body);
    }

    /// Writes the cross-reference table and trailer. `id` is a deterministic file id.
    pub fn finish(&mut self, root: u32, info: u32, id: &str) {
        let xref = self.buf.len();
        let mut s = format!("xref\n0 {}\n0000000000 65535 f \n", self.offsets.len());
        for off in &self.offsets[1..] {
            let _ = writeln!(s, "{off:010} 00000 n ");
        }
        let _ = write!(
            s,
            "trailer\n<< /Size {} /Root {root} 0 R /Info {info} 0 R /ID [<{id}> <{id}>] >>\nstartxref\n{xref}\n%%EOF\n",
            self.offsets.len()
        );
        self.buf.extend_from_slice(s.as_bytes());
    }
}

/// A PDF string literal in UTF-16BE hex (for `/Info` values with Chinese text).
pub fn text_string(s: &str) -> String {
    let mut out = String::from("<FEFF");
    for u in s.encode_utf16() {
        let _ = write!(out, "{u:04X}");
    }
    out.push('>');
    out
}

/// Writes the font objects for the glyphs used and returns the Type0 font's object number.
pub fn write_font(w: &mut Writer, glyphs: &Glyphs) -> u32 {
    let font = glyphs.font;
    let used: BTreeSet<u16> = glyphs.used.keys().copied().collect();
    // Subset tag: six capitals derived from the glyph set (PDF 32000 §9.6.4), deterministic.
    let digest = Sha256::digest(
        used.iter()
            .flat_map(|g| g.to_be_bytes())
            .collect::<Vec<u8>>(),
    );
    let tag: String = digest[..6]
        .iter()
        .map(|b| (b'A' + b % 26) as char)
        .collect();
    let name = format!("{tag}+NotoSansCJKsc-Regular");
    let type0 = w.alloc();
    let cid = w.alloc();
    let desc = w.alloc();
    let file = w.alloc();
    let tounicode = w.alloc();
    let sub = font.subset(&used);
    w.stream(file, "font", &format!("/Length1 {}", sub.len()), &sub, true);
    let scale = 1000.0 / font.units_per_em as f32;
    let bb = font.bbox.map(|v| (v as f32 * scale).round() as i32);
    w.object(
        desc,
        "font",
        format!(
            "<< /Type /FontDescriptor /FontName /{name} /Flags 4 /FontBBox [{} {} {} {}] /ItalicAngle 0 /Ascent {} /Descent {} /CapHeight 733 /StemV 80 /FontFile2 {file} 0 R >>",
            bb[0], bb[1], bb[2], bb[3],
            (font.ascent as f32 * scale).round() as i32,
            (font.descent as f32 * scale).round() as i32
        )
        .as_bytes(),
    );
    let mut widths = String::from("[");
    for g in &used {
        let _ = write!(widths, "{g} [{}] ", font.advance_1000(*g));
    }
    widths.push(']');
    w.object(
        cid,
        "font",
        format!(
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor {desc} 0 R /DW 1000 /W {widths} /CIDToGIDMap /Identity >>"
        )
        .as_bytes(),
    );
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let pairs: Vec<(&u16, &char)> = glyphs.used.iter().filter(|(g, _)| **g != 0).collect();
    for chunk in pairs.chunks(100) {
        let _ = writeln!(cmap, "{} beginbfchar", chunk.len());
        for (g, c) in chunk {
            let mut u = String::new();
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                let _ = write!(u, "{unit:04X}");
            }
            let _ = writeln!(cmap, "<{g:04X}> <{u}>");
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    w.stream(tounicode, "font", "", cmap.as_bytes(), true);
    w.object(
        type0,
        "font",
        format!(
            "<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H /DescendantFonts [{cid} 0 R] /ToUnicode {tounicode} 0 R >>"
        )
        .as_bytes(),
    );
    type0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_formatted_compactly_and_stably() {
        assert_eq!(n(1.0), "1");
        assert_eq!(n(1.25), "1.25");
        assert_eq!(n(-0.001), "0");
        assert_eq!(n(841.89), "841.89");
    }

    #[test]
    fn text_string_is_utf16_hex() {
        assert_eq!(text_string("A"), "<FEFF0041>");
    }
}
