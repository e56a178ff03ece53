"""A second, independent world generator for honest evaluation (issue 5).

Written from public descriptions of account-takeover, MLM compensation fraud, injection and flood
attacks and of how MLM businesses run, without looking at the detectors: different population,
address plan, timing distributions and event mechanics from `simulator.world`. `generate(seed)`
returns the same `World` shape, plus the hard negatives it planted (`AltWorld.negatives`).
"""

from simulator.alt.world import AltWorld, generate

__all__ = ["AltWorld", "generate"]
