"""Writes of what patients log, one module per record:

- ``ticks``: an exercise ticked off (``log_record``), changed or undone the same day;
- ``checkins``: the daily check-in, its red flags (an alert, the plan paused) and pain;
- ``atrs``: the ATRS questionnaire, its total and the low-score alert;
- ``storing``: what every record shares: a retried submit (the same ``client_uuid``) returns
  the stored row, never a second one; a once-a-day row takes in the day's later submits;
- ``rules``: what every report obeys: its date, nothing new once care has ended, no more
  exercise while a red flag pauses the plan; pain at the threshold raises an alert.

The clinic's measurements and ATRS requests are ``rehab.services.outcomes``; acknowledging an
alert is ``rehab.services.alerts``.
"""
