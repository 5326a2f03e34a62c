"""Print each demo account's current two-factor code, for trying the app without a phone.

The demo accounts' authenticator secrets are fixed and public (seed_demo). Refuses to run
with DEBUG off: a production installation has no demo accounts and no business printing
codes.
"""

import time
from base64 import b32encode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.demo import DEMO_TOTP_KEYS


class Command(BaseCommand):
    help = "Print the demo accounts' current two-factor codes (DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Refusing to print sign-in codes with DEBUG off.")
        devices = {
            d.user.username: d
            for d in TOTPDevice.objects.filter(
                user__username__in=DEMO_TOTP_KEYS, confirmed=True
            ).select_related("user")
        }
        if not devices:
            raise CommandError("No demo accounts with two-factor sign-in: run seed_demo first.")
        now = time.time()
        for username in DEMO_TOTP_KEYS:
            device = devices.get(username)
            if device is None:
                continue
            totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
            totp.time = now
            code = f"{totp.token():0{device.digits}d}"
            secret = b32encode(device.bin_key).decode().rstrip("=")
            self.stdout.write(f"{username:<12} {code}   (app key {secret})")
        any_device = next(iter(devices.values()))
        left = int(any_device.step - (now - any_device.t0) % any_device.step)
        self.stdout.write(
            f"\nCodes change in {left} s. Each code works once: after signing in with one, "
            "wait for the next."
        )
