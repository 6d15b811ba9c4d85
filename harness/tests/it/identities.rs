//! Identities through the SDK: one identity under concurrent GetId, linking a second
//! provider's login, merging two identities, conflicts, describe/list/delete, unlink.

use crate::common::{admin, aws_error as error, get_id};
use harness::mock_cognito::OidcProviderConfig;
use harness::mock_okta::{AuthServerConfig, UserConfig};
use harness::{Federation, TokenRequest};

/// The default world with a second Okta server (`second`) the pool also trusts, and Bob.
async fn two_provider_world() -> Federation {
    Federation::builder()
        .okta(|okta| {
            okta.servers.push(AuthServerConfig { id: "second".into(), ..Default::default() });
            okta.users.push(UserConfig {
                id: "00ufedmock0user00002".into(),
                login: "bob@example.com".into(),
                ..Default::default()
            });
        })
        .aws(|aws| {
            aws.oidc_providers.push(OidcProviderConfig {
                url: "{okta}/oauth2/second".into(),
                client_ids: vec!["api://default".into()],
            });
            aws.identity_pools[0].open_id_connect_providers.push("{okta}/oauth2/second".into());
        })
        .start()
        .await
        .unwrap()
}

async fn token(fed: &Federation, login: &str, server: &str) -> String {
    fed.token(
        TokenRequest::password(login, "correct horse battery staple", "openid").server(server),
    )
    .await
    .unwrap()
    .access_token
}

fn second_key(fed: &Federation) -> String {
    fed.logins_key().replace("/oauth2/default", "/oauth2/second")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_parallel_get_id_calls_for_one_user_yield_one_identity() {
    let fed = Federation::builder().worker_threads(2).start().await.unwrap();
    let token = token(&fed, "alice@example.com", "default").await;
    let client = fed.cognito_client();
    let calls: Vec<_> = (0..32)
        .map(|_| {
            let (client, token, pool, key) = (
                client.clone(),
                token.clone(),
                fed.pool_id().to_owned(),
                fed.logins_key().to_owned(),
            );
            tokio::spawn(async move {
                client
                    .get_id()
                    .identity_pool_id(pool)
                    .logins(key, token)
                    .send()
                    .await
                    .unwrap()
                    .identity_id
                    .unwrap()
            })
        })
        .collect();
    let mut ids = Vec::new();
    for call in calls {
        ids.push(call.await.unwrap());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
    let listed = admin(&fed)
        .list_identities()
        .identity_pool_id(fed.pool_id())
        .max_results(60)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.identities().len(), 1);
}

#[tokio::test]
async fn a_second_provider_s_login_links_to_the_identity() {
    let fed = two_provider_world().await;
    let (a, b) = (
        token(&fed, "alice@example.com", "default").await,
        token(&fed, "alice@example.com", "second").await,
    );
    let x = get_id(&fed, &[(fed.logins_key(), &a)]).await.unwrap();
    let linked = get_id(&fed, &[(fed.logins_key(), &a), (&second_key(&fed), &b)]).await.unwrap();
    assert_eq!(linked, x);
    let only_b = get_id(&fed, &[(&second_key(&fed), &b)]).await.unwrap();
    assert_eq!(only_b, x, "the linked login finds the same identity");
    let described = admin(&fed).describe_identity().identity_id(&x).send().await.unwrap();
    let mut logins = described.logins().to_vec();
    logins.sort();
    let mut expected = vec![fed.logins_key().to_owned(), second_key(&fed)];
    expected.sort();
    assert_eq!(logins, expected);
    assert!(
        described.creation_date().unwrap().secs() <= described.last_modified_date().unwrap().secs()
    );
}

#[tokio::test]
async fn logins_of_two_identities_merge_them_and_the_other_is_disabled() {
    let fed = two_provider_world().await;
    let (a, b) = (
        token(&fed, "alice@example.com", "default").await,
        token(&fed, "alice@example.com", "second").await,
    );
    let client = fed.cognito_client();
    let x = get_id(&fed, &[(fed.logins_key(), &a)]).await.unwrap();
    let y = get_id(&fed, &[(&second_key(&fed), &b)]).await.unwrap();
    assert_ne!(x, y);
    let merged = get_id(&fed, &[(fed.logins_key(), &a), (&second_key(&fed), &b)]).await.unwrap();
    let parent = merged;
    let other = if parent == x { y } else { x };
    let admin = admin(&fed);
    let all = admin
        .list_identities()
        .identity_pool_id(fed.pool_id())
        .max_results(60)
        .send()
        .await
        .unwrap();
    assert_eq!(all.identities().len(), 2);
    let visible = admin
        .list_identities()
        .identity_pool_id(fed.pool_id())
        .max_results(60)
        .hide_disabled(true)
        .send()
        .await
        .unwrap();
    assert_eq!(visible.identities().len(), 1);
    assert_eq!(visible.identities()[0].identity_id(), Some(parent.as_str()));
    let err = client
        .get_credentials_for_identity()
        .identity_id(&other)
        .logins(second_key(&fed), &b)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error(err),
        ("NotAuthorizedException".into(), format!("Access to Identity '{other}' is forbidden."))
    );
}

