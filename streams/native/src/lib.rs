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
    // A bug in this module panics; PyO3 raises that as PanicException, a BaseException, which
    // `except Exception` would let through. Exported so the pipeline's boundary can name it.
    m.add(
        "PanicException",
        m.py().get_type::<pyo3::panic::PanicException>(),
    )?;
    classify::register(m)?;
    entities::register(m)?;
    Ok(())
}
