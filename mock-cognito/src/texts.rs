//! Every answer mock-cognito gives, with where its words come from.
//!
//! An answer is written once here: its error type or code, its message (with `{name}`
//! placeholders), when AWS gives it, and its source: a real AWS answer quoted in public
//! ([`Source::Observed`]), AWS's documentation ([`Source::Documented`]), or fedmock's own words
//! where AWS's are not published ([`Source::Inferred`], with why this form). Errors can only be
//! made from these texts ([`Text::error`], [`Text::with`]), so the table [`ALL`] is complete,
//! and `fedmock explain --provenance` and `docs/provenance.md` are generated from it.

use std::fmt::Write as _;

use crate::error::ErrorType as T;
pub use crate::error::{Service, Source, Text};

macro_rules! texts {
    ($($(#[$doc:meta])* $name:ident = ($service:ident, $kind:ident, $message:expr, $when:expr, $source:expr);)*) => {
        $($(#[$doc])* pub static $name: Text = Text {
            service: Service::$service,
            kind: T::$kind,
            message: $message,
            when: $when,
            source: $source,
        };)*
        /// Every answer, in the order of this file.
        pub static ALL: &[&Text] = &[$(&$name),*];
    };
}

use Source::{Inferred, Observed};

texts! {
    // Cognito Identity: the checks of a token in Logins (docs/reference/cognito.md §2.2, §2.4).
    /// The value is not a JWT.
    NOT_A_JWT = (Cognito, NotAuthorized,
        "Invalid login token. Not a valid OpenId Connect identity token.",
        "the Logins value is not a JWT (an opaque access token, a code, a JSON object)",
        Observed("https://github.com/jaredhanson/passport-google-oauth2/issues/20"));
    /// Cognito's own token as a provider's login.
    CANT_PASS_COGNITO_TOKEN = (Cognito, NotAuthorized,
        "Invalid login token. Can't pass in a Cognito token.",
        "a token Cognito issued (GetOpenIdToken) is sent to GetId, or under a provider's key",
        Observed("https://github.com/aws-amplify/amplify-js/issues/5309"));
    /// Another token under Cognito's own key.
    NOT_A_COGNITO_TOKEN = (Cognito, NotAuthorized,
        "Invalid login token. Not a Cognito token.",
        "a token Cognito did not issue is sent under the key cognito-identity.amazonaws.com",
        Observed("https://github.com/aws-amplify/aws-sdk-android/issues/1431"));
    /// `iss` is not the Logins key.
    ISSUER_MISMATCH = (Cognito, NotAuthorized,
        "Invalid login token. Issuer doesn't match providerName",
        "the token's iss without its scheme is not the Logins key",
        Observed("https://github.com/amazon-archives/amazon-cognito-identity-js/issues/220"));
    /// The pool does not trust the provider.
    UNSUPPORTED_PROVIDER = (Cognito, NotAuthorized,
        "Token is not from a supported provider of this identity pool.",
        "the Logins key names no provider of the pool (or a user pool app client it does not list)",
        Observed("https://github.com/aws-amplify/amplify-flutter/issues/851"));
    /// The pool has no providers at all.
    NO_PROVIDERS = (Cognito, NotAuthorized,
        "Identity pool - {pool} does not have identity providers configured.",
        "Logins are sent to a pool that has no authentication provider (a guest-only pool)",
        Observed("https://github.com/aws-amplify/aws-sdk-ios/issues/3034"));
    /// The signature does not verify.
    SIGNATURE = (Cognito, NotAuthorized,
        "Invalid login token. Couldn't verify signed token.",
        "no published key verifies the signature (wrong key, a kid rotated in since the key cache's last fetch, a tampered token, not RS256, keys unreachable)",
        Observed("https://github.com/amazon-archives/amazon-cognito-identity-js/issues/91"));
    /// The audience is not a client id of the provider.
    AUDIENCE = (Cognito, NotAuthorized,
        "Invalid login token. Incorrect token audience.",
        "neither azp (when present) nor aud is one of the IAM OIDC provider's client IDs",
        Observed("https://github.com/aws-amplify/amplify-js/issues/6287"));
    /// A claim is missing.
    MISSING_CLAIM = (Cognito, NotAuthorized,
        "Invalid login token. Missing a required claim: {claim}",
        "the token has no aud (observed); no sub or exp (inferred: the same form)",
        Observed("https://github.com/amazon-archives/amazon-cognito-identity-js/issues/12"));
    /// The token has expired.
    EXPIRED = (Cognito, NotAuthorized,
        "Invalid login token. Token expired: {now} >= {exp}",
        "now >= exp (no grace: a token 271 s past exp is refused)",
        Observed("https://github.com/aws-amplify/aws-sdk-ios/issues/2570"));
    // Cognito Identity: identities and pools.
    /// No logins, and the pool refuses guests.
    UNAUTHENTICATED = (Cognito, NotAuthorized,
        "Unauthenticated access is not supported for this identity pool.",
        "GetId or GetCredentialsForIdentity without Logins on a pool without unauthenticated access",
        Observed("https://github.com/boto/botocore/issues/329"));
    /// The logins do not prove the identity.
    LOGINS_DONT_MATCH = (Cognito, NotAuthorized,
        "Logins don't match. Please include at least one valid login for this identity or identity pool.",
        "none of the logins is linked to the identity (another user's cached identity, another pool's)",
        Observed("https://github.com/aws-amplify/amplify-js/issues/2443"));
    /// The identity exists but the caller may not use it.
    ACCESS_FORBIDDEN = (Cognito, NotAuthorized,
        "Access to Identity '{identity}' is forbidden.",
        "an authenticated identity used without its logins, or an identity disabled by a merge",
        Observed("https://github.com/aws-amplify/aws-sdk-android/issues/52"));
    /// Role mappings chose nothing and deny.
    AMBIGUOUS_DENIED = (Cognito, NotAuthorized,
        "The ambiguous role mapping rules for: {provider} denied this request.",
        "no rule matches (or CustomRoleArn is not allowed) and AmbiguousRoleResolution is Deny",
        Observed("https://github.com/aws-amplify/amplify-js/issues/3621"));
    /// No usable role.
    NO_ROLE = (Cognito, InvalidIdentityPoolConfiguration,
        "Invalid identity pool configuration. Check assigned IAM roles for this pool.",
        "the pool has no role for the identity's kind, or the role does not trust cognito-identity.amazonaws.com for this pool and amr",
        Observed("https://github.com/aws/aws-sdk-js/issues/1615"));
    /// The basic flow is switched off.
    CLASSIC_DISABLED = (Cognito, InvalidParameter,
        "Basic (classic) flow is not enabled, please use enhanced flow.",
        "GetOpenIdToken on a pool whose AllowClassicFlow is false (unset allows it)",
        Observed("https://github.com/aws-amplify/amplify-js/issues/9704"));
    /// The basic flow with role mappings.
    CLASSIC_ROLE_MAPPINGS = (Cognito, InvalidParameter,
        "Basic (classic) flow is not supported with RoleMappings, please use enhanced flow.",
        "GetOpenIdToken on a pool with role mappings",
        Observed("https://github.com/aws-observability/aws-rum-web/issues/172"));
    /// Unknown pool.
    POOL_NOT_FOUND = (Cognito, ResourceNotFound,
        "IdentityPool '{pool}' not found.",
        "the pool does not exist in this region (a pool of another region included)",
        Observed("https://github.com/awslabs/serverless-photo-recognition/issues/11"));
    /// Unknown identity.
    IDENTITY_NOT_FOUND = (Cognito, ResourceNotFound,
        "Identity '{identity}' not found.",
        "the identity does not exist (deleted, or never issued)",
        Observed("https://github.com/aws-amplify/amplify-js/issues/2301"));
    /// A role the caller may not pass.
    ROLE_FORBIDDEN = (Cognito, NotAuthorized,
        "Access to Role '{role}' is forbidden.",
        "SetIdentityPoolRoles with a role that does not exist (a name instead of an ARN)",
        Observed("https://github.com/boto/boto3/issues/73"));
    /// A role mapping for a provider the pool does not trust.
    ROLE_MAPPING_PROVIDER = (Cognito, InvalidParameter,
        "{provider} is not a valid RoleMapping ProviderName or is not a configured provider.",
        "SetIdentityPoolRoles maps a provider the pool does not trust",
        Observed("https://github.com/aws/aws-cdk/issues/7670"));
    /// A Logins key that is not the pool's developer provider.
    UNSUPPORTED_DEVELOPER_PROVIDER = (Cognito, InvalidParameter,
        "This identity pool does not support the specified developer provider",
        "GetOpenIdTokenForDeveloperIdentity's Logins do not name the pool's DeveloperProviderName (the type is inferred)",
        Observed("https://github.com/danilop/LambdAuth/issues/32"));
    /// The pool has no developer provider.
    NO_DEVELOPER_PROVIDER = (Cognito, InvalidParameter,
        "This identity pool has no DeveloperProviderName.",
        "a developer-identity action on a pool without a developer provider",
        Inferred("AWS's text for this case is not published; the type is the model's"));
    /// A pool setting AWS refuses.
    INVALID_POOL = (Cognito, InvalidParameter,
        "{why}",
        "CreateIdentityPool, UpdateIdentityPool or SetIdentityPoolRoles with a setting that cannot work (an unknown provider or role, too many rules)",
        Inferred("AWS's texts for these cases are not published; fedmock says what is wrong"));
    /// A Rules mapping without rules.
    RULES_REQUIRED = (Cognito, InvalidParameter,
        "RulesConfiguration is required for a Rules mapping.",
        "SetIdentityPoolRoles with a Rules mapping that has no rules",
        Inferred("AWS's text is not published"));
    /// Too many rules.
    TOO_MANY_RULES = (Cognito, LimitExceeded,
        "A role mapping may have at most {max} rules.",
        "SetIdentityPoolRoles with more than 25 rules for a provider",
        Inferred("the quota is documented; AWS's words are not published"));
    /// A mapping without AmbiguousRoleResolution.
    RESOLUTION_REQUIRED = (Cognito, InvalidParameter,
        "AmbiguousRoleResolution is required for a role mapping.",
        "SetIdentityPoolRoles with a mapping that does not say what happens when no role is chosen",
        Inferred("the model requires it; AWS's words are not published"));
    /// DeveloperProviderName changed.
    DEVELOPER_PROVIDER_FIXED = (Cognito, InvalidParameter,
        "DeveloperProviderName cannot be changed once it is set.",
        "UpdateIdentityPool changes a DeveloperProviderName that is set",
        Inferred("documented rule (it cannot change once set); AWS's words are not published"));
    /// Too many pools.
    TOO_MANY_POOLS = (Cognito, LimitExceeded,
        "Maximum number of identity pools ({max}) reached.",
        "CreateIdentityPool beyond the account's 1,000 pools",
        Inferred("the quota is documented; AWS's words are not published"));
    /// Too many tags.
    TOO_MANY_TAGS = (Cognito, LimitExceeded,
        "A resource may have at most {max} tags.",
        "TagResource beyond 50 tags",
        Inferred("the quota is documented; AWS's words are not published"));
    /// A malformed pool ARN.
    INVALID_POOL_ARN = (Cognito, InvalidParameter,
        "Invalid identity pool ARN: {arn}",
        "a tag action names something that is not an identity pool ARN of this account and region",
        Inferred("AWS's text is not published"));
    /// A principal tag map for a provider the pool does not trust.
    UNKNOWN_TAG_PROVIDER = (Cognito, InvalidParameter,
        "{provider} is not a configured provider of this identity pool.",
        "Set/GetPrincipalTagAttributeMap for a provider the pool does not trust",
        Inferred("AWS's text is not published"));
    /// A NextToken fedmock did not give.
    INVALID_NEXT_TOKEN = (Cognito, InvalidParameter,
        "Invalid NextToken.",
        "a list call's NextToken is not one fedmock gave",
        Inferred("AWS's text is not published"));
    /// A second login of a provider the identity has.
    LOGIN_CONFLICT = (Cognito, ResourceConflict,
        "A different login for {provider} is already linked to identity {identity}.",
        "a second, different login of a provider is linked to an identity that has one",
        Inferred("the type is documented; AWS's words are not published"));
    /// A developer identifier registered elsewhere.
    DEVELOPER_ID_TAKEN = (Cognito, DeveloperUserAlreadyRegistered,
        "Developer user identifier {developer} is already registered with identity {identity}.",
        "GetOpenIdTokenForDeveloperIdentity links an identifier that belongs to another identity",
        Inferred("the type is documented; AWS's words are not published"));
    /// A developer identifier not linked to the identity.
    DEVELOPER_ID_NOT_LINKED = (Cognito, ResourceConflict,
        "Developer user identifier {developer} is not linked to identity {identity}.",
        "UnlinkDeveloperIdentity with an identifier of another identity",
        Inferred("the type is documented; AWS's words are not published"));
    /// An unknown developer identifier.
    DEVELOPER_ID_NOT_FOUND = (Cognito, ResourceNotFound,
        "Developer user identifier {developer} not found.",
        "LookupDeveloperIdentity or MergeDeveloperIdentities with an identifier nobody registered",
        Inferred("AWS's text is not published"));
    /// Lookup with a mismatching pair.
    DEVELOPER_LOOKUP_MISMATCH = (Cognito, ResourceConflict,
        "The identity and the developer user identifier do not match.",
        "LookupDeveloperIdentity gives an identity and an identifier of another identity",
        Inferred("the type is documented; AWS's words are not published"));
    /// Lookup with neither.
    DEVELOPER_LOOKUP_EMPTY = (Cognito, InvalidParameter,
        "Either IdentityId or DeveloperUserIdentifier must be given.",
        "LookupDeveloperIdentity with neither an identity nor an identifier",
        Inferred("AWS's text is not published"));
    /// A developer provider name that is not the pool's.
    DEVELOPER_PROVIDER_MISMATCH = (Cognito, InvalidParameter,
        "DeveloperProviderName must be {expected}.",
        "Merge/UnlinkDeveloperIdentity names another developer provider",
        Inferred("AWS's text is not published"));
    /// An action fedmock does not serve.
    NOT_SERVED = (Cognito, UnknownOperation,
        "fedmock does not serve {action} yet",
        "a Cognito Identity action fedmock does not implement",
        Inferred("fedmock's own answer; every one of the 23 actions is served"));
    /// An unknown target.
    UNKNOWN_OPERATION = (Cognito, UnknownOperation,
        "",
        "X-Amz-Target names no Cognito Identity action (AWS sends no message)",
        Observed("https://github.com/mhart/kinesalite/blob/master/test/connection.js"));
    // The JSON 1.1 body (Coral's deserializer).
    /// The body is not JSON.
    NOT_JSON = (Cognito, Serialization,
        "",
        "the body is not JSON (AWS sends no message)",
        Observed("https://github.com/mhart/kinesalite/blob/master/test/connection.js"));
    /// A list where a scalar belongs.
    LIST_NOT_EXPECTED = (Cognito, Serialization,
        "Start of list found where not expected",
        "a JSON array where the operation's shape has a string, number or structure",
        Observed("https://github.com/aws/aws-sdk-js-v3/issues/2831"));
    /// An object where a scalar belongs.
    MAP_NOT_EXPECTED = (Cognito, Serialization,
        "Start of structure or map found where not expected.",
        "a JSON object where the operation's shape has a string, number or list",
        Observed("https://github.com/aws-amplify/amplify-js/issues/5165"));
    /// A scalar of the wrong type.
    SCALAR_MISMATCH = (Cognito, Serialization,
        "{value} can not be converted to {target}",
        "a string, number or boolean where another scalar type belongs",
        Inferred("the form Coral services answer (STRING_VALUE can not be converted to an Integer); not captured for Cognito Identity"));
    /// A scalar where a list or map belongs.
    EXPECTED_COLLECTION = (Cognito, Serialization,
        "Expected {collection} or null",
        "a scalar where the operation's shape has a list or map",
        Observed("https://github.com/mhart/kinesalite/blob/master/test/helpers.js"));
    // Validation (every service; STS and IAM answer ValidationError with the same words).
    /// Constraint violations.
    VALIDATION = (Cognito, Validation,
        "{count} validation error(s) detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}[; …]",
        "members break their constraints (length, pattern, count, null); the list is in member order, logins first (AWS's order varies between calls)",
        Observed("https://github.com/aws/aws-sdk-cpp/issues/1085"));
    /// Query-protocol validation.
    VALIDATION_QUERY = (Sts, ValidationError,
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}",
        "an STS or IAM parameter breaks its constraints (e.g. RoleSessionName's pattern)",
        Observed("https://github.com/aws-actions/configure-aws-credentials/issues/1306"));
    // STS: AssumeRoleWithWebIdentity (docs/reference/cognito.md §3.3).
    /// Not a JWT.
    STS_NOT_A_JWT = (Sts, InvalidIdentityToken,
        "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)",
        "the web identity token is not a JWT with an iss",
        Observed("https://github.com/aws-amplify/amplify-js/issues/9704"));
    /// No provider for the issuer.
    STS_NO_PROVIDER = (Sts, InvalidIdentityToken,
        "No OpenIDConnect provider found in your account for {iss}",
        "no IAM OIDC provider of the account has the token's iss as its URL",
        Observed("https://github.com/mozilla-iam/mozilla-aws-cli/issues/127"));
    /// Keys unreachable.
    STS_KEY_RETRIEVAL = (Sts, InvalidIdentityToken,
        "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
        "the issuer's discovery document or JWKS cannot be fetched, or holds no key for the token's kid",
        Observed("https://github.com/awslabs/aws-sdk-rust/issues/827"));
    /// A bad signature.
    STS_SIGNATURE = (Sts, InvalidIdentityToken,
        "The token signature could not be verified.",
        "the signature does not verify with the key for its kid",
        Inferred("STS's text for a key that does not verify is not published"));
    /// The audience is not a client id.
    STS_AUDIENCE = (Sts, InvalidIdentityToken,
        "Incorrect token audience",
        "neither azp (when present) nor aud is one of the provider's client IDs",
        Observed("https://github.com/aws/amazon-eks-pod-identity-webhook/issues/232"));
    /// A claim is missing.
    STS_MISSING_CLAIM = (Sts, InvalidIdentityToken,
        "Missing a required claim: {claim}",
        "the token has no aud or sub (observed), no exp (inferred: the same form)",
        Observed("https://github.com/aws/aws-sdk-ruby/issues/2698"));
    /// The token has expired.
    STS_EXPIRED = (Sts, ExpiredTokenException,
        "Token expired: current date/time {now} must be before the expiration date/time {exp}",
        "now >= exp (no grace: a token 198 s past exp is refused)",
        Observed("https://github.com/aws/aws-sdk-java-v2/issues/5709"));
    /// The trust policy refuses.
    STS_ACCESS_DENIED = (Sts, AccessDenied,
        "Not authorized to perform sts:AssumeRoleWithWebIdentity",
        "the role does not exist, or its trust policy does not allow this federated principal",
        Observed("https://github.com/crossplane/crossplane/issues/5578"));
    /// A session longer than the role allows.
    STS_DURATION = (Sts, ValidationError,
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        "DurationSeconds is more than the role's MaxSessionDuration",
        Observed("https://github.com/kreuzwerker/awsu/issues/27"));
    /// A Cognito token this endpoint did not sign.
    STS_COGNITO_SIGNATURE = (Sts, InvalidIdentityToken,
        "The token signature could not be verified.",
        "a token naming Cognito as its issuer that this endpoint's Cognito key did not sign",
        Inferred("STS's text for this case is not published"));
    // IAM (docs/reference/cognito.md §5).
    /// The URL is not https.
    IAM_URL_SCHEME = (Iam, InvalidInput,
        "The Url must start with https://",
        "CreateOpenIDConnectProvider with an http:// URL (unless allow_http_issuers)",
        Inferred("AWS's text for http:// is not captured; without any scheme IAM answers IAM_URL_NO_SCHEME"));
    /// The URL has a port, query or fragment.
    IAM_URL_INVALID = (Iam, InvalidInput,
        "Invalid OpenID Connect Provider URL: {url}",
        "CreateOpenIDConnectProvider with a port, a query or a fragment",
        Inferred("AWS's text is not published"));
    /// The provider exists.
    IAM_PROVIDER_EXISTS = (Iam, EntityAlreadyExists,
        "Provider with url {url} already exists.",
        "CreateOpenIDConnectProvider for a URL the account has",
        Observed("https://github.com/getscaf/sfu-fullstack-template/issues/75"));
    /// Too many client ids.
    IAM_TOO_MANY_CLIENT_IDS = (Iam, IamLimitExceeded,
        "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {max}",
        "more than 100 client IDs on a provider (an AWS answer LocalStack recorded)",
        Observed("https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_oidc.snapshot.json"));
    /// Too many providers.
    IAM_TOO_MANY_PROVIDERS = (Iam, IamLimitExceeded,
        "Cannot exceed quota for OpenIdConnectProvidersPerAccount: {max}",
        "more than 100 OIDC providers in the account",
        Observed("https://github.com/kubernetes-sigs/secrets-store-csi-driver/issues/634"));
    /// Too many thumbprints.
    IAM_TOO_MANY_THUMBPRINTS = (Iam, InvalidInput,
        "Thumbprint list must contain fewer than {max} entries.",
        "more than 5 thumbprints (sic: 5 are accepted; an AWS answer LocalStack recorded)",
        Observed("https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_oidc.snapshot.json"));
    /// A malformed thumbprint.
    IAM_THUMBPRINT = (Iam, ValidationError,
        "1 validation error detected: Value at 'thumbprintList' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 40, Member must have length greater than or equal to 40]",
        "a thumbprint that is not 40 characters (IAM leaves the value out; an AWS answer LocalStack recorded, with two more members)",
        Observed("https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_oidc.snapshot.json"));
    /// An unknown provider.
    IAM_NO_PROVIDER = (Iam, NoSuchEntity,
        "OpenIDConnect Provider not found for arn {arn}",
        "Get (and the other provider actions but Delete) name an ARN the account does not have (an AWS answer LocalStack recorded)",
        Observed("https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_oidc.snapshot.json"));
    /// Deleting a provider that is not there.
    IAM_DELETE_NO_PROVIDER = (Iam, NoSuchEntity,
        "OpenId connect Provider {arn} cannot be found.",
        "DeleteOpenIDConnectProvider for an ARN the account does not have (not idempotent, whatever the docs say; an AWS answer LocalStack recorded)",
        Observed("https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_oidc.snapshot.json"));
    /// A URL without a scheme.
    IAM_URL_NO_SCHEME = (Iam, ValidationError,
        "Invalid Open ID Connect Provider URL",
        "CreateOpenIDConnectProvider with a URL without a scheme or host (an AWS answer LocalStack recorded)",
        Observed("https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_oidc.snapshot.json"));
    /// The role exists.
    IAM_ROLE_EXISTS = (Iam, EntityAlreadyExists,
        "Role with name {name} already exists.",
        "CreateRole with a name the account has",
        Observed("https://github.com/garnaat/kappa/issues/17"));
    /// Unknown role.
    IAM_NO_ROLE = (Iam, NoSuchEntity,
        "The role with name {name} cannot be found.",
        "a role action names a role the account does not have",
        Observed("https://github.com/aws/amazon-sagemaker-examples/issues/2300"));
    /// Not JSON.
    IAM_POLICY_JSON = (Iam, MalformedPolicyDocument,
        "This policy contains invalid Json",
        "a policy document that is not JSON",
        Observed("https://github.com/brendanhay/amazonka/issues/434"));
    /// An invalid input fedmock's world refuses.
    IAM_INVALID = (Iam, InvalidInput,
        "{why}",
        "a provider or role the account cannot hold",
        Inferred("fedmock says what is wrong"));
    // The Query protocol.
    /// No Action.
    MISSING_ACTION = (Any, MissingAction,
        "Missing Action",
        "a form body without Action",
        Inferred("the code is documented (Common Errors); its words are not captured anywhere public"));
    /// Unknown Action.
    INVALID_ACTION = (Any, InvalidAction,
        "Could not find operation {action} for version {version}",
        "an Action the service does not have (or another Version)",
        Observed("https://github.com/aws/session-manager-plugin/issues/116"));
    /// The form cannot be read.
    MALFORMED_QUERY = (Any, MalformedQueryString,
        "The query string is malformed.",
        "a form body that does not decode",
        Inferred("AWS's text is not captured here"));
    // The HTTP edge.
    /// A body over the limit.
    BODY_TOO_LARGE = (Any, RequestEntityTooLarge,
        "Request must be smaller than {max} bytes",
        "a body over 1 MiB (announced by Content-Length, or found while reading it); answered at once, without reading the rest",
        Inferred("Cognito's limit and words are not public; these are AWS Lambda's for its own limit, quoted in https://github.com/nextauthjs/next-auth/issues/7215, without its operation name, with the type Lambda's SDK names (https://github.com/faultline/faultline/issues/12)"));
    /// A body that does not arrive.
    BODY_TIMEOUT = (Any, RequestTimeout,
        "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.",
        "a body still incomplete after the body timeout (10 s by default; --body-timeout-secs)",
        Inferred("S3's documented RequestTimeout text (Amazon S3 error responses); Cognito's is not public"));
    // Request signing (SigV4).
    /// No signature on a signed action.
    MISSING_AUTHENTICATION = (Any, MissingAuthenticationToken,
        "Missing Authentication Token",
        "a signed action without an Authorization header (JSON 1.1; the Query protocol says Request is missing Authentication Token)",
        Observed("https://github.com/awslabs/aws-sdk-ios-samples/issues/108"));
    /// A malformed Authorization header.
    INCOMPLETE_SIGNATURE = (Any, IncompleteSignature,
        "{why}",
        "the Authorization header lacks Credential, SignedHeaders, Signature, the date, or the AWS4-HMAC-SHA256 algorithm",
        Observed("https://github.com/mhart/kinesalite/blob/master/test/connection.js"));
    /// An unknown access key.
    UNRECOGNIZED_CLIENT = (Any, UnrecognizedClient,
        "The security token included in the request is invalid.",
        "the access key is not the world's and not issued here, or the session token does not go with it",
        Observed("https://github.com/ArranJacques/laravel-aws-cognito-auth/issues/25"));
    /// The same in the Query protocol (STS, IAM).
    UNRECOGNIZED_CLIENT_QUERY = (Any, InvalidClientTokenId,
        "The security token included in the request is invalid.",
        "STS or IAM signed with an access key that is not the world's and not issued here, or with a session token that does not go with it",
        Observed("https://github.com/jrl84/amazon-sp-api/issues/218"));
    /// The signature does not match.
    SIGNATURE_MISMATCH = (Any, InvalidSignature,
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        "the signature is not the one the secret gives for this request",
        Observed("https://github.com/aws/aws-sdk-js-v3/issues/845"));
    /// Temporary credentials past their expiry sign a Query request.
    EXPIRED_CREDENTIALS = (Any, ExpiredToken,
        "The security token included in the request is expired",
        "STS or IAM signed with temporary credentials whose Expiration has passed",
        Observed("https://github.com/miquella/vaulted/issues/107"));
    /// The same in JSON 1.1.
    EXPIRED_CREDENTIALS_JSON = (Cognito, ExpiredTokenException,
        "The security token included in the request is expired",
        "a Cognito Identity action signed with temporary credentials whose Expiration has passed",
        Observed("https://github.com/MitocGroup/deep-framework/issues/609"));
    /// Temporary credentials sign a Cognito Identity action that needs a permission. The
    /// type, HTTP 400 and the words up to the resource are a real answer's
    /// (hashicorp/terraform-provider-aws#15773; aws/aws-sdk-ruby#2173); the ending is AWS's
    /// implicit-deny reason as it has been written since 2021 (antonputra/tutorials#196,
    /// nmwalsh/aws-ai-services-site#49).
    COGNITO_ACCESS_DENIED = (Cognito, AccessDeniedException,
        "User: {user} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action",
        "an admin action (DescribeIdentityPool, ListIdentityPools, …) signed with temporary credentials issued for a role: fedmock's roles have no permissions policy, so nothing allows it",
        Observed("https://github.com/hashicorp/terraform-provider-aws/pull/15773"));
    /// The same for IAM.
    IAM_ACCESS_DENIED = (Iam, AccessDenied,
        "User: {user} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action",
        "an IAM action signed with temporary credentials issued for a role (no permissions policy allows it)",
        Observed("https://github.com/antonputra/tutorials/issues/196"));
    /// `X-Amz-Date` more than 15 minutes before the real time.
    SIGNATURE_EXPIRED = (Any, InvalidSignature,
        "Signature expired: {date} is now earlier than {earliest} ({now} - 15 min.)",
        "X-Amz-Date is more than 15 minutes before the real time (not the world clock): a replayed or long-held request",
        Observed("https://github.com/aws/aws-cli/issues/6676"));
    /// `X-Amz-Date` more than 15 minutes after the real time.
    SIGNATURE_NOT_YET_CURRENT = (Any, InvalidSignature,
        "Signature not yet current: {date} is still later than {latest} ({now} + 15 min.)",
        "X-Amz-Date is more than 15 minutes after the real time",
        Observed("https://github.com/QT-DevOps/DevOpsIssues/issues/989"));
    /// The credential scope is another region or service.
    WRONG_SCOPE = (Any, InvalidSignature,
        "Credential should be scoped to a valid region and service: expected {expected}, got {got}",
        "the signature's credential scope names another region or service",
        Inferred("AWS's words for a wrong scope vary by service; this says what differs"));
}

/// `docs/provenance.md`: a heading, how to read the table, and the table. Generated; a test
/// keeps the file equal to it.
pub fn provenance_document() -> String {
    format!(
        "# Where mock-cognito's answers come from\n\n\
         Generated from `mock-cognito/src/texts.rs` by `fedmock explain --provenance`; do not \
         edit by hand.\n\n\
         Every refusal mock-cognito gives is one of these texts. **observed**: a real AWS answer \
         quoted in public (the address quotes it); trust these. **documented**: AWS's \
         documentation or service model. **inferred**: AWS's words for the case are not \
         published; the type is AWS's, the words are fedmock's, and why is said. A message \
         with `{{name}}` is filled with the request's values.\n\n{}",
        provenance_table()
    )
}

/// The table of every answer, as markdown: service, type, message, source.
pub fn provenance_table() -> String {
    let mut out =
        String::from("| service | type | message | when | source |\n|---|---|---|---|---|\n");
    for text in ALL {
        let message = if text.message.is_empty() { "(no message)" } else { text.message };
        let source = match text.source {
            Source::Observed(url) | Source::Documented(url) => {
                format!("{}: {url}", text.source.label())
            }
            Source::Inferred(why) => format!("inferred: {why}"),
        };
        let _ = writeln!(
            out,
            "| {} | {} | `{}` | {} | {} |",
            text.service.name(),
            text.kind.as_str(),
            message.replace('|', "\\|"),
            text.when.replace('|', "\\|"),
            source.replace('|', "\\|")
        );
    }
    let count = |label: &str| ALL.iter().filter(|t| t.source.label() == label).count();
    let _ = writeln!(
        out,
        "\n{} answers: {} observed in real AWS answers, {} documented, {} inferred.",
        ALL.len(),
        count("observed"),
        count("documented"),
        count("inferred")
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_once_and_unknown_ones_stay() {
        let err = EXPIRED.with(&[("now", &5), ("exp", &"{now}")]);
        assert_eq!(err.message, "Invalid login token. Token expired: 5 >= {now}");
        let err = POOL_NOT_FOUND.with(&[]);
        assert_eq!(err.message, "IdentityPool '{pool}' not found.");
        assert_eq!(err.kind, T::ResourceNotFound);
    }

    #[test]
    fn every_text_names_a_source_and_an_occasion() {
        for text in ALL {
            assert!(!text.when.is_empty() && !text.source.reference().is_empty(), "{text:?}");
            if let Source::Observed(url) | Source::Documented(url) = text.source {
                assert!(url.starts_with("https://"), "{url}");
            }
        }
        assert!(
            provenance_table()
                .contains("| STS | InvalidIdentityToken | `Incorrect token audience` |")
        );
    }
}
