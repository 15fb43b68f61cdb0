"""Aiming: the engine, the vacuum's pipeline and the one through air, refinement, results."""
