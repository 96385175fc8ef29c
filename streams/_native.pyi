"""Types of the compiled core (streams/native, built by maturin)."""

ABI: int
