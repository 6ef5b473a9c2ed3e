"""LRS tables and the SQL behind them; dialect differences live in dialect.py."""
