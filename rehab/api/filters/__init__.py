"""The rehab API's list filters by sub-domain."""
