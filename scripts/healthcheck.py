"""Container health checks (Dockerfile HEALTHCHECK, docker-compose.yml), light enough to run
every half minute: no Django start-up, the standard library and the redis client only.

    python scripts/healthcheck.py http://127.0.0.1:8000/healthz?part=web
        200 from gunicorn (this process and its database). Sent with the Host header of the
        first name in ALLOWED_HOSTS, so Django accepts it; /healthz is exempt from the HTTPS
        redirect (settings.SECURE_REDIRECT_EXEMPT).
    python scripts/healthcheck.py --beat /tmp/celerybeat.pid
        the beat process named in its pid file is alive and the broker (REDIS_URL) answers.

Exit status 0 when healthy, 1 (with the reason on stderr) when not.
"""

import os
import sys
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 5


def check_web(url: str) -> str | None:
    host = os.environ.get("ALLOWED_HOSTS", "").split(",")[0].strip()
    headers = {"Host": host} if host and host != "*" else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (a URL we were given)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError as error:
        return f"{url}: {error}"
    return None if status == 200 else f"{url} answered {status}"


def check_beat(pid_file: str) -> str | None:
    try:
        with open(pid_file, encoding="ascii") as file:
            pid = int(file.read().strip())
        os.kill(pid, 0)
    except (OSError, ValueError) as error:
        return f"no beat process from {pid_file}: {error}"
    import redis

    try:
        redis.Redis.from_url(
            os.environ["REDIS_URL"],
            socket_timeout=TIMEOUT_SECONDS,
            socket_connect_timeout=TIMEOUT_SECONDS,
        ).ping()
    except (KeyError, redis.RedisError) as error:
        return f"the broker does not answer: {error!r}"
    return None


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "--beat":
        problem = check_beat(argv[1])
    elif len(argv) == 1 and argv[0].startswith("http://"):
        problem = check_web(argv[0])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
