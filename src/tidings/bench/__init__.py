"""Speed benchmarks (`tidings bench ...`)."""
