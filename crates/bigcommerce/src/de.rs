//! Lenient deserializers for fields whose JSON type BigCommerce does not keep consistent:
//! ids and quantities that the OpenAPI files type as `number` (so `2.0` is allowed),
//! values documented as "string or number" (`payment_provider_id`), and webhook fields that
//! are strings in one event and numbers in another. Every one of them rejects what cannot be
//! read exactly (a fraction where an integer is expected, an out-of-range value) with an
//! error, never a panic.

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};

/// An integer written as a JSON integer, an integral float (`3.0`) or a decimal string.
struct IntVisitor;

impl Visitor<'_> for IntVisitor {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::custom("integer out of range"))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        // Exactly representable integral values only; 2^63 itself is out of range.
        const LIMIT: f64 = 9_223_372_036_854_775_808.0;
        if v.is_finite() && v.fract() == 0.0 && v.abs() < LIMIT {
            #[allow(clippy::cast_possible_truncation)]
            Ok(v as i64)
        } else {
            Err(E::custom(format!("not an integer: {v}")))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        v.parse::<i64>()
            .map_err(|_| E::custom(format!("not an integer: {v:?}")))
    }
}

pub(crate) fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    d.deserialize_any(IntVisitor)
}

pub(crate) fn uint<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let v = int(d)?;
    u64::try_from(v).map_err(|_| de::Error::custom(format!("negative value: {v}")))
}

pub(crate) fn uint32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let v = int(d)?;
    u32::try_from(v).map_err(|_| de::Error::custom(format!("out of range: {v}")))
}

/// `null` or absent → `None` (use with `#[serde(default)]`).
pub(crate) fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    struct OptVisitor;
    impl<'de> Visitor<'de> for OptVisitor {
        type Value = Option<i64>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            int(d).map(Some)
        }
    }
    d.deserialize_option(OptVisitor)
}

pub(crate) fn opt_uint<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match opt_int(d)? {
        None => Ok(None),
        Some(v) => u64::try_from(v)
            .map(Some)
            .map_err(|_| de::Error::custom(format!("negative value: {v}"))),
    }
}

pub(crate) fn opt_uint32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    match opt_int(d)? {
        None => Ok(None),
        Some(v) => u32::try_from(v)
            .map(Some)
            .map_err(|_| de::Error::custom(format!("out of range: {v}"))),
    }
}

/// A count that may be `null` (read as 0).
pub(crate) fn uint32_or_zero<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    opt_uint32(d).map(Option::unwrap_or_default)
}

/// A string, or a number kept as its JSON text (`payment_provider_id`, webhook ids).
struct TextVisitor;

impl Visitor<'_> for TextVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a number")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
}

pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_any(TextVisitor)
}

/// `null` or absent → `None` (use with `#[serde(default)]`).
pub(crate) fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct OptVisitor;
    impl<'de> Visitor<'de> for OptVisitor {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string, a number or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            text(d).map(Some)
        }
    }
    d.deserialize_option(OptVisitor)
}

/// `null` → empty string. BigCommerce documents many strings as plain `string` and then
/// sends `null` for them on some stores; the difference carries no meaning for us.
pub(crate) fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    opt_text(d).map(Option::unwrap_or_default)
}

/// A non-money decimal (coupon nominal value, exchange rate) from a string or a number.
struct DecimalVisitor;

impl Visitor<'_> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal as a string or a number")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        crate::money::parse_plain_decimal(v).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        if !v.is_finite() {
            return Err(E::custom("not a finite number"));
        }
        crate::money::parse_plain_decimal(&v.to_string()).map_err(E::custom)
    }
}

pub(crate) fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    struct OptVisitor;
    impl<'de> Visitor<'de> for OptVisitor {
        type Value = Option<Decimal>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a decimal or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(DecimalVisitor).map(Some)
        }
    }
    d.deserialize_option(OptVisitor)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    struct Probe {
        #[serde(deserialize_with = "super::int")]
        n: i64,
        #[serde(default, deserialize_with = "super::opt_uint")]
        o: Option<u64>,
        #[serde(default, deserialize_with = "super::opt_text")]
        t: Option<String>,
        #[serde(default, deserialize_with = "super::null_as_empty")]
        e: String,
    }

    fn probe(text: &str) -> Result<Probe, serde_json::Error> {
        serde_json::from_str(text)
    }

    #[test]
    fn integers_in_any_exact_form() {
        assert_eq!(probe(r#"{"n":3}"#).unwrap().n, 3);
        assert_eq!(probe(r#"{"n":3.0}"#).unwrap().n, 3);
        assert_eq!(probe(r#"{"n":"-3"}"#).unwrap().n, -3);
        assert!(probe(r#"{"n":3.5}"#).is_err());
        assert!(probe(r#"{"n":"3.5"}"#).is_err());
        assert!(probe(r#"{"n":1e300}"#).is_err());
        assert!(probe(r#"{"n":18446744073709551615}"#).is_err());
        assert!(probe(r#"{"n":null}"#).is_err());
        assert!(probe(r#"{}"#).is_err());
    }

    #[test]
    fn optional_values() {
        let p = probe(r#"{"n":1}"#).unwrap();
        assert_eq!((p.o, p.t, p.e.as_str()), (None, None, ""));
        let p = probe(r#"{"n":1,"o":null,"t":null,"e":null}"#).unwrap();
        assert_eq!((p.o, p.t, p.e.as_str()), (None, None, ""));
        let p = probe(r#"{"n":1,"o":7,"t":12,"e":"x"}"#).unwrap();
        assert_eq!(
            (p.o, p.t.as_deref(), p.e.as_str()),
            (Some(7), Some("12"), "x")
        );
        assert!(probe(r#"{"n":1,"o":-7}"#).is_err());
    }
}
