//! The simulator's state in BigCommerce's wire shapes, field for field from the OpenAPI
//! files and the fixtures: v2 money as 4-decimal strings and RFC-2822 dates, v3 money as
//! numbers and ISO-8601 dates. A field the schema declares non-nullable is never `null`
//! here (it is left out instead), so responses pass the contract validator.

use serde_json::{Map, Value, json};

use super::domain::refunds::RefundQuote;
use super::domain::totals::{checkout_totals, order_totals};
use super::model::{
    Address, AppExtension, Checkout, Customer, ItemKind, Metafield, ORDER_STATUSES, Order, Refund,
    RefundItemType, Script, Shipment, StoreProfile, StoreState, Transaction,
};
use super::money::{ex_tax_cents, ex_tax_ten4, v2_cents, v2_ten4, v3_cents};

pub fn rfc2822(t: &super::model::Instant) -> String {
    t.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

pub fn iso(t: &super::model::Instant) -> String {
    t.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
}

/// (ex tax, tax) of a tax-inclusive amount, as v2 strings.
fn v2_split(inc_cents: i64, rate_bp: i64) -> (String, String) {
    let ex = ex_tax_ten4(inc_cents, rate_bp);
    (v2_ten4(ex), v2_ten4(inc_cents * 100 - ex))
}

// ------------------------------------------------------------------------------------
// v2

pub fn store_info(p: &StoreProfile) -> Value {
    json!({
        "id": p.hash,
        "account_uuid": p.account_uuid,
        "domain": p.domain,
        "secure_url": p.secure_url,
        "control_panel_base_url": p.control_panel_base_url,
        "status": "live",
        "name": p.name,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "address": p.address,
        "country": p.country,
        "country_code": p.country_code,
        "phone": p.phone,
        "admin_email": p.admin_email,
        "order_email": p.order_email,
        "favicon_url": "",
        "timezone": {
            "name": p.timezone,
            "raw_offset": 3600,
            "dst_offset": 7200,
            "dst_correction": true,
            "date_format": {"display": "j M Y", "export": "j M Y", "extended_display": "j M Y @ H:i"}
        },
        "language": p.language,
        "currency": p.currency,
        "currency_symbol": p.currency_symbol,
        "decimal_separator": ",",
        "thousands_separator": ".",
        "decimal_places": 2,
        "currency_symbol_location": "right",
        "weight_units": "KGS",
        "dimension_units": "Centimeters",
        "dimension_decimal_places": 2,
        "dimension_decimal_token": ",",
        "dimension_thousands_token": ".",
        "plan_name": p.plan_name,
        "plan_level": p.plan_name,
        "plan_is_trial": false,
        "industry": "Apparel",
        "logo": [],
        "is_price_entered_with_tax": p.is_price_entered_with_tax,
        "store_id": p.store_id,
        "default_channel_id": p.default_channel_id,
        "default_site_id": 1000,
        "active_comparison_modules": [],
        "features": {
            "stencil_enabled": true,
            "sitewidehttps_enabled": true,
            "facebook_catalog_id": "",
            "checkout_type": p.checkout_type,
            "wishlists_enabled": false,
            "graphql_storefront_api_enabled": true,
            "shopper_consent_tracking_enabled": true,
            "multi_storefront_enabled": false
        }
    })
}

pub fn order_statuses(store: &StoreState) -> Value {
    Value::Array(
        ORDER_STATUSES
            .iter()
            .enumerate()
            .map(|(id, (name, description))| order_status(store, id, name, description))
            .collect(),
    )
}

pub fn order_status(store: &StoreState, id: usize, name: &str, description: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        "system_label": name,
        "custom_label": store.status_labels.get(id).cloned().unwrap_or_default(),
        "system_description": description,
        "order": id,
    })
}

