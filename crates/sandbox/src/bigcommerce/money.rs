//! Money inside the simulator: integer cents of the store currency (EUR), tax included,
//! because the simulated stores enter prices with tax (`is_price_entered_with_tax`).
//! Tax-exclusive amounts are derived when rendering: v2 shows them with four decimals
//! (`"90.9091"`), v3 with two (`90.91`), exactly as BigCommerce does for a 21 % rate.

use serde_json::{Number, Value};

/// Ten-thousandths of the currency unit: the precision of v2 money strings.
pub type Ten4 = i64;

/// `cents` as a v2 money string with four decimals, e.g. `11500` → `"115.0000"`.
pub fn v2_cents(cents: i64) -> String {
    v2_ten4(cents.saturating_mul(100))
}

/// A ten-thousandths amount as a v2 money string, e.g. `909091` → `"90.9091"`.
pub fn v2_ten4(amount: Ten4) -> String {
    let sign = if amount < 0 { "-" } else { "" };
    let abs = amount.unsigned_abs();
    format!("{sign}{}.{:04}", abs / 10_000, abs % 10_000)
}

/// `cents` as a v3 JSON number: an integer when whole (`25`), else two decimals (`4.13`).
pub fn v3_cents(cents: i64) -> Value {
    if cents % 100 == 0 {
        Value::Number(Number::from(cents / 100))
    } else {
        // Cents / 100 is exact enough in f64 for any realistic amount.
        Number::from_f64(cents as f64 / 100.0).map_or(Value::Null, Value::Number)
    }
}

/// The tax-exclusive part of a tax-inclusive amount, in ten-thousandths, rounded half up.
pub fn ex_tax_ten4(inc_cents: i64, rate_bp: i64) -> Ten4 {
    let inc = i128::from(inc_cents) * 100 * 10_000;
    let divisor = i128::from(10_000 + rate_bp.max(0));
    let rounded = if inc >= 0 {
        (inc + divisor / 2) / divisor
    } else {
        (inc - divisor / 2) / divisor
    };
    i64::try_from(rounded).unwrap_or(i64::MAX)
}

/// The tax-exclusive part, rounded to cents (what v3 shows).
pub fn ex_tax_cents(inc_cents: i64, rate_bp: i64) -> i64 {
    round_ten4_to_cents(ex_tax_ten4(inc_cents, rate_bp))
}

pub fn round_ten4_to_cents(amount: Ten4) -> i64 {
    if amount >= 0 {
        (amount + 50) / 100
    } else {
        (amount - 50) / 100
    }
}

/// The largest amount the simulator accepts (10 billion): keeps every sum far from `i64`
/// overflow whatever a request holds.
pub const MAX_AMOUNT_CENTS: i64 = 1_000_000_000_000;

/// Parses a money amount given as a JSON number or a numeric string (v2 accepts "Float,
/// Float-As-String, Integer") into cents. More than two decimals (after trailing zeros) is
/// refused: the simulated currency has two. So are amounts beyond ±[`MAX_AMOUNT_CENTS`].
pub fn parse_amount(value: &Value) -> Option<i64> {
    parse_unbounded(value).filter(|cents| cents.abs() <= MAX_AMOUNT_CENTS)
}

fn parse_unbounded(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                return i.checked_mul(100);
            }
            parse_decimal_str(&n.to_string())
        }
        Value::String(s) => parse_decimal_str(s.trim()),
        _ => None,
    }
}

