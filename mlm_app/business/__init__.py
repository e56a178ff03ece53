"""The MLM application's business: compensation plans, enrollment, orders, commission runs, payouts.

Layout: `plans/` pure plan rules (Decimal, no database); `engine/` the same math over numpy arrays
for whole-population runs; one folder per persistent domain (`distributors`, `orders`,
`commissions`, `payouts`, `crm`, `admin`) with models, a service that raises `errors.BusinessError`
subclasses and a thin router; `access.py` decides who may read whose data; `router.py` aggregates the
routers for `mlm_app.main`; `cli.py` adds `mlm-siem seed`.
"""
