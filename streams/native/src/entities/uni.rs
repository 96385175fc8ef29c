//! Python's character predicates and case mappings, exactly.
//!
//! The extractor's rules ask `str.isalnum()`, `str.isupper()` and friends, and Python's `re`
//! classes (`\w`, `\d`) are defined by them. Rust's `char` methods use other Unicode properties
//! (Alphabetic takes combining marks) and perhaps another Unicode version, so the answers are
//! Python's own: asked once per character (Latin-1 at import, any other character when first seen).
use pyo3::prelude::*;
use pyo3::types::PyString;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

pub const ALNUM: u8 = 1; // str.isalnum (and with `_`, re's \w)
pub const UPPER: u8 = 2; // Py_UNICODE_ISUPPER
pub const LOWER: u8 = 4; // Py_UNICODE_ISLOWER
pub const TITLE: u8 = 8; // Py_UNICODE_ISTITLE (Lt)
pub const DECIMAL: u8 = 16; // str.isdecimal, re's \d
pub const DIGIT: u8 = 32; // str.isdigit

static LATIN: OnceLock<[u8; 256]> = OnceLock::new();
static OTHER: OnceLock<Mutex<HashMap<u32, u8>>> = OnceLock::new();
static UPPERED: OnceLock<Mutex<HashMap<u32, String>>> = OnceLock::new();

fn ask(py: Python<'_>, c: char) -> PyResult<u8> {
    let s = PyString::new(py, c.encode_utf8(&mut [0; 4]));
    let is = |name: &str| -> PyResult<bool> { s.call_method0(name)?.extract::<bool>() };
    let upper = is("isupper")?;
    Ok(((is("isalnum")? as u8) * ALNUM)
        | ((upper as u8) * UPPER)
        | ((is("islower")? as u8) * LOWER)
        | (((is("istitle")? && !upper) as u8) * TITLE)
        | ((is("isdecimal")? as u8) * DECIMAL)
        | ((is("isdigit")? as u8) * DIGIT))
}

/// Fill the Latin-1 table; called when the module is imported.
pub fn init(py: Python<'_>) -> PyResult<()> {
    let mut table = [0u8; 256];
    for (code, slot) in table.iter_mut().enumerate() {
        *slot = ask(py, char::from(code as u8))?;
    }
    let _ = LATIN.set(table);
    Ok(())
}

#[inline]
pub fn flags(c: char) -> u8 {
    let code = c as u32;
    if code < 256 {
        return LATIN.get().expect("streams._native imported")[code as usize];
    }
    other(c)
}

#[cold]
fn other(c: char) -> u8 {
    let cache = OTHER.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(&known) = cache.lock().unwrap().get(&(c as u32)) {
        return known;
    }
    let found = Python::attach(|py| ask(py, c)).unwrap_or(0);
    cache.lock().unwrap().insert(c as u32, found);
    found
}

#[inline]
pub fn is_alnum(c: char) -> bool {
    flags(c) & ALNUM != 0
}

/// re's `\w`: alphanumeric or the underscore.
#[inline]
pub fn is_word(c: char) -> bool {
    c == '_' || is_alnum(c)
}

#[inline]
pub fn is_upper(c: char) -> bool {
    flags(c) & UPPER != 0
}

#[inline]
pub fn is_lower(c: char) -> bool {
    flags(c) & LOWER != 0
}

#[inline]
pub fn is_decimal(c: char) -> bool {
    flags(c) & DECIMAL != 0
}

#[inline]
pub fn is_digit(c: char) -> bool {
    flags(c) & DIGIT != 0
}

/// `str.isupper()` of several characters: no lower or title case, at least one upper case.
pub fn str_isupper(chars: &[char]) -> bool {
    let mut cased = false;
    for &c in chars {
        let f = flags(c);
        if f & (LOWER | TITLE) != 0 {
            return false;
        }
        cased |= f & UPPER != 0;
    }
    cased
}

/// `str.isdigit()`: not empty, every character a digit.
pub fn str_isdigit(chars: &[char]) -> bool {
    !chars.is_empty() && chars.iter().all(|&c| is_digit(c))
}

/// `c.upper()` (may be longer: "ß" gives "SS"), appended to `out`.
pub fn push_upper(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_uppercase());
        return;
    }
    let cache = UPPERED.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(known) = cache.lock().unwrap().get(&(c as u32)) {
        out.push_str(known);
        return;
    }
    let found = Python::attach(|py| -> PyResult<String> {
        PyString::new(py, c.encode_utf8(&mut [0; 4]))
            .call_method0("upper")?
            .extract::<String>()
    })
    .unwrap_or_else(|_| c.to_string());
    out.push_str(&found);
    cache.lock().unwrap().insert(c as u32, found);
}

/// `word.lower()`: ASCII here, anything else as Python does it (rare: only for a few rule words).
pub fn lower(word: &str) -> String {
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    Python::attach(|py| -> PyResult<String> {
        PyString::new(py, word)
            .call_method0("lower")?
            .extract::<String>()
    })
    .unwrap_or_else(|_| word.to_string())
}
