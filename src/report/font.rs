//! The bundled CJK font: metrics for layout and a per-document subset for embedding.
//!
//! The font is `assets/fonts/NotoSansSC-Regular.ttf` (OFL 1.1, see `assets/fonts/README.md`),
//! compiled in with `include_bytes!`, so no system font is ever read. It has TrueType
//! (`glyf`) outlines with no composite glyphs (it was converted from CFF by `cu2qu`), which
//! is what makes the subset simple: [`Font::subset`] keeps every glyph id and empties the
//! outlines that are not used. Glyph ids therefore stay valid in the page content
//! (`CIDToGIDMap /Identity`), and an unused glyph costs 4 bytes of `loca` before
//! compression instead of its outline.
//!
//! Units: advance widths are font units (`units_per_em`, 1000 for this font); layout works
//! in PDF points via [`Font::width_pt`].

use std::collections::{BTreeMap, BTreeSet};

/// The bundled font file.
pub const FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Regular.ttf");

/// Why the font could not be read (only reachable if the bundled file is replaced by a bad one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontError(pub &'static str);

/// A parsed TrueType font: the tables needed for layout and subsetting.
#[derive(Debug)]
pub struct Font {
    data: &'static [u8],
    /// Font units per em.
    pub units_per_em: u16,
    /// Typographic ascent in font units.
    pub ascent: i16,
    /// Typographic descent in font units (negative).
    pub descent: i16,
    /// Bounding box from `head` (xMin, yMin, xMax, yMax) in font units.
    pub bbox: [i16; 4],
    advances: Vec<u16>,
    loca: Vec<u32>,
    glyf: (usize, usize),
    cmap: BTreeMap<u32, u16>,
    /// Glyph ids for the Basic Multilingual Plane, indexed by code point (fast path: layout
    /// looks up every character several times).
    bmp: Vec<u16>,
    tables: BTreeMap<[u8; 4], (usize, usize)>,
}

