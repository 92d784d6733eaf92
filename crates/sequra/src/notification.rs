//! The two notifications SeQura POSTs to the shop (spec §2), as
//! `application/x-www-form-urlencoded` UTF-8 bodies, read into one [`Notification`]:
//!
//! * **IPN** (`merchant.notify_url`): every `notification_parameters` key echoed without
//!   prefix, plus `order_ref`, `order_ref_1`, `product_code`, `sq_state` (`approved` |
//!   `needs_review` | `cancelled`) and optionally `approved_since` / `needs_review_since`.
//! * **Events webhook** (`merchant.events_webhook.url`): `event`, `order_ref`,
//!   `order_ref_1`, `order_ref_2`, every `events_webhook.parameters` key with an `m_`
//!   prefix, and `charset`/`utf8` noise.
//!
//! As in the SeQura core, an event is an IPN with `event` read as `sq_state` and the `m_`
//! prefix stripped, so one handler (and one URL) can serve both. `cancel` and `cancelled`
//! both mean cancellation; other event names (`return`, `risk_assessment`, …) are
//! [`NotificationError::UnknownState`] — answer those 501.
//!
//! Nothing here trusts the body: the echoed `signature` parameter must still be checked
//! against the stored order ([`crate::signature::verify`]).

use std::collections::BTreeMap;

/// Which channel a notification came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationKind {
    Ipn,
    Event,
}

/// What SeQura decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationState {
    /// Ready to fulfil: acknowledge with `PUT orders/{uuid}` state `confirmed`.
    Approved,
    /// Manual review: acknowledge with state `on_hold`; an `approved` IPN or a
    /// cancellation event follows.
    NeedsReview,
    /// The order is cancelled (IPN `cancelled`, event `cancel` or `cancelled`).
    Cancelled,
}

impl NotificationState {
    /// `approved`, `needs_review`, `cancelled` (and the event spelling `cancel`).
    pub fn parse(text: &str) -> Option<NotificationState> {
        match text {
            "approved" => Some(NotificationState::Approved),
            "needs_review" => Some(NotificationState::NeedsReview),
            "cancelled" | "cancel" => Some(NotificationState::Cancelled),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NotificationState::Approved => "approved",
            NotificationState::NeedsReview => "needs_review",
            NotificationState::Cancelled => "cancelled",
        }
    }
}

/// An IPN or event, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub kind: NotificationKind,
    pub state: NotificationState,
    /// SeQura's order uuid (the `Location` of `POST orders`). Never empty.
    pub order_ref: String,
    /// The shop's order number, when SeQura knows it (empty → `None`).
    pub order_ref_1: Option<String>,
    /// Events only (empty or the literal `""` → `None`).
    pub order_ref_2: Option<String>,
    /// IPN only: the product the shopper chose (`i1`, `pp3`, …).
    pub product_code: Option<String>,
    /// IPN only, on approvals (unit undocumented).
    pub approved_since: Option<i64>,
    /// IPN only, on review.
    pub needs_review_since: Option<i64>,
    /// The parameters we put in `notification_parameters` / `events_webhook.parameters`
    /// (`signature`, `storeId`, …), unprefixed.
    pub parameters: BTreeMap<String, String>,
}

