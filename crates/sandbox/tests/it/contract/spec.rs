//! The official OpenAPI files: loading (once per file), finding the operation a concrete
//! request path belongs to, and picking the schema of a response.
//!
//! Both dialects are understood: OpenAPI 3.x (`servers`, `responses.<code>.content.<json
//! media type>.schema`, `#/components/...`) and Swagger 2.0 (`basePath`,
//! `responses.<code>.schema`, `#/definitions/...`, `x-nullable`). Every BigCommerce file in
//! `contracts/bigcommerce/openapi/` is OpenAPI 3.0.x today — `orders.v2.oas2.yml` included,
//! despite its name.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use parking_lot::Mutex;
use serde_json::{Map, Value};

use super::exceptions::SPEC_PATCHES;
use super::schema::{self, Violation, escape_token, local_ref_pointer};

/// `$SEQURA_BC_SHARED_DIR`, or `<workspace>/../shared` (docs/development.md).
pub fn shared_dir() -> PathBuf {
    std::env::var_os("SEQURA_BC_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")))
}

pub fn openapi_dir() -> PathBuf {
    shared_dir().join("contracts/bigcommerce/openapi")
}

/// The spec file `file` (a name inside `contracts/bigcommerce/openapi/`), parsed and patched
/// once per test process. Panics when the file is missing, is not OpenAPI, or when an entry
/// of the exception list no longer matches it.
pub fn load(file: &str) -> Arc<Spec> {
    static CACHE: LazyLock<Mutex<HashMap<String, Arc<Spec>>>> = LazyLock::new(Default::default);
    if let Some(spec) = CACHE.lock().get(file) {
        return Arc::clone(spec);
    }
    // Parsed outside the lock (the big files take a moment); a rare double parse is harmless.
    let path = openapi_dir().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} (set SEQURA_BC_SHARED_DIR?): {e}",
            path.display()
        )
    });
    let spec = Arc::new(Spec::parse(file, &text).unwrap_or_else(|e| panic!("{file}: {e}")));
    Arc::clone(CACHE.lock().entry(file.to_owned()).or_insert(spec))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Swagger2,
    OpenApi3,
}

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Literal(String),
    Param(String),
}

/// Splits `/a/{b}/c` into segments. Query and fragment are dropped; empty segments (double or
/// trailing slashes) are ignored.
pub fn segments(path: &str) -> Vec<Segment> {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => Segment::Param(name.to_owned()),
                None => Segment::Literal(s.to_owned()),
            },
        )
        .collect()
}

/// Matches concrete segments against a template; on success returns how specific the match
/// is (per segment: literal = true), so `/orders/count` can win over `/orders/{order_id}`.
pub fn match_template(template: &[Segment], concrete: &[Segment]) -> Option<Vec<bool>> {
    if template.len() != concrete.len() {
        return None;
    }
    template
        .iter()
        .zip(concrete)
        .map(|(t, c)| match (t, c) {
            (Segment::Literal(t), Segment::Literal(c)) => (t == c).then_some(true),
            (Segment::Param(_), Segment::Literal(_)) => Some(false),
            (_, Segment::Param(_)) => None,
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct Operation {
    /// Lower case, as in the spec (`get`, `post`, …).
    pub method: String,
    /// The path key in the spec, e.g. `/orders/{order_id}/products`.
    pub template: String,
    segments: Vec<Segment>,
    /// JSON pointer of the operation object, e.g. `/paths/~1orders~1{order_id}/get`.
    pub pointer: String,
}

/// What a documented response carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseBody {
    /// No body (no `content`, or an empty one).
    Empty,
    /// A JSON body with no schema: anything goes.
    AnyJson,
    /// A JSON body; the schema is at this JSON pointer in the document.
    Json(String),
}

/// Why no schema could be picked for a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    NoOperation {
        method: String,
        path: String,
        file: String,
    },
    UndocumentedStatus {
        operation: String,
        status: u16,
        documented: Vec<String>,
    },
    Spec(String),
}

impl LookupError {
    pub fn into_violation(self) -> Violation {
        let message = match self {
            LookupError::NoOperation { method, path, file } => {
                format!("no operation {method} {path} in {file}")
            }
            LookupError::UndocumentedStatus {
                operation,
                status,
                documented,
            } => {
                format!(
                    "status {status} is not documented for {operation} (documented: {})",
                    documented.join(", ")
                )
            }
            LookupError::Spec(message) => format!("spec: {message}"),
        };
        Violation::new("", message, "")
    }
}

