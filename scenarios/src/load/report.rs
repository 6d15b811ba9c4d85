//! A load run's report: the numbers (`--json`), a table for the terminal, service-level
//! objectives (`--slo p99<20ms`), and one self-contained HTML page with plots (`--report`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use plotters::prelude::*;
use serde::Serialize;

use super::stats::{Percentiles, Stats, Step};
use super::{Settings, Target};

/// Everything a run measured.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// What was loaded.
    pub target: String,
    /// How.
    pub settings: Settings,
    /// How long the run took, seconds.
    pub duration_s: f64,
    /// Exchanges ended (good, refused on purpose, unexpected).
    pub exchanges: u64,
    /// Good exchanges.
    pub ok: u64,
    /// Unexpected answers: the run fails if there is any.
    pub unexpected: u64,
    /// Bad exchanges on purpose, refused as AWS refuses them, by kind.
    pub refused_as_expected: BTreeMap<String, u64>,
    /// Unexpected answers by step and type.
    pub unexpected_answers: BTreeMap<String, u64>,
    /// The first unexpected answers, word for word.
    pub examples: Vec<String>,
    /// Exchanges per second over the run.
    pub throughput_per_s: f64,
    /// Per step and for whole exchanges (`exchange`, from each one's intended start).
    pub latency_ms: BTreeMap<String, Percentiles>,
    /// Per step: (quantile, latency in ms) from the median to the 99.99th percentile.
    pub spectrum_ms: BTreeMap<String, Vec<(f64, f64)>>,
    /// Second by second.
    pub per_second: Vec<SecondView>,
    /// What the generator (and an in-process world's servers) cost the machine.
    pub cpu: CpuUse,
    /// The objectives judged, if any were given.
    pub slo: Vec<SloResult>,
}

/// One second of the run.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct SecondView {
    /// Seconds since the start.
    pub second: usize,
    /// Exchanges ended in it.
    pub exchanges: u64,
    /// Exchanges per second in it (the last second, if cut short, scaled to a whole one).
    pub rate: f64,
    /// Unexpected answers among them.
    pub unexpected: u64,
    /// Median latency, ms.
    pub p50: f64,
    /// 90th percentile, ms.
    pub p90: f64,
    /// 99th percentile, ms.
    pub p99: f64,
    /// Largest, ms.
    pub max: f64,
}

/// CPU time spent by the threads of a kind, as a share of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct CpuUse {
    /// The generator's threads, in percent of one core (200 = two cores busy).
    pub generator_percent: Option<f64>,
    /// An in-process world's server threads, in percent of one core.
    pub servers_percent: Option<f64>,
    /// The machine's cores.
    pub cores: usize,
}

/// CPU ticks of this process's threads by name, read from `/proc` (Linux; elsewhere none).
#[derive(Clone, Debug, Default)]
pub struct Cpu {
    generator: Option<u64>,
    servers: Option<u64>,
}

/// `/proc` counts CPU time in ticks of 1/100 s (`USER_HZ`, fixed for user space).
const TICKS_PER_S: f64 = 100.0;

impl Cpu {
    /// The ticks spent so far by the generator's (`fedmock-load`) and the servers'
    /// (`fedmock-servers`) threads.
    pub fn sample() -> Self {
        let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return Self::default() };
        let mut generator = 0;
        let mut servers = 0;
        for task in tasks.flatten() {
            let path = task.path();
            let name = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
            let Ok(stat) = std::fs::read_to_string(path.join("stat")) else { continue };
            // Fields after the name (which may hold spaces) in parentheses: utime is the 14th
            // field of the line, stime the 15th.
            let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
            let fields: Vec<&str> = after.split_whitespace().collect();
            let ticks: u64 = [11, 12]
                .iter()
                .filter_map(|i| fields.get(*i).and_then(|f| f.parse::<u64>().ok()))
                .sum();
            if name.starts_with("fedmock-load") {
                generator += ticks;
            } else if name.starts_with("fedmock-server") {
                servers += ticks;
            }
        }
        Self { generator: Some(generator), servers: Some(servers) }
    }

    /// The use between `before` and now, over `wall`.
    pub fn since(&self, before: &Cpu, wall: Duration) -> CpuUse {
        let percent = |now: Option<u64>, then: Option<u64>| {
            let ticks = now?.checked_sub(then?)?;
            (ticks > 0 || wall > Duration::ZERO)
                .then(|| ticks as f64 / TICKS_PER_S / wall.as_secs_f64().max(1e-9) * 100.0)
        };
        let servers = percent(self.servers, before.servers).filter(|p| *p > 0.0);
        CpuUse {
            generator_percent: percent(self.generator, before.generator),
            servers_percent: servers,
            cores: std::thread::available_parallelism().map_or(1, usize::from),
        }
    }
}

