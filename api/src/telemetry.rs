//! Logging, set up once per process.

use infra::config::{LogFormat, Settings};
use tracing_subscriber::{EnvFilter, fmt};

/// Installs the global subscriber from the settings; a second call (tests start many
/// servers in one process) keeps the first.
pub fn init(settings: &Settings) {
    let filter =
        EnvFilter::try_new(&settings.log_filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = fmt().with_env_filter(filter).with_target(false);
    let _ = match settings.log_format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}
