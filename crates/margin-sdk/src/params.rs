//! Bank parameters by name: the governance table's names (`margin_risk::governance::PARAMETER_TABLE`) to the
//! fields of `BankParams`, for commands and tools that take `name=value` changes.
use margin::state::{BankParams, BankStatus};
use margin_risk::governance::PARAMETER_TABLE;

/// `params` with the parameter named `name` (a row of the governance table) set to `value`.
///
/// Errors: an unknown name (the message lists the known ones); a value beyond the field (u32 for bps and
/// seconds, 0–2 for the status).
pub fn with_parameter(params: BankParams, name: &str, value: u64) -> Result<BankParams, String> {
    let row = PARAMETER_TABLE.iter().position(|rule| rule.name == name).ok_or_else(|| {
        let names: Vec<&str> = PARAMETER_TABLE.iter().map(|rule| rule.name).collect();
        format!("unknown parameter {name:?}; the parameters are {}", names.join(", "))
    })?;
    let narrow = || u32::try_from(value).map_err(|_| format!("{name}: {value} does not fit a u32"));
    let (mut p, mut r) = (params, params.risk);
    match row {
        0 => r.max_age_seconds = narrow()?,
        1 => r.max_conf_open_bps = narrow()?,
        2 => r.max_conf_liquidation_bps = narrow()?,
        3 => r.conf_multiplier_init_bps = narrow()?,
        4 => r.conf_multiplier_maint_bps = narrow()?,
        5 => r.max_conf_discount_bps = narrow()?,
        6 => r.init_asset_weight_bps = narrow()?,
        7 => r.maint_asset_weight_bps = narrow()?,
        8 => r.init_liability_weight_bps = narrow()?,
        9 => r.maint_liability_weight_bps = narrow()?,
        10 => r.min_bonus_bps = narrow()?,
        11 => r.max_bonus_bps = narrow()?,
        12 => r.insurance_fee_bps = narrow()?,
        13 => r.protocol_fee_bps = narrow()?,
        14 => r.max_utilization_bps = narrow()?,
        15..=20 => r.curve[row - 15] = narrow()?,
        21 => p.limits.deposit_cap = value,
        22 => p.limits.borrow_cap = value,
        23 => p.limits.dust_threshold = value,
        24 => {
            p.status = match value {
                0 => BankStatus::Active,
                1 => BankStatus::ReduceOnly,
                2 => BankStatus::Paused,
                _ => return Err(format!("status: {value} is not 0 (active), 1 (reduce-only) or 2 (paused)")),
            }
        }
        25 => p.dynamic.divergence_multiplier_bps = narrow()?,
        26 => p.dynamic.expansion_multiplier_bps = narrow()?,
        27 => p.dynamic.max_extra_bps = narrow()?,
        28 => p.size.depth_quote = value,
        29 => p.size.excess_haircut_bps = narrow()?,
        _ => return Err(format!("{name}: row {row} of the governance table has no field here")),
    }
    p.risk = r;
    Ok(p)
}

/// `params` with every `name=value` of `changes` applied, in order.
pub fn with_changes(params: BankParams, changes: &[String]) -> Result<BankParams, String> {
    changes.iter().try_fold(params, |params, change| {
        let (name, value) = change.split_once('=').ok_or_else(|| format!("{change:?}: expected name=value"))?;
        let value = value.trim().parse::<u64>().map_err(|_| format!("{change:?}: the value is not a whole number"))?;
        with_parameter(params, name.trim(), value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every name of the governance table sets exactly its own value in `values()` (the order of the table,
    /// `BankParams::values` and this mapping agree).
    #[test]
    fn every_table_name_sets_its_own_row() {
        let base = crate::presets::volatile_params();
        for (row, rule) in PARAMETER_TABLE.iter().enumerate() {
            let value = if rule.name == "status" { 2 } else { 7 };
            let changed = with_parameter(base, rule.name, value).unwrap();
            for (other, (before, after)) in base.values().iter().zip(changed.values()).enumerate() {
                if other == row {
                    assert_eq!(after, value, "{}", rule.name);
                } else {
                    assert_eq!(*before, after, "{} moved row {other}", rule.name);
                }
            }
        }
    }

    #[test]
    fn bad_changes_are_named() {
        let base = crate::presets::volatile_params();
        assert!(with_parameter(base, "init_weight", 1).unwrap_err().starts_with("unknown parameter \"init_weight\""));
        assert_eq!(
            with_parameter(base, "max_age_seconds", 1 << 40).unwrap_err(),
            "max_age_seconds: 1099511627776 does not fit a u32"
        );
        assert_eq!(
            with_changes(base, &["status=3".into()]).unwrap_err(),
            "status: 3 is not 0 (active), 1 (reduce-only) or 2 (paused)"
        );
        assert_eq!(with_changes(base, &["deposit_cap".into()]).unwrap_err(), "\"deposit_cap\": expected name=value");
        let changed = with_changes(base, &["deposit_cap=5".into(), "init_asset_weight_bps = 7000".into()]).unwrap();
        assert_eq!((changed.limits.deposit_cap, changed.risk.init_asset_weight_bps), (5, 7_000));
    }
}
