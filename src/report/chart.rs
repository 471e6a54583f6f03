//! Vector charts drawn straight into the page flow: messages and calls per day with night
//! contact marked, an hour-of-day histogram with the 22:00–08:00 window shaded (the window
//! of GB/T 45251—2025 and the 2026 banking-association guideline), and per-creditor counts.
//!
//! Units: points; every chart takes the full text width and a fixed height, and moves the
//! flow's cursor below itself.

use super::layout::{Flow, MARGIN_X, TEXT_W};
use super::pdf::Rgb;
use chrono::{Datelike, NaiveDate};

/// Colour of daytime messages.
pub const DAY: Rgb = Rgb(0.36, 0.52, 0.72);
/// Colour of night-time messages.
pub const NIGHT: Rgb = Rgb(0.72, 0.12, 0.12);
/// Colour of calls.
pub const CALL: Rgb = Rgb(0.93, 0.55, 0.13);
const SHADE: Rgb = Rgb(0.98, 0.88, 0.88);
const AXIS: Rgb = Rgb(0.3, 0.3, 0.3);

/// One day's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayCount {
    /// Local date.
    pub date: NaiveDate,
    /// Messages sent 08:00–22:00.
    pub day: u32,
    /// Messages sent 22:00–08:00.
    pub night: u32,
    /// Calls.
    pub calls: u32,
}

fn nice_max(v: u32) -> u32 {
    let v = v.max(1);
    for step in [
        1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000,
    ] {
        if v <= step * 4 {
            return step.div_ceil(1) * v.div_ceil(step);
        }
    }
    v
}

fn axis_y(flow: &mut Flow, x: f32, top: f32, h: f32, max: u32) {
    let size = 6.5;
    for k in 0..=4u32 {
        let v = max * k / 4;
        let y = top + h - h * k as f32 / 4.0;
        flow.page().line(x, y, x + 4.0, y, 0.3, AXIS);
        let label = v.to_string();
        let w = label.len() as f32 * size * 0.55;
        flow.text_at(x - w - 2.0, y + size * 0.35, size, AXIS, &label);
        if k > 0 {
            flow.page()
                .line(x, y, MARGIN_X + TEXT_W, y, 0.2, Rgb(0.85, 0.85, 0.85));
        }
    }
}

/// Messages per day (day part, night part stacked on top) and calls per day (thin bar to the
/// right), over every day of the period.
pub fn daily(flow: &mut Flow, days: &[DayCount], legend: [&str; 3]) {
    let h = 120.0;
    flow.ensure(h + 40.0);
    let top = flow.y + 8.0;
    let x0 = MARGIN_X + 24.0;
    let w = TEXT_W - 24.0;
    let max = nice_max(
        days.iter()
            .map(|d| (d.day + d.night).max(d.calls))
            .max()
            .unwrap_or(1),
    );
    axis_y(flow, x0, top, h, max);
    let n = days.len().max(1) as f32;
    let slot = w / n;
    let bar = (slot * 0.8).max(0.3);
    for (i, d) in days.iter().enumerate() {
        let x = x0 + i as f32 * slot + slot * 0.1;
        let hd = h * d.day as f32 / max as f32;
        let hn = h * d.night as f32 / max as f32;
        let hc = h * d.calls as f32 / max as f32;
        let msg_w = if d.calls > 0 { bar * 0.65 } else { bar };
        if d.day > 0 {
            flow.page().fill_rect(x, top + h - hd, msg_w, hd, DAY);
        }
        if d.night > 0 {
            flow.page()
                .fill_rect(x, top + h - hd - hn, msg_w, hn, NIGHT);
        }
        if d.calls > 0 {
            flow.page()
                .fill_rect(x + msg_w, top + h - hc, bar - msg_w, hc, CALL);
        }
        if d.date.day() == 1 || i == 0 {
            flow.page().line(x, top + h, x, top + h + 3.0, 0.3, AXIS);
            let label = format!("{}-{:02}", d.date.year(), d.date.month());
            if i == 0 || slot * 28.0 > 30.0 {
                flow.text_at(x, top + h + 10.0, 6.0, AXIS, &label);
            }
        }
    }
    flow.page().line(x0, top + h, x0 + w, top + h, 0.5, AXIS);
    flow.page().line(x0, top, x0, top + h, 0.5, AXIS);
    legend_row(
        flow,
        top + h + 22.0,
        &[(DAY, legend[0]), (NIGHT, legend[1]), (CALL, legend[2])],
    );
    flow.y = top + h + 34.0;
}

