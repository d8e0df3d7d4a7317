"""circumspect.routes: a multimodal freight route planner that can avoid countries.

Public API (used by the CLI and the service's ``GET /v1/route``)::

    from circumspect.routes import plan_routes, compare_routes
    plan = plan_routes("Almaty", "Duisburg", avoid="RU,BY", optimize="time", k=3)
    plan.routes[0].to_dict()

Heavy libraries (networkx, searoute, folium, matplotlib) are imported lazily.
"""

from circumspect.routes.network import Network, default_network, load_network
from circumspect.routes.planner import (
    Comparison,
    Leg,
    Route,
    RoutePlan,
    compare_routes,
    pareto_front,
    plan_routes,
)

__all__ = [
    "Comparison",
    "Leg",
    "Network",
    "Route",
    "RoutePlan",
    "compare_routes",
    "default_network",
    "load_network",
    "pareto_front",
    "plan_routes",
]
