"""A client written the way a yente / OpenSanctions API user writes one, pointed at
circumspect (`circumspect serve --yente-compat`). Nothing here is circumspect-specific: the
same code talks to a yente server or api.opensanctions.org.

    python examples/yente_client.py http://127.0.0.1:8000 KEY "Arctic Shipping LLC"
"""

from __future__ import annotations

import sys
from typing import Any

import httpx


def match_parties(
    client: httpx.Client,
    parties: dict[str, dict[str, Any]],
    dataset: str = "default",
    threshold: float | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """POST /match/{dataset} with FtM example entities; {query key: matching results}."""
    params: dict[str, Any] = {"algorithm": "best"}
    if threshold is not None:
        params["threshold"] = threshold
    response = client.post(f"/match/{dataset}", json={"queries": parties}, params=params)
    response.raise_for_status()
    out: dict[str, list[dict[str, Any]]] = {}
    for key, result in response.json()["responses"].items():
        out[key] = [r for r in result["results"] if r["match"]]
    return out


def main(argv: list[str]) -> int:
    base, key, *names = argv
    headers = {"Authorization": f"ApiKey {key}"}
    queries = {
        f"q{i}": {"schema": "LegalEntity", "properties": {"name": [name]}}
        for i, name in enumerate(names)
    }
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        for query_key, hits in match_parties(client, queries).items():
            for hit in hits:
                print(query_key, hit["id"], hit["caption"], hit["score"], ",".join(hit["datasets"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
