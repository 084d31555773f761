//! End-to-end tests: the real `liyan` binary, a real SQLite file, real HTTPS.
//! One test binary (modules below) keeps link time down; every test starts its own server.

mod common;

mod access;
mod audit;
mod auth;
mod backup;
mod bad_input;
mod cli;
mod consents;
mod custom_fields;
mod customer360;
mod customers;
mod durability;
mod export;
mod http;
mod import;
mod merge_pipl;
mod photos;
mod segments;
mod totp;
