//! One exchange, made and checked: its requests, as an application sends them, and the
//! judgement of every answer.

use std::borrow::Cow;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use harness::mock_cognito::fetch::{Answer, HttpClient};
use harness::mock_cognito::texts::Text;
use harness::mock_okta::MintRequest;
use http::header::{self, HeaderName, HeaderValue};
use http::{Method, StatusCode, Uri};
use serde::Deserialize;
use serde_json::{Value, json};

use super::mix::{self, Bad};
use super::stats::{Ended, Step};
use super::{Flow, Settings, Target, TokenSource};
use crate::Error;

/// What an exchange measured and how it ended.
#[derive(Clone, Debug)]
pub struct Record {
    /// Each step's latency.
    pub steps: Vec<(Step, Duration)>,
    /// The whole exchange's, from its intended start.
    pub latency: Duration,
    /// When it ended, since the run began.
    pub at: Duration,
    /// How.
    pub ended: Ended,
}

/// A token a user keeps for a few exchanges.
#[derive(Clone, Debug)]
struct Cached {
    /// Shared with the exchanges using it, not copied for each.
    token: Arc<str>,
    uses: u64,
    refresh_at: Instant,
    /// The GetId body for this token and the run's pool and key, written once.
    get_id_body: Option<Bytes>,
}

/// What every exchange of a run shares.
#[derive(Debug)]
pub struct Shared {
    settings: Settings,
    target: Target,
    client: HttpClient,
    /// The target's URLs, parsed once.
    urls: Urls,
    role_arn: String,
    /// Per user: the identity its first GetId answered.
    identities: Vec<OnceLock<String>>,
    /// Per user: the token in use.
    tokens: Vec<Mutex<Option<Cached>>>,
}

const JSON: HeaderValue = HeaderValue::from_static("application/x-amz-json-1.1");
const FORM: HeaderValue = HeaderValue::from_static("application/x-www-form-urlencoded");
const X_AMZ_TARGET: HeaderName = HeaderName::from_static("x-amz-target");

/// Where requests go, parsed once rather than per request.
#[derive(Debug)]
struct Urls {
    token: Uri,
    cognito: Uri,
    sts: Uri,
}

/// A step that went wrong.
struct Wrong {
    step: Step,
    answer: String,
    why: String,
}

type Checked<T> = Result<T, Wrong>;

impl Shared {
    /// Ready to run `settings` against `target`.
    pub fn new(settings: Settings, target: Target) -> Result<Self, Error> {
        let timeout = Duration::from_secs_f64(settings.timeout_s.max(0.001));
        let client = HttpClient::new(target.ca_pem.as_deref(), timeout, timeout)
            .map_err(|e| Error::Load(format!("the HTTP client: {e}")))?;
        let role = match settings.flow {
            Flow::Sts => "fedmock-web-identity",
            _ => "fedmock-authenticated",
        };
        let role_arn = settings
            .role_arn
            .clone()
            .unwrap_or_else(|| format!("arn:aws:iam::{}:role/{role}", target.account_id));
        let parse = |what: &str, url: &str| {
            url.parse::<Uri>().map_err(|e| Error::Load(format!("the {what} URL {url:?}: {e}")))
        };
        let urls = Urls {
            token: parse("token", &target.token_url)?,
            cognito: parse("Cognito", &target.cognito_url)?,
            sts: parse("STS", &target.sts_url)?,
        };
        let users = usize::try_from(settings.users).unwrap_or(usize::MAX);
        Ok(Self {
            urls,
            identities: (0..users).map(|_| OnceLock::new()).collect(),
            tokens: (0..users).map(|_| Mutex::new(None)).collect(),
            settings,
            target,
            client,
            role_arn,
        })
    }

