//! A readable table of results: scenario, step, client, expected, got, time.

use crate::runner::ScenarioReport;

/// Renders reports as a plain-text table, with a summary line that test runners recognise
/// (`N passed, N failed`, counted in scenario runs).
pub fn render(reports: &[ScenarioReport]) -> String {
    let mut rows =
        vec![["scenario", "step", "client", "expected", "got", "ms"].map(str::to_owned).to_vec()];
    for report in reports {
        if let Some(install) = &report.skipped {
            rows.push(vec![
                report.scenario.clone(),
                "-".to_owned(),
                report.client.clone(),
                "-".to_owned(),
                format!("skipped: {install}"),
                "0".to_owned(),
            ]);
        }
        for step in &report.steps {
            let mark = if step.passed { "" } else { "✗ " };
            rows.push(vec![
                format!("{mark}{}", report.scenario),
                step.step.clone(),
                step.client.clone(),
                shorten(&step.expected),
                shorten(&step.got),
                step.millis.to_string(),
            ]);
        }
    }
    let widths: Vec<usize> =
        (0..6).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> =
            row.iter().zip(&widths).map(|(cell, w)| format!("{cell:<w$}")).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    // Under the table, after a blank line: why each failed Cognito step was refused.
    for report in reports {
        for step in report.steps.iter().filter(|s| !s.passed) {
            if let Some(why) = &step.explanation {
                out.push_str(&format!(
                    "\n✗ {} / {} ({}): what the service checks\n{why}",
                    report.scenario, step.step, step.client
                ));
            }
        }
    }
    let passed = reports.iter().filter(|r| r.passed()).count();
    let failed = reports.iter().filter(|r| r.failed()).count();
    let skipped = reports.len() - passed - failed;
    out.push_str(&format!("scenarios: {passed} passed, {failed} failed"));
    if skipped > 0 {
        out.push_str(&format!(", {skipped} skipped"));
    }
    out.push('\n');
    out
}

fn shorten(text: &str) -> String {
    const MAX: usize = 90;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    }
}

/// The table, with failed rows in red and passed ones in green when `colour` is set (a
/// terminal); the summary line stays plain.
pub fn render_for_terminal(reports: &[ScenarioReport], colour: bool) -> String {
    let table = render(reports);
    if !colour {
        return table;
    }
    let lines: Vec<&str> = table.lines().collect();
    let mut out = String::new();
    // The table ends at the first blank line (explanations follow it).
    let rows = lines.iter().position(|l| l.is_empty()).unwrap_or(lines.len() - 1);
    for (i, line) in lines.iter().enumerate() {
        let body = i > 0 && i < rows;
        match (body, line.starts_with('✗')) {
            (true, true) => out.push_str(&format!("\x1b[31m{line}\x1b[0m\n")),
            (true, false) => out.push_str(&format!("\x1b[32m{line}\x1b[0m\n")),
            _ => out.push_str(&format!("{line}\n")),
        }
    }
    out
}

/// JUnit XML: a test suite per client, a test case per scenario, the failed step as failure.
pub fn junit(reports: &[ScenarioReport]) -> String {
    let escape = |t: &str| {
        t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
    };
    let mut clients: Vec<&str> = reports.iter().map(|r| r.client.as_str()).collect();
    clients.dedup();
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"fedmock\">\n");
    for client in clients {
        let suite: Vec<&ScenarioReport> = reports.iter().filter(|r| r.client == client).collect();
        let failures = suite.iter().filter(|r| r.failed()).count();
        let skipped = suite.iter().filter(|r| r.skipped.is_some()).count();
        let seconds: u128 = suite.iter().flat_map(|r| r.steps.iter().map(|s| s.millis)).sum();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" time=\"{:.3}\">\n",
            escape(client),
            suite.len(),
            seconds as f64 / 1000.0
        ));
        for report in suite {
            let millis: u128 = report.steps.iter().map(|s| s.millis).sum();
            out.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
                escape(client),
                escape(&report.scenario),
                millis as f64 / 1000.0
            ));
            if let Some(install) = &report.skipped {
                out.push_str(&format!(
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                    escape(install)
                ));
                continue;
            }
            match report.steps.iter().find(|s| !s.passed) {
                Some(step) => out.push_str(&format!(
                    ">\n      <failure message=\"{}: expected {}, got {}\">{}</failure>\n    </testcase>\n",
                    escape(&step.step),
                    escape(&step.expected),
                    escape(&step.got),
                    escape(step.explanation.as_deref().unwrap_or_default())
                )),
                None => out.push_str("/>\n"),
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
