//! Business areas, one folder each.

pub mod customers;
pub mod imports;
pub mod stores;
