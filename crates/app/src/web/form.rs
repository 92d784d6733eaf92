//! Reading request bodies strictly. axum's `Form` follows the lenient URL-encoding rules of
//! browsers' URL parsers: a malformed percent escape is kept as text and invalid UTF-8
//! becomes U+FFFD, so a garbled body could be saved as something nobody typed. Here a form
//! must say it is one (`Content-Type`), be UTF-8 before and after percent-decoding, use only
//! well-formed escapes, and deserialize into the expected fields; every refusal is a 4xx
//! that says which of these failed, before anything is read or written.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;

use super::AppError;

pub const FORM: &str = "application/x-www-form-urlencoded";
pub const JSON: &str = "application/json";

/// Longest part of a deserializer's message echoed back.
const MAX_MESSAGE: usize = 200;

/// A form body read strictly (see the module docs); the rejection is an [`AppError`].
#[derive(Debug)]
pub struct StrictForm<T>(pub T);

impl<S, T> FromRequest<S> for StrictForm<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        require_content_type(req.headers(), FORM)?;
        let body = Bytes::from_request(req, state).await.map_err(body_error)?;
        decode(&body).map(StrictForm)
    }
}

/// Maps a failure to read the body: too large is a 413, anything else a 400.
pub fn body_error(rejection: BytesRejection) -> AppError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge("the request body is too large".into())
    } else {
        AppError::BadRequest("the request body could not be read".into())
    }
}

/// The request must declare `mime` (parameters such as `charset=utf-8` allowed; any other
/// charset is refused).
pub fn require_content_type(headers: &HeaderMap, mime: &str) -> Result<(), AppError> {
    let refused = || AppError::UnsupportedMediaType(format!("the body must be sent as {mime}"));
    let value = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(refused)?;
    let mut parts = value.split(';').map(str::trim);
    if !parts.next().is_some_and(|m| m.eq_ignore_ascii_case(mime)) {
        return Err(refused());
    }
    for param in parts {
        if let Some((name, v)) = param.split_once('=')
            && name.trim().eq_ignore_ascii_case("charset")
            && !v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        {
            return Err(refused());
        }
    }
    Ok(())
}

/// Decodes a URL-encoded form body strictly into `T`.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    check_encoding(body)?;
    serde_urlencoded::from_bytes(body).map_err(|e| {
        let why: String = e.to_string().chars().take(MAX_MESSAGE).collect();
        AppError::BadRequest(format!("the form could not be read: {why}"))
    })
}

/// UTF-8 throughout, and every `%` followed by two hex digits.
pub fn check_encoding(body: &[u8]) -> Result<(), AppError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| AppError::BadRequest("the form is not valid UTF-8".into()))?;
    for component in text.split(['&', '=']) {
        let bytes = component.as_bytes();
        let mut decoded = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'%' => {
                    let hex = |j: usize| bytes.get(j).and_then(|b| (*b as char).to_digit(16));
                    match (hex(i + 1), hex(i + 2)) {
                        (Some(hi), Some(lo)) => {
                            decoded.push(u8::try_from(hi * 16 + lo).unwrap_or(0));
                            i += 3;
                        }
                        _ => {
                            return Err(AppError::BadRequest(
                                "the form has a malformed percent escape".into(),
                            ));
                        }
                    }
                }
                b => {
                    decoded.push(b);
                    i += 1;
                }
            }
        }
        if std::str::from_utf8(&decoded).is_err() {
            return Err(AppError::BadRequest(
                "the form is not valid UTF-8 once decoded".into(),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn headers(ct: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, ct.parse().unwrap());
        h
    }

    #[test]
    fn content_types() {
        for ok in [
            FORM,
            "application/x-www-form-urlencoded; charset=UTF-8",
            "Application/X-WWW-Form-Urlencoded;charset=\"utf-8\"",
        ] {
            assert!(require_content_type(&headers(ok), FORM).is_ok(), "{ok}");
        }
        for bad in [
            "application/json",
            "text/plain",
            "application/x-www-form-urlencoded; charset=latin1",
            "application/x-www-form-urlencodedx",
            "",
        ] {
            assert!(require_content_type(&headers(bad), FORM).is_err(), "{bad}");
        }
        assert!(require_content_type(&HeaderMap::new(), FORM).is_err());
    }

    #[test]
    fn strict_decoding() {
        let ok: BTreeMap<String, String> = decode(b"a=1&b=%C3%A9+x&c").unwrap();
        assert_eq!(ok["b"], "é x");
        assert_eq!(ok["c"], "");
        for bad in [
            &b"a=%"[..],
            b"a=%4",
            b"a=%zz",
            b"a=%FF",
            b"a=\xff",
            b"%C3=1",
            b"a=%C3%28",
        ] {
            let err = decode::<BTreeMap<String, String>>(bad).unwrap_err();
            assert_eq!(err.status(), StatusCode::BAD_REQUEST, "{bad:?}");
        }
    }

    #[test]
    fn missing_fields_and_wrong_shapes_are_400s_that_say_so() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct F {
            name: String,
            count: u32,
        }
        match decode::<F>(b"name=x").unwrap_err() {
            AppError::BadRequest(m) => assert!(m.contains("count"), "{m}"),
            other => panic!("{other:?}"),
        }
        match decode::<F>(b"name=x&count=many").unwrap_err() {
            AppError::BadRequest(m) => assert!(m.contains("could not be read"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
}