    /// Exchange `n`, meant to start at `intended`; the run began at `start`.
    pub async fn exchange(&self, n: u64, start: Instant, intended: Instant) -> Record {
        let mut steps = Vec::with_capacity(5);
        let bad = self.settings.mix.pick(n);
        let user = usize::try_from(n % self.settings.users).unwrap_or(0);
        let ended = match self.flow(user, bad, &mut steps).await {
            Ok(()) => match bad {
                Some(kind) => Ended::Unexpected {
                    step: steps.last().map_or(Step::Token, |(s, _)| *s),
                    answer: "ok".into(),
                    why: format!("a {} exchange was accepted; AWS refuses it", kind.name()),
                },
                None => Ended::Ok,
            },
            Err(wrong) if wrong.answer == REFUSED_AS_EXPECTED => {
                Ended::RefusedAsExpected { kind: bad.map_or("", Bad::name) }
            }
            Err(Wrong { step, answer, why }) => Ended::Unexpected { step, answer, why },
        };
        let now = Instant::now();
        Record {
            steps,
            latency: now.saturating_duration_since(intended),
            at: now.saturating_duration_since(start),
            ended,
        }
    }

    async fn flow(
        &self,
        user: usize,
        bad: Option<Bad>,
        steps: &mut Vec<(Step, Duration)>,
    ) -> Checked<()> {
        let token = timed(steps, Step::Token, self.token(user, bad)).await?;
        let key = match bad {
            Some(Bad::WrongLoginsKey) => self.target.issuer.clone(),
            _ => self.target.logins_key.clone(),
        };
        let pool = match bad {
            Some(Bad::UnknownPool) => {
                format!("{}:00000000-0000-4000-8000-000000000000", self.target.region)
            }
            _ => self.target.pool.clone(),
        };
        let expected = bad.and_then(|b| b.expected(self.settings.flow));
        // The values a refusal's words hold, read from the token only when one is expected.
        let values = if expected.is_some() { expected_values(&token, &pool) } else { Vec::new() };
        let values: Vec<(&str, &str)> = values.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let refusal = expected.map(|text| (text, values.as_slice()));
        let credentials = match self.settings.flow {
            Flow::Sts => {
                let out = timed(steps, Step::AssumeRole, self.assume_role(&token, refusal)).await?;
                let sub = harness::mock_cognito::unverified_claims(&token)
                    .and_then(|c| c.get("sub").and_then(Value::as_str).map(str::to_owned))
                    .unwrap_or_default();
                if out.subject != sub {
                    return Err(Wrong {
                        step: Step::AssumeRole,
                        answer: "another subject".into(),
                        why: format!(
                            "SubjectFromWebIdentityToken {:?}, the token's sub {sub:?}",
                            out.subject
                        ),
                    });
                }
                out.credentials
            }
            flow => {
                let body = match bad {
                    None => self.get_id_body(user, &token),
                    Some(_) => logins_body("IdentityPoolId", &pool, &key, &token).into(),
                };
                let id = timed(steps, Step::GetId, self.get_id(body, refusal)).await?;
                if bad.is_none() {
                    self.same_identity(user, &id)?;
                }
                match flow {
                    Flow::GetId => return Ok(()),
                    Flow::Basic => {
                        let cognito = timed(
                            steps,
                            Step::GetOpenIdToken,
                            self.get_open_id_token(&id, &key, &token),
                        )
                        .await?;
                        let out = timed(steps, Step::AssumeRole, self.assume_role(&cognito, None))
                            .await?;
                        if out.subject != id {
                            return Err(Wrong {
                                step: Step::AssumeRole,
                                answer: "another subject".into(),
                                why: format!(
                                    "SubjectFromWebIdentityToken {:?}, the identity {id:?}",
                                    out.subject
                                ),
                            });
                        }
                        out.credentials
                    }
                    _ => {
                        timed(steps, Step::GetCredentials, self.get_credentials(&id, &key, &token))
                            .await?
                    }
                }
            }
        };
        if self.settings.verify_credentials {
            timed(steps, Step::CallerIdentity, self.caller_identity(&credentials)).await?;
        }
        Ok(())
    }

