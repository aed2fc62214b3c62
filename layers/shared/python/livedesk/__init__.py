"""LiveDesk shared domain package, deployed to every function as a Lambda layer."""

__version__ = "0.1.0"
