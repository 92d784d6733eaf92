//! `GET merchants/{m}/payment_methods` and `GET orders/{uuid}/payment_methods`, compared
//! with the simulator's own catalogue and fee tables.

use sequra::{Error, PaymentMethods};

use super::*;

fn products(methods: &PaymentMethods) -> Vec<(String, String, Option<String>)> {
    methods
        .methods()
        .map(|(category, method)| {
            (
                category.category.clone().unwrap_or_default(),
                method.product.clone(),
                method.campaign.clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn merchant_payment_methods_have_categories_products_and_amount_windows() {
    let s = Sim::new().await;
    let methods = s.sequra.merchant_payment_methods(MERCHANT).await.unwrap();
    let categories: Vec<Option<&str>> = methods
        .payment_options
        .iter()
        .map(|c| c.category.as_deref())
        .collect();
    assert_eq!(
        categories,
        [Some("pay_now"), Some("pay_later"), Some("part_payment")]
    );
    let own = |s: &str| s.to_owned();
    assert_eq!(
        products(&methods),
        [
            (own("pay_now"), own("fp1"), None),
            (own("pay_later"), own("i1"), None),
            (own("pay_later"), own("pp5"), Some(own("temporary"))),
            (own("part_payment"), own("sp1"), None),
            (own("part_payment"), own("pp3"), None),
        ]
    );
    let catalogue = s.sim.payment_methods(MERCHANT);
    for ((category, method), sim) in methods.methods().zip(&catalogue) {
        assert_eq!(method.product, sim.product);
        assert_eq!(category.title.as_deref(), Some(sim.category_title.as_str()));
        assert_eq!(method.title, sim.title);
        assert_eq!(method.long_title.as_deref(), Some(sim.long_title.as_str()));
        assert_eq!(method.claim, sim.claim);
        assert_eq!(method.min_amount, Some(sim.min_amount));
        assert_eq!(method.max_amount, sim.max_amount);
        assert!(method.icon.as_deref().unwrap().starts_with("<svg"));
        assert!(method.starts_at.is_some() && method.ends_at.is_some());
        // The merchant endpoint carries no order, so no cost.
        assert_eq!(method.cost.unwrap_or_default(), sequra::Cost::default());
    }
    let i1 = methods
        .methods()
        .find(|(_, m)| m.product == "i1")
        .unwrap()
        .1;
    assert_eq!((i1.min_amount, i1.max_amount), (Some(0), Some(150_000)));
    let fp1 = methods
        .methods()
        .find(|(_, m)| m.product == "fp1")
        .unwrap()
        .1;
    assert_eq!((fp1.min_amount, fp1.max_amount), (Some(0), None));
    let pp3 = methods
        .methods()
        .find(|(_, m)| m.product == "pp3")
        .unwrap()
        .1;
    assert_eq!(
        (pp3.min_amount, pp3.max_amount),
        (Some(5_000), Some(300_000))
    );

    // Another country's merchant answers in its language.
    let fr = s.sequra.merchant_payment_methods("demo_fr").await.unwrap();
    assert_eq!(
        fr.payment_options[1].title.as_deref(),
        Some("Payer plus tard")
    );

    let err = s.sequra.merchant_payment_methods("test").await.unwrap_err();
    assert!(matches!(err, Error::Forbidden { .. }), "{err:?}");
    assert_eq!(err.errors(), ["Bad merchant id 'test' for sequra_demo"]);
}

#[tokio::test]
async fn order_payment_methods_cost_the_orders_amount() {
    let s = Sim::new().await;
    let uuid = s.solicit("cart-pm", "BC-2001").await;
    let methods = s
        .sequra
        .order_payment_methods(MERCHANT, &uuid)
        .await
        .unwrap();
    // 74.93 EUR: every default product is eligible.
    let listed: Vec<&str> = methods.methods().map(|(_, m)| m.product.as_str()).collect();
    assert_eq!(listed, ["fp1", "i1", "pp5", "sp1", "pp3"]);
    let catalogue = s.sim.payment_methods(MERCHANT);
    for (_, method) in methods.methods() {
        let sim = catalogue
            .iter()
            .find(|m| m.product == method.product)
            .unwrap();
        let expected = sim.fees.cost_for(SHOP_TOTAL);
        let cost = method.cost.unwrap();
        assert_eq!(
            (
                cost.setup_fee,
                cost.instalment_fee,
                cost.down_payment_fees,
                cost.instalment_total
            ),
            (
                expected.setup_fee,
                expected.instalment_fee,
                expected.down_payment_fees,
                expected.instalment_total
            ),
            "{}",
            method.product
        );
    }
    // The documented tables, spelled out: pp3 is 12 × (⌊7493/12⌋ + 3.00 €); pp5 one 2.95 €.
    let cost = |p: &str| {
        methods
            .methods()
            .find(|(_, m)| m.product == p)
            .unwrap()
            .1
            .cost
            .unwrap()
    };
    assert_eq!(cost("pp3").instalment_total, 624 + 300);
    assert_eq!(cost("pp3").instalment_fee, 300);
    assert_eq!(cost("pp5").setup_fee, 295);
    assert_eq!(cost("pp5").instalment_total, SHOP_TOTAL);
    assert_eq!(cost("i1"), sequra::Cost::default());

    // A small order: the part-payment products drop out (minimum 50 €).
    let mut small = shop_order(&s.shop, MERCHANT, "cart-small");
    small.cart = Cart::new("EUR", vec![product("SKU-SOCKS", "Socks", 1200, 2)]);
    let small_uuid = s.sequra.create_order(&small).await.unwrap();
    let methods = s
        .sequra
        .order_payment_methods(MERCHANT, &small_uuid)
        .await
        .unwrap();
    let listed: Vec<&str> = methods.methods().map(|(_, m)| m.product.as_str()).collect();
    assert_eq!(listed, ["fp1", "i1", "pp5"]);
}

#[tokio::test]
async fn an_unknown_order_is_a_bad_order_id() {
    let s = Sim::new().await;
    let unknown = Uuid::new_v4().to_string();
    let err = s
        .sequra
        .order_payment_methods(MERCHANT, &unknown)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden { .. }), "{err:?}");
    assert_eq!(
        err.errors(),
        [format!("Bad order id '{unknown}' for sequra_demo")]
    );
    // Not a uuid at all: still SeQura's answer, not a client refusal.
    let err = s
        .sequra
        .order_payment_methods(MERCHANT, "test")
        .await
        .unwrap_err();
    assert_eq!(err.errors(), ["Bad order id 'test' for sequra_demo"]);
    // Something that cannot be a path segment is refused before sending.
    let before = s.sim.requests().len();
    let err = s
        .sequra
        .order_payment_methods(MERCHANT, "../merchants/credentials")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert_eq!(s.sim.requests().len(), before);
}
