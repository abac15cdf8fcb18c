"""allauth's MFA adapter (settings.MFA_ADAPTER): second-factor secrets sealed at rest (R38)."""

from __future__ import annotations

from allauth.mfa.adapter import DefaultMFAAdapter

from coursekeeper.accounts.mfa.encryption import seal, unseal


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        """Seal a TOTP secret or recovery-code seed before allauth stores it."""
        return seal(text)

    def decrypt(self, encrypted_text: str) -> str:
        """Open a stored secret; a clear or unreadable one is refused, never used."""
        return unseal(encrypted_text)