    /// The user's token, fetched again after `token_reuse` exchanges or near its expiry; a
    /// bad exchange's token made for it.
    async fn token(&self, user: usize, bad: Option<Bad>) -> Checked<Arc<str>> {
        match bad {
            Some(Bad::NotAJwt) => return Ok("fedmock-load-not-a-jwt".into()),
            Some(Bad::Expired) => return self.mint(user, json!({"exp": 1})).await.map(Arc::from),
            Some(Bad::WrongAudience) => {
                let claims = json!({"aud": "api://fedmock-load-elsewhere"});
                return self.mint(user, claims).await.map(Arc::from);
            }
            _ => {}
        }
        let now = Instant::now();
        let reuse = self.tokens.get(user).and_then(|slot| {
            let mut slot = slot.lock().ok()?;
            let cached = slot.as_mut()?;
            (cached.uses < self.settings.token_reuse && now < cached.refresh_at).then(|| {
                cached.uses += 1;
                cached.token.clone()
            })
        });
        let token = match reuse {
            Some(token) => token,
            None => {
                let (token, lifetime) = self.fresh_token(user).await?;
                let token = Arc::<str>::from(token);
                // Kept only to be used again: a million users with one token each would
                // otherwise hold a million tokens.
                if self.settings.token_reuse > 1
                    && let Some(slot) = self.tokens.get(user)
                    && let Ok(mut slot) = slot.lock()
                {
                    // Fetched again a minute before it expires.
                    let refresh_at = now + lifetime.saturating_sub(Duration::from_secs(60));
                    *slot = Some(Cached {
                        token: Arc::clone(&token),
                        uses: 1,
                        refresh_at,
                        get_id_body: None,
                    });
                }
                token
            }
        };
        Ok(match bad {
            Some(Bad::BadSignature) => tamper(&token).into(),
            _ => token,
        })
    }

    async fn fresh_token(&self, user: usize) -> Checked<(String, Duration)> {
        match self.settings.token {
            TokenSource::Mint => {
                let claims = if self.settings.users > 1 {
                    json!({ "sub": format!("fedmock-load-{user}") })
                } else {
                    json!({})
                };
                let token = self.mint(user, claims).await?;
                Ok((token, Duration::from_secs(3600)))
            }
            grant => {
                let form: Vec<(&str, &str)> = match grant {
                    TokenSource::Password => vec![
                        ("grant_type", "password"),
                        ("username", &self.target.username),
                        ("password", &self.target.password),
                        ("scope", "openid"),
                    ],
                    _ => vec![("grant_type", "client_credentials")],
                };
                let body = serde_urlencoded::to_string(&form).unwrap_or_default();
                let basic = base64_basic(&self.target.client_id, &self.target.client_secret);
                let headers = [(header::CONTENT_TYPE, FORM), (header::AUTHORIZATION, basic)];
                let answer =
                    self.post(Step::Token, &self.urls.token, &headers, body.into()).await?;
                let out: Value = json_of(Step::Token, &answer)?;
                match (out["access_token"].as_str(), answer.status) {
                    (Some(token), StatusCode::OK) => {
                        let lifetime = out["expires_in"].as_u64().unwrap_or(3600);
                        Ok((token.to_owned(), Duration::from_secs(lifetime)))
                    }
                    _ => Err(wrong(Step::Token, &answer, "no access_token in the answer")),
                }
            }
        }
    }

    async fn mint(&self, _user: usize, claims: Value) -> Checked<String> {
        let Some(world) = &self.target.world else {
            return Err(Wrong {
                step: Step::Token,
                answer: "no world".into(),
                why: "minting needs a fedmock world".into(),
            });
        };
        let claims = claims.as_object().cloned().unwrap_or_default();
        let request = MintRequest { claims, ..MintRequest::default() };
        world.mint(&request).await.map_err(|e| Wrong {
            step: Step::Token,
            answer: "mint failed".into(),
            why: e.to_string(),
        })
    }

