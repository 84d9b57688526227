"""The rehab API's resources by sub-domain."""
