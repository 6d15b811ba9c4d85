//! The web console (`/__fedmock/ui`, issue 14) in headless Chromium through WebDriver, used as
//! a person would: open it with the URL `fedmock up` prints, watch exchanges made with the AWS
//! SDK for Rust arrive live with their verdicts, open the refused one on its check list, paste
//! a token into the inspector, advance the clock and see the same token refused. Screenshots
//! under `target/tmp/browser/console-*.png`. And the feed's memory stays bounded under a
//! `fedmock load` run.

use harness::{Federation, TokenRequest};
use scenarios::load::{self, Flow, Model, Settings, Target, TokenSource};
use thirtyfour::By;

use crate::browser::{Browser, Step, chromedriver, expect};
use crate::support::{Needs, free_ports};

pub fn tests() -> Vec<libtest_mimic::Trial> {
    let mut trials = crate::trials!("console", Needs::Chromium; sync: []; async: [
        a_person_watches_exchanges_opens_a_refusal_and_inspects_a_token_across_the_clock,
    ]);
    trials.extend(crate::trials!("console", Needs::Nothing; sync: []; async: [
        the_feed_stays_bounded_under_a_load_run,
    ]));
    trials
}

async fn a_person_watches_exchanges_opens_a_refusal_and_inspects_a_token_across_the_clock() {
    let fed = Federation::builder().console().start().await.unwrap();
    let driver_port = free_ports(1)[0];
    let _driver = chromedriver(driver_port);
    let browser = Browser::open(driver_port).await;
    let result = walk(&browser, &fed).await;
    if result.is_err() {
        browser.screenshot("console-failure").await;
        let source = browser.driver.source().await.unwrap_or_default();
        eprintln!("the page when it failed:\n{source}");
    }
    browser.driver.quit().await.ok();
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

async fn walk(browser: &Browser, fed: &Federation) -> Step {
    let base = format!("{}/__fedmock/ui", fed.okta_url());
    let go = |url: String| async move {
        browser.driver.goto(&url).await.map_err(|e| format!("opening {url}: {e}"))
    };

    // The URL `fedmock up` prints signs the browser in and lands on the world.
    go(fed.summary().console_url().ok_or("no console URL")?).await?;
    let heading = browser.wait_for("h1").await?.text().await.unwrap_or_default();
    expect(heading == "World", format!("the console opened on {heading:?}"))?;
    let url = browser.current_url().await;
    expect(!url.contains("token="), format!("the control token stays in the address bar: {url}"))?;
    browser.screenshot("console-1-world").await;

    // Exchanges made with an SDK appear live, with their verdicts.
    go(format!("{base}/exchanges")).await?;
    browser.wait_for("table#exchanges[data-live='true']").await?;
    let (user, password) = fed.user();
    let tokens = fed.token(TokenRequest::password(user, password, "openid")).await.unwrap();
    let cognito = fed.cognito_client();
    let ok = cognito
        .get_id()
        .identity_pool_id(fed.pool_id())
        .logins(fed.logins_key(), &tokens.access_token)
        .send()
        .await;
    expect(ok.is_ok(), format!("GetId with the access token: {ok:?}"))?;
    let id_token = tokens.id_token.clone().unwrap_or_default();
    let refused = cognito
        .get_id()
        .identity_pool_id(fed.pool_id())
        .logins(fed.logins_key(), &id_token)
        .send()
        .await;
    expect(refused.is_err(), "GetId with the ID token is refused".into())?;
    browser.until("exchanges tbody", |rows| rows.matches("GetId").count() >= 2).await?;
    let first = browser.find("#exchanges tbody tr").await?;
    let verdict = first.attr("data-verdict").await.ok().flatten().unwrap_or_default();
    let text = first.text().await.unwrap_or_default();
    expect(verdict == "refused", format!("the newest row is the refusal: {text}"))?;
    expect(text.contains("AWS SDK for Rust"), format!("the client is named: {text}"))?;
    expect(
        text.contains("Invalid login token. Incorrect token audience."),
        format!("AWS's words: {text}"),
    )?;
    let status = browser.find("#feed-status").await?.text().await.unwrap_or_default();
    expect(status.contains("new exchanges"), format!("the live region counts them: {status:?}"))?;
    browser.screenshot("console-2-live-exchanges").await;

    // Opened, the refusal shows the check list with the fix.
    browser.click("#exchanges tbody tr a").await?;
    let checks = browser.until("main", |t| t.contains("Verdict: refused at")).await?;
    expect(
        checks.contains("azp (if present), else aud, is a client ID of the provider"),
        checks.clone(),
    )?;
    expect(checks.contains("Fix:"), checks.clone())?;
    browser.screenshot("console-3-exchange-checks").await;

    // The inspector accepts the access token now ...
    inspect(browser, &base, &tokens.access_token).await?;
    let verdict = browser.until("result", |t| t.contains("Verdict:")).await?;
    expect(verdict.contains("Verdict: accepted."), verdict.clone())?;
    browser.screenshot("console-4-inspector-accepted").await;

    // ... and refuses it once the clock has moved two hours on.
    go(format!("{base}/controls")).await?;
    let seconds = browser.find("#advance-seconds").await?;
    seconds.clear().await.map_err(|e| e.to_string())?;
    seconds.send_keys("7200").await.map_err(|e| e.to_string())?;
    browser.click("#advance-seconds ~ button").await?;
    browser.until("main", |t| t.contains("The world clock reads")).await?;
    inspect(browser, &base, &tokens.access_token).await?;
    let verdict = browser.until("result", |t| t.contains("Verdict:")).await?;
    expect(verdict.contains("Verdict: refused at"), verdict.clone())?;
    expect(verdict.contains("Invalid login token. Token expired:"), verdict.clone())?;
    browser.screenshot("console-5-inspector-expired").await;
    Ok(())
}

/// Pastes `token` into the inspector and asks for the explanation.
async fn inspect(browser: &Browser, base: &str, token: &str) -> Step {
    browser.driver.goto(&format!("{base}/inspect")).await.map_err(|e| e.to_string())?;
    let field = browser.wait_for("#token").await?;
    // A token is a kilobyte: set it as a paste would, not key by key.
    browser
        .driver
        .execute(
            "arguments[0].value = arguments[1];",
            vec![field.to_json().map_err(|e| e.to_string())?, serde_json::json!(token)],
        )
        .await
        .map_err(|e| e.to_string())?;
    browser
        .driver
        .find(By::Css("form button[type='submit']"))
        .await
        .map_err(|e| e.to_string())?
        .click()
        .await
        .map_err(|e| e.to_string())
}

async fn the_feed_stays_bounded_under_a_load_run() {
    let world = Federation::builder().console_capacity(100).start().await.unwrap();
    let target = Target::of_world("console", world).unwrap();
    let world = target.world.clone().unwrap();
    let settings = Settings {
        flow: Flow::Enhanced,
        token: TokenSource::Mint,
        users: 50,
        model: Model::Closed { concurrency: 4 },
        exchanges: Some(1000),
        ..Settings::default()
    };
    let report = load::run(settings, target, |_| {}).await.unwrap();
    assert_eq!((report.exchanges, report.unexpected), (1000, 0), "{}", report.table());
    let feed = world.console().unwrap().feed();
    assert_eq!(feed.len(), 100, "the feed holds its capacity, no more");
    assert!(
        feed.total() >= 2000,
        "every GetId and GetCredentialsForIdentity was seen: {}",
        feed.total()
    );
}
