//! streams._native: the hot loops of the pure core, compiled.
//!
//! Python keeps the data (loading, validation, compilation to tables) and the result types;
//! this module only walks texts against tables it was given.
use pyo3::prelude::*;

mod classify;
mod entities;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ABI", 1)?;
    classify::register(m)?;
    entities::register(m)?;
    Ok(())
}
