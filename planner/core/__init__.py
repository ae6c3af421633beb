"""Domain layer: pure data and estimation. No Qt, no I/O."""
