from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from winnow.core.referralpackage import new_key


class Command(BaseCommand):
    help = ("Make an Ed25519 key pair for signing referral packages: the private key goes in "
            "WINNOW_PACKAGE_SIGNING_KEY here; the public key in WINNOW_PACKAGE_TRUSTED_KEYS of the installations "
            "that import this one's packages.")

    def handle(self, *args: Any, **options: Any) -> None:
        private, public = new_key()
        self.stdout.write(f"WINNOW_PACKAGE_SIGNING_KEY={private}\npublic key (share it): {public}")
