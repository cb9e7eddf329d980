"""Settings for the test suite (pytest loads them: see pyproject.toml).

The real settings, run the way production runs them (DEBUG off, hardening on),
with the values that a fresh clone has no .env file for. Tests never depend on
a .env file; DATABASE_URL is still read from the environment or .env.
"""

import os

os.environ["DEBUG"] = "false"
os.environ["SECRET_KEY"] = "insecure-key-for-tests-only-" + "x" * 40
# The test client speaks plain HTTP; tests that check the redirect turn it back on.
os.environ["SECURE_SSL_REDIRECT"] = "false"

from config.settings import *  # noqa: E402, F403

# Fast hashing: every HTTP Basic request checks a password.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Serve static files from the source folders: no collectstatic before tests.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
