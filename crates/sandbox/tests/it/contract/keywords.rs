//! The validator handles each keyword it claims to handle, on small inline schemas.

use serde_json::{Value, json};

use super::schema::validate;

/// Violations of `value` against `schema`, as `pointer: message` lines; `defs` are reachable
/// as `#/components/schemas/<name>`.
fn violations_with(defs: Value, schema: Value, value: Value) -> Vec<String> {
    let doc = json!({ "components": { "schemas": defs }, "root": schema });
    validate(&doc, "/root", &value)
        .into_iter()
        .map(|v| format!("{}: {}", v.pointer, v.message))
        .collect()
}

fn violations(schema: Value, value: Value) -> Vec<String> {
    violations_with(json!({}), schema, value)
}

fn ok(schema: Value, value: Value) {
    let found = violations(schema.clone(), value.clone());
    assert!(
        found.is_empty(),
        "{value} should match {schema}, got {found:#?}"
    );
}

#[test]
fn type_checks_every_json_type() {
    ok(json!({"type": "string"}), json!("x"));
    ok(json!({"type": "boolean"}), json!(false));
    ok(json!({"type": "object"}), json!({}));
    ok(json!({"type": "array"}), json!([]));
    ok(json!({"type": "integer"}), json!(-3));
    ok(json!({"type": "integer"}), json!(u64::MAX));
    assert_eq!(
        violations(json!({"type": "string"}), json!(11)),
        [": expected string, got integer 11"]
    );
    assert_eq!(
        violations(json!({"type": "boolean"}), json!("true")),
        [": expected boolean, got string \"true\""]
    );
    assert_eq!(
        violations(json!({"type": "object"}), json!([])),
        [": expected object, got array"]
    );
    assert_eq!(
        violations(json!({"type": "array"}), json!({})),
        [": expected array, got object"]
    );
}

#[test]
fn integer_needs_an_integer_literal_and_number_takes_any_number() {
    ok(json!({"type": "number"}), json!(3));
    ok(json!({"type": "number"}), json!(2.5));
    assert_eq!(
        violations(json!({"type": "integer"}), json!(1.5)),
        [": expected integer, got number 1.5"]
    );
    // A float-typed field serializes 25 as `25.0`: that is a mistyped integer.
    assert_eq!(
        violations(json!({"type": "integer"}), json!(25.0)),
        [": expected integer, got number 25.0"]
    );
    assert_eq!(
        violations(json!({"type": "number"}), json!("115.0000")),
        [": expected number, got string \"115.0000\""]
    );
}

#[test]
fn null_needs_nullable_x_nullable_or_a_null_type() {
    assert_eq!(
        violations(json!({"type": "string"}), json!(null)),
        [": null is not allowed here (the schema is not nullable)"]
    );
    ok(json!({"type": "string", "nullable": true}), json!(null));
    ok(json!({"type": "string", "x-nullable": true}), json!(null));
    ok(json!({"type": ["string", "null"]}), json!(null));
    ok(json!({"type": ["string", "null"]}), json!("x"));
    assert_eq!(
        violations(json!({"type": ["string", "null"]}), json!(1)),
        [": expected string, got integer 1"]
    );
    assert_eq!(
        violations(json!({"type": ["integer", "string"]}), json!(true)),
        [": expected integer or string, got boolean true"]
    );
    // `nullable: false` is the default, not a permission.
    assert_eq!(
        violations(json!({"type": "object", "nullable": false}), json!(null)).len(),
        1
    );
    // An untyped schema accepts null (JSON Schema semantics) ...
    ok(json!({}), json!(null));
    // ... unless what it combines does not.
    assert_eq!(
        violations(json!({"allOf": [{"type": "integer"}]}), json!(null)),
        [": null is not allowed here (the schema is not nullable)"]
    );
    // The OpenAPI 3.0 idiom for a nullable reference.
    ok(
        json!({"allOf": [{"type": "integer"}], "nullable": true}),
        json!(null),
    );
}

#[test]
fn required_reports_the_missing_property_by_its_pointer() {
    let schema = json!({
        "type": "object",
        "required": ["data"],
        "properties": {"data": {"type": "array", "items": {"type": "object", "required": ["id", "name"]}}}
    });
    assert_eq!(
        violations(schema.clone(), json!({})),
        ["/data: required property missing"]
    );
    assert_eq!(
        violations(
            schema.clone(),
            json!({"data": [{"id": 1, "name": "a"}, {"name": "b"}]})
        ),
        ["/data/1/id: required property missing"]
    );
    ok(schema, json!({"data": []}));
}

