//! Liyan (丽颜): a self-hosted CRM for medical-aesthetics clinics.

pub mod access;
pub mod app;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod http;
pub mod money;