fn legend_row(flow: &mut Flow, y: f32, items: &[(Rgb, &str)]) {
    let mut x = MARGIN_X + 24.0;
    for (c, t) in items {
        flow.page().fill_rect(x, y - 6.0, 8.0, 8.0, *c);
        flow.text_at(x + 11.0, y + 1.0, 7.5, Rgb::BLACK, t);
        x += 14.0 + t.chars().count() as f32 * 7.5 + 12.0;
    }
}

/// Messages per hour of the local day, 22:00–08:00 shaded.
pub fn hours(flow: &mut Flow, counts: &[u32; 24], legend: &str) {
    let h = 100.0;
    flow.ensure(h + 40.0);
    let top = flow.y + 8.0;
    let x0 = MARGIN_X + 24.0;
    let w = TEXT_W - 24.0;
    let slot = w / 24.0;
    flow.page().fill_rect(x0, top, slot * 8.0, h, SHADE);
    flow.page()
        .fill_rect(x0 + slot * 22.0, top, slot * 2.0, h, SHADE);
    let max = nice_max(counts.iter().copied().max().unwrap_or(1));
    axis_y(flow, x0, top, h, max);
    for (hr, &c) in counts.iter().enumerate() {
        let x = x0 + hr as f32 * slot;
        let bh = h * c as f32 / max as f32;
        let col = if !(8..22).contains(&hr) { NIGHT } else { DAY };
        if c > 0 {
            flow.page()
                .fill_rect(x + slot * 0.15, top + h - bh, slot * 0.7, bh, col);
        }
        flow.text_at(
            x + slot * 0.3,
            top + h + 9.0,
            6.0,
            AXIS,
            &format!("{hr:02}"),
        );
    }
    flow.page().line(x0, top + h, x0 + w, top + h, 0.5, AXIS);
    flow.page().line(x0, top, x0, top + h, 0.5, AXIS);
    legend_row(flow, top + h + 22.0, &[(SHADE, legend)]);
    flow.y = top + h + 34.0;
}

/// Horizontal bars per creditor: messages and calls.
pub fn creditors(flow: &mut Flow, rows: &[(String, u32, u32)]) {
    let bar_h = 11.0;
    let label_w = 150.0;
    let max = nice_max(rows.iter().map(|r| r.1 + r.2).max().unwrap_or(1));
    let w = TEXT_W - label_w - 40.0;
    for (name, msgs, calls) in rows {
        flow.ensure(bar_h + 6.0);
        let y = flow.y;
        let short: String = name.chars().take(14).collect();
        flow.text_at(MARGIN_X, y + 8.5, 8.0, Rgb::BLACK, &short);
        let x = MARGIN_X + label_w;
        let wm = w * *msgs as f32 / max as f32;
        let wc = w * *calls as f32 / max as f32;
        flow.page().fill_rect(x, y, wm, bar_h, DAY);
        flow.page().fill_rect(x + wm, y, wc, bar_h, CALL);
        flow.text_at(
            x + wm + wc + 4.0,
            y + 8.5,
            7.5,
            Rgb::BLACK,
            &format!("{msgs} / {calls}"),
        );
        flow.y += bar_h + 5.0;
    }
    flow.space(6.0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_maximum_is_round_and_not_below_the_data() {
        for v in [0, 1, 3, 7, 13, 49, 101, 999] {
            let m = nice_max(v);
            assert!(m >= v.max(1), "{v} -> {m}");
        }
        assert_eq!(nice_max(7), 8);
    }
}