    fn same_identity(&self, user: usize, id: &str) -> Checked<()> {
        let Some(first) = self.identities.get(user) else { return Ok(()) };
        let first = first.get_or_init(|| id.to_owned());
        if first == id {
            Ok(())
        } else {
            Err(Wrong {
                step: Step::GetId,
                answer: "another identity".into(),
                why: format!("user {user} got {id}, and {first} before"),
            })
        }
    }

    /// A JSON 1.1 call; `target` is its `X-Amz-Target` (`AWSCognitoIdentityService.GetId`).
    async fn cognito(&self, step: Step, target: &'static str, body: Bytes) -> Checked<Answer> {
        let headers =
            [(header::CONTENT_TYPE, JSON), (X_AMZ_TARGET, HeaderValue::from_static(target))];
        self.post(step, &self.urls.cognito, &headers, body).await
    }

    /// The GetId body of a good exchange of `user` with `token`: the same for every use of a
    /// token, so written once per token (the generator must not be the limit).
    fn get_id_body(&self, user: usize, token: &str) -> Bytes {
        let build = || -> Bytes {
            logins_body("IdentityPoolId", &self.target.pool, &self.target.logins_key, token).into()
        };
        let Some(Ok(mut slot)) = self.tokens.get(user).map(Mutex::lock) else { return build() };
        match slot.as_mut() {
            Some(cached) if *cached.token == *token => {
                cached.get_id_body.get_or_insert_with(build).clone()
            }
            _ => build(),
        }
    }

    async fn get_id(
        &self,
        body: Bytes,
        refusal: Option<(&Text, &[(&str, &str)])>,
    ) -> Checked<String> {
        let answer = self.cognito(Step::GetId, "AWSCognitoIdentityService.GetId", body).await?;
        let out = json_answer(Step::GetId, &answer, refusal)?;
        let id = out.identity_id.as_deref().unwrap_or_default();
        let (region, uuid) = id.split_once(':').unwrap_or_default();
        if region == self.target.region && uuid.len() == 36 {
            Ok(id.to_owned())
        } else {
            Err(wrong(Step::GetId, &answer, "IdentityId is not region:uuid"))
        }
    }

    async fn get_credentials(&self, id: &str, key: &str, token: &str) -> Checked<Credentials> {
        let body = logins_body("IdentityId", id, key, token).into();
        let answer = self
            .cognito(
                Step::GetCredentials,
                "AWSCognitoIdentityService.GetCredentialsForIdentity",
                body,
            )
            .await?;
        let out = json_answer(Step::GetCredentials, &answer, None)?;
        if out.identity_id.as_deref() != Some(id) {
            return Err(wrong(Step::GetCredentials, &answer, "another IdentityId than GetId's"));
        }
        let c = out.credentials.unwrap_or_default();
        let owned = |field: Option<Cow<'_, str>>| field.map(Cow::into_owned).unwrap_or_default();
        let expires = c.expiration.as_ref().is_some_and(Value::is_number);
        let credentials = Credentials {
            access_key_id: owned(c.access_key_id),
            secret: owned(c.secret_key),
            session_token: owned(c.session_token),
        };
        if !credentials.well_formed() || !expires {
            return Err(wrong(Step::GetCredentials, &answer, "malformed credentials"));
        }
        Ok(credentials)
    }

    async fn get_open_id_token(&self, id: &str, key: &str, token: &str) -> Checked<String> {
        let body = logins_body("IdentityId", id, key, token).into();
        let answer = self
            .cognito(Step::GetOpenIdToken, "AWSCognitoIdentityService.GetOpenIdToken", body)
            .await?;
        let out = json_answer(Step::GetOpenIdToken, &answer, None)?;
        match out.token {
            Some(token) if token.split('.').count() == 3 => Ok(token.into_owned()),
            _ => Err(wrong(Step::GetOpenIdToken, &answer, "no Token in the answer")),
        }
    }