#[test]
fn properties_are_checked_where_present_and_pointers_are_escaped() {
    let schema = json!({
        "type": "object",
        "properties": {
            "status_id": {"type": "integer"},
            "a/b": {"type": "string"},
            "t~x": {"type": "string"},
            "nested": {"type": "object", "properties": {"deep": {"type": "boolean"}}}
        }
    });
    ok(schema.clone(), json!({}));
    ok(schema.clone(), json!({"unknown": 1}));
    assert_eq!(
        violations(
            schema,
            json!({"status_id": "11", "a/b": 1, "t~x": 2, "nested": {"deep": "no"}})
        ),
        [
            "/a~1b: expected string, got integer 1",
            "/nested/deep: expected boolean, got string \"no\"",
            "/status_id: expected integer, got string \"11\"",
            "/t~0x: expected string, got integer 2",
        ]
    );
}

#[test]
fn items_apply_to_every_element() {
    let schema = json!({"type": "array", "items": {"type": "integer"}});
    ok(schema.clone(), json!([1, 2, 3]));
    assert_eq!(
        violations(schema, json!([1, "2", 3, null])),
        [
            "/1: expected integer, got string \"2\"",
            "/3: null is not allowed here (the schema is not nullable)",
        ]
    );
}

#[test]
fn enum_accepts_only_listed_values() {
    let schema = json!({"type": "string", "enum": ["src", "script_tag"]});
    ok(schema.clone(), json!("src"));
    assert_eq!(
        violations(schema, json!("inline")),
        [": string \"inline\" is not one of the allowed values [\"src\", \"script_tag\"]"]
    );
    // Numbers compare by value.
    ok(json!({"type": "number", "enum": [1, 2.5]}), json!(1.0));
    // A nullable enum accepts null without listing it.
    ok(
        json!({"type": "string", "enum": ["a"], "nullable": true}),
        json!(null),
    );
}

#[test]
fn const_accepts_only_its_value() {
    ok(json!({"const": "store"}), json!("store"));
    assert_eq!(
        violations(json!({"const": "store"}), json!("cart")),
        [": expected the constant \"store\", got string \"cart\""]
    );
}

#[test]
fn all_of_needs_every_branch() {
    let schema = json!({"allOf": [
        {"type": "object", "required": ["id"]},
        {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}, "required": ["name"]}
    ]});
    ok(schema.clone(), json!({"id": 1, "name": "x"}));
    assert_eq!(
        violations(schema, json!({"id": "1"})),
        [
            "/id: expected integer, got string \"1\"",
            "/name: required property missing"
        ]
    );
    // The same property failing in two branches is one problem, reported once.
    let twice = json!({"allOf": [
        {"type": "object", "properties": {"status_id": {"type": "integer"}}},
        {"type": "object", "properties": {"status_id": {"type": "integer"}}}
    ]});
    assert_eq!(
        violations(twice, json!({"status_id": "11"})),
        ["/status_id: expected integer, got string \"11\""]
    );
}

#[test]
fn one_of_and_any_of_need_at_least_one_branch() {
    for combinator in ["oneOf", "anyOf"] {
        let schema = json!({combinator: [
            {"type": "object", "required": ["amount"], "properties": {"amount": {"type": "number"}}},
            {"type": "string"}
        ]});
        ok(schema.clone(), json!("x"));
        ok(schema.clone(), json!({"amount": 1}));
        // Overlapping branches are fine: we do not enforce oneOf's "exactly one".
        ok(
            json!({combinator: [{"type": "number"}, {"type": "integer"}]}),
            json!(1),
        );
        // When none matches, a summary and then the closest branch's violations.
        assert_eq!(
            violations(schema, json!({"amount": "1"})),
            [
                format!(
                    ": matches none of the 2 `{combinator}` alternatives; the closest (#0) fails as follows"
                ),
                "/amount: expected number, got string \"1\"".to_owned(),
            ]
        );
    }
}

#[test]
fn not_rejects_what_its_schema_accepts() {
    ok(json!({"not": {"type": "string"}}), json!(1));
    assert_eq!(
        violations(json!({"not": {"type": "string"}}), json!("x")),
        [": must not match the `not` schema, but does"]
    );
}

