//! Latency percentiles and reports.

use std::time::Duration;

use serde::Serialize;

/// Percentiles of a set of latencies, in milliseconds.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Latency {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
}

impl Latency {
    /// Fails on no samples? No: an empty set reports zeros.
    pub fn of(mut samples: Vec<Duration>) -> Self {
        if samples.is_empty() {
            return Self {
                p50_ms: 0.0,
                p99_ms: 0.0,
                p999_ms: 0.0,
                max_ms: 0.0,
            };
        }
        samples.sort_unstable();
        let at = |q: f64| {
            let index = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
            ms(samples[index])
        };
        Self {
            p50_ms: at(0.50),
            p99_ms: at(0.99),
            p999_ms: at(0.999),
            max_ms: ms(samples[samples.len() - 1]),
        }
    }
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0 * 100.0).round() / 100.0
}

/// A scenario's result: named figures, printed as a table or as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub scenario: String,
    pub figures: Vec<(String, serde_json::Value)>,
}

impl Report {
    pub fn new(scenario: &str) -> Self {
        Self {
            scenario: scenario.to_owned(),
            figures: Vec::new(),
        }
    }

    pub fn add(&mut self, name: &str, value: impl Serialize) -> &mut Self {
        let value = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        self.figures.push((name.to_owned(), value));
        self
    }

    /// A two-column table for people.
    pub fn table(&self) -> String {
        let width = self.figures.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
        let mut out = format!("== {}\n", self.scenario);
        for (name, value) in &self.figures {
            let value = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            out.push_str(&format!("{name:<width$}  {value}\n"));
        }
        out
    }

    /// One JSON object for scripts.
    pub fn json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        map.insert("scenario".into(), self.scenario.clone().into());
        for (name, value) in &self.figures {
            map.insert(name.clone(), value.clone());
        }
        serde_json::Value::Object(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_nearest_rank() {
        let samples: Vec<Duration> = (1..=1000).map(Duration::from_millis).collect();
        let latency = Latency::of(samples);
        assert_eq!(latency.p50_ms, 500.0);
        assert_eq!(latency.p99_ms, 990.0);
        assert_eq!(latency.p999_ms, 999.0);
        assert_eq!(latency.max_ms, 1000.0);
    }

    #[test]
    fn no_samples_report_zeros() {
        assert_eq!(Latency::of(Vec::new()).max_ms, 0.0);
    }
}
