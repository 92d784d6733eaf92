//! The app installed-to-be beside a BigCommerce sandbox: the sandbox knows the app's
//! callbacks, the app knows the sandbox's API and login base URLs and the app credentials.

use sandbox::Clock;
use sandbox::bigcommerce::webhooks::{Webhooks, WebhooksOptions};
use sandbox::bigcommerce::{
    BigCommerce, BigCommerceOptions, EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET, Example, spawn,
};

use super::app::{AppOptions, TestApp, spawn_on};

pub struct World {
    pub app: TestApp,
    /// The demo store's storefront (its own origin, the store's `secure_url`).
    pub storefront: sandbox::bigcommerce::storefront::SpawnedStorefront,
    pub sequra: sandbox::sequra::SpawnedSequra,
    pub bc: BigCommerce,
    pub example: Example,
    /// The sandboxes' shared clock (webhook and IPN retries, review delays).
    pub clock: Clock,
    _bc_task: tokio::task::JoinHandle<()>,
}

pub async fn world(postgres: bool) -> World {
    let bc_clock = Clock::new();
    let webhooks = Webhooks::with_options(WebhooksOptions {
        clock: bc_clock.clone(),
        tick_interval: None,
        ..WebhooksOptions::default()
    });
    let spawned = spawn(BigCommerceOptions {
        clock: bc_clock.clone(),
        webhooks: Some(webhooks),
        ..BigCommerceOptions::default()
    })
    .await
    .unwrap();
    let sequra = sandbox::sequra::spawn(sandbox::sequra::SequraOptions {
        clock: bc_clock.clone(),
        tick_interval: None,
        ..sandbox::sequra::SequraOptions::default()
    })
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app_base = format!("http://{}", listener.local_addr().unwrap());
    spawned
        .sim
        .register_app(sandbox::bigcommerce::AppRegistration::example(&app_base))
        .unwrap();
    let example = spawned.sim.seed_example().unwrap();
    let storefront = spawned
        .sim
        .spawn_storefront(&example.store_hash, 0)
        .await
        .unwrap();
    let app = spawn_on(
        listener,
        AppOptions {
            bc_base: Some(spawned.base_url.clone()),
            bc_client_id: Some(EXAMPLE_CLIENT_ID.into()),
            bc_client_secret: Some(EXAMPLE_CLIENT_SECRET.into()),
            sequra_base: Some(sequra.base_url().to_owned()),
            postgres,
        },
    )
    .await;
    World {
        app,
        storefront,
        sequra,
        bc: spawned.sim,
        example,
        clock: bc_clock,
        _bc_task: spawned.task,
    }
}

impl World {
    pub fn store(&self) -> &str {
        &self.example.store_hash
    }

    /// The owner clicks Install in the control panel; the browser follows the auth
    /// callback. Returns the status and the page.
    pub async fn install_as(&self, user_id: i64) -> (u16, String) {
        self.install_store_as(self.store(), user_id).await
    }

    /// [`Self::install_as`] in any store of the sandbox.
    pub async fn install_store_as(&self, store: &str, user_id: i64) -> (u16, String) {
        let url = self
            .bc
            .start_install(store, EXAMPLE_CLIENT_ID, user_id)
            .unwrap();
        get(&url).await
    }

    /// Installs the app in `store` as `owner`, connects it to the SeQura sandbox's demo
    /// account selling in Spain and France; returns the owner's admin session token.
    pub async fn connect_store(&self, store: &str, owner: i64) -> String {
        let (status, page) = self.install_store_as(store, owner).await;
        assert_eq!(status, 200, "{page}");
        let admin = Admin {
            base_url: &self.app.base_url,
            token: session_token(&page),
        };
        let (status, _) = admin
            .post(
                "/admin/connect",
                &[
                    ("environment", "sandbox"),
                    ("username", sandbox::sequra::DEMO_USERNAME),
                    ("password", sandbox::sequra::DEMO_PASSWORD),
                ],
            )
            .await;
        assert_eq!(status, 200);
        let (status, _) = admin
            .post(
                "/admin/countries",
                &[
                    ("enable_ES", "on"),
                    ("merchant_ES", "demo_es"),
                    ("enable_FR", "on"),
                    ("merchant_FR", "demo_fr"),
                ],
            )
            .await;
        assert_eq!(status, 200);
        admin.token
    }

    /// The user opens the app from the control panel.
    pub async fn load_as(&self, user_id: i64, deep_link: &str) -> (u16, String) {
        let url = self
            .bc
            .load_url(self.store(), EXAMPLE_CLIENT_ID, user_id, deep_link)
            .unwrap();
        get(&url).await
    }

    /// Installed, connected to the SeQura sandbox's demo account, selling in Spain and
    /// France: the state a merchant leaves the admin in.
    pub async fn connected(postgres: bool) -> World {
        let w = world(postgres).await;
        w.connect_store(w.store(), w.example.owner_id).await;
        w
    }

    pub async fn finish(self) {
        self.app.finish().await;
    }
}

pub async fn get(url: &str) -> (u16, String) {
    let r = reqwest::get(url).await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The session token the admin page carries.
pub fn session_token(page: &str) -> String {
    let start = page
        .find("data-token=\"")
        .expect("no session token in the page")
        + 12;
    let end = page[start..].find('"').unwrap() + start;
    page[start..end].to_owned()
}

/// An admin request with a session token.
pub struct Admin<'a> {
    pub base_url: &'a str,
    pub token: String,
}

impl Admin<'_> {
    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = reqwest::Client::new()
            .get(format!("{}{path}", self.base_url))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let r = reqwest::Client::new()
            .post(format!("{}{path}", self.base_url))
            .bearer_auth(&self.token)
            .form(form)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
}
