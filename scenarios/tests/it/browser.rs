//! The browser example (`examples/browser-spa`, issue 11) in headless Chromium from Debian,
//! driven through WebDriver (chromedriver) like a person: the page, on an origin of its own,
//! signs in with `@okta/okta-auth-js` through both of its flows (Okta's hosted sign-in page
//! with PKCE; the Authentication API and the hidden iframe), then trades the token for AWS
//! credentials with SDK v2's `AWS.CognitoIdentityCredentials` and v3's
//! `fromCognitoIdentityPool`, calling mock-cognito cross-origin; the ID token gets AWS's
//! audience refusal in the page. A screenshot of each end state is saved under
//! `target/tmp/browser/`, and its path printed.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use harness::{Federation, FederationConfig};
use thirtyfour::prelude::ElementQueryable;
use thirtyfour::{By, ChromiumLikeCapabilities, DesiredCapabilities, WebDriver, WebElement};

use crate::support::{Needs, Process, free_ports};

pub fn tests() -> Vec<libtest_mimic::Trial> {
    crate::trials!("browser", Needs::Browser; sync: []; async: [
        a_page_signs_in_with_okta_and_gets_aws_credentials_from_cognito,
    ])
}

/// The origin the example's world trusts, replaced by the test's own.
const EXAMPLE_ORIGIN: &str = "http://127.0.0.1:8080";
/// What the page shows for the ID token, whose `aud` the provider does not list: AWS's type
/// and message, as both SDKs report them.
const AUDIENCE_REFUSAL: &str =
    "NotAuthorizedException: Invalid login token. Incorrect token audience.";

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/browser-spa")
}

