//! Payment-method catalogue per merchant and the costs shown for an order amount.
//!
//! # Fee tables (assumed)
//!
//! SeQura does not publish its fee tables; these are invented but shaped like the
//! fixtures (§1.5.2), and reproduce the fixture's costs for a 50.97 EUR order exactly:
//!
//! | product | costs for amount `a` (cents) |
//! |---|---|
//! | `i1`, `fp1` | all zero |
//! | `pp5` | `setup_fee` = `down_payment_fees` = 295, `instalment_fee` 0, `instalment_total` = `a` |
//! | `pp3` | 12 instalments; fee per instalment 300 (a ≤ 200 €), 500 (≤ 400 €), 700 (≤ 800 €), else 900; `setup_fee` 0, `down_payment_fees` = fee, `instalment_total` = ⌊a/12⌋ + fee |
//! | `sp1` | 3 instalments; fee per instalment 100 (a ≤ 100 €), 200 (≤ 300 €), else 300; same formulas with 3 |

use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;
use serde_json::{Value, json};

/// A method's group, as `category` in the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    PayNow,
    PayLater,
    PartPayment,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PayNow => "pay_now",
            Self::PayLater => "pay_later",
            Self::PartPayment => "part_payment",
        }
    }
}

/// How a method's cost is computed from the order amount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fees {
    Free,
    /// One fee paid up front (pay next month).
    Fixed {
        fee: i64,
    },
    /// `count` instalments; the fee per instalment is the first `(up_to, fee)` whose
    /// `up_to` ≥ amount, else `above`.
    Instalments {
        count: i64,
        setup_fee: i64,
        table: Vec<(i64, i64)>,
        above: i64,
    },
}

/// `cost` of a method, all integer cents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Cost {
    pub setup_fee: i64,
    pub instalment_fee: i64,
    pub down_payment_fees: i64,
    pub instalment_total: i64,
}

impl Fees {
    pub fn cost_for(&self, amount: i64) -> Cost {
        match self {
            Self::Free => Cost::default(),
            Self::Fixed { fee } => Cost {
                setup_fee: *fee,
                instalment_fee: 0,
                down_payment_fees: *fee,
                instalment_total: amount,
            },
            Self::Instalments {
                count,
                setup_fee,
                table,
                above,
            } => {
                let fee = table
                    .iter()
                    .find(|(up_to, _)| amount <= *up_to)
                    .map_or(*above, |(_, fee)| *fee);
                let count = (*count).max(1);
                Cost {
                    setup_fee: *setup_fee,
                    instalment_fee: fee,
                    down_payment_fees: setup_fee.saturating_add(fee),
                    instalment_total: (amount / count).saturating_add(fee),
                }
            }
        }
    }
}

/// One method of a merchant's catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentMethod {
    pub product: String,
    pub campaign: Option<String>,
    pub category: Category,
    /// The title of the method's group (`payment_options[].title`).
    pub category_title: String,
    pub category_description: Option<String>,
    pub title: String,
    pub long_title: String,
    pub claim: Option<String>,
    pub description: Option<String>,
    /// Inclusive amount window in cents; `max_amount: None` = no upper limit.
    pub min_amount: i64,
    pub max_amount: Option<i64>,
    /// Availability window: `starts_at` ≤ now < `ends_at`.
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub fees: Fees,
}

impl PaymentMethod {
    pub fn is_eligible(&self, amount: i64, now: DateTime<Utc>) -> bool {
        amount >= self.min_amount
            && self.max_amount.is_none_or(|max| amount <= max)
            && self.starts_at <= now
            && now < self.ends_at
    }

    fn cost_description(&self, cost: Option<&Cost>, free: &str) -> Option<String> {
        match (&self.fees, cost) {
            (Fees::Free, _) => Some(free.to_owned()),
            (Fees::Fixed { fee }, _) => Some(format!("+ {}", euros(*fee))),
            (Fees::Instalments { .. }, Some(cost)) => {
                Some(format!("{}/mes", euros(cost.instalment_total)))
            }
            (Fees::Instalments { .. }, None) => self.claim.clone(),
        }
    }

