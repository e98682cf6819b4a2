"""The course's tests: `make test` runs them all (see README)."""
