from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from winnow.audit.chain import checkpoint_path, checkpoint_write


class Command(BaseCommand):
    help = ("Append a signed checkpoint of every audit shard's head to the checkpoint file "
            "(WINNOW_AUDIT_CHECKPOINT_PATH). The worker does this on its own; run it from cron without one.")

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = checkpoint_write()
        events = sum(seq for seq, _ in checkpoint.heads.values())
        self.stdout.write(f"checkpoint #{checkpoint.number} written to {checkpoint_path()}: "
                          f"{len(checkpoint.heads)} shard(s), {events} events")