#[derive(Debug)]
pub struct Spec {
    /// File name inside the openapi folder (or a made-up name for inline test specs).
    pub file: String,
    pub dialect: Dialect,
    /// The document as JSON, with the exception-list patches applied.
    pub doc: Value,
    /// Path prefixes a concrete path may start with (from `servers` / `basePath`).
    prefixes: Vec<Vec<Segment>>,
    operations: Vec<Operation>,
}

impl Spec {
    /// Parses a YAML (or JSON) OpenAPI document; patches from the exception list whose `file`
    /// is `file` are applied.
    pub fn parse(file: &str, text: &str) -> Result<Spec, String> {
        let mut yaml: serde_yaml::Value =
            serde_yaml::from_str(text).map_err(|e| format!("not YAML: {e}"))?;
        yaml.apply_merge()
            .map_err(|e| format!("YAML merge keys: {e}"))?;
        let mut doc = yaml_to_json(yaml)?;
        apply_patches(file, &mut doc)?;

        let dialect = if doc.get("swagger").and_then(Value::as_str) == Some("2.0") {
            Dialect::Swagger2
        } else if doc
            .get("openapi")
            .and_then(Value::as_str)
            .is_some_and(|v| v.starts_with('3'))
        {
            Dialect::OpenApi3
        } else {
            return Err("neither `swagger: \"2.0\"` nor `openapi: 3.x`".to_owned());
        };

        let bases: Vec<String> = match dialect {
            Dialect::Swagger2 => vec![
                doc.get("basePath")
                    .and_then(Value::as_str)
                    .unwrap_or("/")
                    .to_owned(),
            ],
            Dialect::OpenApi3 => match doc.get("servers").and_then(Value::as_array) {
                Some(servers) if !servers.is_empty() => servers
                    .iter()
                    .filter_map(|s| s.get("url").and_then(Value::as_str))
                    .map(url_path)
                    .collect(),
                _ => vec!["/".to_owned()],
            },
        };
        let mut prefixes = Vec::new();
        for base in &bases {
            // The full server path, and every tail of it that starts right after a variable
            // segment: `/stores/{store_hash}/v3` also admits `/v3/...`, the form the specs'
            // prose and our own code use.
            let base = segments(base);
            let starts = std::iter::once(0)
                .chain((1..base.len()).filter(|&i| matches!(base[i - 1], Segment::Param(_))));
            for start in starts {
                let tail = base[start..].to_vec();
                if !prefixes.contains(&tail) {
                    prefixes.push(tail);
                }
            }
        }

        let mut operations = Vec::new();
        if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
            for (template, item) in paths {
                let Some(item) = item.as_object() else {
                    continue;
                };
                for method in ["get", "put", "post", "delete", "patch", "head", "options"] {
                    if item.contains_key(method) {
                        operations.push(Operation {
                            method: method.to_owned(),
                            template: template.clone(),
                            segments: segments(template),
                            pointer: format!("/paths/{}/{method}", escape_token(template)),
                        });
                    }
                }
            }
        }
        Ok(Spec {
            file: file.to_owned(),
            dialect,
            doc,
            prefixes,
            operations,
        })
    }

    /// The operation that serves `method` on the concrete `path` (e.g.
    /// `/stores/abc123/v2/orders/250/products` or `/v2/orders/250/products`), preferring
    /// literal segments over parameters.
    pub fn find_operation(&self, method: &str, path: &str) -> Result<&Operation, LookupError> {
        let concrete = segments(path);
        let mut best: Option<(&Operation, Vec<bool>)> = None;
        for prefix in &self.prefixes {
            let Some(rest) = match_prefix(prefix, &concrete) else {
                continue;
            };
            for operation in self
                .operations
                .iter()
                .filter(|o| o.method.eq_ignore_ascii_case(method))
            {
                if let Some(score) = match_template(&operation.segments, rest)
                    && best
                        .as_ref()
                        .is_none_or(|(_, best_score)| score > *best_score)
                {
                    best = Some((operation, score));
                }
            }
        }
        best.map(|(operation, _)| operation)
            .ok_or_else(|| LookupError::NoOperation {
                method: method.to_uppercase(),
                path: path.to_owned(),
                file: self.file.clone(),
            })
    }

    /// The documented body of `operation`'s response with `status`: the exact code, else the
    /// `2XX`-style range, else `default`.
    pub fn response_body(
        &self,
        operation: &Operation,
        status: u16,
    ) -> Result<ResponseBody, LookupError> {
        let responses_pointer = format!("{}/responses", operation.pointer);
        let responses = self
            .doc
            .pointer(&responses_pointer)
            .and_then(Value::as_object)
            .ok_or_else(|| LookupError::Spec(format!("{} has no responses", operation.template)))?;
        let exact = status.to_string();
        let range = format!("{}XX", status / 100);
        let key = [exact.as_str(), range.as_str(), "default"]
            .into_iter()
            .find_map(|wanted| responses.keys().find(|k| k.eq_ignore_ascii_case(wanted)))
            .ok_or_else(|| LookupError::UndocumentedStatus {
                operation: format!("{} {}", operation.method.to_uppercase(), operation.template),
                status,
                documented: responses.keys().cloned().collect(),
            })?;

        let (pointer, response) =
            self.resolve(&format!("{responses_pointer}/{}", escape_token(key)))?;
        let response = response
            .as_object()
            .ok_or_else(|| LookupError::Spec(format!("response at {pointer} is not an object")))?;
        match self.dialect {
            Dialect::Swagger2 => Ok(match response.get("schema") {
                Some(_) => ResponseBody::Json(format!("{pointer}/schema")),
                None => ResponseBody::Empty,
            }),
            Dialect::OpenApi3 => {
                let Some(content) = response
                    .get("content")
                    .and_then(Value::as_object)
                    .filter(|c| !c.is_empty())
                else {
                    return Ok(ResponseBody::Empty);
                };
                let media = pick_json_media_type(content).ok_or_else(|| {
                    LookupError::Spec(format!(
                        "response at {pointer} documents no JSON media type (has: {})",
                        content.keys().cloned().collect::<Vec<_>>().join(", ")
                    ))
                })?;
                let media_pointer = format!("{pointer}/content/{}", escape_token(media));
                Ok(match content.get(media).and_then(|m| m.get("schema")) {
                    Some(_) => ResponseBody::Json(format!("{media_pointer}/schema")),
                    None => ResponseBody::AnyJson,
                })
            }
        }
    }

    /// Validates a response body. `body` is `Value::Null` for a response without a body.
    /// A 204 must have no body whatever the spec says (RFC 9110 §15.3.5; `scripts.v3.yml`
    /// attaches a schema to its 204).
    pub fn validate_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: &Value,
    ) -> Result<(), Vec<Violation>> {
        let operation = self
            .find_operation(method, path)
            .map_err(|e| vec![e.into_violation()])?;
        let documented = self
            .response_body(operation, status)
            .map_err(|e| vec![e.into_violation()])?;
        let violations = self.validate_body(&documented, status, body);
        if violations.is_empty() {
            Ok(())
        } else {
            Err(violations)
        }
    }

    /// Validates `body` against an already-picked response body.
    pub fn validate_body(
        &self,
        documented: &ResponseBody,
        status: u16,
        body: &Value,
    ) -> Vec<Violation> {
        match documented {
            _ if status == 204 || *documented == ResponseBody::Empty => {
                if body.is_null() {
                    Vec::new()
                } else {
                    vec![Violation::new(
                        "",
                        format!(
                            "status {status} has no body, got {}",
                            schema::describe(body)
                        ),
                        "",
                    )]
                }
            }
            ResponseBody::AnyJson | ResponseBody::Empty => Vec::new(),
            ResponseBody::Json(pointer) => schema::validate(&self.doc, pointer, body),
        }
    }

    /// Follows `$ref`s from `pointer` until a non-reference object (cycle-protected).
    fn resolve(&self, pointer: &str) -> Result<(String, &Value), LookupError> {
        let mut pointer = pointer.to_owned();
        let mut seen = Vec::new();
        loop {
            let node = self
                .doc
                .pointer(&pointer)
                .ok_or_else(|| LookupError::Spec(format!("nothing at #{pointer}")))?;
            let Some(reference) = node.get("$ref").and_then(Value::as_str) else {
                return Ok((pointer, node));
            };
            let target = local_ref_pointer(reference).ok_or_else(|| {
                LookupError::Spec(format!("non-local $ref {reference} at #{pointer}"))
            })?;
            if seen.contains(&target) {
                return Err(LookupError::Spec(format!("$ref cycle through {reference}")));
            }
            seen.push(target.clone());
            pointer = target;
        }
    }
}

