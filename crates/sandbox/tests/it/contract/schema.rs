//! A small validator for the subset of JSON Schema that OpenAPI 3.0 / 3.1 and Swagger 2.0
//! response schemas use, written for the contract tests (no external validator: the
//! OpenAPI dialects — `nullable`, `x-nullable`, `$ref` siblings ignored, no `$id` — differ
//! enough from plain JSON Schema that a general-purpose crate would need as much glue).
//!
//! Checked: `$ref` (local `#/…` only, cycle-protected), `type` (also 3.1 type arrays;
//! `integer` means an integer *literal*, `number` accepts any number), `nullable` /
//! `x-nullable` / `"null"` in a type array, `required`, `properties`,
//! `additionalProperties` (`false` or a schema), `items`, `enum`, `const`, `allOf` (every
//! branch), `anyOf` / `oneOf` (at least one branch), `not`, and `format: date-time`
//! (RFC 3339, the only format that the v3 files use for dates — v2 dates are RFC 2822 and
//! are declared as plain strings).
//!
//! Deliberately stricter than JSON Schema: a schema without `type` that has `properties`,
//! `required` or `additionalProperties` is taken as `type: object`, and one with `items` as
//! `type: array` (authors often leave `type` out; a string where an object is described is a
//! contract break all the same). A keyword that we do not implement and that would change the
//! verdict (`patternProperties`, `if`, `prefixItems`, …) is reported as a violation instead of
//! being ignored, so the validator can never pass something it did not look at.
//!
//! Separately, [`undeclared`] is the closed-world check: members no schema declares (a
//! misspelt optional field passes [`validate`], since OpenAPI objects are open by default).
//!
//! Deliberately NOT checked (value constraints, not shape; the official files are sloppy with
//! them and the contract test is about fields being present and correctly typed):
//! `format` other than `date-time` (`int32`, `double`, `uuid`, `email`, `uri`, …),
//! `minLength` / `maxLength` / `pattern`, `minimum` / `maximum` / `exclusive*` / `multipleOf`,
//! `minItems` / `maxItems` / `uniqueItems`, `readOnly` / `writeOnly`, `discriminator` (the
//! branches are tried as a plain `oneOf`), exclusivity of `oneOf` (BigCommerce's alternatives
//! overlap, so "exactly one" would reject valid bodies), `default`, `example(s)`,
//! `deprecated`.

use std::fmt;

use serde_json::{Map, Value};

/// One way in which a JSON value breaks its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer (RFC 6901) into the validated value; `""` is the value itself.
    pub pointer: String,
    pub message: String,
    /// JSON pointer into the spec document of the schema that failed (`""` when the problem
    /// is not tied to a schema, e.g. an undocumented status code).
    pub schema: String,
}

