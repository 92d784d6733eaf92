//! Checks responses against BigCommerce's `webhooks.v3.yml` (from the shared contracts):
//! types, nullability, enums, and that no property appears that the schema does not
//! declare. A small validator for the subset of OpenAPI 3 the file uses.

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;

fn shared_dir() -> PathBuf {
    std::env::var_os("SEQURA_BC_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let path = shared_dir().join("contracts/bigcommerce/openapi/webhooks.v3.yml");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        serde_yaml::from_str(&text).unwrap()
    })
}

/// Reads a fixture from `contracts/bigcommerce/examples`.
pub fn example(name: &str) -> Value {
    let path = shared_dir()
        .join("contracts/bigcommerce/examples")
        .join(name);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            let target = doc
                .pointer(pointer)
                .unwrap_or_else(|| panic!("unresolved {reference}"));
            resolve(doc, target)
        }
        None => value,
    }
}

/// Panics unless `body` is what `webhooks.v3.yml` documents for `method path` → `status`
/// (`path` as in the file, e.g. `/hooks/{webhook_id}`).
pub fn assert_response(path: &str, method: &str, status: u16, body: &Value) {
    let doc = document();
    let operation = &doc["paths"][path][method];
    assert!(operation.is_object(), "{method} {path} is not documented");
    let response = operation["responses"]
        .get(status.to_string())
        .unwrap_or_else(|| panic!("{method} {path} documents no {status} response"));
    let response = resolve(doc, response);
    let Some(schema) = response.pointer("/content/application~1json/schema") else {
        assert!(body.is_null(), "{status} documents no body, got {body}");
        return;
    };
    let mut errors = Vec::new();
    validate(doc, schema, body, "$", &mut errors);
    assert!(
        errors.is_empty(),
        "{method} {path} {status}: {errors:#?}\n{body:#}"
    );
}

/// Every property a schema declares, through `$ref` and `allOf`.
fn declared_properties(doc: &Value, schema: &Value, into: &mut Vec<(String, Value)>) {
    let schema = resolve(doc, schema);
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        into.extend(
            properties
                .iter()
                .map(|(name, sub)| (name.clone(), sub.clone())),
        );
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for sub in all {
            declared_properties(doc, sub, into);
        }
    }
}

fn validate(doc: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        // Types of each part; properties are checked below on the merged set.
        for sub in all {
            let sub = resolve(doc, sub);
            if let Some(kind) = sub.get("type") {
                let typed = serde_json::json!({ "type": kind, "nullable": sub.get("nullable") });
                validate(doc, &typed, value, at, errors);
            }
        }
    }
    if value.is_null() {
        let typed = schema.get("type").is_some();
        let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
        if typed && !nullable {
            errors.push(format!("{at}: null is not allowed"));
        }
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        errors.push(format!("{at}: {value} is not one of {allowed:?}"));
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") if !(value.is_i64() || value.is_u64()) => {
            errors.push(format!("{at}: {value} is not an integer"));
        }
        Some("string") if !value.is_string() => {
            errors.push(format!("{at}: {value} is not a string"))
        }
        Some("boolean") if !value.is_boolean() => {
            errors.push(format!("{at}: {value} is not a boolean"));
        }
        Some("array") => match value.as_array() {
            // `minItems` is not checked: an empty list is `[]`, whatever the schema says.
            Some(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        validate(doc, item_schema, item, &format!("{at}[{i}]"), errors);
                    }
                }
            }
            None => errors.push(format!("{at}: {value} is not an array")),
        },
        Some("object") if !value.is_object() => {
            errors.push(format!("{at}: {value} is not an object"));
        }
        _ => {}
    }
    let Some(object) = value.as_object() else {
        return;
    };
    let mut properties = Vec::new();
    declared_properties(doc, schema, &mut properties);
    let additional = schema.get("additionalProperties");
    for (name, field) in object {
        match properties.iter().find(|(declared, _)| declared == name) {
            Some((_, sub)) => validate(doc, sub, field, &format!("{at}.{name}"), errors),
            None => match additional {
                Some(sub) if sub.is_object() => {
                    validate(doc, sub, field, &format!("{at}.{name}"), errors);
                }
                _ if properties.is_empty() => {}
                _ => errors.push(format!("{at}: undocumented property {name:?}")),
            },
        }
    }
    let mut required = Vec::new();
    declared_required(doc, schema, &mut required);
    for name in required {
        if !object.contains_key(&name) {
            errors.push(format!("{at}: missing required {name:?}"));
        }
    }
}

fn declared_required(doc: &Value, schema: &Value, into: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    if let Some(required) = schema.get("required").and_then(Value::as_array) {
        into.extend(required.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for sub in all {
            declared_required(doc, sub, into);
        }
    }
}

#[test]
fn the_validator_notices_wrong_bodies() {
    let hook = serde_json::json!({"data": {"id": 1, "client_id": "c", "store_hash": "s", "scope": "store/order/created",
        "destination": "https://a.example/h", "is_active": true, "headers": null, "created_at": 1, "updated_at": 1}, "meta": {}});
    assert_response("/hooks/{webhook_id}", "get", 200, &hook);
    for (pointer, wrong) in [
        ("/data/id", serde_json::json!("1")),
        ("/data/is_active", serde_json::json!("true")),
        ("/data/headers", serde_json::json!({"X-A": 1})),
        ("/data/created_at", Value::Null),
    ] {
        let mut body = hook.clone();
        *body.pointer_mut(pointer).unwrap() = wrong;
        let result =
            std::panic::catch_unwind(|| assert_response("/hooks/{webhook_id}", "get", 200, &body));
        assert!(result.is_err(), "{pointer} was not caught");
    }
    let mut extra = hook.clone();
    extra["data"]["status"] = serde_json::json!("active");
    let result =
        std::panic::catch_unwind(|| assert_response("/hooks/{webhook_id}", "get", 200, &extra));
    assert!(result.is_err(), "an undocumented property was not caught");
}
