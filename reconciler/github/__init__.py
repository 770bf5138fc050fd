"""GitHub edge: post the plan as a pull-request comment from a GitHub Actions run."""
