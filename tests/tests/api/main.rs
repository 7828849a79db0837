//! Black-box tests of the REST API (see the crate docs of `papo-tests`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod smoke;
