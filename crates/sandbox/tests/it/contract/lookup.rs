//! Finding the operation of a concrete path and the schema of a status code, on small inline
//! specs in both dialects.

use serde_json::json;

use super::spec::{Dialect, LookupError, ResponseBody, Spec, load, openapi_dir};

const OPENAPI3: &str = r##"
openapi: '3.0.3'
info: {title: t, version: '1'}
servers:
  - url: 'https://api.example.com/stores/{store_hash}/v2'
paths:
  /orders/{order_id}:
    get:
      responses:
        '200':
          $ref: '#/components/responses/Order'
        4XX:
          description: client error
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Error'}
        default:
          description: anything else
          content:
            application/json: {}
    put:
      responses:
        '200': {$ref: '#/components/responses/Order'}
  /orders/count:
    get:
      responses:
        '200':
          description: count
          content:
            application/json:
              schema: {type: object, required: [count], properties: {count: {type: integer}}}
  /orders/{order_id}/shipments:
    get:
      responses:
        '200': {$ref: '#/components/responses/Alias'}
        '204': {description: No Content}
  /loop:
    get:
      responses:
        '200': {$ref: '#/components/responses/Loop'}
components:
  responses:
    Alias: {$ref: '#/components/responses/Order'}
    Loop: {$ref: '#/components/responses/Loop'}
    Order:
      description: order
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Order'}
          examples:
            one: {value: {id: 1}}
  schemas:
    Order:
      type: object
      required: [id, status_id]
      properties:
        id: {type: integer}
        status_id: {type: integer}
    Error:
      type: array
      items: {type: object, required: [status], properties: {status: {type: integer}}}
"##;

const SWAGGER2: &str = r##"
swagger: '2.0'
info: {title: t, version: '1'}
basePath: /stores/{store_hash}/v2
paths:
  /orders/{order_id}:
    get:
      responses:
        200:
          description: ok
          schema: {$ref: '#/definitions/Order'}
        404:
          description: not found
          schema: {$ref: '#/responses/NotFound/schema'}
    delete:
      responses:
        204: {description: deleted}
responses:
  NotFound:
    description: nf
    schema: {type: array, items: {type: object, properties: {status: {type: integer}}}}
definitions:
  Order:
    type: object
    required: [id]
    properties:
      id: {type: integer}
      customer_message: {type: string, x-nullable: true}
"##;

fn openapi3() -> Spec {
    Spec::parse("inline-openapi3.yml", OPENAPI3).unwrap()
}

#[test]
fn concrete_paths_match_under_the_server_path_or_its_tail() {
    let spec = openapi3();
    for path in [
        "/stores/abc123/v2/orders/250",
        "/v2/orders/250",
        "/stores/abc123/v2/orders/250?include=x",
        "/stores/abc123/v2/orders/250/",
    ] {
        assert_eq!(
            spec.find_operation("GET", path).unwrap().template,
            "/orders/{order_id}",
            "{path}"
        );
    }
    assert_eq!(
        spec.find_operation("put", "/v2/orders/250").unwrap().method,
        "put"
    );
    for path in [
        "/orders/250",
        "/v3/orders/250",
        "/stores/abc123/v2/orders",
        "/stores/abc123/v2/orders/250/x",
    ] {
        assert!(
            matches!(
                spec.find_operation("GET", path),
                Err(LookupError::NoOperation { .. })
            ),
            "{path}"
        );
    }
    assert!(spec.find_operation("DELETE", "/v2/orders/250").is_err());
}

#[test]
fn literal_segments_win_over_parameters() {
    let spec = openapi3();
    assert_eq!(
        spec.find_operation("GET", "/stores/abc123/v2/orders/count")
            .unwrap()
            .template,
        "/orders/count"
    );
    assert_eq!(
        spec.find_operation("GET", "/stores/abc123/v2/orders/counts")
            .unwrap()
            .template,
        "/orders/{order_id}"
    );
}

#[test]
fn status_picks_exact_then_range_then_default() {
    let spec = openapi3();
    let get = spec.find_operation("GET", "/v2/orders/1").unwrap();
    assert_eq!(
        spec.response_body(get, 200).unwrap(),
        ResponseBody::Json(
            "/components/responses/Order/content/application~1json/schema".to_owned()
        )
    );
    assert_eq!(
        spec.response_body(get, 404).unwrap(),
        ResponseBody::Json(
            "/paths/~1orders~1{order_id}/get/responses/4XX/content/application~1problem+json/schema".to_owned()
        )
    );
    assert_eq!(spec.response_body(get, 500).unwrap(), ResponseBody::AnyJson);
    let put = spec.find_operation("PUT", "/v2/orders/1").unwrap();
    assert_eq!(
        spec.response_body(put, 404),
        Err(LookupError::UndocumentedStatus {
            operation: "PUT /orders/{order_id}".to_owned(),
            status: 404,
            documented: vec!["200".to_owned()],
        })
    );
}

