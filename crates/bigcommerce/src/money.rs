//! Money at the edge: BigCommerce amounts parsed exactly into integer minor units.
//!
//! BigCommerce writes money two ways: Orders v2 as a decimal **string** with four decimals
//! (`"115.0000"`, sometimes `"0"`), v3 and the storefront as a JSON **number** (`19.96`).
//! Both are parsed here, once, into [`Cents`]; nothing downstream does decimal arithmetic.
//!
//! **Exponent 2.** `Cents` always means hundredths of the currency unit. That is right for
//! EUR, the only currency SeQura sells in, and for every currency the app accepts; a store
//! selling in a zero- or three-decimal currency must be refused before amounts are used.
//!
//! **Exactness.** A string is parsed as a decimal (never through `f64`). A JSON number has
//! already been read by `serde_json` as the nearest `f64`; its shortest round-trip decimal
//! representation (what `Display` prints) is exactly the literal BigCommerce wrote for any
//! amount with at most 15 significant digits, so parsing that text gives the exact value.
//! The value is then rounded to two decimals, half away from zero (`"0.005"` → 1 cent,
//! `"-0.005"` → −1 cent). Anything that is not a plain decimal is an error, never a panic.

use std::fmt;
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An amount in integer minor units (hundredths; see the module docs for the exponent-2
/// assumption). Deserializes from a decimal string or a JSON number; serializes as a JSON
/// number (an integer when the amount is whole, e.g. `25`, otherwise e.g. `7.5`), which is
/// what v3 request bodies take.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cents(i64);

/// Why a text or number is not an amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("not a decimal amount: {0:?}")]
    NotADecimal(String),
    #[error("amount out of range: {0}")]
    OutOfRange(String),
}

/// Longest decimal text accepted (digits, sign and point); far beyond any real amount, and
/// well inside what `Decimal` holds exactly.
const MAX_TEXT_LEN: usize = 40;

impl Cents {
    pub const ZERO: Cents = Cents(0);

    pub const fn new(minor_units: i64) -> Self {
        Cents(minor_units)
    }

    /// The amount in minor units.
    pub const fn get(self) -> i64 {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub fn checked_add(self, other: Cents) -> Option<Cents> {
        self.0.checked_add(other.0).map(Cents)
    }

    pub fn checked_sub(self, other: Cents) -> Option<Cents> {
        self.0.checked_sub(other.0).map(Cents)
    }

    /// Parses a plain decimal text: optional `-`, digits, optionally `.` and digits
    /// (`"115.0000"`, `"0"`, `"-2.5"`). No exponent, separators, spaces or `+`.
    pub fn parse_decimal(text: &str) -> Result<Cents, MoneyError> {
        Self::from_decimal(parse_plain_decimal(text)?)
    }

    /// Converts a decimal, rounding to two places half away from zero.
    pub fn from_decimal(value: Decimal) -> Result<Cents, MoneyError> {
        let rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        rounded
            .checked_mul(Decimal::ONE_HUNDRED)
            .and_then(|minor| minor.to_i64())
            .map(Cents)
            .ok_or_else(|| MoneyError::OutOfRange(value.to_string()))
    }

    /// Converts a JSON number already read as `f64` through its shortest decimal text.
    pub fn from_f64(value: f64) -> Result<Cents, MoneyError> {
        if !value.is_finite() {
            return Err(MoneyError::NotADecimal(value.to_string()));
        }
        // `Display` for f64 prints the shortest text that reads back as the same f64, and
        // never uses exponent notation.
        let text = value.to_string();
        if text.len() > MAX_TEXT_LEN {
            return Err(MoneyError::OutOfRange(text));
        }
        Self::parse_decimal(&text)
    }

    /// Converts a whole number of currency units.
    pub fn from_units(units: i64) -> Result<Cents, MoneyError> {
        units
            .checked_mul(100)
            .map(Cents)
            .ok_or_else(|| MoneyError::OutOfRange(units.to_string()))
    }

    /// The exact decimal value in currency units (`Cents(9500)` → `95.00`).
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// The Orders v2 text form with four decimals (`"115.0000"`).
    pub fn to_v2_string(self) -> String {
        let mut d = self.to_decimal();
        d.rescale(4);
        d.to_string()
    }
}

impl fmt::Display for Cents {
    /// Two decimals, e.g. `95.00`, `-0.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_decimal(), f)
    }
}

