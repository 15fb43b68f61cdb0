"""The inverse network, its weights and card on disk, and the self-check's figures."""
