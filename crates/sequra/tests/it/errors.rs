//! Error classification, retryability and the client's single retry.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sequra::{Error, MerchantReference, OrderUpdate};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::fixtures::{minimal_order, platform};
use crate::support::{MERCHANT, Reply, Stub, UUID, client_at, impatient_client_at};

#[tokio::test]
async fn status_401_is_invalid_credentials() {
    let stub = Stub::start().await;
    stub.on(
        "GET",
        "/merchants/credentials",
        Reply::text(401, "text/plain", "HTTP Basic: Access denied.\n"),
    );
    let err = stub.client().credentials().await.unwrap_err();
    assert!(matches!(err, Error::InvalidCredentials { .. }), "{err}");
    assert!(!err.is_retryable());
    assert_eq!(err.status(), Some(401));
}

#[tokio::test]
async fn status_403_keeps_sequras_errors() {
    let stub = Stub::start().await;
    stub.on(
        "GET",
        "/merchants/test/credentials",
        Reply::json(
            403,
            &json!({"errors": ["Bad merchant id 'test' for logeecom"]}),
        ),
    );
    let err = stub
        .client()
        .merchant_credentials("test")
        .await
        .unwrap_err();
    match &err {
        Error::Forbidden { errors, endpoint } => {
            assert_eq!(errors, &["Bad merchant id 'test' for logeecom"]);
            assert_eq!(endpoint, "GET /merchants/test/credentials");
        }
        other => panic!("{other}"),
    }
    assert!(!err.is_retryable());

    let stub = Stub::start().await;
    stub.on(
        "GET",
        &format!("/orders/{UUID}/payment_methods"),
        Reply::json(403, &json!({"errors": ["Bad order id 'x' for shop_es"]})),
    );
    let err = stub
        .client()
        .order_payment_methods(MERCHANT, UUID)
        .await
        .unwrap_err();
    assert_eq!(err.errors(), ["Bad order id 'x' for shop_es"]);
}

#[tokio::test]
async fn status_404_is_not_found() {
    let stub = Stub::start().await;
    stub.on(
        "GET",
        &format!("/orders/{UUID}/form_v2"),
        Reply::text(
            404,
            "text/html",
            "<!DOCTYPE html><html><body>The page you were looking for doesn't exist.</body></html>",
        ),
    );
    let err = stub
        .client()
        .identification_form(MERCHANT, UUID, "i1", None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    assert!(!err.is_retryable());

    let stub = Stub::start().await;
    stub.on(
        "PUT",
        "/merchants/shop_es/orders/R1",
        Reply::json(404, &json!({})),
    );
    let update =
        OrderUpdate::cancellation(MERCHANT, MerchantReference::new("R1"), "EUR", platform());
    let err = stub
        .client()
        .update_order(MERCHANT, "R1", &update)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
}

#[tokio::test]
async fn status_409_is_rejected_with_the_reasons() {
    let stub = Stub::start().await;
    stub.on(
        "POST",
        "/orders",
        Reply::json(
            409,
            &json!({"errors": [
                "Invalid data: items' total_with_tax add up to 5055 (200+295+-1500+6060) but order_total_with_tax is 5097. The diff is 42",
                {"title": "order_ref_1 is not unique"}
            ]}),
        ),
    );
    let err = stub
        .client()
        .create_order(&minimal_order())
        .await
        .unwrap_err();
    match &err {
        Error::Rejected { errors, .. } => assert_eq!(errors.len(), 2),
        other => panic!("{other}"),
    }
    assert_eq!(
        err.to_string(),
        "POST /orders: 409 rejected: Invalid data: items' total_with_tax add up to 5055 \
         (200+295+-1500+6060) but order_total_with_tax is 5097. The diff is 42. \
         order_ref_1 is not unique"
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn server_errors_are_retryable_and_not_retried_here() {
    let stub = Stub::start().await;
    stub.on(
        "POST",
        "/orders",
        Reply::text(500, "text/html", "<h1>Internal Server Error</h1>"),
    );
    stub.on(
        "GET",
        "/merchants/shop_es/payment_methods",
        Reply::text(503, "text/plain", "down"),
    );
    let client = stub.client();
    let err = client.create_order(&minimal_order()).await.unwrap_err();
    assert!(matches!(err, Error::Server { status: 500, .. }), "{err}");
    assert!(err.is_retryable());
    let err = client.merchant_payment_methods(MERCHANT).await.unwrap_err();
    assert!(matches!(err, Error::Server { status: 503, .. }), "{err}");
    assert!(err.is_retryable());
    assert_eq!(stub.requests().len(), 2, "no hidden retries");
}

#[tokio::test]
async fn rate_limits_and_other_statuses() {
    let stub = Stub::start().await;
    stub.on(
        "GET",
        "/merchants/credentials",
        Reply::text(429, "text/plain", "slow down").header("Retry-After", "7"),
    );
    let err = stub.client().credentials().await.unwrap_err();
    match &err {
        Error::RateLimited { retry_after, .. } => {
            assert_eq!(*retry_after, Some(std::time::Duration::from_secs(7)));
        }
        other => panic!("{other}"),
    }
    assert!(err.is_retryable());

    let stub = Stub::start().await;
    stub.on(
        "POST",
        "/orders/delivery_reports",
        Reply::text(400, "text/plain", "Bad Request"),
    );
    let report = sequra::DeliveryReport::new(MERCHANT, platform());
    let err = stub.client().delivery_report(&report).await.unwrap_err();
    match &err {
        Error::UnexpectedStatus {
            status,
            body_excerpt,
            ..
        } => {
            assert_eq!(*status, 400);
            assert_eq!(body_excerpt, "Bad Request");
        }
        other => panic!("{other}"),
    }
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_2xx_that_breaks_the_contract_is_a_decode_error() {
    for body in [
        "not json",
        "{\"payment_options\": 3}",
        "{\"payment_options\": [{\"methods\": [{}]}]}",
    ] {
        let stub = Stub::start().await;
        stub.on(
            "GET",
            "/merchants/shop_es/payment_methods",
            Reply::text(200, "application/json", body),
        );
        let err = stub
            .client()
            .merchant_payment_methods(MERCHANT)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{body}: {err}");
        assert!(!err.is_retryable());
    }
}

#[tokio::test]
async fn create_order_needs_a_usable_location() {
    let stub = Stub::start().await;
    stub.on("POST", "/orders", Reply::empty(204));
    let err = stub
        .client()
        .create_order(&minimal_order())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::MissingLocation { found: None, .. }),
        "{err}"
    );
    assert!(!err.is_retryable());

    for location in [
        "https://sandbox.sequrapi.com/",
        "https://sandbox.sequrapi.com/carts/abc",
        "/orders/",
    ] {
        let stub = Stub::start().await;
        stub.on(
            "POST",
            "/orders",
            Reply::empty(204).header("Location", location),
        );
        let err = stub
            .client()
            .create_order(&minimal_order())
            .await
            .unwrap_err();
        match &err {
            Error::MissingLocation { found, .. } => assert_eq!(found.as_deref(), Some(location)),
            other => panic!("{location}: {other}"),
        }
    }
}

#[tokio::test]
async fn a_timeout_is_a_retryable_transport_error() {
    let stub = Stub::start().await;
    stub.on("GET", "/merchants/shop_es/payment_methods", Reply::hang());
    stub.on("POST", "/orders", Reply::hang());
    let client = impatient_client_at(&stub.base_url);

    let err = client.merchant_payment_methods(MERCHANT).await.unwrap_err();
    assert!(
        matches!(err, Error::Transport { timeout: true, .. }),
        "{err}"
    );
    assert!(err.is_retryable());
    let err = client.create_order(&minimal_order()).await.unwrap_err();
    assert!(
        matches!(err, Error::Transport { timeout: true, .. }),
        "{err}"
    );
    assert!(err.is_retryable());
    // Timeouts are never re-sent, not even GETs.
    assert_eq!(stub.requests().len(), 2);
}

/// A server that closes the first `drop_first` connections after reading the request,
/// then answers every request with `response`. Returns its base URL and a connection
/// counter.
async fn flaky_server(drop_first: usize, response: &'static str) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let n = counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = [0_u8; 16384];
                let _ = socket.read(&mut buf).await;
                if n >= drop_first {
                    let _ = socket.write_all(response.as_bytes()).await;
                    let _ = socket.shutdown().await;
                }
            });
        }
    });
    (base, count)
}

