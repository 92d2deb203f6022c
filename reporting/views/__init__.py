"""Pages of returns and filings, one module per concept."""
