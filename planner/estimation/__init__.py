"""Estimates from names: resolve builds and models in the catalog, run the core, attach measurements."""
