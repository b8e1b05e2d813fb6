"""Production refuses to start with sandboxes or public secrets; `check --deploy` names each.

The finding (issue #15): production settings with no payment provider configured served the
sandbox checkout (a debtor could mark a debt paid without paying), and docker-compose fell
back to a secret key published in the repository.
"""

import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from config.checks import deployment_errors, derived_secret

ROOT = Path(__file__).resolve().parent.parent
KEY = "3f9c1e0b7a6d4c2e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e"
TWILIO = "messaging.channels.twilio.TwilioBackend"


def _deployable(**changes) -> SimpleNamespace:
    values = {
        "SECRET_KEY": KEY,
        "CARTERA_CHANNEL_BACKENDS": {
            "email": "messaging.channels.email.EmailBackend",
            "sms": TWILIO,
            "whatsapp": "",
            "letter": "messaging.channels.letter.LetterBackend",
            "voice": "messaging.channels.voice.CallListBackend",
        },
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "CARTERA_PORTAL_PAYMENT_PROVIDER": "stripe",
        "STRIPE_SECRET_KEY": "sk_live_x",
        "STRIPE_WEBHOOK_SECRET": "whsec_x",
        "CARTERA_SANDBOX_WEBHOOK_SECRET": "",
        "CARTERA_PORTAL_SANDBOX_WEBHOOK_SECRET": "",
    }
    values.update(changes)
    return SimpleNamespace(**values)


def _ids(settings) -> list[str]:
    return sorted(error.id for error in deployment_errors(settings))


def test_a_complete_production_configuration_passes():
    assert deployment_errors(_deployable()) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"SECRET_KEY": ""}, ["cartera.E001"]),
        ({"SECRET_KEY": "dev-insecure-change-me"}, ["cartera.E002"]),
        ({"SECRET_KEY": "change-me-this-is-not-a-secret"}, ["cartera.E002"]),
        ({"SECRET_KEY": "s3cret"}, ["cartera.E003"]),
        ({"SECRET_KEY": "django-insecure-" + KEY}, ["cartera.E003"]),
        ({"SECRET_KEY": "ab" * 40}, ["cartera.E003"]),
        ({"CARTERA_SANDBOX_WEBHOOK_SECRET": KEY}, ["cartera.E004"]),
        ({"CARTERA_PORTAL_SANDBOX_WEBHOOK_SECRET": KEY + ":portal-sandbox"}, ["cartera.E004"]),
        (
            {"CARTERA_SANDBOX_WEBHOOK_SECRET": derived_secret(KEY, "messaging-sandbox-webhook")},
            ["cartera.E004"],
        ),
        ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, ["cartera.E006"]),
        ({"CARTERA_PORTAL_PAYMENT_PROVIDER": "sandbox"}, ["cartera.E007"]),
        ({"CARTERA_PORTAL_PAYMENT_PROVIDER": ""}, ["cartera.E008"]),
        ({"CARTERA_PORTAL_PAYMENT_PROVIDER": "paypal"}, ["cartera.E008"]),
        ({"STRIPE_WEBHOOK_SECRET": ""}, ["cartera.E009"]),
        ({"STRIPE_SECRET_KEY": "", "STRIPE_WEBHOOK_SECRET": ""}, ["cartera.E009"]),
        # E-mail through an ESP (django-anymail): a known ESP, its webhooks' secret set.
        ({"CARTERA_EMAIL_ESP": "carrier-pigeon"}, ["cartera.E010"]),
        (
            {
                "CARTERA_EMAIL_ESP": "sendgrid",
                "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
                "ANYMAIL": {"WEBHOOK_SECRET": "hooks:x"},
            },
            ["cartera.E011"],
        ),
        (
            {
                "CARTERA_EMAIL_ESP": "postmark",
                "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
                "ANYMAIL": {"POSTMARK_SERVER_TOKEN": "x"},
            },
            ["cartera.E012"],
        ),
        ({"EMAIL_BACKEND": "anymail.backends.test.EmailBackend"}, ["cartera.E006"]),
    ],
)
def test_each_unsafe_setting_is_an_error(changes, expected):
    assert _ids(_deployable(**changes)) == expected


