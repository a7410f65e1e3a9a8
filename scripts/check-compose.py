"""compose.yaml's shape, where it cannot be brought up (its images are a registry's): run by
`make container-test` with Debian's python3 and PyYAML. Exit 1 with the problems found."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def problems() -> list[str]:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    found: list[str] = []
    copies = sorted(name for name, service in services.items() if "build" in service)
    if len(copies) != 2:
        found.append(f"two kpibot copies built from the Dockerfile expected, found {copies}")
    for name in copies:
        service = services[name]
        url = service["environment"].get("DATABASE_URL", "")
        if not url.startswith("postgresql+psycopg://") or "@postgres:5432/" not in url:
            found.append(f"{name}: DATABASE_URL should point at the postgres service, is {url!r}")
        if "/readyz" not in " ".join(service.get("healthcheck", {}).get("test", [])):
            found.append(f"{name}: its health check should ask /readyz")
        if service.get("depends_on", {}).get("postgres", {}).get("condition") != "service_healthy":
            found.append(f"{name}: should wait for PostgreSQL to be healthy")
        for key in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_MEMBERS_CHANNEL"):
            if key not in service["environment"]:
                found.append(f"{name}: {key} is not passed to the bot")
    if "postgres" not in services or not services["postgres"]["image"].startswith("postgres:"):
        found.append("a postgres service from the postgres image is expected")
    proxy = services.get("proxy", {})
    if sorted(proxy.get("depends_on", {})) != copies:
        found.append(f"the proxy should wait for {copies}")
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    upstream = sorted(re.findall(r"^\s*server\s+([\w-]+):3000\b", nginx, flags=re.MULTILINE))
    if upstream != copies:
        found.append(f"deploy/nginx.conf balances {upstream}, compose.yaml runs {copies}")
    if not any(volume.endswith(":/etc/nginx/nginx.conf:ro") for volume in proxy.get("volumes", [])):
        found.append("the proxy should mount deploy/nginx.conf")
    return found


if __name__ == "__main__":
    found = problems()
    for problem in found:
        print(f"compose.yaml: {problem}")
    print("compose.yaml: checked." if not found else "")
    sys.exit(1 if found else 0)
