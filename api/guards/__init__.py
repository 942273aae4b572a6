"""What every request passes before and around its handler: keys, gates, fairness, rate limits, resilience."""
