//! The governance parameter table of docs/DESIGN.md is the code's `PARAMETER_TABLE`, row for row.

use margin_risk::governance::{SaferDirection, StepLimit, PARAMETER_TABLE};

#[test]
fn the_design_parameter_table_matches_the_code() {
    let design = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/DESIGN.md")).unwrap();
    let section = design.split("### Parameter table").nth(1).expect("a parameter table section");
    let rows: Vec<Vec<&str>> = section
        .lines()
        .skip_while(|line| !line.starts_with("| `"))
        .take_while(|line| line.starts_with("| `"))
        .map(|line| line.trim_matches('|').split('|').map(str::trim).collect())
        .collect();
    assert_eq!(rows.len(), PARAMETER_TABLE.len());
    for (row, rule) in rows.iter().zip(PARAMETER_TABLE.iter()) {
        let safer = match rule.safer {
            SaferDirection::Lower => "lower",
            SaferDirection::Higher => "higher",
            SaferDirection::Neither => "neither",
        };
        let instant = match (rule.safer, rule.instant) {
            (SaferDirection::Neither, _) => "never",
            (_, true) => "yes",
            (_, false) => "no (moves Maint)",
        };
        let step = match rule.step {
            StepLimit::WeightPoints => "± weight step",
            StepLimit::RatePoints => "± rate step",
            StepLimit::Growth => "× growth",
            StepLimit::Unbounded => "none",
        };
        assert_eq!(row, &vec![format!("`{}`", rule.name).as_str(), safer, instant, step]);
    }
}
