//! Customer profiles (客户档案).

pub mod api;
pub mod export;
pub mod model;
pub mod search;
pub mod service;
pub(crate) mod store;
pub mod validate;
