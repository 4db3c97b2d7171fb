"""ERP connectors: the contract every connector implements, and one folder per ERP."""
