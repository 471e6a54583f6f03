//! Chinese line breaking and page flow (paragraphs, headings, tables that cross pages).
//!
//! Units: points; y is top-down (0 = top of the page), as in [`super::pdf::Page`].
//!
//! Line breaking follows the common Chinese rules (GB/T 15834 practice, 禁则): a line never
//! starts with closing punctuation (，。、；：？！）」… and their ASCII forms) and never ends
//! with opening punctuation (（「《“…). Runs of ASCII letters and digits (numbers, URLs,
//! codes) are kept together when they fit on a line and broken anywhere when they do not,
//! so a 30-digit account number still wraps inside a narrow table column.

use super::font::Font;
use super::pdf::{Glyphs, Page, Rgb, A4_H, A4_W};

/// Characters that must not start a line.
const NO_START: &str = "，。、；：？！）］｝」』】〕〉》”’…‥—～·%‰℃,.;:?!)]}、ー々〃〆ゝゞ％";
/// Characters that must not end a line.
const NO_END: &str = "（［｛「『【〔〈《“‘([{￥$＄";

fn no_start(c: char) -> bool {
    NO_START.contains(c)
}
fn no_end(c: char) -> bool {
    NO_END.contains(c)
}
/// Characters that belong to an unbreakable "word" when the word fits on a line.
fn wordish(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '.' | ',' | '-' | '_' | '/' | ':' | '@' | '%' | '+' | '#' | '=' | '?' | '&'
        )
}

/// Splits `chars` into lines no wider than `width` points at `size`; returns `(start, end)`
/// char ranges (end exclusive). `\n` forces a break and is not part of any line; a space at
/// a break is dropped from both lines.
pub fn break_lines(font: &Font, chars: &[char], size: f32, width: f32) -> Vec<(usize, usize)> {
    let mut lines = Vec::new();
    let n = chars.len();
    let mut start = 0;
    let mut w = 0.0f32;
    let mut i = 0;
    while i < n {
        let c = chars[i];
        if c == '\n' {
            lines.push((start, i));
            start = i + 1;
            w = 0.0;
            i += 1;
            continue;
        }
        let cw = font.width_pt(c, size);
        if w + cw > width + 0.01 && i > start {
            // 禁则 and whole words: pull characters to the next line until no rule is
            // broken. When that would empty the line, hang closing punctuation in the margin
            // (悬挂, as Chinese typesetters do in narrow columns); a word longer than the
            // line is broken where it overflows.
            let mut b = i;
            loop {
                if b <= start + 1 {
                    b = i;
                    while b < n && no_start(chars[b]) {
                        b += 1;
                    }
                    break;
                }
                if (b < n && no_start(chars[b])) || no_end(chars[b - 1]) {
                    b -= 1;
                    continue;
                }
                if b < n && wordish(chars[b - 1]) && wordish(chars[b]) {
                    let mut k = b - 1;
                    while k > start && wordish(chars[k - 1]) {
                        k -= 1;
                    }
                    if k > start {
                        b = k;
                        continue;
                    }
                }
                break;
            }
            let mut next = b;
            let mut end = b;
            if b < n && chars[b] == ' ' {
                next = b + 1;
            }
            while end > start && chars[end - 1] == ' ' {
                end -= 1;
            }
            lines.push((start, end));
            start = next;
            if start >= i {
                i = start;
                w = 0.0;
            } else {
                w = chars[start..i]
                    .iter()
                    .map(|&c| font.width_pt(c, size))
                    .sum();
            }
            continue;
        }
        w += cw;
        i += 1;
    }
    if start < n || lines.is_empty() || chars.last() == Some(&'\n') {
        lines.push((start, n));
    }
    lines
}

/// Width of a char slice in points.
pub fn width(font: &Font, chars: &[char], size: f32) -> f32 {
    chars.iter().map(|&c| font.width_pt(c, size)).sum()
}

/// Page geometry.
pub const MARGIN_X: f32 = 48.0;
/// Top margin (below the running header).
pub const TOP: f32 = 58.0;
/// Bottom limit for content (above the footer).
pub const BOTTOM: f32 = A4_H - 52.0;
/// Width of the text block.
pub const TEXT_W: f32 = A4_W - 2.0 * MARGIN_X;

/// Colour of highlighted matched words.
pub const HIGHLIGHT: Rgb = Rgb(1.0, 0.87, 0.35);
/// Heading colour.
pub const HEAD: Rgb = Rgb(0.55, 0.05, 0.05);
/// Table rule colour.
pub const RULE: Rgb = Rgb(0.6, 0.6, 0.6);

/// One table cell.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    /// The text (verbatim).
    pub text: String,
    /// Char ranges to highlight.
    pub highlights: Vec<(usize, usize)>,
    /// Text colour, black when `None`.
    pub color: Option<Rgb>,
}

impl Cell {
    /// A plain cell.
    pub fn new(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }
}

