//! The official AWS SDK for Rust pointed at a world (feature `sdk`, on by default): the
//! `SdkConfig` an application would build, with no credentials for the federation calls and
//! the world's admin key for the signed ones, and the account's configuration read back
//! through the SDK (a pool's trusted provider, the IAM OIDC providers) as `fedmock explain`
//! needs it for a world elsewhere.

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_cognitoidentity::config::BehaviorVersion;
use aws_types::SdkConfig;
use aws_types::region::Region;
use mock_cognito::{Provider, Role};

use crate::{Error, Federation, WorldSummary};

/// An `SdkConfig` for mock-cognito at `endpoint`, without credentials, trusting `ca_pem` if
/// given.
fn sdk_config(endpoint: &str, region: &str, ca_pem: Option<&str>) -> SdkConfig {
    let mut config = SdkConfig::builder()
        .endpoint_url(endpoint)
        .region(Region::new(region.to_owned()))
        .behavior_version(BehaviorVersion::latest());
    if let Some(pem) = ca_pem {
        use aws_smithy_http_client::tls::{
            Provider, TlsContext, TrustStore, rustls_provider::CryptoMode,
        };
        let trust = TrustStore::default().with_pem_certificate(pem.as_bytes());
        if let Ok(context) = TlsContext::builder().with_trust_store(trust).build() {
            let client = aws_smithy_http_client::Builder::new()
                .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
                .tls_context(context)
                .build_https();
            config = config.http_client(client);
        }
    }
    config.build()
}

impl WorldSummary {
    /// An `SdkConfig` pointed at these endpoints with no credentials, as an application that
    /// federates has none (and trusting the throw-away CA when the world serves HTTPS).
    pub fn sdk_config(&self) -> SdkConfig {
        let ca = self.ca_file.as_ref().and_then(|path| std::fs::read_to_string(path).ok());
        sdk_config(&self.cognito_endpoint, &self.region, ca.as_deref())
    }

    /// The same, signed with the world's admin key, for administrative calls (`None` when the
    /// summary names no key).
    pub fn admin_sdk_config(&self) -> Option<SdkConfig> {
        let (Some(id), Some(secret)) = (&self.admin_access_key_id, &self.admin_secret_access_key)
        else {
            return None;
        };
        let credentials = Credentials::new(id, secret, None, None, "fedmock");
        Some(
            self.sdk_config()
                .into_builder()
                .credentials_provider(SharedCredentialsProvider::new(credentials))
                .build(),
        )
    }
}

impl Federation {
    /// An `SdkConfig` pointed at mock-cognito, with no credentials, as an application that
    /// federates has none: `GetId` and `GetCredentialsForIdentity` go unsigned.
    pub fn sdk_config(&self) -> SdkConfig {
        match self.tls() {
            Some(tls) => sdk_config(self.cognito_endpoint(), self.region(), Some(tls.ca_pem())),
            None => self.summary().sdk_config(),
        }
    }

    /// An `SdkConfig` with the world's developer credentials, for signed administrative calls.
    ///
    /// # Panics
    /// If the world has no access key (`[[aws.access_keys]]` emptied).
    pub fn admin_sdk_config(&self) -> SdkConfig {
        let summary = self.summary();
        let (Some(id), Some(secret)) =
            (&summary.admin_access_key_id, &summary.admin_secret_access_key)
        else {
            panic!("the world has no access key for signed calls ([[aws.access_keys]])");
        };
        let credentials = Credentials::new(id, secret, None, None, "fedmock");
        self.sdk_config()
            .into_builder()
            .credentials_provider(SharedCredentialsProvider::new(credentials))
            .build()
    }

    /// A Cognito Identity client pointed at mock-cognito.
    pub fn cognito_client(&self) -> aws_sdk_cognitoidentity::Client {
        aws_sdk_cognitoidentity::Client::new(&self.sdk_config())
    }

