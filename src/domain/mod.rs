//! Business areas, one folder each.

pub mod consents;
pub mod consultations;
pub mod custom_fields;
pub mod customer360;
pub mod customers;
pub mod imports;
pub mod input;
pub mod photos;
pub mod segments;
pub mod stores;
pub mod tags;
pub mod timeline;