#[tokio::test]
async fn a_second_login_of_the_same_provider_is_a_conflict() {
    let fed = two_provider_world().await;
    let alice_a = token(&fed, "alice@example.com", "default").await;
    let bob_a = token(&fed, "bob@example.com", "default").await;
    let bob_b = token(&fed, "bob@example.com", "second").await;
    // Bob's identity has logins of both providers; Alice's has the first provider only.
    get_id(&fed, &[(fed.logins_key(), &bob_a), (&second_key(&fed), &bob_b)]).await.unwrap();
    get_id(&fed, &[(fed.logins_key(), &alice_a)]).await.unwrap();
    // Merging them would give one identity two logins of the first provider.
    let err = get_id(&fed, &[(fed.logins_key(), &alice_a), (&second_key(&fed), &bob_b)])
        .await
        .unwrap_err();
    assert_eq!(err.0, "ResourceConflictException");
}

#[tokio::test]
async fn identities_are_described_paged_deleted_and_unlinked() {
    let fed = two_provider_world().await;
    let client = fed.cognito_client();
    let admin = admin(&fed);
    let (a, b) = (
        token(&fed, "alice@example.com", "default").await,
        token(&fed, "alice@example.com", "second").await,
    );
    let bob = token(&fed, "bob@example.com", "default").await;
    let x = get_id(&fed, &[(fed.logins_key(), &a), (&second_key(&fed), &b)]).await.unwrap();
    let z = get_id(&fed, &[(fed.logins_key(), &bob)]).await.unwrap();

    let first = admin
        .list_identities()
        .identity_pool_id(fed.pool_id())
        .max_results(1)
        .send()
        .await
        .unwrap();
    let second = admin
        .list_identities()
        .identity_pool_id(fed.pool_id())
        .max_results(1)
        .next_token(first.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert!(second.next_token().is_none());
    let mut seen = vec![
        first.identities()[0].identity_id().unwrap().to_owned(),
        second.identities()[0].identity_id().unwrap().to_owned(),
    ];
    seen.sort();
    let mut both = vec![x.clone(), z.clone()];
    both.sort();
    assert_eq!(seen, both);

    client
        .unlink_identity()
        .identity_id(&x)
        .logins(fed.logins_key(), &a)
        .logins_to_remove(second_key(&fed))
        .send()
        .await
        .unwrap();
    assert_eq!(
        admin.describe_identity().identity_id(&x).send().await.unwrap().logins(),
        [fed.logins_key().to_owned()]
    );
    client
        .unlink_identity()
        .identity_id(&x)
        .logins(fed.logins_key(), &a)
        .logins_to_remove(fed.logins_key())
        .send()
        .await
        .unwrap();
    let err = client
        .get_credentials_for_identity()
        .identity_id(&x)
        .logins(fed.logins_key(), &a)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error(err),
        ("NotAuthorizedException".into(), format!("Access to Identity '{x}' is forbidden.")),
        "no logins left: inaccessible"
    );

    admin.delete_identities().identity_ids_to_delete(&z).send().await.unwrap();
    let err = admin.describe_identity().identity_id(&z).send().await.unwrap_err();
    assert_eq!(
        error(err),
        ("ResourceNotFoundException".into(), format!("Identity '{z}' not found."))
    );
}
