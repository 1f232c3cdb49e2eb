"""Local Paychex Flex and Visma.net ERP simulators that speak the real APIs, for the demo, tests and benchmarks."""

from sandbox.paychex import PaychexSandbox
from sandbox.visma import VismaSandbox

__all__ = ["PaychexSandbox", "VismaSandbox"]
