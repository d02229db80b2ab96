//! Rendering: small output structs, written as tables, JSON and the other formats. Reporters
//! never evaluate rules; they format what earlier stages computed.

pub mod check;
pub mod json;