fn v2_address(a: &Address) -> Map<String, Value> {
    let value = json!({
        "first_name": a.first_name,
        "last_name": a.last_name,
        "company": a.company,
        "street_1": a.street_1,
        "street_2": a.street_2,
        "city": a.city,
        "state": a.state,
        "zip": a.zip,
        "country": a.country,
        "country_iso2": a.country_iso2,
        "phone": a.phone,
        "email": a.email,
    });
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn link(base_url: &str, hash: &str, resource: &str) -> Value {
    json!({
        "url": format!("{base_url}/stores/{hash}/v2{resource}"),
        "resource": resource,
    })
}

pub fn order(store: &StoreState, order: &Order, base_url: &str) -> Value {
    let rate = store.profile.tax_rate_bp;
    let t = order_totals(order);
    let (subtotal_ex, subtotal_tax) = v2_split(t.subtotal, rate);
    let (shipping_ex, shipping_tax) = v2_split(t.shipping, rate);
    let (handling_ex, handling_tax) = v2_split(t.handling, rate);
    let (wrapping_ex, wrapping_tax) = v2_split(t.wrapping, rate);
    let (total_ex, total_tax) = v2_split(t.total, rate);
    let mut billing = v2_address(&order.billing_address);
    billing.insert("form_fields".into(), json!([]));
    let hash = &store.profile.hash;
    let id = order.id;
    let label = store.status_label(order.status_id);
    json!({
        "id": id,
        "customer_id": order.customer_id,
        "date_created": rfc2822(&order.created_at),
        "date_modified": rfc2822(&order.modified_at),
        "date_shipped": order.shipped_at.as_ref().map(rfc2822).unwrap_or_default(),
        "status_id": order.status_id,
        "status": label,
        "custom_status": label,
        "subtotal_ex_tax": subtotal_ex,
        "subtotal_inc_tax": v2_cents(t.subtotal),
        "subtotal_tax": subtotal_tax,
        "base_shipping_cost": v2_cents(t.shipping),
        "shipping_cost_ex_tax": shipping_ex,
        "shipping_cost_inc_tax": v2_cents(t.shipping),
        "shipping_cost_tax": shipping_tax,
        "shipping_cost_tax_class_id": 2,
        "base_handling_cost": v2_cents(t.handling),
        "handling_cost_ex_tax": handling_ex,
        "handling_cost_inc_tax": v2_cents(t.handling),
        "handling_cost_tax": handling_tax,
        "handling_cost_tax_class_id": 2,
        "base_wrapping_cost": v2_cents(t.wrapping),
        "wrapping_cost_ex_tax": wrapping_ex,
        "wrapping_cost_inc_tax": v2_cents(t.wrapping),
        "wrapping_cost_tax": wrapping_tax,
        "wrapping_cost_tax_class_id": 3,
        "total_ex_tax": total_ex,
        "total_inc_tax": v2_cents(t.total),
        "total_tax": total_tax,
        "is_tax_inclusive_pricing": store.profile.is_price_entered_with_tax,
        "items_total": order.lines.iter().map(|l| l.quantity).sum::<i64>(),
        "items_shipped": order.lines.iter().map(|l| l.quantity_shipped).sum::<i64>(),
        "payment_method": order.payment_method,
        "payment_provider_id": order.payment_provider_id,
        "payment_status": order.payment_status,
        "refunded_amount": "0.0000",
        "order_is_digital": !order.lines.is_empty() && order.lines.iter().all(|l| l.kind == ItemKind::Digital),
        "store_credit_amount": v2_cents(order.store_credit_cents),
        "gift_certificate_amount": v2_cents(order.gift_certificate_cents),
        "ip_address": order.ip_address,
        "ip_address_v6": "",
        "geoip_country": order.billing_address.country,
        "geoip_country_iso2": order.billing_address.country_iso2,
        "currency_id": 1,
        "currency_code": store.profile.currency,
        "currency_exchange_rate": "1.0000000000",
        "default_currency_id": 1,
        "default_currency_code": store.profile.currency,
        "store_default_currency_code": store.profile.currency,
        "store_default_to_transactional_exchange_rate": "1.0000000000",
        "staff_notes": order.staff_notes,
        "customer_message": order.customer_message,
        "discount_amount": v2_cents(t.manual_discount),
        "coupon_discount": v2_cents(t.coupon_discount),
        "shipping_address_count": order.shipping_addresses.len(),
        "is_deleted": order.is_deleted,
        "ebay_order_id": "0",
        "cart_id": order.cart_id.clone().unwrap_or_default(),
        "billing_address": billing,
        "is_email_opt_in": order.is_email_opt_in,
        "credit_card_type": null,
        "order_source": order.order_source,
        "channel_id": order.channel_id,
        "external_source": order.external_source,
        "external_id": null,
        "external_merchant_id": null,
        "external_order_id": "",
        "tax_provider_id": "BasicTaxProvider",
        "customer_locale": order.customer_locale,
        "products": link(base_url, hash, &format!("/orders/{id}/products")),
        "shipping_addresses": link(base_url, hash, &format!("/orders/{id}/shipping_addresses")),
        "coupons": link(base_url, hash, &format!("/orders/{id}/coupons")),
        // A list instead with `include=fees` (see `api::v2`).
        "fees": link(base_url, hash, &format!("/orders/{id}/fees")),
    })
}

pub fn order_products(store: &StoreState, order: &Order) -> Vec<Value> {
    let rate = store.profile.tax_rate_bp;
    let totals = order_totals(order);
    order
        .lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let (price_ex, price_tax) = v2_split(line.unit_price_cents, rate);
            let (total_ex, total_tax) = v2_split(line.total_cents(), rate);
            let mut applied = Vec::new();
            for (coupon_row, cents) in &line.coupon_shares {
                if let Some(coupon) = order.coupons.iter().find(|c| c.id == *coupon_row) {
                    applied.push(json!({
                        "id": coupon.coupon_id.to_string(),
                        "amount": v2_cents(*cents),
                        "name": coupon.code,
                        "code": coupon.code,
                        "target": "order",
                    }));
                }
            }
            let manual = totals.line_manual_shares.get(index).copied().unwrap_or(0);
            if manual > 0 {
                applied.push(json!({
                    "id": "manual-discount",
                    "amount": v2_cents(manual),
                    "name": "Manual Discount",
                    "code": null,
                    "target": "order",
                }));
            }
            json!({
                "id": line.id,
                "order_id": order.id,
                "product_id": line.product_id,
                "variant_id": line.variant_id,
                "order_pickup_method_id": 0,
                "order_address_id": line.order_address_id,
                "name": line.name,
                "name_customer": line.name,
                "name_merchant": line.name,
                "sku": line.sku,
                "upc": "",
                "type": line.kind.as_str(),
                "base_price": v2_cents(line.unit_price_cents),
                "price_ex_tax": price_ex,
                "price_inc_tax": v2_cents(line.unit_price_cents),
                "price_tax": price_tax,
                "base_total": v2_cents(line.total_cents()),
                "total_ex_tax": total_ex,
                "total_inc_tax": v2_cents(line.total_cents()),
                "total_tax": total_tax,
                "weight": v2_ten4(line.weight_grams * 10),
                "width": "0.0000",
                "height": "0.0000",
                "depth": "0.0000",
                "quantity": line.quantity,
                "base_cost_price": "0.0000",
                "cost_price_inc_tax": "0.0000",
                "cost_price_ex_tax": "0.0000",
                "cost_price_tax": "0.0000",
                "is_refunded": line.quantity > 0 && line.quantity_refunded >= line.quantity,
                "quantity_refunded": line.quantity_refunded,
                "refund_amount": "0.0000",
                "return_id": 0,
                "wrapping_id": 0,
                "wrapping_name": "",
                "base_wrapping_cost": "0.0000",
                "wrapping_cost_ex_tax": "0.0000",
                "wrapping_cost_inc_tax": "0.0000",
                "wrapping_cost_tax": "0.0000",
                "wrapping_message": "",
                "quantity_shipped": line.quantity_shipped,
                "event_name": null,
                "event_date": null,
                "fixed_shipping_cost": "0.0000",
                "ebay_item_id": "",
                "ebay_transaction_id": "",
                "option_set_id": null,
                "parent_order_product_id": null,
                "is_bundled_product": false,
                "bin_picking_number": "",
                "external_id": null,
                "brand": line.brand,
                "applied_discounts": applied,
                "product_options": [],
                "configurable_fields": [],
                "gift_certificate_id": null,
                "discounted_total_inc_tax": v2_cents(totals.discounted_line_total(order, index)),
            })
        })
        .collect()
}