impl FromStr for Cents {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cents::parse_decimal(s)
    }
}

/// Strict decimal text → `Decimal`. `Decimal::from_str` alone would also accept `1_000`.
pub(crate) fn parse_plain_decimal(text: &str) -> Result<Decimal, MoneyError> {
    let not_decimal = || MoneyError::NotADecimal(truncate(text));
    if text.is_empty() || text.len() > MAX_TEXT_LEN {
        return Err(not_decimal());
    }
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (int_part, frac_part) = match unsigned.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int_part) || frac_part.is_some_and(|f| !all_digits(f)) {
        return Err(not_decimal());
    }
    Decimal::from_str(text).map_err(|_| not_decimal())
}

fn truncate(text: &str) -> String {
    text.chars().take(MAX_TEXT_LEN).collect()
}

impl Serialize for Cents {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0 % 100 == 0 {
            serializer.serialize_i64(self.0 / 100)
        } else {
            // Only a conversion, no arithmetic on money: the quotient of an integer below
            // 2^53 by 100 is correctly rounded, i.e. the f64 nearest to the exact decimal,
            // which serde_json prints back as that same short decimal.
            #[allow(clippy::cast_precision_loss)]
            let value = self.0 as f64 / 100.0;
            serializer.serialize_f64(value)
        }
    }
}

impl<'de> Deserialize<'de> for Cents {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CentsVisitor)
    }
}

struct CentsVisitor;

