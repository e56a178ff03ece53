"""The commission run engine: whole-population plan math over integer arrays (numpy), not ORM rows.

Volumes are integer cents of PV, percentages are integer basis points, so every sum is exact and
only the final per-distributor totals become Decimal. Members are indexed 0..n-1 in enrollment
order, so every sponsor and placement parent has a smaller index than its children.
"""