/// `"12.5"` → 1250, `"-3"` → -300, `"1.2300"` → 123; `"1.234"`, `"abc"` → None.
pub fn parse_decimal_str(s: &str) -> Option<i64> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    // Exponent notation only ever comes from f64 formatting of tiny or huge numbers.
    if digits.contains(['e', 'E']) {
        let f: f64 = s.parse().ok()?;
        let cents = (f * 100.0).round();
        if (f * 100.0 - cents).abs() > 1e-6 || !cents.is_finite() || cents.abs() > 9e15 {
            return None;
        }
        return Some(cents as i64);
    }
    let (int_part, frac_part) = match digits.split_once('.') {
        Some((i, f)) => (i, f.trim_end_matches('0')),
        None => (digits, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part.chars().all(|c| c.is_ascii_digit())
        || !frac_part.chars().all(|c| c.is_ascii_digit())
        || frac_part.len() > 2
    {
        return None;
    }
    let whole: i64 = if int_part.is_empty() {
        0
    } else {
        int_part.parse().ok()?
    };
    let mut frac: i64 = if frac_part.is_empty() {
        0
    } else {
        frac_part.parse().ok()?
    };
    if frac_part.len() == 1 {
        frac *= 10;
    }
    let cents = whole.checked_mul(100)?.checked_add(frac)?;
    Some(if negative { -cents } else { cents })
}

/// Splits `total` over `weights` in proportion, largest remainder first, so that the
/// parts add up to `total` exactly (order-level discounts spread over lines).
pub fn split_proportionally(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|w| i128::from((*w).max(0))).sum();
    if sum == 0 || weights.is_empty() {
        let mut parts = vec![0; weights.len()];
        if let Some(first) = parts.first_mut() {
            *first = total;
        }
        return parts;
    }
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    let mut assigned: i64 = 0;
    for (index, weight) in weights.iter().enumerate() {
        let exact = i128::from(total) * i128::from((*weight).max(0));
        let part = i64::try_from(exact / sum).unwrap_or(0);
        parts.push(part);
        remainders.push((exact % sum, index));
        assigned += part;
    }
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut left = total - assigned;
    for (_, index) in remainders {
        if left <= 0 {
            break;
        }
        if let Some(part) = parts.get_mut(index) {
            *part += 1;
            left -= 1;
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_strings_have_four_decimals() {
        assert_eq!(v2_cents(11_500), "115.0000");
        assert_eq!(v2_cents(0), "0.0000");
        assert_eq!(v2_cents(-250), "-2.5000");
        assert_eq!(v2_ten4(909_091), "90.9091");
    }

    #[test]
    fn tax_split_matches_the_fixture_order() {
        // 110.00 of items and 5.00 of shipping at 21 %: order-v2.json.
        assert_eq!(v2_ten4(ex_tax_ten4(11_000, 2100)), "90.9091");
        assert_eq!(v2_ten4(ex_tax_ten4(500, 2100)), "4.1322");
        assert_eq!(v2_ten4(ex_tax_ten4(11_500, 2100)), "95.0413");
        assert_eq!(v2_ten4(ex_tax_ten4(2_500, 2100)), "20.6612");
        assert_eq!(ex_tax_cents(11_000, 2100), 9_091);
        assert_eq!(ex_tax_cents(500, 2100), 413);
    }

    #[test]
    fn v3_numbers() {
        assert_eq!(v3_cents(2_500).to_string(), "25");
        assert_eq!(v3_cents(413).to_string(), "4.13");
        assert_eq!(v3_cents(1_996).to_string(), "19.96");
    }

    #[test]
    fn amounts_parse_from_numbers_and_strings() {
        assert_eq!(parse_amount(&serde_json::json!(25)), Some(2_500));
        assert_eq!(parse_amount(&serde_json::json!(4.13)), Some(413));
        assert_eq!(parse_amount(&serde_json::json!("115.0000")), Some(11_500));
        assert_eq!(parse_amount(&serde_json::json!("0.5")), Some(50));
        assert_eq!(parse_amount(&serde_json::json!("1.234")), None);
        assert_eq!(parse_amount(&serde_json::json!(1.234)), None);
        assert_eq!(parse_amount(&serde_json::json!("x")), None);
        assert_eq!(parse_amount(&serde_json::json!(true)), None);
        assert_eq!(parse_amount(&serde_json::json!("-3")), Some(-300));
        assert_eq!(parse_amount(&serde_json::json!(i64::MAX)), None);
        assert_eq!(
            parse_amount(&serde_json::json!("99999999999999999999")),
            None
        );
        assert_eq!(parse_amount(&serde_json::json!(1e300)), None);
    }

    #[test]
    fn proportional_split_adds_up() {
        let parts = split_proportionally(1_000, &[5_000, 6_000]);
        assert_eq!(parts.iter().sum::<i64>(), 1_000);
        assert_eq!(parts, vec![455, 545]);
        assert_eq!(split_proportionally(7, &[0, 0]), vec![7, 0]);
        assert_eq!(split_proportionally(1, &[1, 1, 1]), vec![1, 0, 0]);
    }
}
