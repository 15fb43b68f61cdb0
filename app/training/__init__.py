"""Training the networks through the differentiable physics, and the reach tables they use."""
