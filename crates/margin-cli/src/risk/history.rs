//! Price history for calibration: OHLC bars from a CSV file, Binance klines (`timestamp,open,high,low,close,
//! volume`, "YYYY-MM-DD HH:MM:SS" UTC) or a Yahoo export (`Date,Open,High,Low,Close,Adj Close,Volume`).
use std::path::Path;

/// One bar: its time as written, and its high, low and close (quote currency, e.g. USDT).
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub time: String,
    pub high: f64,
    pub low: f64,
    pub close: f64,
}

/// A series of bars with a fixed spacing.
#[derive(Clone, Debug)]
pub struct History {
    /// The file's stem, e.g. `binance-solusdt-1h`.
    pub name: String,
    pub bars: Vec<Bar>,
    /// Seconds between bars (the most common spacing; gaps in the file are kept as they are).
    pub bar_seconds: i64,
}

impl History {
    /// Reads `path`; errors name the file and line.
    pub fn load(path: &Path) -> Result<History, String> {
        let text = std::fs::read_to_string(path).map_err(|error| format!("{}: {error}", path.display()))?;
        let name = path.file_stem().map(|stem| stem.to_string_lossy().to_string()).unwrap_or_default();
        History::parse(&name, &text).map_err(|error| format!("{}: {error}", path.display()))
    }

    /// Parses CSV text with a header row; the columns are found by name (timestamp/Date, High, Low, Close).
    pub fn parse(name: &str, text: &str) -> Result<History, String> {
        let mut lines = text.lines();
        let header: Vec<String> =
            lines.next().ok_or("empty file")?.split(',').map(|h| h.trim().to_lowercase()).collect();
        let column = |names: &[&str]| {
            header.iter().position(|h| names.contains(&h.as_str())).ok_or(format!("no {} column", names[0]))
        };
        let (time, high, low, close) =
            (column(&["timestamp", "date"])?, column(&["high"])?, column(&["low"])?, column(&["close"])?);
        let mut bars = Vec::new();
        for (number, line) in lines.enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split(',').collect();
            let value = |index: usize| {
                fields
                    .get(index)
                    .and_then(|field| field.trim().parse::<f64>().ok())
                    .filter(|v| *v > 0.0 && v.is_finite())
            };
            match (fields.get(time), value(high), value(low), value(close)) {
                (Some(stamp), Some(high), Some(low), Some(close)) if low <= close && close <= high => {
                    bars.push(Bar { time: stamp.trim().to_string(), high, low, close })
                }
                _ => return Err(format!("line {}: expected a time and positive high ≥ close ≥ low", number + 2)),
            }
        }
        if bars.len() < 3 {
            return Err("fewer than three bars".to_string());
        }
        let bar_seconds = most_common_spacing(&bars)?;
        Ok(History { name: name.to_string(), bars, bar_seconds })
    }

    /// Closes, in order.
    pub fn closes(&self) -> Vec<f64> {
        self.bars.iter().map(|bar| bar.close).collect()
    }

    /// Bars in a horizon of `seconds` (at least one).
    pub fn bars_in(&self, seconds: i64) -> usize {
        ((seconds + self.bar_seconds - 1) / self.bar_seconds).max(1) as usize
    }
}

/// Unix seconds of "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS" (UTC).
pub fn unix_seconds(time: &str) -> Option<i64> {
    let (date, clock) = time.split_once(' ').unwrap_or((time, "00:00:00"));
    let mut parts = date.split('-').map(|part| part.parse::<i64>().ok());
    let (year, month, day) = (parts.next()??, parts.next()??, parts.next()??);
    let mut parts = clock.split(':').map(|part| part.parse::<i64>().ok());
    let (hour, minute, second) = (parts.next()??, parts.next()??, parts.next().flatten().unwrap_or(0));
    // Days from civil (Howard Hinnant's algorithm).
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

fn most_common_spacing(bars: &[Bar]) -> Result<i64, String> {
    let mut counts = std::collections::BTreeMap::new();
    for pair in bars.windows(2) {
        let (Some(a), Some(b)) = (unix_seconds(&pair[0].time), unix_seconds(&pair[1].time)) else {
            return Err(format!("unreadable time {:?} or {:?}", pair[0].time, pair[1].time));
        };
        *counts.entry(b - a).or_insert(0usize) += 1;
    }
    let (spacing, _) = counts.into_iter().max_by_key(|(_, count)| *count).ok_or("no spacing")?;
    if spacing <= 0 {
        return Err("times are not increasing".to_string());
    }
    Ok(spacing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats_parse_with_their_spacing() {
        let binance = "timestamp,open,high,low,close,volume\n2020-08-11 06:00:00,2.85,3.47,2.85,2.9515,1\n\
                       2020-08-11 07:00:00,2.95,3.13,2.88,2.9224,1\n2020-08-11 08:00:00,2.92,3.0,2.9,2.95,1\n";
        let history = History::parse("sol", binance).unwrap();
        assert_eq!((history.bars.len(), history.bar_seconds), (3, 3_600));
        assert_eq!(history.bars_in(4 * 3_600), 4);
        assert_eq!(history.bars_in(1), 1);
        let yahoo = "Date,Open,High,Low,Close,Adj Close,Volume\n2021-01-01,1,1.01,0.99,1.0,1.0,5\n\
                     2021-01-02,1,1.02,0.98,0.99,0.99,5\n2021-01-03,1,1.0,0.97,0.98,0.98,5\n";
        let history = History::parse("usdc", yahoo).unwrap();
        assert_eq!((history.bar_seconds, history.closes()), (86_400, vec![1.0, 0.99, 0.98]));
    }

    #[test]
    fn bad_rows_are_named_by_line() {
        let text =
            "timestamp,open,high,low,close,volume\n2020-08-11 06:00:00,1,2,1,1.5,1\n2020-08-11 07:00:00,1,2,1,x,1\n";
        assert_eq!(History::parse("x", text).unwrap_err(), "line 3: expected a time and positive high ≥ close ≥ low");
        assert!(History::parse("x", "date,close\n").unwrap_err().contains("no high column"));
    }

    #[test]
    fn unix_seconds_of_known_dates() {
        assert_eq!(unix_seconds("1970-01-01"), Some(0));
        assert_eq!(unix_seconds("2020-08-11 06:00:00"), Some(1_597_125_600));
        assert_eq!(unix_seconds("2024-02-29 23:59:59"), Some(1_709_251_199));
    }
}
