"""The simulated staff of bench/load.py: outreach workers saving encounters with supplies and
searching participants, managers opening dashboards. Run by load.py, which starts gunicorn and
passes what the users need in BENCH_LOAD_CONFIG (a JSON file): an API token, session cookies,
the location, the usual bundle, participant ids and the dashboard addresses."""

import json
import os
import random
import uuid
from datetime import UTC, datetime

from locust import HttpUser, between, task

CONFIG = json.loads(open(os.environ["BENCH_LOAD_CONFIG"]).read())  # noqa: SIM115


class OutreachWorker(HttpUser):
    """Saves an encounter (most with a known participant, some anonymous) with the usual bundle,
    and searches for participants as they type, with a few seconds between."""

    fixed_count = CONFIG["workers"]
    wait_time = between(*CONFIG["worker_wait"])

    def on_start(self):
        self.client.headers["Authorization"] = f"Token {CONFIG['token']}"
        self.client.headers["Cookie"] = f"sessionid={CONFIG['worker_session']}"

    @task(3)
    def save_encounter(self):
        participant = random.choice(CONFIG["participants"]) if random.random() < 0.9 else None  # noqa: S311
        body = {
            "id": str(uuid.uuid4()),
            "occurred_at": datetime.now(UTC).isoformat(),
            "location": CONFIG["location"],
            "kind": "fixed_site",
            "participant": participant,
            "supplies": [
                {"item": int(item), "quantity": quantity}
                for item, quantity in CONFIG["bundle"].items()
            ],
            "syringes_collected": random.choice([0, 0, 10, 20]),  # noqa: S311
        }
        self.client.post("/api/v1/encounters/", json=body, name="encounter save")

    @task(2)
    def search_participant(self):
        query = random.choice(CONFIG["searches"])  # noqa: S311
        self.client.get(f"/participants/search/?q={query}", name="participant search")


class Manager(HttpUser):
    """Opens the dashboard for a period and place, then reads it for a while."""

    fixed_count = CONFIG["managers"]
    wait_time = between(*CONFIG["manager_wait"])

    def on_start(self):
        self.client.headers["Cookie"] = f"sessionid={CONFIG['manager_session']}"

    @task
    def dashboard(self):
        self.client.get(random.choice(CONFIG["dashboards"]), name="dashboard")  # noqa: S311
