"""Security logging: the one emitter every domain calls, HTTP request events, redaction, the shipper.

Usage from any domain (router or service):

    from mlm_app.events import emit
    emit(request, "mlm.commerce", "order_placed", fields={"mlm.order.id": "O1", "mlm.order.amount": 59.0})

`request` may also be an `Emitter` (background jobs: `app.state.emitter`).
"""

from mlm_app.events.emitter import Emitter, emit

__all__ = ["Emitter", "emit"]
