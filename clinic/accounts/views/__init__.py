"""The account pages: the account, its sessions, passwords, two-factor sign-in."""
