"""The MLM application's business: compensation plans, enrollment, orders, commission runs, payouts."""
