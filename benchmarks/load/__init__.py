"""Load on a real server: mixed traffic, and fairness between tenants (noisy neighbour, big batch)."""
