"""Build sheets (PDF export).

`export_build_sheet(request, target, estimator, progress, cancelled)` writes one; `export_job`
wraps it as a worker job. `gather` (Qt-free) turns a request into the sheet's rows.
"""