impl Notification {
    /// The echoed parameter `name` (e.g. `signature`).
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters.get(name).map(String::as_str)
    }

    /// An IPN body.
    pub fn parse_ipn(body: &[u8]) -> Result<Notification, NotificationError> {
        let fields = parse_form(body)?;
        if fields.iter().any(|(k, _)| k == "event") {
            return Err(NotificationError::Ambiguous);
        }
        from_ipn_fields(fields)
    }

    /// An events-webhook body.
    pub fn parse_event(body: &[u8]) -> Result<Notification, NotificationError> {
        let fields = parse_form(body)?;
        if fields.iter().any(|(k, _)| k == "sq_state") {
            return Err(NotificationError::Ambiguous);
        }
        from_event_fields(fields)
    }

    /// Either: a body with `event` is an event, one with `sq_state` an IPN; both or
    /// neither is an error.
    pub fn parse(body: &[u8]) -> Result<Notification, NotificationError> {
        let fields = parse_form(body)?;
        let has_event = fields.iter().any(|(k, _)| k == "event");
        let has_state = fields.iter().any(|(k, _)| k == "sq_state");
        match (has_event, has_state) {
            (true, true) => Err(NotificationError::Ambiguous),
            (true, false) => from_event_fields(fields),
            (false, true) => from_ipn_fields(fields),
            (false, false) => Err(NotificationError::MissingField("sq_state")),
        }
    }
}

/// Why a notification body was refused. The app answers 400 (501 for an unknown state).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotificationError {
    #[error("notification body is not valid UTF-8")]
    InvalidUtf8,
    #[error("notification body is not form-encoded: {0}")]
    Malformed(String),
    #[error("notification field {0} is missing or empty")]
    MissingField(&'static str),
    #[error("notification field {0} appears more than once")]
    DuplicateField(String),
    #[error("notification field {field} is invalid: {value:?}")]
    InvalidField { field: &'static str, value: String },
    /// A state or event this app does not handle (answer 501 `Unknown event`).
    #[error("unknown notification state {0:?}")]
    UnknownState(String),
    /// The body has both `event` and `sq_state`.
    #[error("notification has both event and sq_state")]
    Ambiguous,
}

/// Longest field value echoed in an error.
const MAX_ECHO: usize = 80;

/// Biggest body accepted (SeQura's are a few hundred bytes; parameters are ours).
const MAX_BODY: usize = 64 * 1024;

/// At most `MAX_ECHO` characters of `value`, control characters escaped first: an error
/// quotes it with `{:?}`, and escaping after the cut would let 80 control characters grow
/// into 500 characters of message.
fn echo(value: &str) -> String {
    value
        .chars()
        .flat_map(|c| {
            let printable = !c.is_control();
            let escaped: Vec<char> = if printable {
                vec![c]
            } else {
                c.escape_default().collect()
            };
            escaped
        })
        .take(MAX_ECHO)
        .collect()
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `application/x-www-form-urlencoded` decoding of one name or value: `+` is a space,
/// `%XX` a byte; a `%` not followed by two hex digits is refused; the bytes must be UTF-8.
fn decode_component(raw: &str) -> Result<String, NotificationError> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hi = bytes.get(i + 1).copied().and_then(hex_value);
                let lo = bytes.get(i + 2).copied().and_then(hex_value);
                match (hi, lo) {
                    (Some(hi), Some(lo)) => {
                        out.push(hi * 16 + lo);
                        i += 3;
                    }
                    _ => {
                        return Err(NotificationError::Malformed(format!(
                            "bad percent escape in {:?}",
                            echo(raw)
                        )));
                    }
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| NotificationError::InvalidUtf8)
}

/// The body's fields in order; empty pairs (`a=1&&b=2`) are skipped, a pair without `=`
/// is a name with an empty value.
fn parse_form(body: &[u8]) -> Result<Vec<(String, String)>, NotificationError> {
    if body.len() > MAX_BODY {
        return Err(NotificationError::Malformed("body too large".into()));
    }
    let text = std::str::from_utf8(body).map_err(|_| NotificationError::InvalidUtf8)?;
    let text = text.trim();
    let mut fields = Vec::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = decode_component(name)?;
        if name.is_empty() {
            return Err(NotificationError::Malformed("field without a name".into()));
        }
        let value = decode_component(value)?;
        if fields.iter().any(|(k, _): &(String, String)| *k == name) {
            return Err(NotificationError::DuplicateField(echo(&name)));
        }
        fields.push((name, value));
    }
    if fields.is_empty() {
        return Err(NotificationError::Malformed("empty body".into()));
    }
    Ok(fields)
}