const OK_EMPTY: &str = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 24\r\nconnection: close\r\n\r\n{\"payment_options\": []}\n";
const NO_CONTENT_WITH_LOCATION: &str =
    "HTTP/1.1 204 No Content\r\nlocation: /orders/abc\r\nconnection: close\r\n\r\n";

#[tokio::test]
async fn a_get_gets_one_more_try_after_a_dropped_connection() {
    let (base, connections) = flaky_server(1, OK_EMPTY).await;
    let methods = client_at(&base)
        .merchant_payment_methods(MERCHANT)
        .await
        .unwrap();
    assert!(methods.payment_options.is_empty());
    assert_eq!(connections.load(Ordering::SeqCst), 2);

    // Two dropped connections in a row: the error surfaces after exactly two tries.
    let (base, connections) = flaky_server(2, OK_EMPTY).await;
    let err = client_at(&base)
        .merchant_payment_methods(MERCHANT)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Transport { timeout: false, .. }),
        "{err}"
    );
    assert!(err.is_retryable());
    assert_eq!(connections.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn posts_and_puts_are_never_resent() {
    let (base, connections) = flaky_server(1, NO_CONTENT_WITH_LOCATION).await;
    let err = client_at(&base)
        .create_order(&minimal_order())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err}");
    assert!(err.is_retryable());
    assert_eq!(connections.load(Ordering::SeqCst), 1);

    let (base, connections) = flaky_server(1, NO_CONTENT_WITH_LOCATION).await;
    let update =
        OrderUpdate::cancellation(MERCHANT, MerchantReference::new("R1"), "EUR", platform());
    let err = client_at(&base)
        .update_order(MERCHANT, "R1", &update)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err}");
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_refused_connection_is_a_retryable_transport_error() {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    drop(listener);
    let err = client_at(&base).credentials().await.unwrap_err();
    assert!(
        matches!(err, Error::Transport { timeout: false, .. }),
        "{err}"
    );
    assert!(err.is_retryable());
    assert_eq!(err.status(), None);
}
