//! The identification form over HTTP: prefilled fields, personas, the screens that
//! follow, and the status endpoint the page polls.

use reqwest::Method;
use sandbox::sequra::{NotificationKind, OrderState};
use serde_json::Value;
use uuid::Uuid;

use super::{Answer, Harness};

fn form_path(uuid: Uuid) -> String {
    format!("orders/{uuid}/pumbaa_form")
}

async fn submit(h: &Harness, uuid: Uuid, given_names: &str, surnames: &str) -> Answer {
    h.browser(
        Method::POST,
        &form_path(uuid),
        Some(&[
            ("product", "pp3"),
            ("given_names", given_names),
            ("surnames", surnames),
            ("email", "test@sequra.es"),
            ("date_of_birth", "2000-01-01"),
            ("nin", "23232323T"),
            ("phone", "666666666"),
        ]),
    )
    .await
}

async fn status(h: &Harness, uuid: Uuid) -> Value {
    let answer = h
        .browser(
            Method::GET,
            &format!("orders/{uuid}/pumbaa_form/status"),
            None,
        )
        .await;
    assert_eq!(answer.status, 200);
    answer.json()
}

fn action_of(page: &str) -> &str {
    let start = page.find("data-action=\"").unwrap() + "data-action=\"".len();
    let end = start + page[start..].find('"').unwrap();
    &page[start..end]
}

#[tokio::test]
async fn the_form_is_prefilled_from_the_customer() {
    let h = Harness::new().await;
    let uuid = h.create_default().await;
    let answer = h
        .browser(
            Method::GET,
            &format!("{}?product=pp3", form_path(uuid)),
            None,
        )
        .await;
    assert_eq!(answer.status, 200);
    assert!(
        answer
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let page = &answer.text;
    assert_eq!(action_of(page), "identify");
    for (name, value) in [
        ("given_names", "Fulano"),
        ("surnames", "De Tal"),
        ("email", "test@sequra.es"),
        ("date_of_birth", "2000-01-01"),
        ("nin", "23232323T"),
        ("phone", "666666666"),
    ] {
        let input = format!("name=\"{name}\" value=\"{value}\"");
        assert!(page.contains(&input), "{input} not in {page}");
    }
    assert!(page.contains("<input type=\"hidden\" name=\"product\" value=\"pp3\">"));
    assert!(page.contains("id=\"sq-submit\""));
    assert!(page.contains(&format!(
        "action=\"{}/orders/{uuid}/pumbaa_form\"",
        h.spawned.base_url()
    )));
    assert!(page.contains("50,97 €"));
    assert_eq!(status(&h, uuid).await["action"], "identify");
}

#[tokio::test]
async fn the_default_persona_is_approved_and_sent_back_to_the_shop() {
    let h = Harness::new().await;
    let uuid = h.create_default().await;
    let answer = submit(&h, uuid, "Fulano", "De Tal").await;
    assert_eq!(answer.status, 200);
    // The IPN may or may not have gone out yet: waiting or finished.
    assert!(
        matches!(action_of(&answer.text), "wait" | "finish"),
        "{}",
        answer.text
    );
    h.sim.flush().await;
    let order = h.sim.order(uuid).unwrap();
    assert_eq!(order.state, OrderState::Confirmed);
    assert_eq!(order.product_code.as_deref(), Some("pp3"));
    assert_eq!(
        h.shop.received_at("/ipn")[0].field("product_code"),
        Some("pp3")
    );

    let status = status(&h, uuid).await;
    assert_eq!(status["action"], "finish");
    let return_url = format!("{}/return?product=pp3", h.shop.base_url);
    assert_eq!(status["return_url"], Value::String(return_url.clone()));
    assert_eq!(status["approved_callback"], "__sequraApproved");
    // Reloading the form now shows the result, with the way back to the shop.
    let page = h.browser(Method::GET, &form_path(uuid), None).await.text;
    assert_eq!(action_of(&page), "finish");
    assert!(page.contains(&format!("href=\"{return_url}\"")), "{page}");
    assert!(page.contains("sequra:redirect"));
    // Submitting again changes nothing.
    submit(&h, uuid, "Reject", "Test").await;
    assert_eq!(h.sim.order(uuid).unwrap().state, OrderState::Confirmed);
}

#[tokio::test]
async fn review_test_approve_is_reviewed_then_approved_on_the_clock() {
    let h = Harness::new().await;
    let uuid = h.create_default().await;
    submit(&h, uuid, "Review Test", "Approve").await;
    h.sim.flush().await;
    assert_eq!(h.sim.order(uuid).unwrap().state, OrderState::OnHold);
    let page = h.browser(Method::GET, &form_path(uuid), None).await.text;
    assert_eq!(action_of(&page), "show_on_hold");
    assert!(page.contains("Your request is being reviewed"));
    assert!(page.contains("id=\"sq-continue\""));

    h.advance(59);
    h.sim.run_due().await;
    assert_eq!(h.sim.order(uuid).unwrap().state, OrderState::OnHold);
    h.advance(1);
    h.sim.run_due().await;
    assert_eq!(h.sim.order(uuid).unwrap().state, OrderState::Confirmed);
    let states: Vec<String> = h
        .shop
        .received_at("/ipn")
        .iter()
        .map(|r| r.field("sq_state").unwrap().to_owned())
        .collect();
    assert_eq!(states, ["needs_review", "approved"]);
}

#[tokio::test]
async fn review_test_cancel_is_reviewed_then_cancelled_through_the_events_webhook() {
    let h = Harness::new().await;
    let uuid = h.create_default().await;
    submit(&h, uuid, "review test", "CANCEL").await;
    h.sim.flush().await;
    assert_eq!(h.sim.order(uuid).unwrap().state, OrderState::OnHold);
    h.advance(60);
    h.sim.run_due().await;
    assert_eq!(h.sim.order(uuid).unwrap().state, OrderState::Cancelled);
    let events = h.shop.received_at("/events");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].field("event"), Some("cancelled"));
    assert_eq!(events[0].field("m_signature"), Some("ev-sig"));
    assert!(
        h.sim
            .notifications_for(uuid)
            .iter()
            .any(|n| matches!(&n.kind, NotificationKind::Event { event } if event == "cancelled"))
    );
}

