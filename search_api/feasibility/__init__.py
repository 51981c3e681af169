"""feasibility."""
