"""Whether Spark can run here (used by fixtures and by tests outside tests/engines)."""

from __future__ import annotations

import importlib.util
import os
import shutil


def spark_available() -> str | None:
    """None when Spark can run here, else the reason it cannot."""
    if importlib.util.find_spec("pyspark") is None:
        return "PySpark is not installed (pip install 'circumspect[spark]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "Java is not installed (scripts/services.sh installs it as root)"
    return None
