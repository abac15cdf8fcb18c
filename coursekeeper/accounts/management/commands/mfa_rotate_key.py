"""Re-encrypt every two-factor secret with the first key of COURSEKEEPER_MFA_KEYS (R38).

Rotating a key: put the new key first in COURSEKEEPER_MFA_KEYS, keep the old ones after it, restart,
run this command, then remove the old keys. A rerun rewrites nothing (see accounts/mfa/encryption);
a secret that no configured key opens stops the command with every row left as it was.
"""

from django.core.management.base import BaseCommand, CommandError

from coursekeeper.accounts.mfa.encryption import UnreadableSecret, reseal_authenticators


class Command(BaseCommand):
    help = "Re-encrypt every two-factor secret with the first key of COURSEKEEPER_MFA_KEYS."

    def handle(self, *args, **options) -> None:
        try:
            rewritten, total = reseal_authenticators()
        except UnreadableSecret as error:
            raise CommandError(f"{error} Nothing was changed.") from None
        self.stdout.write(f"Re-encrypted {rewritten} of {total} authenticators with the first key.")
