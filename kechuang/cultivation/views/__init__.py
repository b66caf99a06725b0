"""The cultivation pages: the reserve pool (:mod:`.pool`), its Excel export (:mod:`.export`),
the screening runs (:mod:`.screenings`) and the enterprise self-assessment
(:mod:`.self_assessment`)."""
