//! Domain types that parse instead of validate: once a value exists, it is well formed.

use std::fmt;

/// A BigCommerce store hash (`abc123` in `stores/abc123`): the tenant key of every row.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StoreHash(String);

impl StoreHash {
    /// Store hashes are short lowercase alphanumeric strings; anything else is refused so it
    /// can never reach a query, a URL or a log line unescaped.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let ok = !text.is_empty()
            && text.len() <= 64
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(InvalidInput("store hash"))
        }
    }

    /// From a BigCommerce `context`/`sub` value such as `stores/abc123`.
    pub fn from_context(context: &str) -> Result<Self, InvalidInput> {
        context
            .strip_prefix("stores/")
            .ok_or(InvalidInput("store context"))
            .and_then(Self::parse)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StoreHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Input that does not parse into a domain type; the payload names what was wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid {0}")]
pub struct InvalidInput(pub &'static str);

/// SeQura environment of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Sandbox,
    Live,
}

impl Environment {
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        match text {
            "sandbox" => Ok(Self::Sandbox),
            "live" => Ok(Self::Live),
            _ => Err(InvalidInput("environment")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sandbox => "sandbox",
            Self::Live => "live",
        }
    }
}

/// SeQura states that the order status mapping covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SequraState {
    Approved,
    NeedsReview,
    Cancelled,
}

impl SequraState {
    pub const ALL: [SequraState; 3] = [Self::Approved, Self::NeedsReview, Self::Cancelled];

    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        match text {
            "approved" => Ok(Self::Approved),
            "needs_review" => Ok(Self::NeedsReview),
            "cancelled" => Ok(Self::Cancelled),
            _ => Err(InvalidInput("SeQura state")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::NeedsReview => "needs_review",
            Self::Cancelled => "cancelled",
        }
    }

    /// The mapping installed with the app (architecture §5.2): Awaiting Fulfillment,
    /// Manual Verification Required, Cancelled.
    pub fn default_bc_status(self) -> i64 {
        match self {
            Self::Approved => 11,
            Self::NeedsReview => 12,
            Self::Cancelled => 5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_hash_parsing() {
        assert!(StoreHash::parse("abc123").is_ok());
        assert_eq!(
            StoreHash::from_context("stores/z4zn3wo").unwrap().as_str(),
            "z4zn3wo"
        );
        for bad in ["", "ABC", "a/b", "a b", "stores/x", "é", &"a".repeat(65)] {
            assert!(StoreHash::parse(bad).is_err(), "{bad:?}");
        }
        assert!(StoreHash::from_context("abc123").is_err());
        assert!(StoreHash::from_context("stores/").is_err());
    }
}