pub fn order_shipping_addresses(store: &StoreState, order: &Order, base_url: &str) -> Vec<Value> {
    let rate = store.profile.tax_rate_bp;
    order
        .shipping_addresses
        .iter()
        .map(|a| {
            let (cost_ex, cost_tax) = v2_split(a.cost_cents, rate);
            let (handling_ex, handling_tax) = v2_split(a.handling_cents, rate);
            let lines = order.lines.iter().filter(|l| l.order_address_id == a.id);
            let mut value = v2_address(&a.address);
            let extra = json!({
                "id": a.id,
                "order_id": order.id,
                "items_total": lines.clone().map(|l| l.quantity).sum::<i64>(),
                "items_shipped": lines.map(|l| l.quantity_shipped).sum::<i64>(),
                "shipping_method": a.shipping_method,
                "base_cost": v2_cents(a.cost_cents),
                "cost_ex_tax": cost_ex,
                "cost_inc_tax": v2_cents(a.cost_cents),
                "cost_tax": cost_tax,
                "cost_tax_class_id": 2,
                "base_handling_cost": v2_cents(a.handling_cents),
                "handling_cost_ex_tax": handling_ex,
                "handling_cost_inc_tax": v2_cents(a.handling_cents),
                "handling_cost_tax": handling_tax,
                "handling_cost_tax_class_id": 2,
                "shipping_zone_id": a.zone_id,
                "shipping_zone_name": a.zone_name,
                "shipping_quotes": link(
                    base_url,
                    &store.profile.hash,
                    &format!("/orders/{}/shipping_addresses/{}/shipping_quotes", order.id, a.id),
                ),
                "form_fields": [],
            });
            if let Value::Object(extra) = extra {
                value.extend(extra);
            }
            Value::Object(value)
        })
        .collect()
}