    /// The method as it appears in `payment_options[].methods[]`. With `amount`, as
    /// on the order endpoint (cost computed, no amount window); without, as on the
    /// merchant endpoint (zero cost, `min_amount`/`max_amount` present).
    fn to_json(&self, amount: Option<i64>, free: &str) -> Value {
        let cost = amount.map(|amount| self.fees.cost_for(amount));
        let mut method = json!({
            "product": self.product,
            "campaign": self.campaign,
            "title": self.title,
            "long_title": self.long_title,
            "claim": self.claim,
            "description": self.description,
            "icon": icon(&self.product),
            "cost": cost.unwrap_or_default(),
            "cost_description": self.cost_description(cost.as_ref(), free),
            "starts_at": rfc3339(self.starts_at),
            "ends_at": rfc3339(self.ends_at),
            "widget": null,
            "info_widget": null,
        });
        if amount.is_none()
            && let Some(object) = method.as_object_mut()
        {
            object.insert("min_amount".to_owned(), json!(self.min_amount));
            object.insert("max_amount".to_owned(), json!(self.max_amount));
        }
        method
    }
}

/// `{"payment_options": [...]}`: methods grouped by category, in catalogue order.
/// `amount` as in [`PaymentMethod::to_json`].
pub fn payment_options_json<'a>(
    methods: impl IntoIterator<Item = &'a PaymentMethod>,
    amount: Option<i64>,
    country: &str,
) -> Value {
    let free = texts(language(country)).free;
    let mut options: Vec<(Category, Value, Vec<Value>)> = Vec::new();
    for method in methods {
        let rendered = method.to_json(amount, free);
        match options
            .iter_mut()
            .find(|(cat, _, _)| *cat == method.category)
        {
            Some((_, _, list)) => list.push(rendered),
            None => options.push((
                method.category,
                json!({
                    "title": method.category_title,
                    "description": method.category_description,
                    "icon": null,
                    "category": method.category.as_str(),
                }),
                vec![rendered],
            )),
        }
    }
    let options: Vec<Value> = options
        .into_iter()
        .map(|(_, mut head, methods)| {
            if let Some(object) = head.as_object_mut() {
                object.insert("methods".to_owned(), Value::Array(methods));
            }
            head
        })
        .collect();
    json!({ "payment_options": options })
}

/// `1234` → `12,34 €` (the format of SeQura's `cost_description`).
pub fn euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{},{:02} €", cents / 100, cents % 100)
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn icon(product: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"48\" height=\"24\" viewBox=\"0 0 48 24\">\
         <rect width=\"48\" height=\"24\" rx=\"4\" fill=\"#00c2a3\"/>\
         <text x=\"24\" y=\"16\" font-size=\"11\" text-anchor=\"middle\" fill=\"#fff\">{product}</text></svg>"
    )
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

#[derive(Clone, Copy)]
enum Language {
    Es,
    Fr,
    It,
    Pt,
}

fn language(country: &str) -> Language {
    match country.to_ascii_uppercase().as_str() {
        "FR" => Language::Fr,
        "IT" => Language::It,
        "PT" => Language::Pt,
        _ => Language::Es,
    }
}

