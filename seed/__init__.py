"""How data is made: demo and county-scale generators."""