/// A table's column widths (points) and header.
#[derive(Debug, Clone)]
pub struct Table {
    /// Column widths; their sum is the table width.
    pub widths: Vec<f32>,
    /// Header cells, repeated at the top of each page.
    pub header: Vec<String>,
    /// Font size of the body.
    pub size: f32,
}

/// A cell's characters and its line ranges.
type BrokenCell = (Vec<char>, Vec<(usize, usize)>);

/// The page flow: a cursor that fills pages top to bottom.
pub struct Flow<'f> {
    /// Glyphs used so far (for the font subset).
    pub glyphs: Glyphs<'f>,
    /// Finished and current pages.
    pub pages: Vec<Page>,
    /// Cursor, top-down.
    pub y: f32,
    table_header: Option<Table>,
}

impl<'f> Flow<'f> {
    /// An empty document with one page.
    pub fn new(font: &'f Font) -> Self {
        Flow {
            glyphs: Glyphs::new(font),
            pages: vec![Page::default()],
            y: TOP,
            table_header: None,
        }
    }

    /// The font.
    pub fn font(&self) -> &'f Font {
        self.glyphs.font
    }

    /// 1-based number of the current page.
    pub fn page_no(&self) -> usize {
        self.pages.len()
    }

    /// Starts a new page.
    pub fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = TOP;
    }

    /// Starts a new page unless the current one is still empty.
    pub fn break_page(&mut self) {
        if self.y > TOP + 0.5 {
            self.new_page();
        }
    }

    /// Makes sure `h` points fit; starts a new page otherwise.
    pub fn ensure(&mut self, h: f32) {
        if self.y + h > BOTTOM {
            self.new_page();
        }
    }

    /// The current page.
    pub fn page(&mut self) -> &mut Page {
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Draws text at an absolute position on the current page (baseline at `y`).
    pub fn text_at(&mut self, x: f32, y: f32, size: f32, color: Rgb, text: &str) {
        let last = self.pages.len() - 1;
        self.pages[last].text(&mut self.glyphs, x, y, size, color, text);
    }

    /// Vertical space.
    pub fn space(&mut self, h: f32) {
        self.y += h;
    }

    /// A wrapped paragraph at `x`, `w` wide.
    pub fn para_at(&mut self, text: &str, size: f32, color: Rgb, x: f32, w: f32) {
        let chars: Vec<char> = text.chars().collect();
        let lh = size * 1.5;
        for (s, e) in break_lines(self.font(), &chars, size, w) {
            self.ensure(lh);
            let line: String = chars[s..e].iter().collect();
            let y = self.y + size * 1.05;
            self.text_at(x, y, size, color, &line);
            self.y += lh;
        }
    }

    /// A wrapped paragraph across the text block.
    pub fn para(&mut self, text: &str, size: f32) {
        self.para_at(text, size, Rgb::BLACK, MARGIN_X, TEXT_W);
    }

    /// A heading (level 1 starts a new page).
    pub fn heading(&mut self, text: &str, level: u8) {
        let size = match level {
            1 => 17.0,
            2 => 13.0,
            _ => 11.0,
        };
        if level == 1 {
            self.break_page();
        } else {
            self.ensure(size * 4.0);
            self.space(size * 0.6);
        }
        self.para_at(text, size, HEAD, MARGIN_X, TEXT_W);
        if level == 1 {
            let y = self.y + 2.0;
            self.page()
                .line(MARGIN_X, y, MARGIN_X + TEXT_W, y, 0.8, HEAD);
            self.space(10.0);
        } else {
            self.space(3.0);
        }
    }

    fn draw_header(&mut self, t: &Table) {
        let size = t.size;
        let lh = size * 1.4;
        let mut lines_max = 1;
        let broken: Vec<Vec<String>> = t
            .header
            .iter()
            .zip(&t.widths)
            .map(|(h, w)| {
                let chars: Vec<char> = h.chars().collect();
                let ls: Vec<String> = break_lines(self.font(), &chars, size, w - 6.0)
                    .into_iter()
                    .map(|(s, e)| chars[s..e].iter().collect())
                    .collect();
                lines_max = lines_max.max(ls.len());
                ls
            })
            .collect();
        let h = lines_max as f32 * lh + 6.0;
        let total: f32 = t.widths.iter().sum();
        let y0 = self.y;
        self.page()
            .fill_rect(MARGIN_X, y0, total, h, Rgb(0.9, 0.9, 0.92));
        let mut x = MARGIN_X;
        for (ls, w) in broken.iter().zip(&t.widths) {
            for (k, l) in ls.iter().enumerate() {
                self.text_at(
                    x + 3.0,
                    y0 + 3.0 + k as f32 * lh + size,
                    size,
                    Rgb::BLACK,
                    l,
                );
            }
            x += w;
        }
        self.page().stroke_rect(MARGIN_X, y0, total, h, 0.5, RULE);
        self.y += h;
    }

    /// Starts a table: draws its header (again on every page it reaches).
    pub fn table_start(&mut self, t: &Table) {
        self.ensure(t.size * 6.0);
        self.draw_header(t);
        self.table_header = Some(t.clone());
    }

    /// Ends the current table.
    pub fn table_end(&mut self) {
        self.table_header = None;
        self.space(6.0);
    }

    fn table_new_page(&mut self) {
        self.new_page();
        if let Some(t) = self.table_header.clone() {
            self.draw_header(&t);
        }
    }

    /// One table row; a row taller than what is left moves to the next page, and a row
    /// taller than a whole page is split between pages line by line.
    pub fn row(&mut self, cells: &[Cell]) {
        let Some(t) = self.table_header.clone() else {
            return;
        };
        let size = t.size;
        let lh = size * 1.4;
        let pad = 3.0;
        let font = self.font();
        let broken: Vec<BrokenCell> = cells
            .iter()
            .zip(&t.widths)
            .map(|(c, w)| {
                let chars: Vec<char> = c.text.chars().collect();
                let lines = break_lines(font, &chars, size, w - 2.0 * pad);
                (chars, lines)
            })
            .collect();
        let total_lines = broken.iter().map(|b| b.1.len()).max().unwrap_or(1).max(1);
        let page_lines = ((BOTTOM - TOP - 40.0) / lh).floor() as usize;
        let mut done = 0;
        while done < total_lines {
            let left = ((BOTTOM - self.y - 2.0 * pad) / lh).floor().max(0.0) as usize;
            let rest = total_lines - done;
            if rest > left && (rest <= page_lines || left < 2) {
                self.table_new_page();
                continue;
            }
            let take = rest.min(left);
            let h = take as f32 * lh + 2.0 * pad;
            let y0 = self.y;
            let total_w: f32 = t.widths.iter().sum();
            let mut x = MARGIN_X;
            for ((cell, (chars, lines)), w) in cells.iter().zip(&broken).zip(&t.widths) {
                let color = cell.color.unwrap_or(Rgb::BLACK);
                for (k, &(s, e)) in lines.iter().enumerate().skip(done).take(take) {
                    let ly = y0 + pad + (k - done) as f32 * lh;
                    for &(hs, he) in &cell.highlights {
                        let (a, b) = (hs.max(s), he.min(e));
                        if a < b {
                            let hx = x + pad + width(font, &chars[s..a], size);
                            let hw = width(font, &chars[a..b], size);
                            self.page().fill_rect(hx, ly + 0.5, hw, lh - 1.0, HIGHLIGHT);
                        }
                    }
                    let line: String = chars[s..e].iter().collect();
                    self.text_at(x + pad, ly + size * 1.02, size, color, &line);
                }
                x += w;
            }
            let page = self.page();
            page.stroke_rect(MARGIN_X, y0, total_w, h, 0.4, RULE);
            let mut x = MARGIN_X;
            for w in &t.widths[..t.widths.len() - 1] {
                x += w;
                page.line(x, y0, x, y0 + h, 0.4, RULE);
            }
            self.y += h;
            done += take;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, width_em: f32) -> Vec<String> {
        let f = Font::bundled().unwrap();
        let chars: Vec<char> = text.chars().collect();
        break_lines(&f, &chars, 10.0, width_em * 10.0)
            .into_iter()
            .map(|(s, e)| chars[s..e].iter().collect())
            .collect()
    }

    #[test]
    fn no_line_starts_with_closing_or_ends_with_opening_punctuation() {
        let text = "您好，您的借款已逾期。请于今日（3月10日）前还款！否则后果自负；“上门”拜访？【速借宝】《告知函》……";
        for w in 3..20 {
            let ls = lines(text, w as f32);
            assert_eq!(ls.concat(), text.replace(' ', ""), "width {w}");
            for (k, l) in ls.iter().enumerate() {
                let first = l.chars().next().unwrap();
                let last = l.chars().last().unwrap();
                if k > 0 {
                    assert!(
                        !no_start(first),
                        "width {w}: line {k} starts with {first}: {ls:?}"
                    );
                }
                assert!(
                    !no_end(last),
                    "width {w}: line {k} ends with {last}: {ls:?}"
                );
            }
        }
    }

    #[test]
    fn long_numbers_wrap_and_short_words_stay_whole() {
        let ls = lines("账号6222021234567890123456789请转账", 8.0);
        assert!(ls.len() >= 3, "{ls:?}");
        assert_eq!(ls.concat(), "账号6222021234567890123456789请转账");
        let ls = lines("call 13800138000 now please", 9.0);
        assert!(ls.iter().any(|l| l.contains("13800138000")), "{ls:?}");
    }

    #[test]
    fn newlines_force_breaks_and_lines_fit() {
        let f = Font::bundled().unwrap();
        let text: Vec<char> = "第一行\n第二行很长很长很长很长很长很长很长很长很长"
            .chars()
            .collect();
        let ls = break_lines(&f, &text, 10.0, 50.0);
        assert_eq!(ls[0], (0, 3));
        for (s, e) in ls {
            assert!(width(&f, &text[s..e], 10.0) <= 50.01);
        }
    }
}
