//! `doforge check` on an arbitrary wrangler.jsonc: load, structure, model, every lint rule, every
//! renderer. Any panic, hang or runaway allocation is a bug.
#![no_main]

#[path = "common.rs"]
mod common;

use doforge::source::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::check_bytes(data, "wrangler.jsonc", Format::WranglerJson);
});
