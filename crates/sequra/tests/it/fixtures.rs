//! Rust values matching `tests/fixtures/order-full.json` and `order-minimal.json`.

use std::collections::BTreeMap;

use sequra::{
    Address, Cart, Customer, DeliveryMethod, EventsWebhook, Gui, Item, Layout, LoggedIn, Merchant,
    MerchantOptions, MerchantReference, OrderRequest, OrderState, PickupTracking, Platform,
    PostalTracking, PreviousOrder, ProductItem, ServiceItem, Tracking, Vehicle,
};

use crate::support::MERCHANT;

const SIGNATURE: &str = "0f5d1c1bde2c39a5c1b1c9b8e2e7f3a4d6c8e0f1a2b3c4d5e6f708192a3b4c5d";
const CART_ID: &str = "c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10";

pub fn platform() -> Platform {
    Platform {
        name: "BigCommerce".into(),
        version: "3".into(),
        plugin_version: None,
        uname: "Linux".into(),
        db_name: "postgresql".into(),
        db_version: "16".into(),
        php_version: None,
    }
}

fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

pub fn shop_address() -> Address {
    Address {
        address_line_1: "Calle Mayor 1".into(),
        postal_code: "28013".into(),
        city: "Madrid".into(),
        country_code: "ES".into(),
        ..Address::default()
    }
}

pub fn tee(quantity: i64) -> ProductItem {
    ProductItem {
        reference: "TEE-RED-M".into(),
        name: "Red T-shirt, M".into(),
        price_with_tax: 2495,
        quantity,
        total_with_tax: 2495 * quantity,
        downloadable: false,
        ..ProductItem::default()
    }
}

pub fn minimal_order() -> OrderRequest {
    let item = ProductItem {
        reference: String::new(),
        ..tee(1)
    };
    OrderRequest {
        state: OrderState::Solicited,
        merchant: Merchant::id_only(MERCHANT),
        merchant_reference: None,
        cart: Cart::new("EUR", vec![item.into()]),
        delivery_method: DeliveryMethod {
            name: "Standard".into(),
            ..DeliveryMethod::default()
        },
        delivery_address: shop_address(),
        invoice_address: shop_address(),
        customer: Customer {
            email: "guest@example.com".into(),
            language_code: "es-ES".into(),
            ip_number: "203.0.113.7".into(),
            user_agent: "Mozilla/5.0".into(),
            logged_in: LoggedIn::Unknown,
            ..Customer::default()
        },
        gui: Gui {
            layout: Layout::Desktop,
        },
        platform: platform(),
        trackings: None,
    }
}

