#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod binary;
pub mod difflib;
pub mod fake;
pub mod format;
#[cfg(feature = "embedded-hal")]
pub mod hal;
pub mod link;
pub mod replay;
pub mod words;

#[cfg(test)]
mod python_oracle;