    async fn assume_role(
        &self,
        token: &str,
        refusal: Option<(&Text, &[(&str, &str)])>,
    ) -> Checked<AssumedRole> {
        let form = [
            ("Action", "AssumeRoleWithWebIdentity"),
            ("Version", "2011-06-15"),
            ("RoleArn", self.role_arn.as_str()),
            ("RoleSessionName", "fedmock-load"),
            ("WebIdentityToken", token),
        ];
        let body = serde_urlencoded::to_string(form).unwrap_or_default();
        let headers = [(header::CONTENT_TYPE, FORM)];
        let answer = self.post(Step::AssumeRole, &self.urls.sts, &headers, body.into()).await?;
        xml_answer(Step::AssumeRole, &answer, refusal)?;
        let text = String::from_utf8_lossy(&answer.body);
        let field = |name: &str| xml_field(&text, name).unwrap_or_default();
        let credentials = Credentials {
            access_key_id: field("AccessKeyId"),
            secret: field("SecretAccessKey"),
            session_token: field("SessionToken"),
        };
        if !credentials.well_formed() {
            return Err(wrong(Step::AssumeRole, &answer, "malformed credentials"));
        }
        Ok(AssumedRole { credentials, subject: field("SubjectFromWebIdentityToken") })
    }

    /// STS `GetCallerIdentity`, signed with `credentials` (SigV4, as the SDKs sign).
    async fn caller_identity(&self, credentials: &Credentials) -> Checked<()> {
        let body = "Action=GetCallerIdentity&Version=2011-06-15";
        let signed = sign(&self.target.sts_url, &self.target.region, credentials, body)
            .map_err(|why| Wrong { step: Step::CallerIdentity, answer: "signing".into(), why })?;
        let answer = self
            .post(
                Step::CallerIdentity,
                &self.urls.sts,
                &signed,
                Bytes::copy_from_slice(body.as_bytes()),
            )
            .await?;
        xml_answer(Step::CallerIdentity, &answer, None)?;
        let text = String::from_utf8_lossy(&answer.body);
        match xml_field(&text, "Arn") {
            Some(arn) if arn.contains(":assumed-role/") => Ok(()),
            _ => Err(wrong(Step::CallerIdentity, &answer, "the caller is not an assumed role")),
        }
    }

    async fn post(
        &self,
        step: Step,
        url: &Uri,
        headers: &[(HeaderName, HeaderValue)],
        body: Bytes,
    ) -> Checked<Answer> {
        let answer = self
            .client
            .send_to(Method::POST, url.clone(), headers, body)
            .await
            .map_err(|why| Wrong { step, answer: "transport".into(), why })?;
        if answer.status.is_server_error() {
            return Err(wrong(step, &answer, "a server error"));
        }
        Ok(answer)
    }
}

/// Issued credentials.
#[derive(Clone, Debug)]
struct Credentials {
    access_key_id: String,
    secret: String,
    session_token: String,
}

impl Credentials {
    fn well_formed(&self) -> bool {
        self.access_key_id.len() == 20
            && self.access_key_id.starts_with("ASIA")
            && self.secret.len() == 40
            && !self.session_token.is_empty()
    }
}

struct AssumedRole {
    credentials: Credentials,
    subject: String,
}

/// The marker of a refusal that was the expected one.
const REFUSED_AS_EXPECTED: &str = "refused as expected";

async fn timed<T>(
    steps: &mut Vec<(Step, Duration)>,
    step: Step,
    call: impl Future<Output = Checked<T>>,
) -> Checked<T> {
    let began = Instant::now();
    let result = call.await;
    steps.push((step, began.elapsed()));
    result
}

fn wrong(step: Step, answer: &Answer, why: &str) -> Wrong {
    let body = String::from_utf8_lossy(&answer.body);
    let shown: String = body.chars().take(300).collect();
    let kind = if answer.status.is_server_error() {
        format!("status {}", answer.status.as_u16())
    } else {
        "malformed".to_owned()
    };
    Wrong { step, answer: kind, why: format!("{why}: {} {shown}", answer.status.as_u16()) }
}

