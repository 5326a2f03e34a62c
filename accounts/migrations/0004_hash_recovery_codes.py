"""Recovery codes stored before this migration were plain text (8 characters); store the
HMAC digest instead (16 characters), as accounts.mfa.recovery_digest does now. The
digest is copied here, not imported, so this migration keeps doing what it did when
written even if mfa.py changes."""

from base64 import urlsafe_b64encode

from django.db import migrations
from django.utils.crypto import salted_hmac

SALT = "accounts.mfa.recovery-code"
DIGEST_LENGTH = 16


def _digest(code: str) -> str:
    normalised = "".join(code.split()).replace("-", "").lower()
    mac = salted_hmac(SALT, normalised, algorithm="sha256")
    return urlsafe_b64encode(mac.digest()[:12]).decode()


def hash_plain_codes(apps, schema_editor):
    StaticToken = apps.get_model("otp_static", "StaticToken")
    plain = [t for t in StaticToken.objects.all() if len(t.token) != DIGEST_LENGTH]
    for token in plain:
        token.token = _digest(token.token)
    StaticToken.objects.bulk_update(plain, ["token"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_kiosk_pin"),
        ("otp_static", "0003_add_timestamps"),
    ]

    # Not reversible: the plain codes are gone; people make new ones.
    operations = [migrations.RunPython(hash_plain_codes, migrations.RunPython.noop)]