#[tokio::test]
async fn reject_test_is_rejected_and_tells_the_parent_page() {
    let h = Harness::new().await;
    let uuid = h.create_default().await;
    let answer = submit(&h, uuid, "Reject", "Test").await;
    assert_eq!(answer.status, 200);
    assert_eq!(action_of(&answer.text), "reject");
    assert!(answer.text.contains("no podemos aprobar"));
    assert!(answer.text.contains("sequra:rejected"));
    assert!(answer.text.contains("__sequraRejected"));
    h.sim.flush().await;
    assert!(h.shop.received().is_empty());
    assert_eq!(h.sim.order(uuid).unwrap().state, OrderState::Rejected);
    assert_eq!(status(&h, uuid).await["action"], "reject");
}

#[tokio::test]
async fn a_410_shows_the_conflict_screen() {
    let h = Harness::new().await;
    h.shop.set_status(410);
    let uuid = h.create_default().await;
    submit(&h, uuid, "Fulano", "De Tal").await;
    h.sim.flush().await;
    let page = h.browser(Method::GET, &form_path(uuid), None).await.text;
    assert_eq!(action_of(&page), "show_conflict");
    assert!(page.contains("The shop could not accept the order"));
    assert_eq!(h.sim.order(uuid).unwrap().state, OrderState::Cancelled);
}

#[tokio::test]
async fn a_409_keeps_the_shopper_waiting_until_a_retry_succeeds() {
    let h = Harness::new().await;
    h.shop.set_status(409);
    let uuid = h.create_default().await;
    submit(&h, uuid, "Fulano", "De Tal").await;
    h.sim.flush().await;
    let page = h.browser(Method::GET, &form_path(uuid), None).await.text;
    assert_eq!(action_of(&page), "wait");
    assert!(page.contains("/status"), "the waiting page polls");
    h.shop.set_status(200);
    h.advance(60);
    h.sim.run_due().await;
    assert_eq!(status(&h, uuid).await["action"], "finish");
}

#[tokio::test]
async fn incomplete_or_odd_submissions_redisplay_the_form() {
    let h = Harness::new().await;
    let uuid = h.create_default().await;
    let answer = h
        .browser(
            Method::POST,
            &form_path(uuid),
            Some(&[("given_names", "Only")]),
        )
        .await;
    assert_eq!(answer.status, 422);
    assert_eq!(action_of(&answer.text), "identify");
    assert!(answer.text.contains("id=\"sq-error\""));
    let answer = h
        .browser(
            Method::POST,
            &form_path(uuid),
            Some(&[
                ("product", "zz"),
                ("given_names", "A"),
                ("surnames", "B"),
                ("email", "c"),
            ]),
        )
        .await;
    assert_eq!(answer.status, 422);
    // Markup in values is escaped.
    let answer = h
        .browser(
            Method::POST,
            &form_path(uuid),
            Some(&[("given_names", "<script>x</script>"), ("surnames", "")]),
        )
        .await;
    assert!(answer.text.contains("&lt;script&gt;x&lt;/script&gt;"));
    assert!(!answer.text.contains("<script>x</script>"));
    assert_eq!(h.sim.order(uuid).unwrap().state, OrderState::Solicited);
}

#[tokio::test]
async fn unknown_forms_are_404_pages() {
    let h = Harness::new().await;
    for (method, path) in [
        (
            Method::GET,
            "orders/00000000-0000-4000-8000-000000000000/pumbaa_form",
        ),
        (Method::POST, "orders/nope/pumbaa_form"),
        (Method::GET, "portal/orders/nope"),
    ] {
        let answer = h.browser(method, path, None).await;
        assert_eq!(answer.status, 404, "{path}");
        assert!(answer.text.contains("doesn't exist"));
    }
    let answer = h
        .browser(Method::GET, "orders/nope/pumbaa_form/status", None)
        .await;
    assert_eq!(answer.status, 404);
}
