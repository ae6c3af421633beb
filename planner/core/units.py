"""Unit constants. GB (1e9 bytes) and GiB (2**30 bytes) differ by 7%: enough to flip a fit."""

GB = 1_000_000_000
GIB = 1024**3
MIB = 1024**2


def gb_to_bytes(gb: float) -> float:
    return gb * GB


def bytes_to_gib(n_bytes: float) -> float:
    return n_bytes / GIB
