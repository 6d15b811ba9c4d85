//! A readable table of results: scenario, step, client, expected, got, time.

use crate::runner::ScenarioReport;

/// Renders reports as a plain-text table, with a summary line that test runners recognise
/// (`N passed, N failed`, counted in scenario runs).
pub fn render(reports: &[ScenarioReport]) -> String {
    let mut rows =
        vec![["scenario", "step", "client", "expected", "got", "ms"].map(str::to_owned).to_vec()];
    for report in reports {
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
    let passed = reports.iter().filter(|r| r.passed()).count();
    out.push_str(&format!("scenarios: {passed} passed, {} failed\n", reports.len() - passed));
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