pub fn full_order() -> OrderRequest {
    let items = vec![
        Item::Product(ProductItem {
            perishable: Some(false),
            personalized: Some(false),
            restockable: Some(true),
            category: Some("Clothing".into()),
            description: Some("Organic cotton".into()),
            manufacturer: Some("Acme".into()),
            supplier: Some("Acme Iberia".into()),
            product_id: Some("112".into()),
            url: Some("https://shop.example/red-t-shirt/".into()),
            tracking_reference: Some("PKG-1".into()),
            ..tee(2)
        }),
        Item::Product(ProductItem {
            reference: String::new(),
            name: "E-book".into(),
            price_with_tax: 999,
            quantity: 1,
            total_with_tax: 999,
            downloadable: true,
            ..ProductItem::default()
        }),
        Item::Service(ServiceItem {
            reference: "WARRANTY-2Y".into(),
            name: "Extended warranty".into(),
            price_with_tax: 4900,
            quantity: 1,
            total_with_tax: 4900,
            downloadable: false,
            ends_in: Some("P2Y".into()),
            supplier: Some("Acme Care".into()),
            rendered: Some(false),
            ..ServiceItem::default()
        }),
        Item::Service(ServiceItem {
            reference: "INSTALL".into(),
            name: "Installation".into(),
            price_with_tax: 3000,
            quantity: 1,
            total_with_tax: 3000,
            downloadable: false,
            ends_on: Some("2031-06-30".into()),
            ..ServiceItem::default()
        }),
        Item::registration("REG", "Registration fee", 1500),
        Item::handling("shipping cost", "Express 24h", 595),
        Item::invoice_fee(195),
        Item::discount("SPRING10", "Discount: SPRING10", -639),
        Item::other_payment("GC-77", "Gift certificate", -1000),
        Item::Product(ProductItem {
            reference: "MUG".into(),
            name: "Mug".into(),
            price_with_tax: 4000,
            quantity: 1,
            total_with_tax: 4000,
            downloadable: false,
            ..ProductItem::default()
        }),
    ];
    let mut cart = Cart::new("EUR", items).with_ref(CART_ID);
    cart.created_at = Some("2031-04-02T10:11:12+02:00".into());
    cart.updated_at = Some("2031-04-02T10:15:00+02:00".into());

    let signed = params(&[("signature", SIGNATURE), ("storeId", "abc123")]);
    let mut notification_parameters = signed.clone();
    notification_parameters.insert("cartId".into(), CART_ID.into());

    OrderRequest {
        state: OrderState::Solicited,
        merchant: Merchant {
            id: MERCHANT.into(),
            notify_url: Some("https://app.example/sequra/ipn?store=abc123".into()),
            notification_parameters: Some(notification_parameters),
            return_url: Some("https://app.example/sequra/return?cart=c5e1b6f2".into()),
            approved_callback: Some("__sequraApproved".into()),
            rejected_callback: Some("__sequraRejected".into()),
            partpayment_details_getter: Some("__sequraDetails".into()),
            approved_url: Some("https://shop.example/checkout/order-confirmation".into()),
            abort_url: Some("https://shop.example/checkout".into()),
            edit_url: Some("https://shop.example/checkout#address".into()),
            events_webhook: Some(EventsWebhook {
                url: "https://app.example/sequra/events".into(),
                parameters: signed,
            }),
            options: Some(MerchantOptions {
                has_jquery: Some(false),
                uses_shipped_cart: Some(false),
                addresses_may_be_missing: Some(false),
                immutable_customer_data: Some(false),
                desired_first_charge_on: Some("2031-05-01".into()),
            }),
            store_ref: Some("main".into()),
        },
        merchant_reference: Some(MerchantReference {
            order_ref_1: "A14/12345".into(),
            order_ref_2: Some("c5e1b6f2".into()),
        }),
        cart,
        delivery_method: DeliveryMethod {
            name: "Express 24h".into(),
            days: Some("1".into()),
            provider: Some("SEUR".into()),
            home_delivery: Some(true),
        },
        delivery_address: Address {
            given_names: Some("Lucía".into()),
            surnames: Some("Martín Pérez".into()),
            phone: Some("910000000".into()),
            mobile_phone: Some("600000000".into()),
            state: Some("Madrid".into()),
            extra: Some("Portal B".into()),
            vat_number: Some("X1234567L".into()),
            ..shop_address()
        },
        invoice_address: Address {
            given_names: Some("Lucía".into()),
            surnames: Some("Martín Pérez".into()),
            company: "Martín SL".into(),
            address_line_1: "Gran Vía 2".into(),
            address_line_2: "3º izq.".into(),
            phone: Some("910000000".into()),
            ..shop_address()
        },
        customer: Customer {
            email: "lucia@example.com".into(),
            language_code: "es-ES".into(),
            ip_number: "203.0.113.7".into(),
            user_agent: "Mozilla/5.0 (X11; Linux x86_64)".into(),
            logged_in: LoggedIn::Known(true),
            given_names: Some("Lucía".into()),
            surnames: Some("Martín Pérez".into()),
            title: Some("Sra.".into()),
            reference: Some("42".into()),
            date_of_birth: Some("1990-01-31".into()),
            nin: Some("12345678Z".into()),
            nin_control: Some("Z".into()),
            company: Some("Martín SL".into()),
            vat_number: Some("B12345678".into()),
            created_at: Some("2029-01-01T00:00:00+01:00".into()),
            updated_at: Some("2031-03-01T00:00:00+01:00".into()),
            rating: Some(90),
            previous_orders: Some(vec![PreviousOrder {
                created_at: "2030-12-24T13:14:15+01:00".into(),
                amount: 9957,
                currency: "EUR".into(),
                raw_status: Some("Completed".into()),
                status: Some("shipped".into()),
                payment_method_raw: Some("braintree".into()),
                payment_method: Some("CC".into()),
                postal_code: Some("28013".into()),
                country_code: Some("ES".into()),
            }]),
            vehicle: Some(Vehicle {
                plaque: "1234ABC".into(),
                brand: Some("Seat".into()),
                model: Some("Ibiza".into()),
                frame: Some("VSSZZZ6JZ9R000000".into()),
                first_registration_date: Some("2019-05-05".into()),
            }),
        },
        gui: Gui {
            layout: Layout::Smartphone,
        },
        platform: Platform {
            plugin_version: Some("0.1.0".into()),
            php_version: Some("n/a".into()),
            ..platform()
        },
        trackings: Some(vec![
            Tracking::Postal(PostalTracking {
                reference: "PKG-1".into(),
                carrier: "SEUR".into(),
                tracking_number: Some("SE123".into()),
                tracking_url: Some("https://track.example/SE123".into()),
                delivered_at: Some("2031-04-04T09:00:00+02:00".into()),
            }),
            Tracking::PickupPoint(PickupTracking {
                reference: "PKG-2".into(),
                tracking_number: Some("PP9".into()),
                operator_ref: Some("CORREOS".into()),
                store_ref: Some("PUDO-77".into()),
                available_at: Some("2031-04-05T09:00:00+02:00".into()),
                address_line_1: Some("Calle Sol 3".into()),
                address_line_2: Some(String::new()),
                postal_code: Some("28014".into()),
                city: Some("Madrid".into()),
                state: Some("Madrid".into()),
                country_code: Some("ES".into()),
                ..PickupTracking::default()
            }),
            Tracking::PickupStore(PickupTracking {
                reference: "PKG-3".into(),
                store_ref: Some("Madrid Centro".into()),
                ..PickupTracking::default()
            }),
        ]),
    }
}
