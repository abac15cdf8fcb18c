"""The second factor (allauth's `mfa` app) made safe for staff accounts.

- `encryption`: TOTP secrets and recovery-code seeds encrypted at rest, with rotatable keys (R38);
- `adapter`: allauth's MFA adapter, pointed at that encryption;
- `limits`: wrong codes limited per account and per address, in the security log (R2);
- `forms`: allauth's code forms, asking the limits before they check a code.
"""