def test_an_esp_with_its_webhook_secret_passes():
    esp = _deployable(
        CARTERA_EMAIL_ESP="postmark",
        EMAIL_BACKEND="anymail.backends.postmark.EmailBackend",
        ANYMAIL={"POSTMARK_SERVER_TOKEN": "x", "WEBHOOK_SECRET": "hooks:x"},
    )
    assert deployment_errors(esp) == []


def test_a_sandbox_channel_is_an_error():
    backends = {**_deployable().CARTERA_CHANNEL_BACKENDS}
    backends["sms"] = backends["whatsapp"] = "messaging.channels.sandbox.SandboxBackend"
    assert _ids(_deployable(CARTERA_CHANNEL_BACKENDS=backends)) == ["cartera.E005"] * 2


def test_the_certified_mail_sandbox_is_an_error():
    sandbox = "messaging.channels.certified.SandboxCertifiedProvider"
    assert _ids(_deployable(CARTERA_CERTIFIED_MAIL_PROVIDER=sandbox)) == ["cartera.E020"]
    post = "messaging.channels.certified.PostCertifiedProvider"
    assert _ids(_deployable(CARTERA_CERTIFIED_MAIL_PROVIDER=post)) == []


def _env(settings_module: str, **variables) -> dict:
    """A process environment with only these Cartera/Django settings (not the test run's)."""
    prefixes = ("DJANGO_", "CARTERA_", "STRIPE_", "TWILIO_", "EMAIL_", "ANYMAIL_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update(DJANGO_SETTINGS_MODULE=settings_module, PYTHONUNBUFFERED="1", **variables)
    return env


def _run(args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


# What the probe ran: production settings, the old compose fallback key, nothing else set.
UNCONFIGURED = {
    "DJANGO_SECRET_KEY": "change-me-this-is-not-a-secret",
    "DJANGO_ALLOWED_HOSTS": "cartera.example.com",
}
PRODUCTION = {
    "DJANGO_SECRET_KEY": KEY,
    "DJANGO_ALLOWED_HOSTS": "cartera.example.com",
    "CARTERA_PORTAL_PAYMENT_PROVIDER": "stripe",
    "STRIPE_SECRET_KEY": "sk_live_x",
    "STRIPE_WEBHOOK_SECRET": "whsec_x",
    "CARTERA_SMS_CHANNEL": TWILIO,
    "CARTERA_WHATSAPP_CHANNEL": "",
}


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        ["manage.py", "check", "--deploy"],
        ["manage.py", "migrate", "--noinput"],
        ["-c", "import config.wsgi"],  # what gunicorn imports
        ["-c", "from config.celery import app; app.loader.import_default_modules()"],
    ],
    ids=["check", "migrate", "wsgi", "celery"],
)
def test_production_refuses_to_start_unconfigured(command):
    result = _run(command, _env("config.settings.production", **UNCONFIGURED))
    assert result.returncode != 0, result.stdout
    assert "Refusing to start with these production settings" in result.stderr
    # Every problem is named: the public key, the sandbox channels, no payment provider.
    assert re.findall(r"\(cartera\.E\d+\)", result.stderr) == [
        "(cartera.E002)",
        "(cartera.E005)",
        "(cartera.E005)",
        "(cartera.E008)",
    ]
    if command[0] == "manage.py":
        assert "Traceback" not in result.stderr  # a list of problems, not a crash


@pytest.mark.slow
def test_production_check_deploy_passes_when_configured():
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        _env("config.settings.production", **PRODUCTION),
    )
    assert result.returncode == 0, result.stderr
    assert "cartera." not in result.stdout + result.stderr


