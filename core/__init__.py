"""What every app shares. No models, and no imports of the project's apps.

- ``client``: the one client-address function and its proxy policy (``TRUSTED_PROXY_HOPS``).
- ``touched``: which patients the current request touched (the audit trail reads it).
- ``users``: the signed-in user, typed.
- ``redirects``: the safe-redirect check for ``?next=``.
- ``forms``: a service's ``ValidationError`` shown on a form; how every form is drawn.
- ``confirm``: the "Yes, …" question an action with consequences is first answered with.
- ``resubmit``: a form sent twice (a double click) adds one row, not two.
- ``jsonbody``: the JSON body of a page's request.
- ``ids``: a row's opaque id in URLs (and the ``<opaque:…>`` converter).
- ``dates``: which dates people may type.
- ``numbers``, ``text``: rounding and text comparison as people read them.
- ``browsers``: a user-agent as a person names it ("Chrome on Android").
- ``qr``: QR codes as inline SVG.
- ``ratelimit``: a small per-address limit for a few anonymous forms.
- ``cache``: what counts in the shared cache fails open when Redis is down.
- ``errors``: 503 with ``Retry-After`` when the database cannot be reached.
- ``middleware``: ``Cache-Control: no-store`` on signed-in and API answers.
- ``api``: the REST API's plumbing every app's API builds on.
"""
