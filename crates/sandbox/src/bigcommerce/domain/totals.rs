//! Totals of checkouts and orders, in cents, tax included. The order identity the spec
//! gives (§4.4) is what the simulator computes, exactly:
//!
//! `total_inc_tax = subtotal_inc_tax + shipping_cost_inc_tax + handling_cost_inc_tax +
//! wrapping_cost_inc_tax − discount_amount − coupon_discount`
//!
//! Store credit and gift certificates pay part of the total; they do not change it.

use crate::bigcommerce::model::{Checkout, Coupon, Order};
use crate::bigcommerce::money::split_proportionally;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutTotals {
    pub subtotal: i64,
    /// Per coupon (same order as `checkout.coupons`): the money it takes off.
    pub coupon_discounts: Vec<i64>,
    /// Per line (same order as `checkout.lines`): coupon shares on it.
    pub line_discounts: Vec<Vec<i64>>,
    pub discount_total: i64,
    pub shipping: i64,
    pub handling: i64,
    pub grand_total: i64,
}

/// Coupons apply one after the other on what is left of the items, and each is spread over
/// the lines in proportion to what is left of them.
pub fn coupon_shares(line_totals: &[i64], coupons: &[Coupon]) -> (Vec<i64>, Vec<Vec<i64>>) {
    let mut remaining: Vec<i64> = line_totals.to_vec();
    let mut per_coupon = Vec::with_capacity(coupons.len());
    let mut per_line: Vec<Vec<i64>> = vec![Vec::with_capacity(coupons.len()); line_totals.len()];
    for coupon in coupons {
        let left: i64 = remaining.iter().sum();
        let discount = coupon.kind.discount_on(left);
        let shares = split_proportionally(discount, &remaining);
        for ((share, rest), line) in shares.iter().zip(remaining.iter_mut()).zip(&mut per_line) {
            *rest -= share;
            line.push(*share);
        }
        per_coupon.push(discount);
    }
    (per_coupon, per_line)
}

pub fn checkout_totals(checkout: &Checkout) -> CheckoutTotals {
    let line_totals: Vec<i64> = checkout
        .lines
        .iter()
        .map(|l| l.unit_price_cents * l.quantity)
        .collect();
    let subtotal = line_totals.iter().sum();
    let (coupon_discounts, line_discounts) = coupon_shares(&line_totals, &checkout.coupons);
    let discount_total = coupon_discounts.iter().sum();
    let shipping = checkout
        .consignments
        .iter()
        .filter_map(|c| c.shipping_option.as_ref())
        .map(|o| o.cost_cents)
        .sum();
    let handling = checkout.consignments.iter().map(|c| c.handling_cents).sum();
    let grand_total: i64 = subtotal - discount_total + shipping + handling;
    CheckoutTotals {
        subtotal,
        coupon_discounts,
        line_discounts,
        discount_total,
        shipping,
        handling,
        grand_total: grand_total.max(0),
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderTotals {
    pub subtotal: i64,
    pub shipping: i64,
    pub handling: i64,
    pub wrapping: i64,
    pub coupon_discount: i64,
    pub manual_discount: i64,
    pub total: i64,
    /// Per line (same order as `order.lines`): its share of the manual discount.
    pub line_manual_shares: Vec<i64>,
}

impl OrderTotals {
    /// A line's total after every discount, tax included (`discounted_total_inc_tax`).
    pub fn discounted_line_total(&self, order: &Order, index: usize) -> i64 {
        let Some(line) = order.lines.get(index) else {
            return 0;
        };
        let manual = self.line_manual_shares.get(index).copied().unwrap_or(0);
        line.total_cents() - line.coupon_discount_cents() - manual
    }
}

pub fn order_totals(order: &Order) -> OrderTotals {
    let subtotal: i64 = order.lines.iter().map(|l| l.total_cents()).sum();
    let shipping = order.shipping_addresses.iter().map(|a| a.cost_cents).sum();
    let handling = order
        .shipping_addresses
        .iter()
        .map(|a| a.handling_cents)
        .sum();
    let coupon_discount: i64 = order.lines.iter().map(|l| l.coupon_discount_cents()).sum();
    let after_coupons: Vec<i64> = order
        .lines
        .iter()
        .map(|l| l.total_cents() - l.coupon_discount_cents())
        .collect();
    let manual_discount = order
        .manual_discount_cents
        .clamp(0, after_coupons.iter().sum::<i64>().max(0));
    let line_manual_shares = split_proportionally(manual_discount, &after_coupons);
    let total =
        subtotal + shipping + handling + order.wrapping_cents - coupon_discount - manual_discount;
    OrderTotals {
        subtotal,
        shipping,
        handling,
        wrapping: order.wrapping_cents,
        coupon_discount,
        manual_discount,
        total: total.max(0),
        line_manual_shares,
    }
}

/// What is left to refund on an order: its total minus every refund so far.
pub fn refunded_so_far(store: &crate::bigcommerce::model::StoreState, order_id: i64) -> i64 {
    store
        .refunds
        .values()
        .filter(|r| r.order_id == order_id)
        .map(|r| r.total_cents)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bigcommerce::model::CouponKind;

    #[test]
    fn coupons_are_spread_and_add_up() {
        let coupons = vec![
            Coupon {
                id: 1,
                code: "FIVE".into(),
                kind: CouponKind::FixedOff { cents: 500 },
            },
            Coupon {
                id: 2,
                code: "TEN".into(),
                kind: CouponKind::PercentOff {
                    basis_points: 1_000,
                },
            },
        ];
        let (per_coupon, per_line) = coupon_shares(&[5_000, 6_000], &coupons);
        assert_eq!(per_coupon, vec![500, 1_050]);
        let line_sum: i64 = per_line.iter().flatten().sum();
        assert_eq!(line_sum, 1_550);
    }
}