    /// An STS client pointed at mock-cognito's endpoint, which also serves STS.
    pub fn sts_client(&self) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::new(&self.sdk_config())
    }

    /// An IAM client with developer credentials, pointed at mock-cognito's endpoint, which
    /// also serves IAM. IAM is global: its calls are signed for `us-east-1`.
    pub fn iam_client(&self) -> aws_sdk_iam::Client {
        let config =
            self.admin_sdk_config().into_builder().region(Region::new("us-east-1")).build();
        aws_sdk_iam::Client::new(&config)
    }

    /// The provider pool `pool` trusts under the `Logins` key `key`, or the names it does
    /// trust: read from memory in process, else with the admin key (`DescribeIdentityPool`,
    /// then `GetOpenIDConnectProvider`), as `fedmock explain --pool-json --provider-json`
    /// reads a real account.
    pub async fn pool_trust(
        &self,
        pool: &str,
        key: &str,
    ) -> Result<Result<Provider, Vec<String>>, Error> {
        if let Some(cognito) = self.cognito() {
            let pool = cognito
                .pool(pool)
                .ok_or_else(|| Error::Config(format!("no identity pool {pool}")))?;
            return Ok(cognito.trusted_provider(&pool, key).map(std::sync::Arc::unwrap_or_clone));
        }
        let config = self.admin_config()?;
        let cognito = aws_sdk_cognitoidentity::Client::new(&config);
        let described = cognito
            .describe_identity_pool()
            .identity_pool_id(pool)
            .send()
            .await
            .map_err(|e| sdk_error(aws_sdk_cognitoidentity::error::DisplayErrorContext(e)))?;
        let arns = described.open_id_connect_provider_arns();
        let suffix = format!(":oidc-provider/{key}");
        let Some(arn) = arns.iter().find(|arn| arn.ends_with(&suffix)) else {
            let names = arns.iter().filter_map(|a| a.split_once(":oidc-provider/"));
            return Ok(Err(names.map(|(_, name)| name.to_owned()).collect()));
        };
        let iam = aws_sdk_iam::Client::new(&config);
        let provider = iam
            .get_open_id_connect_provider()
            .open_id_connect_provider_arn(arn)
            .send()
            .await
            .map_err(|e| sdk_error(aws_sdk_iam::error::DisplayErrorContext(e)))?;
        // IAM shows the URL without its scheme; the checks compare names.
        let mut found = Provider::new(
            self.account_id(),
            &format!("https://{key}"),
            provider.client_id_list().to_vec(),
        );
        found.arn.clone_from(arn);
        Ok(Ok(found))
    }

    /// The account's IAM OIDC providers: from memory in process, else read with the admin
    /// key. IAM shows a provider's URL without its scheme; it takes `iss`'s scheme when the
    /// rest is the same (a local `http://` issuer), else `https://`.
    pub async fn oidc_providers(&self, iss: &str) -> Result<Vec<Provider>, Error> {
        if let Some(cognito) = self.cognito() {
            return Ok(cognito
                .providers()
                .into_iter()
                .map(std::sync::Arc::unwrap_or_clone)
                .collect());
        }
        let iam = aws_sdk_iam::Client::new(&self.admin_config()?);
        let error = |e| sdk_error(aws_sdk_iam::error::DisplayErrorContext(e));
        let listed = iam.list_open_id_connect_providers().send().await.map_err(error)?;
        let mut providers = Vec::new();
        for arn in listed.open_id_connect_provider_list().iter().filter_map(|p| p.arn()) {
            let got = iam
                .get_open_id_connect_provider()
                .open_id_connect_provider_arn(arn)
                .send()
                .await
                .map_err(|e| sdk_error(aws_sdk_iam::error::DisplayErrorContext(e)))?;
            let name = got.url().unwrap_or_default();
            let url = if mock_cognito::strip_scheme(iss) == name {
                iss.to_owned()
            } else {
                format!("https://{name}")
            };
            let mut provider =
                Provider::new(self.account_id(), &url, got.client_id_list().to_vec());
            provider.arn = arn.to_owned();
            providers.push(provider);
        }
        Ok(providers)
    }

    /// The role `arn` names, if the account has it: from memory in process, else read with
    /// the admin key (IAM `GetRole`).
    pub async fn role(&self, arn: &str) -> Result<Option<Role>, Error> {
        if let Some(cognito) = self.cognito() {
            return Ok(cognito.role(arn).map(std::sync::Arc::unwrap_or_clone));
        }
        let Some((_, name)) = arn.split_once(":role/") else { return Ok(None) };
        let name = name.rsplit('/').next().unwrap_or(name);
        let iam = aws_sdk_iam::Client::new(&self.admin_config()?);
        let got = match iam.get_role().role_name(name).send().await {
            Ok(got) => got,
            Err(err) if err.as_service_error().is_some_and(|e| e.is_no_such_entity_exception()) => {
                return Ok(None);
            }
            Err(err) => return Err(sdk_error(aws_sdk_iam::error::DisplayErrorContext(err))),
        };
        let Some(role) = got.role() else { return Ok(None) };
        // IAM returns the trust policy URL-encoded.
        let encoded = role.assume_role_policy_document().unwrap_or("{}");
        let decoded: Vec<(String, String)> =
            serde_urlencoded::from_str(&format!("p={}", encoded.replace('+', "%2B")))
                .unwrap_or_default();
        let policy = decoded.first().map(|(_, p)| p.as_str()).unwrap_or("{}");
        Ok(Some(Role {
            name: role.role_name().to_owned(),
            arn: role.arn().to_owned(),
            trust_policy: serde_json::from_str::<serde_json::Value>(policy)
                .unwrap_or_default()
                .into(),
            path: role.path().to_owned(),
            created: role.create_date().secs(),
            max_session_duration_secs: role.max_session_duration().map_or(3600, i64::from),
        }))
    }

    fn admin_config(&self) -> Result<SdkConfig, Error> {
        self.summary()
            .admin_sdk_config()
            .ok_or_else(|| Error::Config("the world's summary names no admin key".into()))
    }
}

fn sdk_error(err: impl std::fmt::Display) -> Error {
    Error::Control(err.to_string())
}