fn json_of(step: Step, answer: &Answer) -> Checked<Value> {
    serde_json::from_slice(&answer.body).map_err(|_| wrong(step, answer, "not JSON"))
}

/// The fields of a JSON 1.1 answer the generator reads, borrowed from the body where they
/// need no unescaping: parsed into a tree, the answer cost the generator more than the rest of
/// a GetId (the generator must not be the limit). Other fields are skipped.
#[derive(Debug, Default, Deserialize)]
struct JsonAnswer<'a> {
    #[serde(rename = "IdentityId", borrow, default)]
    identity_id: Option<Cow<'a, str>>,
    #[serde(rename = "Token", borrow, default)]
    token: Option<Cow<'a, str>>,
    #[serde(rename = "Credentials", borrow, default)]
    credentials: Option<CredentialsAnswer<'a>>,
    #[serde(rename = "__type", borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    message: Option<Cow<'a, str>>,
    #[serde(rename = "Message", borrow, default)]
    message_capitalised: Option<Cow<'a, str>>,
}

/// `Credentials` in a GetCredentialsForIdentity answer.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CredentialsAnswer<'a> {
    #[serde(borrow, default)]
    access_key_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    secret_key: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    session_token: Option<Cow<'a, str>>,
    #[serde(default)]
    expiration: Option<Value>,
}

/// A JSON 1.1 answer: its fields if 200; the expected refusal; else what went wrong.
fn json_answer<'a>(
    step: Step,
    answer: &'a Answer,
    refusal: Option<(&Text, &[(&str, &str)])>,
) -> Checked<JsonAnswer<'a>> {
    let out: JsonAnswer<'a> = serde_json::from_slice(&answer.body)
        .map_err(|_| wrong(step, answer, "not JSON of an answer's shape"))?;
    if answer.status == StatusCode::OK {
        return Ok(out);
    }
    let kind = out.kind.as_deref().unwrap_or_default();
    let kind = kind.rsplit('#').next().unwrap_or(kind);
    let message = out.message.as_deref().or(out.message_capitalised.as_deref()).unwrap_or_default();
    Err(judge_refusal(step, kind, message, refusal))
}

/// A Query answer: nothing if 200; the expected refusal; else what went wrong.
fn xml_answer(
    step: Step,
    answer: &Answer,
    refusal: Option<(&Text, &[(&str, &str)])>,
) -> Checked<()> {
    if answer.status == StatusCode::OK {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&answer.body);
    let kind = xml_field(&text, "Code").unwrap_or_default();
    let message = xml_field(&text, "Message").unwrap_or_default();
    Err(judge_refusal(step, &kind, &message, refusal))
}

fn judge_refusal(
    step: Step,
    kind: &str,
    message: &str,
    refusal: Option<(&Text, &[(&str, &str)])>,
) -> Wrong {
    match refusal {
        Some((text, values)) if mix::matches(text, kind, message, values) => {
            Wrong { step, answer: REFUSED_AS_EXPECTED.into(), why: String::new() }
        }
        Some((text, _)) => Wrong {
            step,
            answer: if kind.is_empty() { "malformed".into() } else { kind.to_owned() },
            why: format!(
                "{kind}: {message} (AWS answers {}: {})",
                text.kind.as_str(),
                text.message
            ),
        },
        None => Wrong {
            step,
            answer: if kind.is_empty() { "malformed".into() } else { kind.to_owned() },
            why: format!("{kind}: {message}"),
        },
    }
}

/// The values of an expected refusal's placeholders; the server's `{now}` stays a wildcard.
/// `{"<field>":"<value>","Logins":{"<key>":"<token>"}}`, as the SDKs send it, without building
/// a JSON tree first (the generator must not be the limit).
fn logins_body(field: &str, value: &str, key: &str, token: &str) -> String {
    let quoted = |v: &str| serde_json::to_string(v).unwrap_or_else(|_| "\"\"".to_owned());
    format!(
        "{{{}:{},\"Logins\":{{{}:{}}}}}",
        quoted(field),
        quoted(value),
        quoted(key),
        quoted(token)
    )
}

