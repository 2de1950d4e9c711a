"""The consumer's page: a GS1 Digital Link resolver served from an SQLite index of the chain's
events, counting each page view as a scan that is flushed on chain exactly once (`shanglian serve`)."""