impl Report {
    /// The report of a run.
    pub fn new(
        settings: &Settings,
        target: &Target,
        stats: &Stats,
        wall: Duration,
        cpu: CpuUse,
    ) -> Self {
        let latency_ms = Step::ALL
            .iter()
            .filter_map(|step| stats.percentiles(*step).map(|p| (step.name().to_owned(), p)))
            .collect();
        let spectrum_ms = Step::ALL
            .iter()
            .filter_map(|step| {
                stats.spectrum(*step, &SPECTRUM).map(|p| (step.name().to_owned(), p))
            })
            .collect();
        let wall_s = wall.as_secs_f64();
        let per_second = stats
            .seconds
            .iter()
            .enumerate()
            .map(|(second, s)| {
                let p = (!s.latency.is_empty()).then(|| Percentiles::of(&s.latency));
                // The last second may be cut short: its count is scaled to a whole second.
                let covered = (wall_s - second as f64).clamp(0.05, 1.0);
                SecondView {
                    second,
                    exchanges: s.exchanges,
                    rate: s.exchanges as f64 / covered,
                    unexpected: s.unexpected,
                    p50: p.map_or(0.0, |p| p.p50),
                    p90: p.map_or(0.0, |p| p.p90),
                    p99: p.map_or(0.0, |p| p.p99),
                    max: p.map_or(0.0, |p| p.max),
                }
            })
            .collect();
        let exchanges = stats.exchanges();
        Self {
            target: target.name.clone(),
            settings: settings.clone(),
            duration_s: wall.as_secs_f64(),
            exchanges,
            ok: stats.ok,
            unexpected: stats.unexpected_count(),
            refused_as_expected: stats.refused_as_expected.clone(),
            unexpected_answers: stats.unexpected.clone(),
            examples: stats.examples.clone(),
            throughput_per_s: exchanges as f64 / wall.as_secs_f64().max(1e-9),
            latency_ms,
            spectrum_ms,
            per_second,
            cpu,
            slo: Vec::new(),
        }
    }

    /// The measured steps in the order an exchange makes them, the whole exchange last.
    fn steps_in_order(&self) -> impl Iterator<Item = (&'static str, &Percentiles)> {
        Step::ALL.iter().filter_map(|s| self.latency_ms.get(s.name()).map(|p| (s.name(), p)))
    }

    /// Whether the run passed: no unexpected answer, every objective met.
    pub fn passed(&self) -> bool {
        self.unexpected == 0 && self.slo.iter().all(|s| s.met)
    }