#[test]
fn response_refs_are_followed_and_cycles_stop() {
    let spec = openapi3();
    let shipments = spec
        .find_operation("GET", "/v2/orders/1/shipments")
        .unwrap();
    assert_eq!(
        spec.response_body(shipments, 200).unwrap(),
        ResponseBody::Json(
            "/components/responses/Order/content/application~1json/schema".to_owned()
        )
    );
    assert_eq!(
        spec.response_body(shipments, 204).unwrap(),
        ResponseBody::Empty
    );
    let looping = spec.find_operation("GET", "/v2/loop").unwrap();
    assert!(
        matches!(spec.response_body(looping, 200), Err(LookupError::Spec(m)) if m.contains("cycle"))
    );
}

#[test]
fn validate_response_checks_body_status_and_emptiness() {
    let spec = openapi3();
    assert!(
        spec.validate_response(
            "GET",
            "/v2/orders/1",
            200,
            &json!({"id": 1, "status_id": 11})
        )
        .is_ok()
    );
    let violations = spec
        .validate_response(
            "GET",
            "/v2/orders/1",
            200,
            &json!({"id": 1, "status_id": "11"}),
        )
        .unwrap_err();
    assert_eq!(violations.len(), 1);
    assert_eq!(violations[0].pointer, "/status_id");
    assert_eq!(violations[0].message, "expected integer, got string \"11\"");

    let violations = spec
        .validate_response("GET", "/v2/orders/1", 404, &json!([{}]))
        .unwrap_err();
    assert_eq!(
        violations[0].to_string().split("  [").next().unwrap(),
        "/0/status: required property missing"
    );

    assert!(
        spec.validate_response("GET", "/v2/orders/1/shipments", 204, &json!(null))
            .is_ok()
    );
    let violations = spec
        .validate_response("GET", "/v2/orders/1/shipments", 204, &json!([]))
        .unwrap_err();
    assert_eq!(violations[0].message, "status 204 has no body, got array");
    // A documented body must be there.
    let violations = spec
        .validate_response("GET", "/v2/orders/1", 200, &json!(null))
        .unwrap_err();
    assert_eq!(
        violations[0].message,
        "null is not allowed here (the schema is not nullable)"
    );

    let violations = spec
        .validate_response("GET", "/v2/nowhere", 200, &json!({}))
        .unwrap_err();
    assert_eq!(
        violations[0].message,
        "no operation GET /v2/nowhere in inline-openapi3.yml"
    );
}

#[test]
fn swagger_2_uses_base_path_definitions_and_x_nullable() {
    let spec = Spec::parse("inline-swagger2.yml", SWAGGER2).unwrap();
    assert!(
        spec.validate_response(
            "GET",
            "/stores/abc123/v2/orders/1",
            200,
            &json!({"id": 1, "customer_message": null})
        )
        .is_ok()
    );
    let violations = spec
        .validate_response("GET", "/v2/orders/1", 200, &json!({"customer_message": 3}))
        .unwrap_err()
        .into_iter()
        .map(|v| format!("{}: {}", v.pointer, v.message))
        .collect::<Vec<_>>();
    assert_eq!(
        violations,
        [
            "/customer_message: expected string, got integer 3",
            "/id: required property missing"
        ]
    );
    assert!(
        spec.validate_response("GET", "/v2/orders/1", 404, &json!([{"status": 404}]))
            .is_ok()
    );
    assert!(
        spec.validate_response("GET", "/v2/orders/1", 404, &json!([{"status": "404"}]))
            .is_err()
    );
    assert!(
        spec.validate_response("DELETE", "/v2/orders/1", 204, &json!(null))
            .is_ok()
    );
}

#[test]
fn documents_that_are_not_openapi_are_refused() {
    assert!(Spec::parse("x.yml", "title: nothing").is_err());
    assert!(Spec::parse("x.yml", "{unclosed").is_err());
}

#[test]
fn every_official_file_parses_as_openapi_3() {
    let mut files: Vec<String> = std::fs::read_dir(openapi_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".yml") || name.ends_with(".yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 11, "{files:?}");
    for file in &files {
        let spec = load(file);
        // All of them, `orders.v2.oas2.yml` included, are OpenAPI 3.0.x today.
        assert_eq!(spec.dialect, Dialect::OpenApi3, "{file}");
        assert!(
            spec.doc["paths"].as_object().is_some_and(|p| !p.is_empty()),
            "{file}"
        );
    }
}
