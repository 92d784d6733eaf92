//! Secrets are sealed at rest: after an install and a SeQura connection, no byte sequence
//! of the BigCommerce access token, the webhook secret or the SeQura password appears in
//! the SQLite database or its WAL.

use sandbox::bigcommerce::EXAMPLE_CLIENT_ID;
use sandbox::sequra::{DEMO_PASSWORD, DEMO_USERNAME};
use sequra_bc::services::provision::WEBHOOK_TOKEN_HEADER;

use crate::support::world::{Admin, session_token, world};

#[tokio::test]
async fn the_database_files_hold_no_secret_in_clear() {
    let w = world(false).await;
    let (_, page) = w.install_as(w.example.owner_id).await;
    let admin = Admin {
        base_url: &w.app.base_url,
        token: session_token(&page),
    };
    let (status, _) = admin
        .post(
            "/admin/connect",
            &[
                ("environment", "sandbox"),
                ("username", DEMO_USERNAME),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(status, 200);

    let access_token =
        w.bc.install(w.store(), EXAMPLE_CLIENT_ID)
            .unwrap()
            .access_token;
    let webhook_secret =
        w.bc.webhooks().hooks(w.store())[0].headers.clone().unwrap()[WEBHOOK_TOKEN_HEADER].clone();
    let secrets = [
        access_token.as_str(),
        webhook_secret.as_str(),
        DEMO_PASSWORD,
    ];

    let mut scanned = 0;
    for entry in std::fs::read_dir(w.app.data.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.starts_with("sequra-bc.db") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        scanned += bytes.len();
        for secret in secrets {
            assert!(secret.len() >= 8, "a secret worth looking for");
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{name} holds a secret in clear"
            );
        }
    }
    assert!(scanned > 0, "the database files were found and read");
    // The scan itself can find things: the username is stored in clear on purpose.
    let db = std::fs::read(w.app.data.path().join("sequra-bc.db-wal")).unwrap_or_default();
    let main = std::fs::read(w.app.data.path().join("sequra-bc.db")).unwrap_or_default();
    let needle = DEMO_USERNAME.as_bytes();
    assert!(
        db.windows(needle.len()).any(|w| w == needle)
            || main.windows(needle.len()).any(|w| w == needle),
        "the scan must be able to see stored text"
    );
    w.finish().await;
}
