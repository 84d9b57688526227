"""A person's account: sign-in (with django-axes' lockout), two-factor sign-in, session limits
and the list of their browser sessions, and the account pages."""
