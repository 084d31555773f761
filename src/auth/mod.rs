//! Passwords, tokens, sessions, login throttling and the `Principal` extractor.

pub mod api;
pub mod password;
mod principal;
pub mod service;
pub mod store;
mod throttle;
pub mod token;
pub mod totp;
pub mod users;

pub use principal::{client_ip, Authenticated};
pub use throttle::Throttle;
pub use token::TokenKeys;
