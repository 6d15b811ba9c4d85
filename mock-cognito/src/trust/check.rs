//! A check of a token, as every reader sees it: the endpoint (which stops at the first
//! failure), `fedmock explain` (which runs them all, the signature excepted offline), and the
//! log line of a refusal (the checks the endpoint made).

use std::fmt::Write as _;

use crate::error::{AwsError, printable};
use crate::texts::Source;

/// One check's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The token passes it.
    Pass,
    /// The token fails it: AWS's answer, where its words come from, and what fixes it.
    Fail {
        /// AWS's error type and message, `Type: message`.
        answer: String,
        /// Where the answer's words come from.
        source: Source,
        /// The smallest change that fixes it.
        fix: String,
    },
    /// Not evaluated, and why.
    Skipped(String),
}

impl Verdict {
    /// The failure `error`, fixed by `fix`.
    pub(crate) fn fail(error: &AwsError, fix: impl Into<String>) -> Self {
        Verdict::Fail { answer: error.to_string(), source: error.text.source, fix: fix.into() }
    }
}

/// One check of a chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// What is checked.
    pub name: &'static str,
    /// The values compared.
    pub compared: String,
    /// The outcome.
    pub verdict: Verdict,
}

/// The checks as text under `title`: one line each, with AWS's answer, its source and the fix
/// under a failure, then the verdict.
pub fn render(title: &str, checks: &[Check]) -> String {
    let mut out = format!("{title}\n");
    for (i, check) in checks.iter().enumerate() {
        let verdict = match &check.verdict {
            Verdict::Pass => "pass".to_owned(),
            Verdict::Fail { .. } => "FAIL".to_owned(),
            Verdict::Skipped(why) => format!("skipped: {why}"),
        };
        // Values from the request are escaped: the lines are the report's own (issue 15).
        let compared = printable(&check.compared);
        let _ = writeln!(out, "  {}. {} — {verdict}\n       {compared}", i + 1, check.name);
        if let Verdict::Fail { answer, source, fix } = &check.verdict {
            let _ = writeln!(
                out,
                "       AWS answers: {}\n       ({} answer: {})\n       fix: {}",
                printable(answer),
                source.label(),
                source.reference(),
                printable(fix)
            );
        }
    }
    match checks.iter().find(|c| matches!(c.verdict, Verdict::Fail { .. })) {
        Some(first) => {
            let _ = writeln!(out, "Verdict: refused at \"{}\".", first.name);
        }
        None if checks.iter().any(|c| matches!(c.verdict, Verdict::Skipped(_))) => {
            out.push_str("Verdict: accepted, except for what was not checked here.\n");
        }
        None => out.push_str("Verdict: accepted.\n"),
    }
    out
}

/// The checks made, and the answer: what passed them, or AWS's refusal (the first failure).
#[derive(Debug)]
pub struct Outcome<T> {
    /// The checks, in order (up to the first failure unless every check was asked for).
    pub checks: Vec<Check>,
    /// What passed every check, or the first failure's answer.
    pub result: Result<T, AwsError>,
}

/// A claim as a check shows it: its JSON, or `absent`.
pub(crate) fn show(value: Option<&serde_json::Value>) -> String {
    value.map_or_else(|| "absent".to_owned(), serde_json::Value::to_string)
}

/// How much a run records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Depth {
    /// Every check, each with what it compared (`fedmock explain`).
    Every,
    /// Up to the first failure, each with what it compared (a refusal's log line).
    Detailed,
    /// Up to the first failure; a pass or skip without what it compared (the endpoint's
    /// first pass: the words are built only for a refusal, which then runs `Detailed`).
    Fast,
}

/// The checks in the making.
pub(crate) struct Run {
    checks: Vec<Check>,
    first: Option<AwsError>,
    depth: Depth,
}

impl Run {
    /// A run that records to `depth`.
    pub fn new(depth: Depth) -> Self {
        Self { checks: Vec::new(), first: None, depth }
    }

    fn words(&self, compared: impl FnOnce() -> String) -> String {
        if self.depth == Depth::Fast { String::new() } else { compared() }
    }

    /// A check passed, having compared `compared`.
    pub fn pass(&mut self, name: &'static str, compared: impl FnOnce() -> String) {
        let compared = self.words(compared);
        self.checks.push(Check { name, compared, verdict: Verdict::Pass });
    }

    /// Records a failure; whether to stop here.
    pub fn fail(
        &mut self,
        name: &'static str,
        compared: String,
        error: AwsError,
        fix: &str,
    ) -> bool {
        self.checks.push(Check {
            name,
            compared: compared.clone(),
            verdict: Verdict::fail(&error, fix),
        });
        if self.first.is_none() {
            self.first = Some(error.with_detail(format!("{name}: {compared}; {fix}")));
        }
        self.depth != Depth::Every
    }

    /// A check not made, and why.
    pub fn skip(&mut self, name: &'static str, compared: impl FnOnce() -> String, why: &str) {
        let compared = self.words(compared);
        self.checks.push(Check { name, compared, verdict: Verdict::Skipped(why.to_owned()) });
    }

    /// The checks made and the first failure's answer, if any.
    pub fn finish(self) -> (Vec<Check>, Option<AwsError>) {
        (self.checks, self.first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_with_a_newline_cannot_forge_a_line_of_the_report() {
        let check = Check {
            name: "issuer",
            compared: "iss \"x\nVerdict: accepted.\" vs Logins key".into(),
            verdict: Verdict::Pass,
        };
        let out = render("Cognito's checks", &[check]);
        assert!(!out.lines().any(|l| l.starts_with("Verdict: accepted.\"")), "{out}");
        assert!(out.contains("x\\nVerdict"), "{out}");
    }
}
