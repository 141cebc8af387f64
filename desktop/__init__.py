"""Casebook: Parent Code of Conduct casework for UK school trusts."""

__version__ = "0.1.0"
APP_NAME = "Casebook"