impl Violation {
    pub fn new(pointer: &str, message: impl Into<String>, schema: &str) -> Self {
        Self {
            pointer: pointer.to_owned(),
            message: message.into(),
            schema: schema.to_owned(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() {
            "(root)"
        } else {
            &self.pointer
        };
        write!(f, "{at}: {}", self.message)?;
        if !self.schema.is_empty() {
            write!(f, "  [schema #{}]", self.schema)?;
        }
        Ok(())
    }
}

/// Validates `value` against the schema found at `schema_pointer` (a JSON pointer, e.g.
/// `/components/schemas/order_Full`) inside the spec document `doc`. `$ref`s are resolved
/// inside `doc`. Returns every violation found (empty = conforms).
pub fn validate(doc: &Value, schema_pointer: &str, value: &Value) -> Vec<Violation> {
    let mut walker = Walker {
        doc,
        out: Vec::new(),
        active_refs: Vec::new(),
        depth: 0,
    };
    match doc.pointer(schema_pointer) {
        Some(schema) => walker.check(schema, schema_pointer, value, ""),
        None => walker.fail("", schema_pointer, "spec: no schema at this location"),
    }
    // A property declared in several `allOf` branches fails once per branch; one report of
    // the same problem at the same place is enough (the first schema found is kept).
    let mut seen = std::collections::HashSet::new();
    walker
        .out
        .retain(|v| seen.insert((v.pointer.clone(), v.message.clone())));
    walker.out
}

/// The closed-world check: members of `value` that no schema reachable at their place
/// declares — a misspelt or invented field, which [`validate`] lets through because OpenAPI
/// objects are open unless they say `additionalProperties: false`.
///
/// Lenient where the shape is ambiguous: the properties of every `allOf` / `anyOf` /
/// `oneOf` branch count as declared, an object whose schemas declare no property at all
/// (`meta: {}`, `type: object`) is free-form, and `additionalProperties` other than `false`
/// opens it (its schema then applies to the other members). Types are [`validate`]'s job.
pub fn undeclared(doc: &Value, schema_pointer: &str, value: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    if let Some(schema) = doc.pointer(schema_pointer) {
        undeclared_in(
            doc,
            vec![(schema, schema_pointer.to_owned())],
            value,
            "",
            &mut out,
        );
    }
    out
}

/// The schema objects that `schemas` stand for, through `$ref`s and combinators; `None`
/// when one of them accepts anything (`true`, or an unresolvable reference).
fn leaves<'d>(
    doc: &'d Value,
    schemas: Vec<(&'d Value, String)>,
) -> Option<Vec<(&'d Map<String, Value>, String)>> {
    let mut out = Vec::new();
    let mut stack = schemas;
    let mut seen = std::collections::HashSet::new();
    while let Some((schema, at)) = stack.pop() {
        let obj = match schema {
            Value::Object(obj) => obj,
            Value::Bool(false) => continue,
            _ => return None,
        };
        if let Some(reference) = obj.get("$ref") {
            let target = reference.as_str().and_then(local_ref_pointer)?;
            if seen.insert(target.clone()) {
                stack.push((doc.pointer(&target)?, target));
            }
            continue;
        }
        for combinator in ["allOf", "anyOf", "oneOf"] {
            if let Some(branches) = obj.get(combinator).and_then(Value::as_array) {
                for (i, branch) in branches.iter().enumerate() {
                    stack.push((branch, format!("{at}/{combinator}/{i}")));
                }
            }
        }
        out.push((obj, at));
    }
    Some(out)
}

fn undeclared_in<'d>(
    doc: &'d Value,
    schemas: Vec<(&'d Value, String)>,
    value: &Value,
    ptr: &str,
    out: &mut Vec<Violation>,
) {
    let Some(leaves) = leaves(doc, schemas) else {
        return;
    };
    match value {
        Value::Object(members) => {
            let declares_any = leaves.iter().any(|(obj, _)| {
                obj.get("properties")
                    .and_then(Value::as_object)
                    .is_some_and(|p| !p.is_empty())
            });
            let additional: Vec<(&Value, String)> = leaves
                .iter()
                .filter_map(|(obj, at)| {
                    obj.get("additionalProperties")
                        .filter(|a| **a != Value::Bool(false))
                        .map(|a| (a, format!("{at}/additionalProperties")))
                })
                .collect();
            let open = !declares_any || !additional.is_empty();
            for (name, member) in members {
                let token = escape_token(name);
                let declared: Vec<(&Value, String)> = leaves
                    .iter()
                    .filter_map(|(obj, at)| {
                        obj.get("properties")
                            .and_then(|p| p.get(name))
                            .map(|s| (s, format!("{at}/properties/{token}")))
                    })
                    .collect();
                let member_ptr = format!("{ptr}/{token}");
                if !declared.is_empty() {
                    undeclared_in(doc, declared, member, &member_ptr, out);
                } else if !additional.is_empty() {
                    undeclared_in(doc, additional.clone(), member, &member_ptr, out);
                } else if !open {
                    let schema = leaves.first().map_or(String::new(), |(_, at)| at.clone());
                    out.push(Violation::new(
                        &member_ptr,
                        "property not declared by the schema",
                        &schema,
                    ));
                }
            }
        }
        Value::Array(elements) => {
            let items: Vec<(&Value, String)> = leaves
                .iter()
                .filter_map(|(obj, at)| obj.get("items").map(|i| (i, format!("{at}/items"))))
                .collect();
            if items.is_empty() {
                return;
            }
            for (i, element) in elements.iter().enumerate() {
                undeclared_in(doc, items.clone(), element, &format!("{ptr}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Escapes one reference token for a JSON pointer (RFC 6901 §3).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The JSON pointer that a local `$ref` (`#/components/schemas/X`) designates, or `None` for
/// a reference into another document (which these specs do not use and we do not follow).
pub fn local_ref_pointer(reference: &str) -> Option<String> {
    let fragment = reference.strip_prefix('#')?;
    percent_decode(fragment)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Keywords that would change the verdict but that the validator does not implement. None of
/// them occurs in the BigCommerce files today; should one appear, the validator says so.
const UNSUPPORTED: &[&str] = &[
    "patternProperties",
    "propertyNames",
    "dependentRequired",
    "dependentSchemas",
    "dependencies",
    "if",
    "then",
    "else",
    "prefixItems",
    "additionalItems",
    "contains",
    "unevaluatedProperties",
    "unevaluatedItems",
    "$dynamicRef",
    "$recursiveRef",
];

/// Guard against runaway schemas; real nesting in these files is well below 64.
const MAX_DEPTH: usize = 256;

struct Walker<'d> {
    doc: &'d Value,
    out: Vec<Violation>,
    /// `$ref` targets being expanded, with the instance location they were entered at:
    /// re-entering the same target at the same location can only loop forever.
    active_refs: Vec<(String, String)>,
    depth: usize,
}

impl<'d> Walker<'d> {
    fn fail(&mut self, pointer: &str, schema: &str, message: impl Into<String>) {
        self.out.push(Violation::new(pointer, message, schema));
    }

    fn check(&mut self, schema: &'d Value, at: &str, value: &Value, ptr: &str) {
        if self.depth >= MAX_DEPTH {
            self.fail(
                ptr,
                at,
                format!("spec: schemas nested deeper than {MAX_DEPTH} levels"),
            );
            return;
        }
        self.depth += 1;
        self.check_inner(schema, at, value, ptr);
        self.depth -= 1;
    }

    fn check_inner(&mut self, schema: &'d Value, at: &str, value: &Value, ptr: &str) {
        let obj = match schema {
            Value::Object(obj) => obj,
            Value::Bool(true) => return,
            Value::Bool(false) => {
                self.fail(ptr, at, "no value is allowed here (schema `false`)");
                return;
            }
            _ => {
                self.fail(ptr, at, "spec: schema is neither an object nor a boolean");
                return;
            }
        };

        // OpenAPI 3.0 and Swagger 2.0: a `$ref` replaces its siblings (none of the
        // BigCommerce files puts a sibling next to a `$ref`).
        if let Some(reference) = obj.get("$ref") {
            self.follow_ref(reference, at, value, ptr);
            return;
        }

        for keyword in UNSUPPORTED {
            if obj.contains_key(*keyword) {
                self.fail(
                    ptr,
                    at,
                    format!("spec: keyword `{keyword}` is not supported by the contract validator"),
                );
            }
        }

        let types = match declared_types(obj) {
            Ok(types) => types,
            Err(message) => {
                self.fail(ptr, at, message);
                return;
            }
        };

        if value.is_null() {
            if is_nullable(obj) || types.iter().any(|t| t == "null") {
                return;
            }
            if !types.is_empty() {
                self.fail(
                    ptr,
                    at,
                    "null is not allowed here (the schema is not nullable)",
                );
                return;
            }
            // Untyped schema: `enum`, `const` and the combinators below decide.
        } else if !types.is_empty() && !types.iter().any(|t| has_type(value, t)) {
            let expected = types
                .iter()
                .filter(|t| *t != "null")
                .cloned()
                .collect::<Vec<_>>()
                .join(" or ");
            let expected = if expected.is_empty() {
                "null".to_owned()
            } else {
                expected
            };
            self.fail(
                ptr,
                at,
                format!("expected {expected}, got {}", describe(value)),
            );
            return;
        }

        if let Some(allowed) = obj.get("enum") {
            match allowed.as_array() {
                Some(allowed) if allowed.iter().any(|a| json_equal(a, value)) => {}
                Some(allowed) => {
                    let listed = allowed.iter().map(Value::to_string).collect::<Vec<_>>();
                    self.fail(
                        ptr,
                        &format!("{at}/enum"),
                        format!(
                            "{} is not one of the allowed values [{}]",
                            describe(value),
                            listed.join(", ")
                        ),
                    );
                }
                None => self.fail(ptr, at, "spec: `enum` is not an array"),
            }
        }
        if let Some(expected) = obj.get("const")
            && !json_equal(expected, value)
        {
            self.fail(
                ptr,
                &format!("{at}/const"),
                format!("expected the constant {expected}, got {}", describe(value)),
            );
        }

        if obj.get("format").and_then(Value::as_str) == Some("date-time")
            && let Some(text) = value.as_str()
            && chrono::DateTime::parse_from_rfc3339(text).is_err()
        {
            self.fail(
                ptr,
                &format!("{at}/format"),
                format!("{} is not an RFC 3339 date-time", describe(value)),
            );
        }

        if let Some(members) = value.as_object() {
            self.check_object(obj, at, members, ptr);
        }
        if let Some(elements) = value.as_array()
            && let Some(items) = obj.get("items")
        {
            if items.is_array() {
                self.fail(
                    ptr,
                    at,
                    "spec: tuple-form `items` is not supported by the contract validator",
                );
            } else {
                let items_at = format!("{at}/items");
                for (i, element) in elements.iter().enumerate() {
                    self.check(items, &items_at, element, &format!("{ptr}/{i}"));
                }
            }
        }

        if let Some(branches) = obj.get("allOf") {
            match branches.as_array() {
                Some(branches) => {
                    for (i, branch) in branches.iter().enumerate() {
                        self.check(branch, &format!("{at}/allOf/{i}"), value, ptr);
                    }
                }
                None => self.fail(ptr, at, "spec: `allOf` is not an array"),
            }
        }
        for combinator in ["anyOf", "oneOf"] {
            if let Some(branches) = obj.get(combinator) {
                match branches.as_array() {
                    Some(branches) => self.check_some_branch(combinator, branches, at, value, ptr),
                    None => self.fail(ptr, at, format!("spec: `{combinator}` is not an array")),
                }
            }
        }
        if let Some(negated) = obj.get("not") {
            let saved = std::mem::take(&mut self.out);
            self.check(negated, &format!("{at}/not"), value, ptr);
            let negated_violations = std::mem::replace(&mut self.out, saved);
            if negated_violations.is_empty() {
                self.fail(
                    ptr,
                    &format!("{at}/not"),
                    "must not match the `not` schema, but does",
                );
            }
        }
    }

    fn check_object(
        &mut self,
        obj: &'d Map<String, Value>,
        at: &str,
        members: &Map<String, Value>,
        ptr: &str,
    ) {
        let properties = obj.get("properties").and_then(Value::as_object);
        if let Some(properties) = properties {
            for (name, property_schema) in properties {
                if let Some(member) = members.get(name) {
                    let token = escape_token(name);
                    self.check(
                        property_schema,
                        &format!("{at}/properties/{token}"),
                        member,
                        &format!("{ptr}/{token}"),
                    );
                }
            }
        }
        if let Some(required) = obj.get("required") {
            match required.as_array() {
                Some(required) => {
                    for name in required {
                        match name.as_str() {
                            Some(name) if !members.contains_key(name) => self.fail(
                                &format!("{ptr}/{}", escape_token(name)),
                                &format!("{at}/required"),
                                "required property missing",
                            ),
                            Some(_) => {}
                            None => self.fail(ptr, at, "spec: `required` lists a non-string"),
                        }
                    }
                }
                // Swagger-style `required: true` on a property schema is not JSON Schema;
                // it belongs to parameters, and these files do not use it on schemas.
                None => self.fail(ptr, at, "spec: `required` is not an array"),
            }
        }
        if let Some(additional) = obj.get("additionalProperties") {
            let is_declared = |name: &str| properties.is_some_and(|p| p.contains_key(name));
            let additional_at = format!("{at}/additionalProperties");
            for (name, member) in members {
                if is_declared(name) {
                    continue;
                }
                let member_ptr = format!("{ptr}/{}", escape_token(name));
                match additional {
                    Value::Bool(true) => {}
                    Value::Bool(false) => self.fail(
                        &member_ptr,
                        &additional_at,
                        "unexpected property (the schema has additionalProperties: false)",
                    ),
                    schema => self.check(schema, &additional_at, member, &member_ptr),
                }
            }
        }
    }

    /// `anyOf` / `oneOf`: at least one branch must accept the value. When none does, the
    /// violations of the closest branch (fewest violations) are reported, after a summary.
    fn check_some_branch(
        &mut self,
        combinator: &str,
        branches: &'d [Value],
        at: &str,
        value: &Value,
        ptr: &str,
    ) {
        let saved = std::mem::take(&mut self.out);
        let mut closest: Option<(usize, Vec<Violation>)> = None;
        let mut matched = false;
        for (i, branch) in branches.iter().enumerate() {
            self.check(branch, &format!("{at}/{combinator}/{i}"), value, ptr);
            let violations = std::mem::take(&mut self.out);
            if violations.is_empty() {
                matched = true;
                break;
            }
            if closest
                .as_ref()
                .is_none_or(|(_, best)| violations.len() < best.len())
            {
                closest = Some((i, violations));
            }
        }
        self.out = saved;
        if matched {
            return;
        }
        match closest {
            Some((i, violations)) => {
                self.fail(
                    ptr,
                    &format!("{at}/{combinator}"),
                    format!(
                        "matches none of the {} `{combinator}` alternatives; the closest (#{i}) fails as follows",
                        branches.len()
                    ),
                );
                self.out.extend(violations);
            }
            None => self.fail(ptr, at, format!("spec: `{combinator}` has no alternatives")),
        }
    }

    fn follow_ref(&mut self, reference: &'d Value, at: &str, value: &Value, ptr: &str) {
        let Some(reference) = reference.as_str() else {
            self.fail(ptr, at, "spec: `$ref` is not a string");
            return;
        };
        let Some(target_pointer) = local_ref_pointer(reference) else {
            self.fail(
                ptr,
                at,
                format!("spec: `$ref: {reference}` points into another document; only local `#/…` references are supported"),
            );
            return;
        };
        let Some(target) = self.doc.pointer(&target_pointer) else {
            self.fail(ptr, at, format!("spec: `$ref: {reference}` points nowhere"));
            return;
        };
        let key = (target_pointer, ptr.to_owned());
        if self.active_refs.contains(&key) {
            self.fail(
                ptr,
                at,
                format!("spec: `$ref: {reference}` loops back to itself without descending into the value"),
            );
            return;
        }
        let target_at = key.0.clone();
        self.active_refs.push(key);
        self.check(target, &target_at, value, ptr);
        self.active_refs.pop();
    }
}

/// The types a schema declares — `type: x`, `type: [x, "null"]` — or, when it declares none,
/// the type its keywords imply (see the module comment). Empty = any type.
fn declared_types(obj: &Map<String, Value>) -> Result<Vec<String>, String> {
    const KNOWN: &[&str] = &[
        "null", "boolean", "object", "array", "number", "string", "integer",
    ];
    let types: Vec<String> = match obj.get("type") {
        None => {
            if obj.contains_key("properties")
                || obj.contains_key("required")
                || obj.contains_key("additionalProperties")
            {
                vec!["object".to_owned()]
            } else if obj.contains_key("items") {
                vec!["array".to_owned()]
            } else {
                Vec::new()
            }
        }
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .map(|t| {
                t.as_str()
                    .map(str::to_owned)
                    .ok_or("spec: `type` array holds a non-string")
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("spec: `type` is neither a string nor an array".to_owned()),
    };
    match types.iter().find(|t| !KNOWN.contains(&t.as_str())) {
        Some(unknown) => Err(format!("spec: unknown type `{unknown}`")),
        None => Ok(types),
    }
}

fn is_nullable(obj: &Map<String, Value>) -> bool {
    obj.get("nullable") == Some(&Value::Bool(true))
        || obj.get("x-nullable") == Some(&Value::Bool(true))
}

fn has_type(value: &Value, ty: &str) -> bool {
    match ty {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        // An integer literal: `25.0` is what a float field serializes to, and a float where
        // the contract says integer is exactly the kind of slip this test must catch.
        "integer" => value.is_i64() || value.is_u64(),
        _ => false,
    }
}

/// Equality for `enum` / `const`: numbers compare by value (`1` = `1.0`), the rest
/// structurally.
fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// "string \"11\"", "integer 11", "object", … for messages.
pub fn describe(value: &Value) -> String {
    let kind = match value {
        Value::Null => return "null".to_owned(),
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => return "array".to_owned(),
        Value::Object(_) => return "object".to_owned(),
    };
    let mut text = value.to_string();
    if text.chars().count() > 60 {
        text = text.chars().take(57).collect::<String>() + "...";
    }
    format!("{kind} {text}")
}
