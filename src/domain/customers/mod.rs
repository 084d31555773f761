//! Customer profiles (客户档案).

pub mod api;
pub mod export;
pub mod filter;
pub mod lifecycle;
pub mod merge;
pub mod model;
pub mod pipl;
pub mod search;
pub mod service;
pub mod store;
pub mod validate;
