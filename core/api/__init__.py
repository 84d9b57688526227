"""The REST API's plumbing every app shares: error bodies and the exception handler, the JSON
parser, pagination, the OpenAPI error schemas and the docs page. No app imports."""
