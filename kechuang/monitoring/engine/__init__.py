"""Pure-Python monitoring engine: plan files, observations, progress, county decomposition.

No Django imports here: the monitoring app's services feed plain data in and store or display
the plain data that comes out.

- ``plan_file``: ``load_plan``, ``parse_plan``, ``Plan``, ``IndicatorSpec``, ``CommitmentSpec``,
  ``PlanFileError`` (field checks in ``validation``).
- ``progress``: ``compute_progress``, ``ProgressResult``, ``Thresholds``, and re-exported
  ``Observation``, ``split_target``, ``rank_areas``; built on ``observations`` (which figures
  count), ``paths`` (planned path, yearly change), ``trend`` (OLS forecast) and ``areas``.
"""