    /// The table for a terminal.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<18} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "step (ms)", "count", "p50", "p90", "p99", "p99.9", "max"
        );
        for (name, p) in self.steps_in_order() {
            let _ = writeln!(
                out,
                "{name:<18} {:>9} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
                p.count, p.p50, p.p90, p.p99, p.p999, p.max
            );
        }
        let _ = writeln!(
            out,
            "\n{} exchanges in {:.1} s: {:.0}/s; {} ok, {} refused as AWS refuses them, {} unexpected",
            self.exchanges,
            self.duration_s,
            self.throughput_per_s,
            self.ok,
            self.refused_as_expected.values().sum::<u64>(),
            self.unexpected
        );
        for (kind, n) in &self.refused_as_expected {
            let _ = writeln!(out, "  refused as expected, {kind}: {n}");
        }
        for (kind, n) in &self.unexpected_answers {
            let _ = writeln!(out, "  UNEXPECTED {kind}: {n}");
        }
        for example in &self.examples {
            let _ = writeln!(out, "    e.g. {example}");
        }
        let cpu = |p: Option<f64>| p.map_or_else(|| "unknown".to_owned(), |p| format!("{p:.0}%"));
        let _ = write!(
            out,
            "CPU (100% = one core of {}): generator {}",
            self.cpu.cores,
            cpu(self.cpu.generator_percent)
        );
        if self.cpu.servers_percent.is_some() {
            let _ = write!(out, ", servers in process {}", cpu(self.cpu.servers_percent));
        }
        out.push('\n');
        if self.cpu.generator_percent.is_some_and(|p| {
            p > 85.0 * self.cpu.cores as f64 / 2.0 && self.cpu.servers_percent.is_none()
        }) {
            out.push_str("note: the generator used most of the machine; it may be the limit\n");
        }
        for slo in &self.slo {
            let _ = writeln!(
                out,
                "SLO {}: {} ({})",
                slo.objective,
                if slo.met { "met" } else { "MISSED" },
                slo.measured
            );
        }
        out
    }

    /// One self-contained HTML page (XHTML, so XML tools read it too): the settings, the
    /// results, and SVG plots of throughput and latency over time and of each step's latency
    /// distribution.
    pub fn html(&self) -> String {
        let settings = serde_json::to_string_pretty(&self.settings).unwrap_or_default();
        let mut rows = String::new();
        for (name, p) in self.steps_in_order() {
            let _ = write!(
                rows,
                "<tr><td>{}</td><td>{}</td><td>{:.2}</td><td>{:.2}</td><td>{:.2}</td><td>{:.2}</td><td>{:.2}</td></tr>",
                escape(name),
                p.count,
                p.p50,
                p.p90,
                p.p99,
                p.p999,
                p.max
            );
        }
        let mut answers = String::new();
        for (kind, n) in &self.refused_as_expected {
            let _ = write!(answers, "<li>refused as AWS refuses it, {}: {n}</li>", escape(kind));
        }
        for (kind, n) in &self.unexpected_answers {
            let _ = write!(answers, "<li class=\"bad\">unexpected, {}: {n}</li>", escape(kind));
        }
        for example in &self.examples {
            let _ = write!(answers, "<li class=\"bad\">e.g. {}</li>", escape(example));
        }
        let verdict = if self.passed() { "passed" } else { "FAILED" };
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="en">
<head><meta charset="utf-8"/><title>fedmock load: {target}</title>
<style>body{{font-family:sans-serif;max-width:1000px;margin:2em auto}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}td:first-child{{text-align:left}}.bad{{color:#b00}}pre{{background:#f6f6f6;padding:1em}}</style>
</head>
<body>
<h1>fedmock load: {target} ({verdict})</h1>
<p>{exchanges} exchanges in {duration:.1} s, {throughput:.0} per second: {ok} ok, {refused} refused as AWS refuses them, {unexpected} unexpected.</p>
<ul>{answers}</ul>
<h2>Throughput</h2>
{throughput_svg}
<h2>Latency over time</h2>
{latency_svg}
<h2>Latency per step</h2>
<table><tr><th>step (ms)</th><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr>{rows}</table>
{steps_svg}
<h2>Settings</h2>
<pre>{settings}</pre>
</body>
</html>
"#,
            target = escape(&self.target),
            exchanges = self.exchanges,
            duration = self.duration_s,
            throughput = self.throughput_per_s,
            ok = self.ok,
            refused = self.refused_as_expected.values().sum::<u64>(),
            unexpected = self.unexpected,
            throughput_svg = self.throughput_plot(),
            latency_svg = self.latency_plot(),
            steps_svg = self.steps_plot(),
            settings = escape(&settings),
        )
    }

    fn throughput_plot(&self) -> String {
        let total = self.per_second.iter().map(|s| (s.second as f64 + 0.5, s.rate)).collect();
        let bad =
            self.per_second.iter().map(|s| (s.second as f64 + 0.5, s.unexpected as f64)).collect();
        line_plot(
            "exchanges per second",
            "s",
            "per second",
            &[
                Series { name: "exchanges", points: total, color: BLUE },
                Series { name: "unexpected", points: bad, color: RED },
            ],
        )
    }

    fn latency_plot(&self) -> String {
        let series = |f: fn(&SecondView) -> f64| -> Vec<(f64, f64)> {
            self.per_second
                .iter()
                .filter(|s| s.exchanges > 0)
                .map(|s| (s.second as f64 + 0.5, f(s)))
                .collect()
        };
        let (p50, p90, p99, max) =
            (series(|s| s.p50), series(|s| s.p90), series(|s| s.p99), series(|s| s.max));
        line_plot(
            "exchange latency per second",
            "s",
            "ms",
            &[
                Series { name: "p50", points: p50, color: GREEN },
                Series { name: "p90", points: p90, color: BLUE },
                Series { name: "p99", points: p99, color: MAGENTA },
                Series { name: "max", points: max, color: RED },
            ],
        )
    }

    fn steps_plot(&self) -> String {
        // The percentile spectrum: x = the percentile on a log scale of 1/(1-q), so the tail
        // spreads out; y = latency.
        let colors = [BLUE, GREEN, MAGENTA, CYAN, BLACK, RED, YELLOW];
        let series: Vec<Series> = Step::ALL
            .iter()
            .filter_map(|s| self.spectrum_ms.get(s.name()).map(|p| (s.name(), p)))
            .zip(colors.iter().cycle())
            .map(|((name, points), color)| Series {
                name,
                points: points.iter().map(|(q, ms)| ((1.0 / (1.0 - q)).log10(), *ms)).collect(),
                color: *color,
            })
            .collect();
        line_plot("latency by percentile", "percentile", "ms", &series)
    }
}

