"""Speed benchmarks (`assistant bench …`): figures measured on this machine, each beside a
reference computed in the same run."""