fn non_empty(value: String) -> Option<String> {
    let trimmed = value.trim();
    // The events docs show `order_ref_2=%22%22`: a literal `""` meaning "none".
    if trimmed.is_empty() || trimmed == "\"\"" {
        None
    } else {
        Some(value)
    }
}

fn integer(field: &'static str, value: String) -> Result<Option<i64>, NotificationError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    trimmed
        .parse::<i64>()
        .map(Some)
        .map_err(|_| NotificationError::InvalidField {
            field,
            value: echo(&value),
        })
}

fn state_of(value: &str) -> Result<NotificationState, NotificationError> {
    NotificationState::parse(value.trim())
        .ok_or_else(|| NotificationError::UnknownState(echo(value)))
}

#[derive(Default)]
struct Collected {
    state: Option<String>,
    order_ref: Option<String>,
    order_ref_1: Option<String>,
    order_ref_2: Option<String>,
    product_code: Option<String>,
    approved_since: Option<i64>,
    needs_review_since: Option<i64>,
    parameters: BTreeMap<String, String>,
}

impl Collected {
    fn finish(self, kind: NotificationKind) -> Result<Notification, NotificationError> {
        let state_field = match kind {
            NotificationKind::Ipn => "sq_state",
            NotificationKind::Event => "event",
        };
        let state = match self.state.as_deref().map(str::trim) {
            None | Some("") => return Err(NotificationError::MissingField(state_field)),
            Some(text) => state_of(text)?,
        };
        let order_ref = self
            .order_ref
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty())
            .ok_or(NotificationError::MissingField("order_ref"))?;
        Ok(Notification {
            kind,
            state,
            order_ref,
            order_ref_1: self.order_ref_1,
            order_ref_2: self.order_ref_2,
            product_code: self.product_code,
            approved_since: self.approved_since,
            needs_review_since: self.needs_review_since,
            parameters: self.parameters,
        })
    }
}

fn from_ipn_fields(fields: Vec<(String, String)>) -> Result<Notification, NotificationError> {
    let mut c = Collected::default();
    for (name, value) in fields {
        match name.as_str() {
            "sq_state" => c.state = Some(value),
            "order_ref" => c.order_ref = Some(value),
            "order_ref_1" => c.order_ref_1 = non_empty(value),
            "order_ref_2" => c.order_ref_2 = non_empty(value),
            "product_code" => c.product_code = non_empty(value),
            "approved_since" => c.approved_since = integer("approved_since", value)?,
            "needs_review_since" => c.needs_review_since = integer("needs_review_since", value)?,
            _ => {
                c.parameters.insert(name, value);
            }
        }
    }
    c.finish(NotificationKind::Ipn)
}

fn from_event_fields(fields: Vec<(String, String)>) -> Result<Notification, NotificationError> {
    let mut c = Collected::default();
    for (name, value) in fields {
        match name.as_str() {
            "event" => c.state = Some(value),
            "order_ref" => c.order_ref = Some(value),
            "order_ref_1" => c.order_ref_1 = non_empty(value),
            "order_ref_2" => c.order_ref_2 = non_empty(value),
            "product_code" => c.product_code = non_empty(value),
            _ => {
                if let Some(param) = name.strip_prefix("m_") {
                    if param.is_empty() {
                        continue;
                    }
                    if c.parameters.contains_key(param) {
                        return Err(NotificationError::DuplicateField(echo(&name)));
                    }
                    c.parameters.insert(param.to_owned(), value);
                }
                // Anything else (`charset`, `utf8`, `risk_level`, …) is not ours to read.
            }
        }
    }
    c.finish(NotificationKind::Event)
}

#[cfg(test)]
mod tests {
    use super::*;