fn u16_at(d: &[u8], o: usize) -> Result<u16, FontError> {
    d.get(o..o + 2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
        .ok_or(FontError("truncated"))
}
fn u32_at(d: &[u8], o: usize) -> Result<u32, FontError> {
    d.get(o..o + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or(FontError("truncated"))
}

impl Font {
    /// The bundled font, parsed once per call (about 2 ms; callers keep the value).
    ///
    /// # Errors
    /// Only if the bundled file is not a TrueType font with the expected tables.
    pub fn bundled() -> Result<Font, FontError> {
        Font::parse(FONT_BYTES)
    }

    /// Parses a TrueType font with simple glyphs.
    ///
    /// # Errors
    /// When a required table (`head`, `hhea`, `hmtx`, `maxp`, `loca`, `glyf`, `cmap`) is
    /// missing or truncated.
    pub fn parse(data: &'static [u8]) -> Result<Font, FontError> {
        let n = u16_at(data, 4)? as usize;
        let mut tables = BTreeMap::new();
        for i in 0..n {
            let rec = 12 + i * 16;
            let tag: [u8; 4] = data
                .get(rec..rec + 4)
                .and_then(|t| t.try_into().ok())
                .ok_or(FontError("truncated table directory"))?;
            let off = u32_at(data, rec + 8)? as usize;
            let len = u32_at(data, rec + 12)? as usize;
            if off + len > data.len() {
                return Err(FontError("table outside the file"));
            }
            tables.insert(tag, (off, len));
        }
        let t = |tag: &[u8; 4]| tables.get(tag).copied().ok_or(FontError("missing table"));
        let (head, _) = t(b"head")?;
        let units_per_em = u16_at(data, head + 18)?;
        let bbox = [
            u16_at(data, head + 36)? as i16,
            u16_at(data, head + 38)? as i16,
            u16_at(data, head + 40)? as i16,
            u16_at(data, head + 42)? as i16,
        ];
        let long_loca = u16_at(data, head + 50)? == 1;
        let (maxp, _) = t(b"maxp")?;
        let num_glyphs = u16_at(data, maxp + 4)? as usize;
        let (hhea, _) = t(b"hhea")?;
        let ascent = u16_at(data, hhea + 4)? as i16;
        let descent = u16_at(data, hhea + 6)? as i16;
        let n_hm = u16_at(data, hhea + 34)? as usize;
        let (hmtx, _) = t(b"hmtx")?;
        let mut advances = Vec::with_capacity(num_glyphs);
        let mut last = 0;
        for g in 0..num_glyphs {
            if g < n_hm {
                last = u16_at(data, hmtx + g * 4)?;
            }
            advances.push(last);
        }
        let (loca_off, _) = t(b"loca")?;
        let mut loca = Vec::with_capacity(num_glyphs + 1);
        for g in 0..=num_glyphs {
            loca.push(if long_loca {
                u32_at(data, loca_off + g * 4)?
            } else {
                u16_at(data, loca_off + g * 2)? as u32 * 2
            });
        }
        let glyf = t(b"glyf")?;
        let cmap = parse_cmap(data, t(b"cmap")?.0)?;
        let mut bmp = vec![0u16; 0x10000];
        for (&c, &g) in cmap.range(..0x10000) {
            bmp[c as usize] = g;
        }
        Ok(Font {
            bmp,
            data,
            units_per_em,
            ascent,
            descent,
            bbox,
            advances,
            loca,
            glyf,
            cmap,
            tables,
        })
    }

    /// The glyph for a character, or 0 (`.notdef`, drawn as a box) when the font lacks it.
    pub fn glyph(&self, c: char) -> u16 {
        match self.bmp.get(c as usize) {
            Some(&g) => g,
            None => self.cmap.get(&(c as u32)).copied().unwrap_or(0),
        }
    }

    /// Whether the font has a glyph for `c`.
    pub fn has(&self, c: char) -> bool {
        self.cmap.contains_key(&(c as u32))
    }

    /// Advance width of a glyph in 1/1000 em (the PDF `/W` unit).
    pub fn advance_1000(&self, gid: u16) -> u32 {
        let a = self.advances.get(gid as usize).copied().unwrap_or(0) as u32;
        a * 1000 / self.units_per_em.max(1) as u32
    }

    /// Width of `c` at `size` points, in points. Control characters are zero-width.
    pub fn width_pt(&self, c: char, size: f32) -> f32 {
        if c.is_control() {
            return 0.0;
        }
        self.advance_1000(self.glyph(c)) as f32 * size / 1000.0
    }

    /// Number of glyphs.
    pub fn num_glyphs(&self) -> usize {
        self.advances.len()
    }

    /// A TrueType file with the same glyph ids in which only `used` (and `.notdef`) keep
    /// their outlines. Deterministic: the same set gives the same bytes.
    pub fn subset(&self, used: &BTreeSet<u16>) -> Vec<u8> {
        let (glyf_off, glyf_len) = self.glyf;
        let mut glyf = Vec::new();
        let mut loca = Vec::with_capacity((self.loca.len()) * 4);
        for g in 0..self.num_glyphs() {
            loca.extend_from_slice(&(glyf.len() as u32).to_be_bytes());
            if g == 0 || used.contains(&(g as u16)) {
                let s = self.loca[g] as usize;
                let e = (self.loca[g + 1] as usize).min(glyf_len);
                if s < e {
                    glyf.extend_from_slice(&self.data[glyf_off + s..glyf_off + e]);
                    while glyf.len() % 4 != 0 {
                        glyf.push(0);
                    }
                }
            }
        }
        loca.extend_from_slice(&(glyf.len() as u32).to_be_bytes());
        let mut out_tables: Vec<([u8; 4], Vec<u8>)> = Vec::new();
        for tag in [
            b"head", b"hhea", b"hmtx", b"maxp", b"post", b"OS/2", b"name",
        ] {
            if let Some(&(o, l)) = self.tables.get(tag) {
                let mut bytes = self.data[o..o + l].to_vec();
                if tag == b"head" && bytes.len() >= 52 {
                    // long loca offsets; checksum adjustment zeroed (recomputed below).
                    bytes[50..52].copy_from_slice(&1u16.to_be_bytes());
                    bytes[8..12].copy_from_slice(&[0, 0, 0, 0]);
                }
                out_tables.push((*tag, bytes));
            }
        }
        out_tables.push((*b"loca", loca));
        out_tables.push((*b"glyf", glyf));
        out_tables.sort_by_key(|t| t.0);
        write_sfnt(&out_tables)
    }
}

fn checksum(b: &[u8]) -> u32 {
    let mut sum = 0u32;
    for chunk in b.chunks(4) {
        let mut w = [0u8; 4];
        w[..chunk.len()].copy_from_slice(chunk);
        sum = sum.wrapping_add(u32::from_be_bytes(w));
    }
    sum
}

fn write_sfnt(tables: &[([u8; 4], Vec<u8>)]) -> Vec<u8> {
    let n = tables.len() as u16;
    let mut pow = 1u16;
    let mut log = 0u16;
    while pow * 2 <= n {
        pow *= 2;
        log += 1;
    }
    let mut out = Vec::new();
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(&(pow * 16).to_be_bytes());
    out.extend_from_slice(&log.to_be_bytes());
    out.extend_from_slice(&(n * 16 - pow * 16).to_be_bytes());
    let mut offset = 12 + 16 * tables.len();
    let mut head_pos = None;
    for (tag, data) in tables {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        offset += data.len().div_ceil(4) * 4;
    }
    for (tag, data) in tables {
        if tag == b"head" {
            head_pos = Some(out.len());
        }
        out.extend_from_slice(data);
        while out.len() % 4 != 0 {
            out.push(0);
        }
    }
    if let Some(p) = head_pos {
        let adj = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[p + 8..p + 12].copy_from_slice(&adj.to_be_bytes());
    }
    out
}

/// Reads the Unicode cmap (format 12 preferred, else format 4).
fn parse_cmap(d: &[u8], cmap: usize) -> Result<BTreeMap<u32, u16>, FontError> {
    let n = u16_at(d, cmap + 2)? as usize;
    let mut best: Option<(u16, usize)> = None;
    for i in 0..n {
        let rec = cmap + 4 + i * 8;
        let platform = u16_at(d, rec)?;
        let encoding = u16_at(d, rec + 2)?;
        let off = cmap + u32_at(d, rec + 4)? as usize;
        let format = u16_at(d, off)?;
        let unicode = platform == 0 || (platform == 3 && (encoding == 1 || encoding == 10));
        if unicode && (format == 12 || (format == 4 && best.is_none())) {
            best = Some((format, off));
        }
    }
    let (format, off) = best.ok_or(FontError("no Unicode cmap"))?;
    let mut map = BTreeMap::new();
    if format == 12 {
        let groups = u32_at(d, off + 12)? as usize;
        for g in 0..groups {
            let r = off + 16 + g * 12;
            let (start, end, gid) = (u32_at(d, r)?, u32_at(d, r + 4)?, u32_at(d, r + 8)?);
            for c in start..=end {
                map.insert(c, (gid + c - start) as u16);
            }
        }
    } else {
        let segs = u16_at(d, off + 6)? as usize / 2;
        let ends = off + 14;
        let starts = ends + segs * 2 + 2;
        let deltas = starts + segs * 2;
        let ranges = deltas + segs * 2;
        for s in 0..segs {
            let end = u16_at(d, ends + s * 2)? as u32;
            let start = u16_at(d, starts + s * 2)? as u32;
            let delta = u16_at(d, deltas + s * 2)?;
            let ro = u16_at(d, ranges + s * 2)? as usize;
            for c in start..=end.min(0xFFFE) {
                let gid = if ro == 0 {
                    (c as u16).wrapping_add(delta)
                } else {
                    let p = ranges + s * 2 + ro + (c - start) as usize * 2;
                    let g = u16_at(d, p)?;
                    if g == 0 {
                        0
                    } else {
                        g.wrapping_add(delta)
                    }
                };
                if gid != 0 {
                    map.insert(c, gid);
                }
            }
        }
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_font_has_chinese_and_ascii() {
        let f = Font::bundled().unwrap();
        for c in "取证恐吓老赖，。A1".chars() {
            assert!(f.has(c), "missing {c}");
        }
        assert_eq!(f.units_per_em, 1000);
        assert!((f.width_pt('中', 10.0) - 10.0).abs() < 0.01);
    }

    #[test]
    fn bundled_font_has_only_simple_glyphs() {
        // The subsetter copies outlines by glyph id and does not follow composite
        // components, so a composite glyph would lose its parts.
        let f = Font::bundled().unwrap();
        let (o, _) = f.glyf;
        for g in 0..f.num_glyphs() {
            if f.loca[g] < f.loca[g + 1] {
                let contours = u16_at(f.data, o + f.loca[g] as usize).unwrap() as i16;
                assert!(contours >= 0, "glyph {g} is composite");
            }
        }
    }

    #[test]
    fn subset_is_small_and_deterministic() {
        let f = Font::bundled().unwrap();
        let used: BTreeSet<u16> = "催收短信证据".chars().map(|c| f.glyph(c)).collect();
        let a = f.subset(&used);
        assert_eq!(a, f.subset(&used));
        assert!(a.len() < 200_000, "{}", a.len());
        assert_eq!(&a[0..4], &[0, 1, 0, 0]);
        assert_eq!(
            u16_at(&a, 4).unwrap(),
            9,
            "head hhea hmtx maxp post OS/2 name loca glyf"
        );
    }
}