@pytest.mark.slow
def test_production_sends_email_through_the_esp_and_requires_its_webhook_secret():
    esp = {
        **PRODUCTION,
        "CARTERA_EMAIL_ESP": "postmark",
        "ANYMAIL_POSTMARK_SERVER_TOKEN": "server-token",
    }
    printed = "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.ANYMAIL)"
    refused = _run(["-c", f"import django; django.setup(); {printed}"], _env(
        "config.settings.production", **esp
    ))  # fmt: skip
    assert refused.returncode != 0 and "(cartera.E012)" in refused.stderr
    served = _run(
        ["-c", f"import django; django.setup(); {printed}"],
        _env("config.settings.production", **esp, ANYMAIL_WEBHOOK_SECRET="hooks:s3cret"),
    )
    assert served.returncode == 0, served.stderr
    assert served.stdout.split()[0] == "anymail.backends.postmark.EmailBackend"
    assert "'POSTMARK_SERVER_TOKEN': 'server-token'" in served.stdout
    assert "'WEBHOOK_SECRET': 'hooks:s3cret'" in served.stdout


@pytest.mark.slow
def test_development_settings_still_start_and_check_deploy_names_their_sandboxes():
    # `make run` (bin/run) uses the local settings with nothing configured
    plain = _run(["manage.py", "check"], _env("config.settings.local"))
    assert plain.returncode == 0, plain.stderr
    deploy = _run(["manage.py", "check", "--deploy"], _env("config.settings.local"))
    assert deploy.returncode == 1
    found = set(re.findall(r"cartera\.E\d+", deploy.stderr))
    assert found == {
        "cartera.E002",  # the development key
        "cartera.E004",  # sandbox secrets derived from it
        "cartera.E005",  # SMS and WhatsApp in the sandbox
        "cartera.E006",  # e-mail to the console
        "cartera.E007",  # the sandbox checkout
        "cartera.E020",  # certified letters to the certified mail sandbox
    }


def _compose_value(template: str, shell: dict) -> str:
    """docker compose's interpolation of one value: ${V}, ${V:-d}, ${V-d}, ${V:?err}."""

    def one(match):
        name, op, arg = match.group(1), match.group(2) or "", match.group(3) or ""
        value = shell.get(name)
        if op == ":?" and not value:
            raise LookupError(f"compose refuses to start: {arg}")
        if op == ":-" and not value:
            return arg
        if op == "-" and value is None:
            return arg
        return value or ""

    return re.sub(r"\$\{(\w+)(:\?|:-|-)?([^}]*)\}", one, template)


def _compose_settings(shell: dict) -> SimpleNamespace:
    """What the web service's production settings would read from compose's environment."""
    spec = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    environment = spec["services"]["web"]["environment"]
    env = {name: _compose_value(str(value), shell) for name, value in environment.items()}
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    channels = _deployable().CARTERA_CHANNEL_BACKENDS
    return _deployable(
        SECRET_KEY=env["DJANGO_SECRET_KEY"],
        CARTERA_PORTAL_PAYMENT_PROVIDER=env["CARTERA_PORTAL_PAYMENT_PROVIDER"],
        STRIPE_SECRET_KEY=env["STRIPE_SECRET_KEY"],
        STRIPE_WEBHOOK_SECRET=env["STRIPE_WEBHOOK_SECRET"],
        CARTERA_CHANNEL_BACKENDS={
            **channels,
            "sms": env["CARTERA_SMS_CHANNEL"],
            "whatsapp": env["CARTERA_WHATSAPP_CHANNEL"],
        },
    )


def test_compose_has_no_fallback_secret_key():
    spec = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for name in ("web", "worker", "beat"):
        key = spec["services"][name]["environment"]["DJANGO_SECRET_KEY"]
        assert key.startswith("${DJANGO_SECRET_KEY:?"), key
    with pytest.raises(LookupError, match="DJANGO_SECRET_KEY"):
        _compose_settings({"STRIPE_SECRET_KEY": "sk", "STRIPE_WEBHOOK_SECRET": "wh"})
    with pytest.raises(LookupError, match="STRIPE_SECRET_KEY"):
        _compose_settings({"DJANGO_SECRET_KEY": KEY})
    # With the required secrets set, compose's defaults pass the deployment checks.
    configured = {"DJANGO_SECRET_KEY": KEY, "STRIPE_SECRET_KEY": "sk", "STRIPE_WEBHOOK_SECRET": "w"}
    assert deployment_errors(_compose_settings(configured)) == []