pub fn order_coupons(order: &Order) -> Vec<Value> {
    order
        .coupons
        .iter()
        .map(|c| {
            let discount: i64 = order
                .lines
                .iter()
                .flat_map(|l| &l.coupon_shares)
                .filter(|(row, _)| *row == c.id)
                .map(|(_, cents)| cents)
                .sum();
            let amount = match c.kind {
                super::model::CouponKind::FixedOff { cents } => v3_cents(cents),
                super::model::CouponKind::PercentOff { basis_points } => v3_cents(basis_points),
            };
            json!({
                "id": c.id,
                "coupon_id": c.coupon_id,
                "order_id": order.id,
                "code": c.code,
                "amount": amount,
                "type": c.kind.type_id(),
                "discount": v3_cents(discount),
            })
        })
        .collect()
}

pub fn shipment(store: &StoreState, shipment: &Shipment) -> Value {
    let order = store.orders.get(&shipment.order_id);
    let billing = order.map(|o| v2_address(&o.billing_address));
    let shipping = order
        .and_then(|o| {
            o.shipping_addresses
                .iter()
                .find(|a| a.id == shipment.order_address_id)
        })
        .map(|a| v2_address(&a.address));
    json!({
        "id": shipment.id,
        "order_id": shipment.order_id,
        "customer_id": order.map_or(0, |o| o.customer_id),
        "order_address_id": shipment.order_address_id,
        "date_created": rfc2822(&shipment.created_at),
        "tracking_number": shipment.tracking_number,
        "merchant_shipping_cost": "0.0000",
        "shipping_method": shipment.shipping_method,
        "comments": shipment.comments,
        "shipping_provider": shipment.shipping_provider,
        "tracking_carrier": shipment.tracking_carrier,
        "tracking_link": shipment.tracking_link,
        "billing_address": billing.unwrap_or_default(),
        "shipping_address": shipping.unwrap_or_default(),
        "items": shipment.items.iter().map(|i| json!({
            "order_product_id": i.order_product_id,
            "product_id": i.product_id,
            "quantity": i.quantity,
        })).collect::<Vec<_>>(),
        "shipping_provider_display_name": "",
        "generated_tracking_link": "",
    })
}

