//! Lenient deserializers for references the contract types as "string or int"
//! (`cart_ref`, `order_ref_1`, item `reference`, `product_id`, customer `ref`). We always
//! send strings; reading accepts integers too, so a payload written by another tool (or
//! stored by an older version) still loads.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

struct TextVisitor;

impl Visitor<'_> for TextVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or an integer")
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
}

struct OptTextVisitor;

impl<'de> Visitor<'de> for OptTextVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, an integer or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(TextVisitor).map(Some)
    }
}

/// A string, or an integer read as its decimal text.
pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_any(TextVisitor)
}

/// Like [`text`], null or absent being `None` (use with `#[serde(default)]`).
pub(crate) fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    d.deserialize_option(OptTextVisitor)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Refs {
        #[serde(deserialize_with = "super::text")]
        a: String,
        #[serde(default, deserialize_with = "super::opt_text")]
        b: Option<String>,
    }

    #[test]
    fn strings_and_integers() {
        let r: Refs = serde_json::from_str(r#"{"a": 12, "b": "x"}"#).unwrap();
        assert_eq!((r.a.as_str(), r.b.as_deref()), ("12", Some("x")));
        let r: Refs = serde_json::from_str(r#"{"a": "A1", "b": null}"#).unwrap();
        assert_eq!((r.a.as_str(), r.b), ("A1", None));
        let r: Refs = serde_json::from_str(r#"{"a": "A1"}"#).unwrap();
        assert_eq!(r.b, None);
        let r: Refs = serde_json::from_str(r#"{"a": "A1", "b": 7}"#).unwrap();
        assert_eq!(r.b.as_deref(), Some("7"));
        assert!(serde_json::from_str::<Refs>(r#"{"a": 1.5}"#).is_err());
        assert!(serde_json::from_str::<Refs>(r#"{"a": true}"#).is_err());
    }
}
