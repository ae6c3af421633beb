"""Fitting the speed coefficients to public measurements and cross-validating them."""