fn expected_values(token: &str, pool: &str) -> Vec<(&'static str, String)> {
    let claims = harness::mock_cognito::unverified_claims(token).unwrap_or_default();
    let mut values = vec![("pool", pool.to_owned())];
    if let Some(exp) = claims.get("exp") {
        values.push(("exp", exp.to_string()));
    }
    if let Some(iss) = claims.get("iss").and_then(Value::as_str) {
        values.push(("iss", iss.to_owned()));
    }
    values
}

/// The token with one character of its signature changed.
fn tamper(token: &str) -> String {
    let Some((signed, signature)) = token.rsplit_once('.') else { return format!("{token}x") };
    let mut chars: Vec<char> = signature.chars().collect();
    let middle = chars.len() / 2;
    if let Some(c) = chars.get_mut(middle) {
        *c = if *c == 'A' { 'B' } else { 'A' };
    }
    format!("{signed}.{}", chars.into_iter().collect::<String>())
}

fn base64_basic(user: &str, password: &str) -> HeaderValue {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    HeaderValue::from_str(&format!("Basic {encoded}")).unwrap_or(HeaderValue::from_static(""))
}

/// The text of the first `<name>…</name>`, entities decoded.
fn xml_field(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(
        xml[start..end]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

/// The headers of an STS Query request signed with `credentials`.
fn sign(
    url: &str,
    region: &str,
    credentials: &Credentials,
    body: &str,
) -> Result<Vec<(HeaderName, HeaderValue)>, String> {
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
    let uri: http::Uri = url.parse().map_err(|e| format!("{url}: {e}"))?;
    let host = uri.authority().map(|a| a.as_str().to_owned()).unwrap_or_default();
    let identity: aws_smithy_runtime_api::client::identity::Identity =
        aws_credential_types::Credentials::new(
            &credentials.access_key_id,
            &credentials.secret,
            Some(credentials.session_token.clone()),
            None,
            "fedmock-load",
        )
        .into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("sts")
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let content_type = "application/x-www-form-urlencoded";
    let headers = [("host", host.as_str()), ("content-type", content_type)];
    let request = SignableRequest::new(
        "POST",
        url,
        headers.into_iter(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .map_err(|e| e.to_string())?;
    let (instructions, _) = sign(request, &params).map_err(|e| e.to_string())?.into_parts();
    let mut out = vec![
        (header::HOST, HeaderValue::from_str(&host).map_err(|e| e.to_string())?),
        (header::CONTENT_TYPE, FORM),
    ];
    for (name, value) in instructions.headers() {
        out.push((
            HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?,
            HeaderValue::from_str(value).map_err(|e| e.to_string())?,
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_bodies_are_the_json_the_sdks_send() {
        let body = logins_body("IdentityPoolId", "us-east-1:p", "issuer/\"x\"", "a.b.c");
        let parsed: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            parsed,
            json!({"IdentityPoolId": "us-east-1:p", "Logins": {"issuer/\"x\"": "a.b.c"}})
        );
    }

    #[test]
    fn a_tampered_token_differs_only_in_its_signature() {
        let token = "aGVhZA.Ym9keQ.c2lnbmF0dXJl";
        let bad = tamper(token);
        assert_ne!(bad, token);
        assert!(bad.starts_with("aGVhZA.Ym9keQ."));
        assert_eq!(bad.len(), token.len());
    }

    #[test]
    fn xml_fields_are_read_and_unescaped() {
        let xml =
            "<E><Code>InvalidIdentityToken</Code><Message>It&apos;s &lt;bad&gt;</Message></E>";
        assert_eq!(xml_field(xml, "Code").as_deref(), Some("InvalidIdentityToken"));
        assert_eq!(xml_field(xml, "Message").as_deref(), Some("It's <bad>"));
        assert_eq!(xml_field(xml, "Nope"), None);
    }
}