/// `application/json` if present, else the first media type that is JSON
/// (`application/problem+json`, `application/json; charset=utf-8`, …). Keys that are not
/// media types at all — `checkouts.v3.yml` has example names such as `Available Shipping
/// Options` under `content` — are never picked.
fn pick_json_media_type(content: &Map<String, Value>) -> Option<&str> {
    content
        .keys()
        .find(|k| k.as_str() == "application/json")
        .map(String::as_str)
        .or_else(|| {
            content
                .keys()
                .find(|k| {
                    let essence = k
                        .split(';')
                        .next()
                        .unwrap_or_default()
                        .trim()
                        .to_ascii_lowercase();
                    essence.contains('/')
                        && (essence.ends_with("/json") || essence.ends_with("+json"))
                })
                .map(String::as_str)
        })
}

fn match_prefix<'c>(prefix: &[Segment], concrete: &'c [Segment]) -> Option<&'c [Segment]> {
    if concrete.len() < prefix.len() {
        return None;
    }
    let (head, rest) = concrete.split_at(prefix.len());
    match_template(prefix, head).map(|_| rest)
}

/// The path part of a server URL: `https://api.bigcommerce.com/stores/{store_hash}/v3` →
/// `/stores/{store_hash}/v3`; a relative URL is already a path.
fn url_path(url: &str) -> String {
    match url.split_once("://") {
        Some((_, after_scheme)) => match after_scheme.find('/') {
            Some(slash) => after_scheme[slash..].to_owned(),
            None => "/".to_owned(),
        },
        None => url.to_owned(),
    }
}