    const IPN: &str = "cart=5678&signature=K6hDNSwfcJjF%2BsuAJqXAjA%3D%3D&order_ref=d168f9bc-de62-4635-be52-0f0c0a5903aa&approved_since=3&product_code=i1&sq_state=approved&order_ref_1=ZXCV1234";
    const EVENT: &str = "charset=UTF-8&utf8=%E2%88%9A&event=cancel&order_ref_1=QWER1234&order_ref_2=%22%22&order_ref=ca412138-0af6-4079-a92d-24f7a0ffb18a&m_signature=K6hDNSwfcJjF%2BsuAJqXAjA%3D%3D&m_storeId=st+1";

    #[test]
    fn parses_the_documented_ipn() {
        let n = Notification::parse_ipn(IPN.as_bytes()).unwrap();
        assert_eq!(n.kind, NotificationKind::Ipn);
        assert_eq!(n.state, NotificationState::Approved);
        assert_eq!(n.order_ref, "d168f9bc-de62-4635-be52-0f0c0a5903aa");
        assert_eq!(n.order_ref_1.as_deref(), Some("ZXCV1234"));
        assert_eq!(n.product_code.as_deref(), Some("i1"));
        assert_eq!(n.approved_since, Some(3));
        assert_eq!(n.needs_review_since, None);
        assert_eq!(n.parameter("signature"), Some("K6hDNSwfcJjF+suAJqXAjA=="));
        assert_eq!(n.parameter("cart"), Some("5678"));
        assert_eq!(n.parameters.len(), 2);
        assert_eq!(Notification::parse(IPN.as_bytes()).unwrap(), n);
    }

    #[test]
    fn parses_every_ipn_state() {
        for (text, state) in [
            ("approved", NotificationState::Approved),
            ("needs_review", NotificationState::NeedsReview),
            ("cancelled", NotificationState::Cancelled),
        ] {
            let body = format!("order_ref=u1&sq_state={text}&order_ref_1=&needs_review_since=17");
            let n = Notification::parse_ipn(body.as_bytes()).unwrap();
            assert_eq!(n.state, state);
            assert_eq!(n.state.as_str(), text);
            assert_eq!(n.order_ref_1, None);
            assert_eq!(n.product_code, None);
            assert_eq!(n.needs_review_since, Some(17));
        }
    }

    #[test]
    fn parses_the_documented_event() {
        let n = Notification::parse_event(EVENT.as_bytes()).unwrap();
        assert_eq!(n.kind, NotificationKind::Event);
        assert_eq!(n.state, NotificationState::Cancelled);
        assert_eq!(n.order_ref, "ca412138-0af6-4079-a92d-24f7a0ffb18a");
        assert_eq!(n.order_ref_1.as_deref(), Some("QWER1234"));
        assert_eq!(n.order_ref_2, None);
        assert_eq!(n.parameter("signature"), Some("K6hDNSwfcJjF+suAJqXAjA=="));
        assert_eq!(n.parameter("storeId"), Some("st 1"));
        assert_eq!(n.parameters.len(), 2, "charset/utf8 are not parameters");
        assert_eq!(Notification::parse(EVENT.as_bytes()).unwrap(), n);

        let n = Notification::parse_event(b"event=cancelled&order_ref=u1&order_ref_2=R2").unwrap();
        assert_eq!(n.state, NotificationState::Cancelled);
        assert_eq!(n.order_ref_2.as_deref(), Some("R2"));
    }