// ------------------------------------------------------------------------------------
// v3

pub fn v3_address(a: &Address) -> Map<String, Value> {
    let value = json!({
        "first_name": a.first_name,
        "last_name": a.last_name,
        "email": a.email,
        "company": a.company,
        "address1": a.street_1,
        "address2": a.street_2,
        "city": a.city,
        "state_or_province": a.state,
        "state_or_province_code": a.state_code,
        "country": a.country,
        "country_code": a.country_iso2,
        "postal_code": a.zip,
        "phone": a.phone,
        "custom_fields": [],
    });
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

pub fn checkout(store: &StoreState, c: &Checkout) -> Value {
    let rate = store.profile.tax_rate_bp;
    let t = checkout_totals(c);
    let cart_amount = t.subtotal - t.discount_total;
    let items_ex = ex_tax_cents(cart_amount, rate);
    let shipping_ex = ex_tax_cents(t.shipping, rate);
    let handling_ex = ex_tax_cents(t.handling, rate);
    let tax_total = t.grand_total - items_ex - shipping_ex - handling_ex;
    let line = |index: usize, l: &super::model::CartLine| {
        let shares = t.line_discounts.get(index).cloned().unwrap_or_default();
        let discount: i64 = shares.iter().sum();
        let discounts: Vec<Value> = c
            .coupons
            .iter()
            .zip(&shares)
            .filter(|(_, cents)| **cents > 0)
            .map(|(coupon, cents)| json!({"id": coupon.id, "discounted_amount": v3_cents(*cents)}))
            .collect();
        let mut value = json!({
            "id": l.id,
            "parent_id": null,
            "variant_id": l.variant_id,
            "product_id": l.product_id,
            "sku": l.sku,
            "name": l.name,
            "url": format!("{}/products/{}/", store.profile.secure_url, l.product_id),
            "quantity": l.quantity,
            "is_taxable": true,
            "image_url": "",
            "discounts": discounts,
            "coupons": [],
            "discount_amount": v3_cents(discount),
            "coupon_amount": v3_cents(discount),
            "original_price": v3_cents(l.unit_price_cents),
            "list_price": v3_cents(l.unit_price_cents),
            "sale_price": v3_cents(l.unit_price_cents),
            "extended_list_price": v3_cents(l.unit_price_cents * l.quantity),
            "extended_sale_price": v3_cents(l.unit_price_cents * l.quantity),
            "is_require_shipping": l.kind == ItemKind::Physical,
            "is_mutable": true,
            "added_by_promotion": false,
        });
        if l.kind == ItemKind::Physical
            && let Value::Object(map) = &mut value
        {
            map.insert("gift_wrapping".into(), Value::Null);
        }
        value
    };
    let physical: Vec<Value> = c
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.kind == ItemKind::Physical)
        .map(|(i, l)| line(i, l))
        .collect();
    let digital: Vec<Value> = c
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.kind == ItemKind::Digital)
        .map(|(i, l)| line(i, l))
        .collect();
    let line_discounts: Vec<Value> = c
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let cents: i64 = t.line_discounts.get(i).map_or(0, |s| s.iter().sum());
            json!({"id": l.id, "discounted_amount": v3_cents(cents)})
        })
        .collect();
    let coupons: Vec<Value> = c
        .coupons
        .iter()
        .zip(&t.coupon_discounts)
        .map(|(coupon, cents)| {
            json!({
                "id": coupon.id,
                "code": coupon.code,
                "coupon_type": coupon.kind.type_name(),
                "display_name": coupon.code,
                "discounted_amount": v3_cents(*cents),
            })
        })
        .collect();
    let billing = c.billing_address.as_ref().map(|b| {
        let mut map = v3_address(&b.address);
        map.insert("id".into(), json!(b.id));
        Value::Object(map)
    });
    let consignments: Vec<Value> = c
        .consignments
        .iter()
        .map(|k| {
            let cost = k.shipping_option.as_ref().map_or(0, |o| o.cost_cents);
            let mut value = json!({
                "id": k.id,
                "shipping_cost_inc_tax": v3_cents(cost),
                "shipping_cost_ex_tax": v3_cents(ex_tax_cents(cost, rate)),
                "handling_cost_inc_tax": v3_cents(k.handling_cents),
                "handling_cost_ex_tax": v3_cents(ex_tax_cents(k.handling_cents, rate)),
                "coupon_discounts": [],
                "discounts": [],
                "line_item_ids": k.line_item_ids,
                "address": v3_address(&k.address),
            });
            if let (Some(option), Value::Object(map)) = (&k.shipping_option, &mut value) {
                map.insert(
                    "selected_shipping_option".into(),
                    json!({
                        "id": option.id,
                        "type": option.kind,
                        "description": option.description,
                        "image_url": "",
                        "cost": v3_cents(option.cost_cents),
                        "transit_time": option.transit_time,
                        "additional_description": "",
                    }),
                );
            }
            value
        })
        .collect();
    let mut data = json!({
        "id": c.id,
        "cart": {
            "id": c.id,
            "customer_id": c.customer_id,
            "channel_id": c.channel_id,
            "email": c.email,
            "currency": {"code": store.profile.currency},
            "tax_included": store.profile.is_price_entered_with_tax,
            "base_amount": v3_cents(t.subtotal),
            "discount_amount": 0,
            "cart_amount_inc_tax": v3_cents(cart_amount),
            "cart_amount_ex_tax": v3_cents(items_ex),
            "coupons": coupons,
            "discounts": line_discounts,
            "line_items": {
                "physical_items": physical,
                "digital_items": digital,
                "gift_certificates": [],
                "custom_items": [],
            },
            "created_time": iso(&c.created_at),
            "updated_time": iso(&c.updated_at),
        },
        "consignments": consignments,
        "taxes": [{"name": store.profile.tax_name, "amount": v3_cents(tax_total)}],
        "coupons": coupons,
        "fees": [],
        "order_id": c.order_id.map(|id| id.to_string()),
        "shipping_cost_total_inc_tax": v3_cents(t.shipping),
        "shipping_cost_total_ex_tax": v3_cents(shipping_ex),
        "handling_cost_total_inc_tax": v3_cents(t.handling),
        "handling_cost_total_ex_tax": v3_cents(handling_ex),
        "tax_total": v3_cents(tax_total),
        "subtotal_inc_tax": v3_cents(t.subtotal),
        "subtotal_ex_tax": v3_cents(ex_tax_cents(t.subtotal, rate)),
        "grand_total": v3_cents(t.grand_total),
        "created_time": iso(&c.created_at),
        "updated_time": iso(&c.updated_at),
        "customer_message": c.customer_message,
        "promotions": [],
        "version": c.version,
    });
    if let (Some(billing), Value::Object(map)) = (billing, &mut data) {
        map.insert("billing_address".into(), billing);
    }
    data
}