/// Texts of one language: (category title, category description) per category and
/// (title, long title, claim, description) per product.
struct Texts {
    free: &'static str,
    pay_now: [&'static str; 2],
    pay_later: [&'static str; 2],
    part_payment: [&'static str; 2],
    fp1: [&'static str; 4],
    i1: [&'static str; 4],
    pp5: [&'static str; 4],
    sp1: [&'static str; 4],
    pp3: [&'static str; 4],
}

fn texts(language: Language) -> Texts {
    match language {
        Language::Es => Texts {
            free: "sin coste adicional",
            pay_now: ["Paga ahora", "Paga con tarjeta de forma segura"],
            pay_later: ["Paga Después", "Recibe primero, paga después"],
            part_payment: ["Paga Fraccionado", "Divide el pago en cómodas cuotas"],
            fp1: [
                "Tarjeta de crédito o débito",
                "Paga ahora con tarjeta",
                "Sin coste adicional",
                "Paga al momento con tu tarjeta de forma segura.",
            ],
            i1: [
                "Paga Después",
                "Paga después. 7 días desde el envío",
                "Sin coste adicional",
                "Compra ahora, recibe primero y paga después. Cuando tu pedido salga de la tienda tendrás 7 días para pagar.",
            ],
            pp5: [
                "Paga el mes que viene",
                "Paga el mes que viene por 2,95 €",
                "Solo 2,95 €",
                "Recibe tu pedido y págalo el mes que viene en un único pago.",
            ],
            sp1: [
                "Divide en 3 partes",
                "Divide tu pago en 3 partes",
                "Sin intereses",
                "Paga en 3 partes: la primera hoy y las otras dos en los próximos meses.",
            ],
            pp3: [
                "Paga Fraccionado",
                "Fracciona tu pago en cuotas mensuales",
                "Desde 3,00 €/mes",
                "Elige entre 3 y 12 cuotas al confirmar tu compra. Solo pagas una pequeña cuota fija al mes.",
            ],
        },
        Language::Fr => Texts {
            free: "sans frais supplémentaires",
            pay_now: ["Payer maintenant", "Payez par carte en toute sécurité"],
            pay_later: ["Payer plus tard", "Recevez d'abord, payez ensuite"],
            part_payment: ["Paiement fractionné", "Divisez votre paiement"],
            fp1: [
                "Carte bancaire",
                "Payer maintenant par carte",
                "Sans frais",
                "Payez immédiatement par carte en toute sécurité.",
            ],
            i1: [
                "Payer plus tard",
                "Payer plus tard. 7 jours après l'expédition",
                "Sans frais supplémentaires",
                "Achetez maintenant, recevez d'abord et payez 7 jours après l'expédition.",
            ],
            pp5: [
                "Payer le mois prochain",
                "Payer le mois prochain pour 2,95 €",
                "Seulement 2,95 €",
                "Recevez votre commande et payez-la le mois prochain en une fois.",
            ],
            sp1: [
                "Payer en 3 fois",
                "Divisez votre paiement en 3 fois",
                "Sans intérêts",
                "Payez en 3 fois : la première aujourd'hui, les autres les mois suivants.",
            ],
            pp3: [
                "Paiement fractionné",
                "Payez en mensualités",
                "À partir de 3,00 €/mois",
                "Choisissez entre 3 et 12 mensualités. Vous ne payez qu'un petit frais fixe par mois.",
            ],
        },
        Language::It => Texts {
            free: "senza costi aggiuntivi",
            pay_now: ["Paga ora", "Paga con carta in modo sicuro"],
            pay_later: ["Paga dopo", "Ricevi prima, paga dopo"],
            part_payment: ["Paga a rate", "Dividi il pagamento in comode rate"],
            fp1: [
                "Carta di credito o debito",
                "Paga ora con carta",
                "Senza costi aggiuntivi",
                "Paga subito con la tua carta in modo sicuro.",
            ],
            i1: [
                "Paga dopo",
                "Paga dopo. 7 giorni dalla spedizione",
                "Senza costi aggiuntivi",
                "Compra ora, ricevi prima e paga 7 giorni dopo la spedizione.",
            ],
            pp5: [
                "Paga il mese prossimo",
                "Paga il mese prossimo per 2,95 €",
                "Solo 2,95 €",
                "Ricevi il tuo ordine e pagalo il mese prossimo in un'unica soluzione.",
            ],
            sp1: [
                "Paga in 3 rate",
                "Dividi il pagamento in 3 rate",
                "Senza interessi",
                "Paga in 3 rate: la prima oggi, le altre nei mesi successivi.",
            ],
            pp3: [
                "Paga a rate",
                "Dividi il pagamento in rate mensili",
                "Da 3,00 €/mese",
                "Scegli tra 3 e 12 rate. Paghi solo una piccola commissione fissa al mese.",
            ],
        },
        Language::Pt => Texts {
            free: "sem custos adicionais",
            pay_now: ["Pague agora", "Pague com cartão de forma segura"],
            pay_later: ["Pague depois", "Receba primeiro, pague depois"],
            part_payment: ["Pagamento fracionado", "Divida o pagamento em prestações"],
            fp1: [
                "Cartão de crédito ou débito",
                "Pague agora com cartão",
                "Sem custos adicionais",
                "Pague de imediato com o seu cartão de forma segura.",
            ],
            i1: [
                "Pague depois",
                "Pague depois. 7 dias após o envio",
                "Sem custos adicionais",
                "Compre agora, receba primeiro e pague 7 dias após o envio.",
            ],
            pp5: [
                "Pague no próximo mês",
                "Pague no próximo mês por 2,95 €",
                "Apenas 2,95 €",
                "Receba a sua encomenda e pague-a no próximo mês de uma só vez.",
            ],
            sp1: [
                "Pague em 3 vezes",
                "Divida o seu pagamento em 3 vezes",
                "Sem juros",
                "Pague em 3 vezes: a primeira hoje e as outras nos meses seguintes.",
            ],
            pp3: [
                "Pagamento fracionado",
                "Divida o pagamento em prestações mensais",
                "Desde 3,00 €/mês",
                "Escolha entre 3 e 12 prestações. Paga apenas uma pequena taxa fixa por mês.",
            ],
        },
    }
}

/// The catalogue every merchant starts with, in the language of its country:
///
/// | product | campaign | category | amount window | dates |
/// |---|---|---|---|---|
/// | `fp1` | - | pay_now | 0 .. unlimited | 2000-02-22 .. 2222-02-22 |
/// | `i1` | - | pay_later | 0 .. 1 500 € | 2000-02-22 .. 2222-02-22 |
/// | `pp5` | `temporary` | pay_later | 20 € .. 1 000 € | 2020-01-01 .. 2222-02-22 |
/// | `sp1` | - | part_payment | 50 € .. 1 000 € | 2000-02-22 .. 2222-02-22 |
/// | `pp3` | - | part_payment | 50 € .. 3 000 € | 2000-02-22 .. 2222-02-22 |
pub fn default_catalogue(country: &str) -> Vec<PaymentMethod> {
    let t = texts(language(country));
    let always = (at(2000, 2, 22, 21, 22), at(2222, 2, 22, 21, 22));
    let method = |product: &str,
                  campaign: Option<&str>,
                  category: Category,
                  head: [&str; 2],
                  text: [&str; 4],
                  window: (i64, Option<i64>),
                  dates: (DateTime<Utc>, DateTime<Utc>),
                  fees: Fees| PaymentMethod {
        product: product.to_owned(),
        campaign: campaign.map(str::to_owned),
        category,
        category_title: head[0].to_owned(),
        category_description: Some(head[1].to_owned()),
        title: text[0].to_owned(),
        long_title: text[1].to_owned(),
        claim: Some(text[2].to_owned()),
        description: Some(text[3].to_owned()),
        min_amount: window.0,
        max_amount: window.1,
        starts_at: dates.0,
        ends_at: dates.1,
        fees,
    };
    vec![
        method(
            "fp1",
            None,
            Category::PayNow,
            t.pay_now,
            t.fp1,
            (0, None),
            always,
            Fees::Free,
        ),
        method(
            "i1",
            None,
            Category::PayLater,
            t.pay_later,
            t.i1,
            (0, Some(150_000)),
            always,
            Fees::Free,
        ),
        method(
            "pp5",
            Some("temporary"),
            Category::PayLater,
            t.pay_later,
            t.pp5,
            (2_000, Some(100_000)),
            (at(2020, 1, 1, 0, 0), always.1),
            Fees::Fixed { fee: 295 },
        ),
        method(
            "sp1",
            None,
            Category::PartPayment,
            t.part_payment,
            t.sp1,
            (5_000, Some(100_000)),
            always,
            Fees::Instalments {
                count: 3,
                setup_fee: 0,
                table: vec![(10_000, 100), (30_000, 200)],
                above: 300,
            },
        ),
        method(
            "pp3",
            None,
            Category::PartPayment,
            t.part_payment,
            t.pp3,
            (5_000, Some(300_000)),
            always,
            Fees::Instalments {
                count: 12,
                setup_fee: 0,
                table: vec![(20_000, 300), (40_000, 500), (80_000, 700)],
                above: 900,
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_costs_for_50_97() {
        let catalogue = default_catalogue("ES");
        let cost = |product: &str| {
            catalogue
                .iter()
                .find(|m| m.product == product)
                .map(|m| m.fees.cost_for(5097))
                .unwrap()
        };
        assert_eq!(
            cost("pp3"),
            Cost {
                setup_fee: 0,
                instalment_fee: 300,
                down_payment_fees: 300,
                instalment_total: 724
            }
        );
        assert_eq!(
            cost("pp5"),
            Cost {
                setup_fee: 295,
                instalment_fee: 0,
                down_payment_fees: 295,
                instalment_total: 5097
            }
        );
        assert_eq!(cost("i1"), Cost::default());
    }

    #[test]
    fn euros_formats_like_sequra() {
        assert_eq!(euros(295), "2,95 €");
        assert_eq!(euros(100_005), "1000,05 €");
        assert_eq!(euros(-5), "-0,05 €");
        assert_eq!(euros(i64::MIN), "-92233720368547758,08 €");
    }
}
