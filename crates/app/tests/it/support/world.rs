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
    /// Further instances of the app on the same database, behind one load balancer with
    /// `app` (see [`world_with`]).
    pub more: Vec<TestApp>,
    _balancer: Option<tokio::task::JoinHandle<()>>,
    _bc_task: tokio::task::JoinHandle<()>,
}

pub async fn world(postgres: bool) -> World {
    world_with(postgres, 1).await
}

/// Round-robin TCP balancing: each new connection goes to the next instance.
fn balance(front: tokio::net::TcpListener, backs: Vec<String>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut next = 0;
        loop {
            let Ok((mut inbound, _)) = front.accept().await else {
                return;
            };
            let back = backs[next % backs.len()].clone();
            next += 1;
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(back).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    })
}

/// Both sandboxes, the demo store seeded and the app registered at `app_base` (its public
/// URL): everything but the app.
pub struct Sandboxes {
    pub bc: BigCommerce,
    /// The BigCommerce API and login base URL.
    pub bc_base: String,
    pub sequra: sandbox::sequra::SpawnedSequra,
    pub storefront: sandbox::bigcommerce::storefront::SpawnedStorefront,
    pub example: Example,
    pub clock: Clock,
    pub task: tokio::task::JoinHandle<()>,
}

pub async fn sandboxes(app_base: &str) -> Sandboxes {
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
    spawned
        .sim
        .register_app(sandbox::bigcommerce::AppRegistration::example(app_base))
        .unwrap();
    let example = spawned.sim.seed_example().unwrap();
    let storefront = spawned
        .sim
        .spawn_storefront(&example.store_hash, 0)
        .await
        .unwrap();
    Sandboxes {
        bc: spawned.sim,
        bc_base: spawned.base_url,
        sequra,
        storefront,
        example,
        clock: bc_clock,
        task: spawned.task,
    }
}

/// `instances` copies of the app on one database (PostgreSQL when more than one), behind
/// a round-robin load balancer whose URL is the app's public URL: what BigCommerce and
/// SeQura call.
pub async fn world_with(postgres: bool, instances: usize) -> World {
    world_on(postgres, instances, None).await
}

/// [`world_with`] on an existing PostgreSQL database (`database_url`) when given.
pub async fn world_on(postgres: bool, instances: usize, database_url: Option<String>) -> World {
    assert!(
        instances == 1 || postgres,
        "instances share a PostgreSQL database"
    );
    let mut listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app_base = format!("http://{}", listener.local_addr().unwrap());
    let mut front = None;
    if instances > 1 {
        // The balancer takes the public address; the first instance gets its own.
        front = Some(std::mem::replace(
            &mut listener,
            tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
        ));
    }
    let Sandboxes {
        bc,
        bc_base,
        sequra,
        storefront,
        example,
        clock: bc_clock,
        task,
    } = sandboxes(&app_base).await;
    let app = spawn_on(
        listener,
        AppOptions {
            bc_base: Some(bc_base),
            bc_client_id: Some(EXAMPLE_CLIENT_ID.into()),
            bc_client_secret: Some(EXAMPLE_CLIENT_SECRET.into()),
            sequra_base: Some(sequra.base_url().to_owned()),
            postgres,
            public_url: front.as_ref().map(|_| app_base.clone()),
            database_url,
            ..AppOptions::default()
        },
    )
    .await;
    let mut more = Vec::new();
    for _ in 1..instances {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        more.push(spawn_on(listener, app.sibling.clone()).await);
    }
    let balancer = front.map(|front| {
        let backs = std::iter::once(&app)
            .chain(&more)
            .map(|a| a.base_url.trim_start_matches("http://").to_owned())
            .collect();
        balance(front, backs)
    });
    World {
        more,
        _balancer: balancer,
        app,
        storefront,
        sequra,
        bc,
        example,
        clock: bc_clock,
        _bc_task: task,
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
        connect_and_sell(&self.app.base_url, &page).await;
        session_token(&page)
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
        Self::connected_instances(postgres, 1).await
    }

    /// [`World::connected`] with `instances` copies of the app behind a load balancer.
    pub async fn connected_instances(postgres: bool, instances: usize) -> World {
        Self::connected_on(postgres, instances, None).await
    }

    /// [`World::connected_instances`] on an existing database when `database_url` is set.
    pub async fn connected_on(
        postgres: bool,
        instances: usize,
        database_url: Option<String>,
    ) -> World {
        let w = world_on(postgres, instances, database_url).await;
        w.connect_store(w.store(), w.example.owner_id).await;
        w
    }

    pub async fn finish(self) {
        for other in self.more {
            other.finish().await;
        }
        self.app.finish().await;
    }
}

/// What the merchant does after installing (the install page carries the session): connect
/// to the SeQura sandbox's demo account, sell in Spain and France.
pub async fn connect_and_sell(app_base: &str, install_page: &str) {
    let admin = Admin {
        base_url: app_base,
        token: session_token(install_page),
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
