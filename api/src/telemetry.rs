//! Logging, set up once per process.

use crate::settings::{LogFormat, LogSettings};
use tracing_subscriber::{EnvFilter, fmt};

/// Installs the global subscriber from the settings; a second call (tests start many
/// servers in one process) keeps the first.
pub fn init(settings: &LogSettings) {
    let filter = EnvFilter::try_new(&settings.filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = fmt().with_env_filter(filter).with_target(false);
    let _ = match settings.format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}
