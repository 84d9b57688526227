"""The clinic's own API: sign-in and devices, who is signed in, patients, messages; and the
pieces every app's API builds on (authentication, role permissions, the role viewset)."""
