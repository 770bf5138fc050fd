"""GitLab edge: the plan as one merge-request note from a GitLab CI pipeline."""