/// The quantiles of a step's spectrum.
const SPECTRUM: [f64; 9] = [0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999];

/// An SVG line chart of `series` (name, points, colour), as a string.
/// One line of a chart.
struct Series<'a> {
    name: &'a str,
    points: Vec<(f64, f64)>,
    color: RGBColor,
}

fn line_plot(title: &str, x_label: &str, y_label: &str, series: &[Series]) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 320)).into_drawing_area();
        let points = series.iter().flat_map(|s| s.points.iter());
        let (mut x_max, mut y_max) = (1.0f64, 1.0f64);
        let mut x_min = 0.0f64;
        for (x, y) in points {
            x_max = x_max.max(*x);
            x_min = x_min.min(*x);
            y_max = y_max.max(*y);
        }
        let drawn = (|| -> Result<(), Box<dyn std::error::Error>> {
            root.fill(&WHITE)?;
            let mut chart = ChartBuilder::on(&root)
                .caption(title, ("sans-serif", 16))
                .margin(10)
                .x_label_area_size(30)
                .y_label_area_size(50)
                .build_cartesian_2d(
                    if x_label == "percentile" { 0.0..4.0 } else { x_min..x_max * 1.02 },
                    0.0..y_max * 1.1,
                )?;
            let percentile = |x: &f64| {
                let p = 100.0 * (1.0 - 10f64.powf(-*x));
                let text = format!("{p:.3}");
                format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
            };
            let plain = |x: &f64| format!("{x}");
            let mut mesh = chart.configure_mesh();
            mesh.x_desc(x_label).y_desc(y_label);
            if x_label == "percentile" {
                mesh.x_labels(5).x_label_formatter(&percentile);
            } else {
                mesh.x_label_formatter(&plain);
            }
            mesh.draw()?;
            for Series { name, points, color } in series {
                let color = *color;
                chart
                    .draw_series(LineSeries::new(points.iter().copied(), color.stroke_width(2)))?
                    .label(*name)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color));
            }
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .draw()?;
            root.present()?;
            Ok(())
        })();
        if let Err(err) = drawn {
            return format!("<p>(no plot: {})</p>", escape(&err.to_string()));
        }
    }
    // The SVG's own XML declaration would be out of place inside the page.
    match svg.find("<svg") {
        Some(start) => svg[start..].to_owned(),
        None => svg,
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// An objective a run must meet (`p99<20ms`, `get_id.p50<=5ms`, `unexpected=0`,
/// `throughput>=500`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SloResult {
    /// As written.
    pub objective: String,
    /// What was measured, in the objective's unit.
    pub measured: String,
    /// Whether it holds.
    pub met: bool,
}

/// Judges the comma-separated `objectives` against `report`.
pub fn judge(objectives: &str, report: &Report) -> Result<Vec<SloResult>, String> {
    let mut results = Vec::new();
    for objective in objectives.split(',').map(str::trim).filter(|o| !o.is_empty()) {
        let op_at = objective
            .find(['<', '>', '='])
            .ok_or_else(|| format!("{objective:?}: write metric<value, e.g. p99<20ms"))?;
        let metric = &objective[..op_at];
        let rest = &objective[op_at..];
        let (op, value) = ["<=", ">=", "<", ">", "="]
            .iter()
            .find_map(|op| rest.strip_prefix(op).map(|v| (*op, v.trim())))
            .ok_or_else(|| format!("{objective:?}: the comparison is <, <=, >, >= or ="))?;
        let (measured, limit, unit) = measure(metric.trim(), value, report)?;
        let met = match op {
            "<" => measured < limit,
            "<=" => measured <= limit,
            ">" => measured > limit,
            ">=" => measured >= limit,
            _ => (measured - limit).abs() < 1e-9,
        };
        results.push(SloResult {
            objective: objective.to_owned(),
            measured: format!("{measured:.3}{unit}"),
            met,
        });
    }
    Ok(results)
}