fn yaml_to_json(yaml: serde_yaml::Value) -> Result<Value, String> {
    use serde_yaml::Value as Y;
    Ok(match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| format!("number {n} has no JSON form"))?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .map(yaml_to_json)
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(mapping) => {
            let mut map = Map::new();
            for (key, value) in mapping {
                // Unquoted `200:` would be a YAML integer; OpenAPI keys are strings.
                let key = match key {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => return Err(format!("unsupported mapping key {other:?}")),
                };
                map.insert(key, yaml_to_json(value)?);
            }
            Value::Object(map)
        }
        Y::Tagged(tagged) => yaml_to_json(tagged.value)?,
    })
}

/// Applies the exception list's patches for `file`, checking that each still finds the
/// original text it corrects (so a fixed upstream spec makes its exception fail loudly).
fn apply_patches(file: &str, doc: &mut Value) -> Result<(), String> {
    for patch in SPEC_PATCHES.iter().filter(|p| p.file == file) {
        let context = || format!("exception {} #{}", patch.file, patch.pointer);
        let replacement: Value = serde_json::from_str(patch.replacement)
            .map_err(|e| format!("{}: replacement is not JSON: {e}", context()))?;
        let (parent_pointer, last) = patch
            .pointer
            .rsplit_once('/')
            .ok_or_else(|| format!("{}: pointer must start with '/'", context()))?;
        let last = last.replace("~1", "/").replace("~0", "~");
        let parent = doc
            .pointer_mut(parent_pointer)
            .and_then(Value::as_object_mut)
            .ok_or_else(|| format!("{}: no object at #{parent_pointer}", context()))?;
        let found = parent.get(&last);
        let expected: Option<Value> = patch
            .original
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| format!("{}: original is not JSON: {e}", context()))?;
        if found != expected.as_ref() {
            return Err(format!(
                "{}: the spec no longer says {} here (found {}); re-check the exception ({})",
                context(),
                patch.original.unwrap_or("<absent>"),
                found.map_or("<absent>".to_owned(), Value::to_string),
                patch.reason
            ));
        }
        parent.insert(last, replacement);
    }
    Ok(())
}
