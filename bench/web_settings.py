"""Production settings with bench.web_floor's URLs (the bare view bench/web.py times)."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.web_floor"