/// The measured value of `metric` and the limit `value`, in one unit.
fn measure(metric: &str, value: &str, report: &Report) -> Result<(f64, f64, &'static str), String> {
    let number = |v: &str| v.parse::<f64>().map_err(|_| format!("{value:?} is not a number"));
    match metric {
        "unexpected" => Ok((report.unexpected as f64, number(value)?, "")),
        "throughput" => Ok((report.throughput_per_s, number(value.trim_end_matches("/s"))?, "/s")),
        _ => {
            let (step, stat) = metric.rsplit_once('.').unwrap_or(("exchange", metric));
            let p = report.latency_ms.get(step).ok_or_else(|| {
                let known: Vec<&str> = report.latency_ms.keys().map(String::as_str).collect();
                format!("{step:?} was not measured; measured: {}", known.join(", "))
            })?;
            let measured = match stat {
                "p50" => p.p50,
                "p90" => p.p90,
                "p99" => p.p99,
                "p999" | "p99.9" => p.p999,
                "max" => p.max,
                "mean" => p.mean,
                _ => {
                    return Err(format!(
                        "{metric:?}: the statistic is p50, p90, p99, p999, max or mean"
                    ));
                }
            };
            let limit = if let Some(ms) = value.strip_suffix("ms") {
                number(ms)?
            } else if let Some(us) = value.strip_suffix("us") {
                number(us)? / 1000.0
            } else if let Some(s) = value.strip_suffix('s') {
                number(s)? * 1000.0
            } else {
                number(value)?
            };
            Ok((measured, limit, "ms"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::stats::Ended;
    use super::*;

    fn report() -> Report {
        let mut stats = Stats::new();
        for i in 0..100u64 {
            let latency = Duration::from_millis(if i < 97 { 2 } else { 50 });
            stats.step(Step::GetId, latency / 2);
            stats.exchange(Duration::from_millis(i * 20), latency, Ended::Ok);
        }
        let target = super::super::Target {
            name: "test".into(),
            token_url: String::new(),
            issuer: String::new(),
            client_id: String::new(),
            client_secret: String::new(),
            username: String::new(),
            password: String::new(),
            cognito_url: String::new(),
            sts_url: String::new(),
            region: "us-east-1".into(),
            account_id: String::new(),
            pool: String::new(),
            logins_key: String::new(),
            ca_pem: None,
            world: None,
        };
        Report::new(
            &Settings::default(),
            &target,
            &stats,
            Duration::from_secs(2),
            CpuUse::default(),
        )
    }

    #[test]
    fn objectives_are_judged_in_their_units() {
        let report = report();
        let results =
            judge("p50<5ms, p99<20ms, get_id.p50<=1ms, unexpected=0, throughput>=40", &report)
                .unwrap();
        let met: Vec<bool> = results.iter().map(|r| r.met).collect();
        assert_eq!(met, [true, false, true, true, true], "{results:?}");
        assert!(judge("p99", &report).is_err());
        assert!(judge("token.p99<1ms", &report).unwrap_err().contains("not measured"));
        assert!(judge("p42<1ms", &report).is_err());
    }

    #[test]
    fn the_html_report_holds_its_plots_and_is_well_formed() {
        let html = report().html();
        let options =
            roxmltree::ParsingOptions { allow_dtd: true, ..roxmltree::ParsingOptions::default() };
        let doc = roxmltree::Document::parse_with_options(&html, options)
            .expect("the report is well-formed XML");
        let svgs = doc.descendants().filter(|n| n.tag_name().name() == "svg").count();
        assert_eq!(svgs, 3, "throughput, latency over time, latency per step");
        assert!(html.contains("100 exchanges"));
    }

    #[test]
    fn the_json_has_the_documented_fields() {
        let json = serde_json::to_value(report()).unwrap();
        for field in ["exchanges", "unexpected", "throughput_per_s"] {
            assert!(json[field].is_number(), "{field}");
        }
        for stat in ["p50", "p90", "p99", "p999", "max"] {
            assert!(json["latency_ms"]["exchange"][stat].is_number(), "{stat}");
            assert!(json["latency_ms"]["get_id"][stat].is_number(), "{stat}");
        }
    }
}
