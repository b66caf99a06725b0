"""Writes of the cultivation module.

* :mod:`.rules` — the shipped tier rule sets and reserve policy (`manage.py load_tier_rules`);
* :mod:`.screenings` — a user's request for a screening: permission, scope, the run, the task;
* :mod:`.pool` — executing a run (the background task's work): the reserve pool entries and
  their movements, the run closed with its audited summary;
* :mod:`.bulk` — the column-wise bulk writer `pool` writes the entries and movements with.

`screenings` queues the task of `kechuang.cultivation.tasks`, which executes `pool`; so this
package does not import `screenings` itself (that would be an import cycle): import
``kechuang.cultivation.services.screenings`` where a screening is started.
"""

from kechuang.cultivation.services.pool import execute_run, write_pool
from kechuang.cultivation.services.rules import TIER_RULES_FILE, load_tier_rules, read_rules_file

__all__ = ["TIER_RULES_FILE", "execute_run", "load_tier_rules", "read_rules_file", "write_pool"]