    #[test]
    fn refuses_bad_bodies() {
        use NotificationError as E;
        let ipn = |b: &[u8]| Notification::parse_ipn(b).unwrap_err();
        let event = |b: &[u8]| Notification::parse_event(b).unwrap_err();
        assert_eq!(
            ipn(b"order_ref=u1&sq_state=shipped"),
            E::UnknownState("shipped".into())
        );
        assert_eq!(
            ipn(b"order_ref=u1&sq_state=Approved"),
            E::UnknownState("Approved".into())
        );
        assert_eq!(ipn(b"order_ref=u1&sq_state="), E::MissingField("sq_state"));
        assert_eq!(ipn(b"order_ref=u1"), E::MissingField("sq_state"));
        assert_eq!(ipn(b"sq_state=approved"), E::MissingField("order_ref"));
        assert_eq!(
            ipn(b"sq_state=approved&order_ref=+"),
            E::MissingField("order_ref")
        );
        assert_eq!(
            ipn(b"order_ref=u1&sq_state=approved&sq_state=cancelled"),
            E::DuplicateField("sq_state".into())
        );
        assert!(matches!(
            ipn(b"order_ref=u1&sq_state=approved&approved_since=soon"),
            E::InvalidField {
                field: "approved_since",
                ..
            }
        ));
        assert_eq!(
            ipn(b"order_ref=u1&sq_state=approved&x=\xff"),
            E::InvalidUtf8
        );
        assert_eq!(ipn(b"order_ref=u1&sq_state=approved&x=%ff"), E::InvalidUtf8);
        assert!(matches!(
            ipn(b"order_ref=u1&sq_state=approved&x=%zz"),
            E::Malformed(_)
        ));
        assert!(matches!(
            ipn(b"order_ref=u1&sq_state=approved&x=%4"),
            E::Malformed(_)
        ));
        assert!(matches!(ipn(b""), E::Malformed(_)));
        assert!(matches!(
            ipn(b"=1&order_ref=u1&sq_state=approved"),
            E::Malformed(_)
        ));
        assert_eq!(
            ipn(b"{\"sq_state\":\"approved\"}"),
            E::MissingField("sq_state")
        );
        assert_eq!(ipn(b"event=cancel&order_ref=u1"), E::Ambiguous);
        assert!(matches!(ipn(&vec![b'a'; MAX_BODY + 1]), E::Malformed(_)));

        assert_eq!(
            event(b"event=return&order_ref=u1"),
            E::UnknownState("return".into())
        );
        assert_eq!(event(b"event=cancel"), E::MissingField("order_ref"));
        assert_eq!(
            event(b"order_ref=u1&charset=UTF-8"),
            E::MissingField("event")
        );
        assert_eq!(
            event(b"event=cancel&order_ref=u1&sq_state=approved"),
            E::Ambiguous
        );
        assert_eq!(
            event(b"event=cancel&order_ref=u1&m_a=1&m_a=2"),
            E::DuplicateField("m_a".into())
        );

        assert_eq!(
            Notification::parse(b"order_ref=u1&event=cancel&sq_state=approved").unwrap_err(),
            E::Ambiguous
        );
        assert_eq!(
            Notification::parse(b"order_ref=u1").unwrap_err(),
            E::MissingField("sq_state")
        );
    }

    #[test]
    fn control_characters_cannot_inflate_errors() {
        // Found by the fuzzer: 80 control characters quoted with {:?} made a 500-character
        // message out of a 200-byte body.
        let body = format!(
            "order_ref=u1&sq_state=approved&x={}%zz",
            "\u{1b}".repeat(200)
        );
        let err = Notification::parse_ipn(body.as_bytes()).unwrap_err();
        assert!(matches!(err, NotificationError::Malformed(_)));
        assert!(err.to_string().chars().count() < 2 * MAX_ECHO + 60, "{err}");
        let body = format!("order_ref=u1&sq_state={}", "\u{0}".repeat(500));
        let err = Notification::parse_ipn(body.as_bytes()).unwrap_err();
        assert!(err.to_string().chars().count() < 2 * MAX_ECHO + 60, "{err}");
    }

    #[test]
    fn long_values_are_cut_in_errors() {
        let body = format!("order_ref=u1&sq_state={}", "x".repeat(1000));
        match Notification::parse_ipn(body.as_bytes()).unwrap_err() {
            NotificationError::UnknownState(s) => assert_eq!(s.len(), MAX_ECHO),
            other => panic!("{other}"),
        }
    }
}