impl Visitor<'_> for CentsVisitor {
    type Value = Cents;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an amount as a decimal string or a number")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cents, E> {
        Cents::parse_decimal(v).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Cents, E> {
        Cents::from_units(v).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Cents, E> {
        let v = i64::try_from(v).map_err(|_| E::custom(MoneyError::OutOfRange(v.to_string())))?;
        Cents::from_units(v).map_err(E::custom)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Cents, E> {
        Cents::from_f64(v).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Result<Cents, serde_json::Error> {
        serde_json::from_str(text)
    }

    #[test]
    fn v2_strings_with_four_decimals() {
        assert_eq!(Cents::parse_decimal("115.0000"), Ok(Cents(11500)));
        assert_eq!(Cents::parse_decimal("90.9091"), Ok(Cents(9091)));
        assert_eq!(Cents::parse_decimal("4.1322"), Ok(Cents(413)));
        assert_eq!(Cents::parse_decimal("0.8678"), Ok(Cents(87)));
        assert_eq!(Cents::parse_decimal("0"), Ok(Cents(0)));
        assert_eq!(Cents::parse_decimal("0.0000"), Ok(Cents(0)));
        assert_eq!(Cents::parse_decimal("-20.0000"), Ok(Cents(-2000)));
        assert_eq!(json(r#""19.9587""#).unwrap(), Cents(1996));
    }

    #[test]
    fn v3_numbers() {
        assert_eq!(json("19.96").unwrap(), Cents(1996));
        assert_eq!(json("115").unwrap(), Cents(11500));
        assert_eq!(json("4.13").unwrap(), Cents(413));
        assert_eq!(json("0.07").unwrap(), Cents(7));
        assert_eq!(json("-10.2").unwrap(), Cents(-1020));
        assert_eq!(json("0").unwrap(), Cents(0));
        assert_eq!(json("-0.0").unwrap(), Cents(0));
        assert_eq!(json("1e2").unwrap(), Cents(10000));
        assert_eq!(json("119.35").unwrap(), Cents(11935));
        // A classic binary-float trap: 1.005 * 100 = 100.49999… in f64.
        assert_eq!(json("1.005").unwrap(), Cents(101));
        assert_eq!(json("8.675").unwrap(), Cents(868));
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(Cents::parse_decimal("0.005"), Ok(Cents(1)));
        assert_eq!(Cents::parse_decimal("0.0049"), Ok(Cents(0)));
        assert_eq!(Cents::parse_decimal("-0.005"), Ok(Cents(-1)));
        assert_eq!(Cents::parse_decimal("-0.0049"), Ok(Cents(0)));
        assert_eq!(Cents::parse_decimal("2.675"), Ok(Cents(268)));
        assert_eq!(Cents::parse_decimal("-2.675"), Ok(Cents(-268)));
        assert_eq!(Cents::parse_decimal("2.665"), Ok(Cents(267)));
        assert_eq!(Cents::parse_decimal("12.3450"), Ok(Cents(1235)));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bad in [
            "",
            " ",
            "abc",
            "1,00",
            "1_000",
            "1.2.3",
            ".5",
            "5.",
            "+5",
            "--5",
            "-",
            "1e5",
            "NaN",
            "inf",
            " 1.00",
            "1.00 ",
            "١٢",
            "99999999999999999999999999999999999999999",
            "1234567890123456789012345678901234567890.1",
        ] {
            assert!(Cents::parse_decimal(bad).is_err(), "{bad:?} parsed");
        }
        for bad in [
            "null",
            "true",
            "[]",
            "{}",
            r#""x""#,
            "1e300",
            "-1e300",
            "92233720368547758.08",
            "18446744073709551615",
        ] {
            assert!(json(bad).is_err(), "{bad} parsed");
        }
        assert!(Cents::from_f64(f64::NAN).is_err());
        assert!(Cents::from_f64(f64::INFINITY).is_err());
        assert!(Cents::from_units(i64::MAX).is_err());
    }

    #[test]
    fn tiny_numbers_round_to_zero() {
        assert_eq!(json("1e-10").unwrap(), Cents(0));
        assert_eq!(json("0.000001").unwrap(), Cents(0));
    }

    #[test]
    fn serializes_as_a_json_number() {
        let text = |c: i64| serde_json::to_string(&Cents(c)).unwrap();
        assert_eq!(text(2500), "25");
        assert_eq!(text(750), "7.5");
        assert_eq!(text(1996), "19.96");
        assert_eq!(text(7), "0.07");
        assert_eq!(text(-1020), "-10.2");
        assert_eq!(text(0), "0");
    }

    #[test]
    fn display_and_v2_text() {
        assert_eq!(Cents(9500).to_string(), "95.00");
        assert_eq!(Cents(-50).to_string(), "-0.50");
        assert_eq!(Cents(11500).to_v2_string(), "115.0000");
        assert_eq!(Cents(7).to_v2_string(), "0.0700");
    }

    /// Every amount survives serialize → deserialize, as a number and as v2 text, over a
    /// dense range and a sparse sweep up to 10^13 cents (property test by enumeration).
    #[test]
    fn round_trips_exactly() {
        let check = |c: i64| {
            let cents = Cents(c);
            let number = serde_json::to_string(&cents).unwrap();
            assert_eq!(json(&number).unwrap(), cents, "number {number}");
            assert_eq!(Cents::parse_decimal(&cents.to_v2_string()), Ok(cents));
            assert_eq!(Cents::parse_decimal(&cents.to_string()), Ok(cents));
        };
        for c in -200_000..=200_000 {
            check(c);
        }
        let mut c: i64 = 1;
        while c < 10_000_000_000_000 {
            check(c);
            check(-c);
            check(c + 1);
            c = c * 7 + 3;
        }
    }

    /// Numbers with up to four decimals, as BigCommerce prints them, read the same whether
    /// they arrive as a v2 string or a v3 JSON number.
    #[test]
    fn number_and_string_forms_agree() {
        for units in [0_i64, 1, 19, 95, 115, 1234, 99_999] {
            for frac in 0..10_000 {
                let text = format!("{units}.{frac:04}");
                let from_string = Cents::parse_decimal(&text).unwrap();
                assert_eq!(json(&text).unwrap(), from_string, "{text}");
            }
        }
    }
}