pub fn customer(c: &Customer, include_credit: bool, include_addresses: bool) -> Value {
    let mut value = json!({
        "id": c.id,
        "email": c.email,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "company": c.company,
        "phone": c.phone,
        "registration_ip_address": "",
        "notes": c.notes,
        "tax_exempt_category": "",
        "customer_group_id": 0,
        "date_created": iso(&c.created_at),
        "date_modified": iso(&c.modified_at),
        "address_count": c.addresses.len(),
        "attribute_count": 0,
        "authentication": {"force_password_reset": false},
        "accepts_product_review_abandoned_cart_emails": false,
        "origin_channel_id": 1,
        "channel_ids": [1],
    });
    if let Value::Object(map) = &mut value {
        if include_credit {
            map.insert(
                "store_credit_amounts".into(),
                json!([{"amount": v3_cents(c.store_credit_cents)}]),
            );
        }
        if include_addresses {
            let addresses: Vec<Value> = c
                .addresses
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let mut map = v3_address(a);
                    map.remove("custom_fields");
                    map.remove("email");
                    map.remove("state_or_province_code");
                    map.insert("id".into(), json!(c.id * 1000 + i as i64 + 1));
                    map.insert("customer_id".into(), json!(c.id));
                    map.insert("address_type".into(), json!("residential"));
                    Value::Object(map)
                })
                .collect();
            map.insert("addresses".into(), Value::Array(addresses));
        }
    }
    value
}

