"""Discussion threads of a cohort and of its pilot territories."""
