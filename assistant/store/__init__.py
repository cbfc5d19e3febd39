"""The demo store's data: seeding it from the τ²-bench retail database (`seed`)."""
