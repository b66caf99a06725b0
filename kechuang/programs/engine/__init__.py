"""Pure rules of R&D programmes (科技计划项目): workflows as data (`workflow`, `builtin`), reviewer
assignment under recusal (`assignment`, `text`), score aggregation and weighted criteria
(`scores`) and the 破"四唯" check of review criteria (`criteria`). No Django.
"""