/// A refund. `requested_amount` is a number in the create and list responses and a string
/// in `GET /v3/orders/payment_actions/refunds/{id}` — each as its schema declares.
pub fn refund(r: &Refund, requested_amount_as_string: bool) -> Value {
    json!({
        "id": r.id,
        "order_id": r.order_id,
        "user_id": r.user_id,
        "created": iso(&r.created_at),
        "reason": r.reason,
        "total_amount": v3_cents(r.total_cents),
        "total_tax": v3_cents(r.total_tax_cents),
        "uses_merchant_override_values": r.uses_merchant_override_values,
        "items": r.items.iter().map(|i| {
            let requested = match i.requested_amount_cents {
                None => Value::Null,
                Some(cents) if requested_amount_as_string => json!(format!("{}.{:02}", cents / 100, cents % 100)),
                Some(cents) => v3_cents(cents),
            };
            let mut item = json!({
                "item_type": i.item_type.as_str(),
                "item_id": i.item_id,
                "reason": i.reason,
                "requested_amount": requested,
            });
            if let Value::Object(map) = &mut item {
                if let Some(quantity) = i.quantity {
                    map.insert("quantity".into(), json!(quantity));
                }
                if !i.adjustments.is_empty() {
                    map.insert("adjustments".into(), Value::Array(i.adjustments.iter().map(|a| json!({
                        "amount": v3_cents(a.amount_cents),
                        "description": a.description,
                    })).collect()));
                }
            }
            item
        }).collect::<Vec<_>>(),
        "payments": r.payments.iter().map(|p| {
            let mut payment = json!({
                "id": p.id,
                "provider_id": p.provider_id,
                "amount": v3_cents(p.amount_cents),
                "offline": p.offline,
                "is_declined": p.is_declined,
                "declined_message": p.declined_message,
            });
            if let (Some(transaction_id), Value::Object(map)) = (p.transaction_id, &mut payment) {
                map.insert("transaction_id".into(), json!(transaction_id.to_string()));
            }
            payment
        }).collect::<Vec<_>>(),
    })
}

pub fn refund_quote(q: &RefundQuote) -> Value {
    let adjustment: i64 = q
        .items
        .iter()
        .flat_map(|i| &i.adjustments)
        .map(|a| a.amount_cents)
        .sum();
    json!({
        "order_id": q.order_id,
        "total_refund_amount": v3_cents(q.total_cents),
        "total_refund_tax_amount": v3_cents(q.tax_cents),
        "order_level_refund_amount": v3_cents(q.order_level_cents),
        "rounding": 0,
        "adjustment": v3_cents(adjustment),
        "tax_inclusive": true,
        "refund_methods": q.refund_methods.iter().map(|option| {
            option.iter().map(|p| json!({
                "provider_id": p.provider_id,
                "provider_description": p.description,
                "amount": v3_cents(p.amount_cents),
                "offline": p.offline,
                "offline_provider": p.offline,
                "offline_reason": p.offline_reason(),
            })).collect::<Vec<_>>()
        }).collect::<Vec<_>>(),
    })
}

