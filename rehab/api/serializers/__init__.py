"""The rehab API's bodies by sub-domain."""
