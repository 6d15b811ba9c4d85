//! `mock-cognito`: a mock Cognito Identity endpoint on its own. Usually you want
//! `fedmock up`, which starts it together with mock-okta.

use std::sync::Arc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (mut addr, mut config_path) = ("127.0.0.1:8401".to_owned(), None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => addr = args.next().ok_or("--listen needs HOST:PORT")?,
            "--config" => config_path = Some(args.next().ok_or("--config needs a JSON file")?),
            _ => {
                return Err(format!(
                    "usage: mock-cognito [--listen HOST:PORT] [--config aws.json]; got {arg:?}"
                )
                .into());
            }
        }
    }
    let config: mock_cognito::CognitoConfig = match config_path {
        Some(path) => serde_json::from_str(&std::fs::read_to_string(path)?)?,
        None => mock_cognito::CognitoConfig::default(),
    };
    tokio::runtime::Runtime::new()?.block_on(async {
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        let state = mock_cognito::CognitoState::new(config, mock_cognito::Clock::system())?;
        eprintln!("mock-cognito listening on http://{}", listener.local_addr()?);
        let shutdown = async {
            tokio::signal::ctrl_c().await.ok();
        };
        mock_cognito::serve(listener, Arc::new(state), shutdown).await?;
        Ok(())
    })
}
