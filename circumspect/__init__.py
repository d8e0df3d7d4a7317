"""circumspect: sanctions-circumvention screening for Kazakh trade."""

__version__ = "0.1.0"