pub fn transaction(t: &Transaction) -> Value {
    let mut value = json!({
        "id": t.id,
        "order_id": t.order_id.to_string(),
        "event": t.event,
        "method": t.method,
        "amount": v3_cents(t.amount_cents),
        "currency": t.currency,
        "gateway": t.gateway,
        "gateway_transaction_id": "",
        "payment_method_id": t.gateway,
        "date_created": iso(&t.created_at),
        "test": false,
        "status": "ok",
        "fraud_review": false,
        "offline": t.offline_display_name.as_ref().map(|name| json!({"display_name": name})),
        "custom": t.custom_payment_method.as_ref().map(|m| json!({"payment_method": m})),
        "store_credit": t.store_credit_remaining_cents.map(|c| json!({"remaining_balance": v3_cents(c)})),
        "gift_certificate": null,
        "avs_result": {"code": "", "message": "", "street_match": "", "postal_match": ""},
        "cvv_result": {"code": "", "message": ""},
        "payment_instrument_token": null,
        "custom_provider_field_result": null,
    });
    if let (Some(reference), Value::Object(map)) = (t.reference_transaction_id, &mut value) {
        map.insert("reference_transaction_id".into(), json!(reference));
    }
    value
}

pub fn metafield(m: &Metafield) -> Value {
    json!({
        "id": m.id,
        "permission_set": m.permission_set,
        "namespace": m.namespace,
        "key": m.key,
        "value": m.value,
        "description": m.description,
        "resource_type": "order",
        "resource_id": m.order_id,
        "date_created": iso(&m.created_at),
        "date_modified": iso(&m.modified_at),
        "owner_client_id": m.owner_client_id,
    })
}

pub fn script(s: &Script) -> Value {
    json!({
        "uuid": s.uuid,
        "name": s.name,
        "description": s.description,
        "html": s.html,
        "src": s.src,
        "auto_uninstall": s.auto_uninstall,
        "load_method": s.load_method,
        "location": s.location,
        "visibility": s.visibility,
        "kind": s.kind,
        "api_client_id": s.client_id,
        "consent_category": s.consent_category,
        "enabled": s.enabled,
        "channel_id": s.channel_id,
        "integrity_hashes": s.integrity_hashes,
        "date_created": iso(&s.created_at),
        "date_modified": iso(&s.modified_at),
    })
}

/// The GraphQL object of an App Extension (every field; the query's selection picks).
pub fn app_extension(e: &AppExtension) -> Value {
    json!({
        "__typename": "AppExtension",
        "id": e.graphql_id(),
        "context": e.context,
        "model": e.model,
        "url": e.url,
        "label": {
            "__typename": "AppExtensionLabel",
            "defaultValue": e.label_default,
            "locales": e.label_locales.iter().map(|l| json!({
                "__typename": "AppExtensionLocaleLabel",
                "value": l.value,
                "localeCode": l.locale_code,
            })).collect::<Vec<_>>(),
        },
    })
}

/// v3 `meta.pagination` for a page of a list.
pub fn pagination(total: usize, count: usize, per_page: usize, page: usize, query: &str) -> Value {
    let total_pages = if per_page == 0 {
        1
    } else {
        total.div_ceil(per_page).max(1)
    };
    let mut links = json!({"current": format!("?{query}page={page}&limit={per_page}")});
    if let Value::Object(map) = &mut links {
        if page > 1 {
            map.insert(
                "previous".into(),
                json!(format!("?{query}page={}&limit={per_page}", page - 1)),
            );
        }
        if page < total_pages {
            map.insert(
                "next".into(),
                json!(format!("?{query}page={}&limit={per_page}", page + 1)),
            );
        }
    }
    json!({
        "pagination": {
            "total": total,
            "count": count,
            "per_page": per_page,
            "current_page": page,
            "total_pages": total_pages,
            "links": links,
        }
    })
}

pub fn refund_item_type_from(s: &str) -> Option<RefundItemType> {
    match s {
        "PRODUCT" => Some(RefundItemType::Product),
        "GIFT_WRAPPING" => Some(RefundItemType::GiftWrapping),
        "SHIPPING" => Some(RefundItemType::Shipping),
        "HANDLING" => Some(RefundItemType::Handling),
        "ORDER" => Some(RefundItemType::Order),
        "FEE" => Some(RefundItemType::Fee),
        _ => None,
    }
}
