"""What every app shares. No models, and no imports of the project's apps.

- ``client``: the one client-address function and its proxy policy (``TRUSTED_PROXY_HOPS``).
- ``touched``: which patients the current request touched (the audit trail reads it).
- ``users``: the signed-in user, typed.
- ``redirects``: the safe-redirect check for ``?next=``.
- ``forms``: a service's ``ValidationError`` shown on a form.
- ``ratelimit``: a small per-address limit for a few anonymous forms.
- ``middleware``: ``Cache-Control: no-store`` on signed-in and API answers.
"""
