//! A PNG of a run: the first bank's price with its confidence band (top), total Maint health (middle), bad
//! debt (bottom). Lines only (no text: no font is needed on the machine).
use plotters::prelude::*;

use crate::report::Report;

/// A curve: (step, value) points.
type Curve = Vec<(usize, f64)>;

/// Chart size in pixels.
pub const SIZE: (u32, u32) = (1200, 900);

/// Writes the chart of `report` to `path`.
pub fn write(report: &Report, path: &std::path::Path) -> Result<(), String> {
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    let error = |error: &dyn std::fmt::Display| format!("{}: {error}", path.display());
    root.fill(&WHITE).map_err(|e| error(&e))?;
    let panels = root.split_evenly((3, 1));
    let steps = report.steps.len().max(2);
    let series = |pick: &dyn Fn(&crate::report::StepReport) -> f64| -> Curve {
        report.steps.iter().map(|row| (row.step, pick(row))).collect()
    };
    let price = |row: &crate::report::StepReport| row.prices.first().map(|quote| quote.price).unwrap_or(0.0);
    let conf = |row: &crate::report::StepReport| row.prices.first().map(|quote| quote.conf).unwrap_or(0.0);
    let upper = series(&|row| price(row) + conf(row));
    let lower = series(&|row| price(row) - conf(row));
    let lines: [(Vec<Curve>, RGBColor); 3] = [
        (vec![series(&price), upper, lower], BLUE),
        (vec![series(&|row| row.maint_health_usd)], GREEN),
        (vec![series(&|row| row.bad_debt_usd)], RED),
    ];
    for (panel, (curves, color)) in panels.iter().zip(lines) {
        let values = curves.iter().flatten().map(|(_, value)| *value);
        let (low, high) = values.fold((f64::MAX, f64::MIN), |(low, high), value| (low.min(value), high.max(value)));
        let (low, high) = if low >= high { (low - 1.0, low + 1.0) } else { (low, high) };
        let margin = (high - low) * 0.05;
        let mut chart = ChartBuilder::on(panel)
            .margin(12)
            .build_cartesian_2d(0..steps, (low - margin)..(high + margin))
            .map_err(|e| error(&e))?;
        for (index, curve) in curves.into_iter().enumerate() {
            let style = if index == 0 { color.stroke_width(2) } else { color.mix(0.4).stroke_width(1) };
            chart.draw_series(LineSeries::new(curve, style)).map_err(|e| error(&e))?;
        }
    }
    root.present().map_err(|e| error(&e))?;
    Ok(())
}
