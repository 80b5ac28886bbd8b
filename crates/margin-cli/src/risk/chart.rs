//! The calibration's chart: the distribution of the worst fall within the liquidation horizon (bars), with the
//! Maint haircut (orange) and the Init haircut (red) as vertical lines. No text (no font needed).
use plotters::prelude::*;

use super::calibrate::Calibration;

/// Writes the chart of `calibration` to `path` (1200 × 600 PNG).
pub fn write(calibration: &Calibration, path: &std::path::Path) -> Result<(), String> {
    let error = |error: &dyn std::fmt::Display| format!("{}: {error}", path.display());
    let root = BitMapBackend::new(path, (1200, 600)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| error(&e))?;
    let recommendation = calibration.recommendation;
    let haircuts = [
        (1.0 - f64::from(recommendation.maint_asset_weight_bps) / 10_000.0, RGBColor(255, 140, 0)),
        (1.0 - f64::from(recommendation.init_asset_weight_bps) / 10_000.0, RED),
    ];
    let widest = haircuts.iter().map(|(cut, _)| *cut).fold(0.0, f64::max);
    let deepest = calibration.fall_sample.iter().map(|fall| -fall).fold(widest, f64::max).max(1e-6) * 1.05;
    const BINS: usize = 120;
    let mut counts = [0usize; BINS];
    for fall in &calibration.fall_sample {
        counts[((-fall / deepest) * BINS as f64).min(BINS as f64 - 1.0) as usize] += 1;
    }
    // Counts on a log scale, so the tail shows next to the calm mass.
    let height = |count: usize| ((count + 1) as f64).log10();
    let top = counts.iter().map(|count| height(*count)).fold(0.0, f64::max) * 1.05;
    let mut chart =
        ChartBuilder::on(&root).margin(16).build_cartesian_2d(0.0..deepest, 0.0..top).map_err(|e| error(&e))?;
    let width = deepest / BINS as f64;
    chart
        .draw_series(counts.iter().enumerate().map(|(bin, count)| {
            let left = bin as f64 * width;
            Rectangle::new([(left, 0.0), (left + width * 0.9, height(*count))], BLUE.mix(0.6).filled())
        }))
        .map_err(|e| error(&e))?;
    for (cut, color) in haircuts {
        chart.draw_series(LineSeries::new([(cut, 0.0), (cut, top)], color.stroke_width(3))).map_err(|e| error(&e))?;
    }
    root.present().map_err(|e| error(&e))?;
    Ok(())
}
