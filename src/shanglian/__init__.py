"""shanglian (上链): traceability, enterprise onboarding and supply-chain receivables on a
consortium EVM chain."""

__version__ = "0.1.0"