#[test]
fn additional_properties_false_or_a_schema_constrains_undeclared_members() {
    let closed = json!({"type": "object", "properties": {"id": {"type": "integer"}}, "additionalProperties": false});
    ok(closed.clone(), json!({"id": 1}));
    assert_eq!(
        violations(closed, json!({"id": 1, "extra": true})),
        ["/extra: unexpected property (the schema has additionalProperties: false)"]
    );
    let typed = json!({"type": "object", "additionalProperties": {"type": "string"}});
    ok(typed.clone(), json!({"name": "name is required"}));
    assert_eq!(
        violations(typed, json!({"name": 1})),
        ["/name: expected string, got integer 1"]
    );
    ok(
        json!({"type": "object", "additionalProperties": true}),
        json!({"x": 1}),
    );
    ok(json!({"type": "object", "properties": {}}), json!({"x": 1}));
}

#[test]
fn a_schema_without_type_is_typed_by_its_keywords() {
    assert_eq!(
        violations(
            json!({"properties": {"id": {"type": "integer"}}}),
            json!("x")
        ),
        [": expected object, got string \"x\""]
    );
    assert_eq!(
        violations(json!({"items": {"type": "integer"}}), json!({})),
        [": expected array, got object"]
    );
    ok(json!({"description": "anything"}), json!([1, "x"]));
}

#[test]
fn refs_resolve_locally_and_nest() {
    let defs = json!({
        "Order": {"type": "object", "required": ["id"], "properties": {"id": {"$ref": "#/components/schemas/Id"}}},
        "Id": {"$ref": "#/components/schemas/Int"},
        "Int": {"type": "integer"},
        "Weird name": {"type": "string"}
    });
    let list = json!({"type": "array", "items": {"$ref": "#/components/schemas/Order"}});
    assert!(violations_with(defs.clone(), list.clone(), json!([{"id": 1}])).is_empty());
    assert_eq!(
        violations_with(defs.clone(), list, json!([{"id": 1}, {"id": "2"}, {}])),
        [
            "/1/id: expected integer, got string \"2\"",
            "/2/id: required property missing"
        ]
    );
    // Percent-encoded reference tokens.
    assert_eq!(
        violations_with(
            defs,
            json!({"$ref": "#/components/schemas/Weird%20name"}),
            json!(1)
        ),
        [": expected string, got integer 1"]
    );
}

#[test]
fn violations_name_the_schema_they_come_from() {
    let doc = json!({
        "components": {"schemas": {"Order": {"type": "object", "properties": {"status_id": {"type": "integer"}}}}},
        "root": {"$ref": "#/components/schemas/Order"}
    });
    let found = validate(&doc, "/root", &json!({"status_id": "11"}));
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].schema,
        "/components/schemas/Order/properties/status_id"
    );
    assert_eq!(
        found[0].to_string(),
        "/status_id: expected integer, got string \"11\"  [schema #/components/schemas/Order/properties/status_id]"
    );
}

#[test]
fn recursive_schemas_follow_the_data_and_true_cycles_are_reported() {
    let defs = json!({
        "Node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}, "n": {"type": "integer"}}},
        "Loop": {"$ref": "#/components/schemas/Loop2"},
        "Loop2": {"allOf": [{"$ref": "#/components/schemas/Loop"}]}
    });
    let tree = json!({"n": 1, "children": [{"n": 2, "children": [{"n": "3"}]}]});
    assert_eq!(
        violations_with(
            defs.clone(),
            json!({"$ref": "#/components/schemas/Node"}),
            tree
        ),
        ["/children/0/children/0/n: expected integer, got string \"3\""]
    );
    let found = violations_with(
        defs,
        json!({"$ref": "#/components/schemas/Loop"}),
        json!({}),
    );
    assert_eq!(
        found,
        [
            ": spec: `$ref: #/components/schemas/Loop` loops back to itself without descending into the value"
        ]
    );
}

#[test]
fn references_that_cannot_be_followed_are_violations() {
    assert_eq!(
        violations(json!({"$ref": "other.yml#/components/schemas/X"}), json!(1)),
        [
            ": spec: `$ref: other.yml#/components/schemas/X` points into another document; only local `#/…` references are supported"
        ]
    );
    assert_eq!(
        violations(json!({"$ref": "#/components/schemas/Missing"}), json!(1)),
        [": spec: `$ref: #/components/schemas/Missing` points nowhere"]
    );
}

#[test]
fn only_date_time_format_is_checked() {
    let date_time = json!({"type": "string", "format": "date-time"});
    ok(date_time.clone(), json!("2019-03-05T21:40:11Z"));
    ok(date_time.clone(), json!("2019-03-05T21:40:11.123+01:00"));
    assert_eq!(
        violations(date_time, json!("Tue, 05 Mar 2019 21:40:11 +0000")),
        [": string \"Tue, 05 Mar 2019 21:40:11 +0000\" is not an RFC 3339 date-time"]
    );
    ok(
        json!({"type": "string", "format": "uuid"}),
        json!("not-a-uuid"),
    );
    ok(
        json!({"type": "integer", "format": "int32"}),
        json!(i64::MAX),
    );
}

