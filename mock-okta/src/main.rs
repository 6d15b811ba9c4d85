//! `mock-okta`: a mock Okta org on its own. Usually you want `fedmock up`, which starts it
//! together with mock-cognito.

use std::sync::Arc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (mut addr, mut config_path) = ("127.0.0.1:8400".to_owned(), None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => addr = args.next().ok_or("--listen needs HOST:PORT")?,
            "--config" => config_path = Some(args.next().ok_or("--config needs a JSON file")?),
            _ => {
                return Err(format!(
                    "usage: mock-okta [--listen HOST:PORT] [--config okta.json]; got {arg:?}"
                )
                .into());
            }
        }
    }
    let config: mock_okta::OktaConfig = match config_path {
        Some(path) => serde_json::from_str(&std::fs::read_to_string(path)?)?,
        None => mock_okta::OktaConfig::default(),
    };
    tokio::runtime::Runtime::new()?.block_on(async {
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        let base = format!("http://{}", listener.local_addr()?);
        let state = mock_okta::OktaState::new(config, &base, mock_okta::Clock::system())?;
        eprintln!("mock-okta listening on {base}");
        let shutdown = async {
            tokio::signal::ctrl_c().await.ok();
        };
        mock_okta::serve(listener, Arc::new(state), shutdown).await?;
        Ok(())
    })
}
