"""The account pages: the account, its sessions, two-factor sign-in."""
