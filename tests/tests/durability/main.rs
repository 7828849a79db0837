//! Durability when storage fails: an acknowledgement always means a committed row.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod disk_full;
