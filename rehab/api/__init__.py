"""The rehab API by sub-domain: library, protocols, plans, logbook, criteria (serializers, filters,
views); ``config.api_router`` registers its viewsets."""