#[test]
fn value_constraints_are_not_checked() {
    ok(
        json!({"type": "string", "minLength": 3, "maxLength": 4, "pattern": "^a$"}),
        json!(""),
    );
    ok(
        json!({"type": "integer", "minimum": 1, "maximum": 2}),
        json!(99),
    );
    ok(
        json!({"type": "array", "minItems": 1, "uniqueItems": true}),
        json!([]),
    );
    ok(json!({"type": "string", "readOnly": true}), json!("x"));
}

#[test]
fn keywords_that_are_not_implemented_are_reported_not_ignored() {
    assert_eq!(
        violations(
            json!({"type": "object", "patternProperties": {"^x": {"type": "string"}}}),
            json!({"x1": 1})
        ),
        [": spec: keyword `patternProperties` is not supported by the contract validator"]
    );
    assert_eq!(violations(json!({"type": "string"}), json!("x")).len(), 0);
    assert_eq!(
        violations(json!({"type": "date"}), json!("2020-01-01")),
        [": spec: unknown type `date`"]
    );
}

#[test]
fn boolean_schemas() {
    ok(json!(true), json!({"anything": 1}));
    assert_eq!(
        violations(
            json!({"type": "object", "properties": {"x": false}}),
            json!({"x": 1})
        ),
        ["/x: no value is allowed here (schema `false`)"]
    );
}

// ---- the closed-world check (`schema::undeclared`) -----------------------------------------

fn undeclared_with(defs: Value, schema: Value, value: Value) -> Vec<String> {
    let doc = json!({ "components": { "schemas": defs }, "root": schema });
    super::schema::undeclared(&doc, "/root", &value)
        .into_iter()
        .map(|v| format!("{}: {}", v.pointer, v.message))
        .collect()
}

#[test]
fn undeclared_members_are_found_at_any_depth() {
    let schema = json!({"type": "object", "properties": {
        "id": {"type": "integer"},
        "items": {"type": "array", "items": {"properties": {"sku": {}}}},
        "meta": {},
    }});
    assert!(
        undeclared_with(
            json!({}),
            schema.clone(),
            json!({"id": 1, "items": [{"sku": "a"}]})
        )
        .is_empty()
    );
    assert_eq!(
        undeclared_with(
            json!({}),
            schema,
            json!({"id": 1, "ident": 1, "items": [{"sku": "a"}, {"skew": "b"}], "meta": {"anything": 1}})
        ),
        [
            "/ident: property not declared by the schema",
            "/items/1/skew: property not declared by the schema"
        ]
    );
}

#[test]
fn undeclared_takes_the_union_of_refs_and_branches() {
    let defs = json!({
        "Base": {"properties": {"scope": {"type": "string"}}},
        "Full": {"allOf": [{"properties": {"id": {}}}, {"$ref": "#/components/schemas/Base"}]},
    });
    let schema =
        json!({"oneOf": [{"$ref": "#/components/schemas/Full"}, {"properties": {"other": {}}}]});
    assert!(
        undeclared_with(
            defs.clone(),
            schema.clone(),
            json!({"id": 1, "scope": "s", "other": 2})
        )
        .is_empty()
    );
    assert_eq!(
        undeclared_with(defs, schema, json!({"id": 1, "scop": "s"})),
        ["/scop: property not declared by the schema"]
    );
}

#[test]
fn undeclared_respects_additional_properties_and_free_form_objects() {
    // A schema for the other members: they are declared, and checked inside.
    let headers = json!({"properties": {}, "additionalProperties": {"properties": {"v": {}}}});
    assert!(undeclared_with(json!({}), headers.clone(), json!({"X-A": {"v": 1}})).is_empty());
    assert_eq!(
        undeclared_with(json!({}), headers, json!({"X-A": {"w": 1}})),
        ["/X-A/w: property not declared by the schema"]
    );
    // `true`, or an object that declares no property: free-form.
    assert!(
        undeclared_with(
            json!({}),
            json!({"properties": {"a": {}}, "additionalProperties": true}),
            json!({"b": 1})
        )
        .is_empty()
    );
    assert!(undeclared_with(json!({}), json!({"type": "object"}), json!({"b": 1})).is_empty());
    assert!(undeclared_with(json!({}), json!(true), json!({"b": 1})).is_empty());
}
