//! `doforge schema`: the blueprint JSON Schema, for editors and CI tooling.

use std::io::{self, Write};

use crate::check::EXIT_CLEAN;

pub fn run(out: &mut dyn Write) -> io::Result<i32> {
    out.write_all(crate::schema::blueprint::SCHEMA.as_bytes())?;
    Ok(EXIT_CLEAN)
}