async fn a_page_signs_in_with_okta_and_gets_aws_credentials_from_cognito() {
    let ports = free_ports(2);
    let (app_port, driver_port) = (ports[0], ports[1]);
    let origin = format!("http://127.0.0.1:{app_port}");

    // The example's world, with the page where this test serves it.
    let world = std::fs::read_to_string(example().join("world.toml")).unwrap();
    let config = FederationConfig::from_toml(&world.replace(EXAMPLE_ORIGIN, &origin)).unwrap();
    let fed = Federation::builder().config(config).start().await.unwrap();

    let _page = serve_page(app_port, &fed);
    let _driver = chromedriver(driver_port);
    let browser = Browser::open(driver_port).await;
    let result = browser.run(&origin, &fed).await;
    if result.is_err() {
        browser.screenshot("failure").await;
        let source = browser.driver.source().await.unwrap_or_default();
        eprintln!("the page when it failed:\n{source}");
    }
    browser.driver.quit().await.ok();
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

/// `examples/browser-spa/serve.mjs` on `port`, pointed at this world.
fn serve_page(port: u16, fed: &Federation) -> Process {
    let mut child = Command::new("node")
        .arg(example().join("serve.mjs"))
        .args(["--port", &port.to_string(), "--issuer", fed.issuer()])
        .args(["--cognito", fed.cognito_endpoint(), "--pool", fed.pool_id()])
        .args(["--region", fed.region()])
        .stdout(Stdio::piped())
        .spawn()
        .expect("node runs");
    let stdout = child.stdout.take().unwrap();
    let process = Process(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    assert!(line.starts_with("serving http://"), "serve.mjs said {line:?}");
    process
}

/// Debian's chromedriver on `port`, once it answers.
pub fn chromedriver(port: u16) -> Process {
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver runs");
    let process = Process(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    process
}

pub struct Browser {
    pub driver: WebDriver,
    shots: PathBuf,
}

pub type Step = Result<(), String>;

impl Browser {
    pub async fn open(port: u16) -> Self {
        let mut chrome = DesiredCapabilities::chrome();
        for arg in [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--window-size=1100,1300",
            "--no-first-run",
            "--disable-extensions",
        ] {
            chrome.add_arg(arg).unwrap();
        }
        if Path::new("/usr/bin/chromium").exists() {
            chrome.set_binary("/usr/bin/chromium").unwrap();
        }
        let driver = WebDriver::new(format!("http://127.0.0.1:{port}"), chrome)
            .await
            .expect("a WebDriver session in headless Chromium");
        let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
        std::fs::create_dir_all(&shots).unwrap();
        Self { driver, shots }
    }

    /// Saves what the browser shows as `<name>.png`.
    pub async fn screenshot(&self, name: &str) {
        if let Ok(png) = self.driver.screenshot_as_png().await {
            let path = self.shots.join(format!("{name}.png"));
            std::fs::write(&path, png).unwrap();
            println!("screenshot: {}", path.display());
        }
    }

    async fn run(&self, origin: &str, fed: &Federation) -> Step {
        let (login, password) = fed.user();
        self.driver.goto(format!("{origin}/")).await.map_err(|e| e.to_string())?;

        // Flow 1: Okta's hosted sign-in page. The page sends the browser to /v1/authorize;
        // a person types into mock-okta's form; Okta redirects back with a code.
        self.click("#sign-in-redirect").await?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.current_url().await.contains("/v1/authorize") {
            expect(Instant::now() < deadline, "the page went to Okta's sign-in page".into())?;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let username = self.wait_for("input[name=username]").await?;
        username.send_keys(login).await.map_err(|e| e.to_string())?;
        self.find("input[name=password]")
            .await?
            .send_keys(password)
            .await
            .map_err(|e| e.to_string())?;
        self.click("button[type=submit]").await?;
        self.until("user", |t| t.contains(login)).await?;
        expect(!self.current_url().await.contains("code="), "the page tidied its URL".into())?;
        self.until("session", |t| t.starts_with("ACTIVE")).await?;

        // The access token (aud api://default, which the provider lists): credentials from
        // both SDKs, through Cognito's CORS.
        self.credentials().await?;
        let (v2, v3) = (self.answer("v2").await?, self.answer("v3").await?);
        for (sdk, text) in [("v2", &v2), ("v3", &v3)] {
            expect(
                text.contains("IdentityId: us-east-1:") && text.contains("AccessKeyId: ASIA"),
                format!("SDK {sdk} got credentials: {text}"),
            )?;
        }
        let identity = |text: &str| text.lines().next().unwrap_or_default().to_owned();
        expect(identity(&v2) == identity(&v3), "one identity for one user".into())?;
        self.screenshot("1-hosted-sign-in-credentials").await;

        // The mistake the seed is about: the ID token (aud = the client id) is refused with
        // AWS's exact type and message, in the page.
        self.click("input[name=token][value=id]").await?;
        self.credentials().await?;
        let (v2, v3) = (self.answer("v2").await?, self.answer("v3").await?);
        expect(v2 == AUDIENCE_REFUSAL, format!("SDK v2 shows AWS's refusal: {v2}"))?;
        expect(v3 == AUDIENCE_REFUSAL, format!("SDK v3 shows AWS's refusal: {v3}"))?;
        self.screenshot("2-id-token-audience-refused").await;

        // Sign out: tokens gone, Okta's session closed.
        self.click("#sign-out").await?;
        self.until("session", |t| t.starts_with("INACTIVE")).await?;

        // Flow 2: Okta's Authentication API from the page, then the hidden iframe. A wrong
        // password first: Okta's error in the page.
        self.type_into("#username", login).await?;
        self.type_into("#password", "not the password").await?;
        self.click("#sign-in-password button[type=submit]").await?;
        self.until("user", |t| t == "E0000004: Authentication failed").await?;
        self.find("#password").await?.clear().await.map_err(|e| e.to_string())?;
        self.type_into("#password", password).await?;
        self.click("#sign-in-password button[type=submit]").await?;
        self.until("user", |t| t.contains(login)).await?;
        self.until("session", |t| t.starts_with("ACTIVE")).await?;
        self.click("input[name=token][value=access]").await?;
        self.credentials().await?;
        for sdk in ["v2", "v3"] {
            let text = self.answer(sdk).await?;
            expect(text.contains("AccessKeyId: ASIA"), format!("SDK {sdk}: {text}"))?;
        }
        self.screenshot("3-authn-api-credentials").await;
        Ok(())
    }

    pub async fn current_url(&self) -> String {
        self.driver.current_url().await.map(|u| u.to_string()).unwrap_or_default()
    }

    pub async fn find(&self, css: &str) -> Result<WebElement, String> {
        self.driver.find(By::Css(css)).await.map_err(|e| format!("{css}: {e}"))
    }

    pub async fn wait_for(&self, css: &str) -> Result<WebElement, String> {
        self.driver
            .query(By::Css(css))
            .wait(Duration::from_secs(30), Duration::from_millis(100))
            .first()
            .await
            .map_err(|e| format!("waiting for {css}: {e}"))
    }

    pub async fn click(&self, css: &str) -> Step {
        self.wait_for(css).await?.click().await.map_err(|e| format!("clicking {css}: {e}"))
    }

    pub async fn type_into(&self, css: &str, text: &str) -> Step {
        self.find(css).await?.send_keys(text).await.map_err(|e| format!("typing into {css}: {e}"))
    }

    /// Clears both SDK outputs and asks for credentials.
    async fn credentials(&self) -> Step {
        let clear = "for (const id of ['v2', 'v3']) document.getElementById(id).textContent = '';";
        self.driver.execute(clear, vec![]).await.map_err(|e| e.to_string())?;
        self.click("#credentials").await
    }

    /// The text of output `#id` once `done` holds for it (30 s at most).
    pub async fn until(&self, id: &str, done: impl Fn(&str) -> bool) -> Result<String, String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        let css = format!("#{id}");
        loop {
            // The page may be between documents (a redirect): not yet, then.
            let text = match self.driver.find(By::Css(&css)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if done(&text) {
                return Ok(text);
            }
            if Instant::now() > deadline {
                return Err(format!("#{id} still shows {text:?} after 30 s"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// An SDK's output once it has an answer.
    async fn answer(&self, sdk: &str) -> Result<String, String> {
        self.until(sdk, |t| !t.is_empty() && t != "…").await
    }
}

pub fn expect(condition: bool, what: String) -> Step {
    if condition { Ok(()) } else { Err(what) }
}
