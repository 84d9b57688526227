"""The account URLs: sign-in and password reset, the account pages, two-factor sign-in."""
