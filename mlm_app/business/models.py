"""Every business table, imported so `mlm_app.db.init_db` registers them on the shared Base."""

from mlm_app.business.commissions.models import BoardRow, CommissionRun, LedgerEntry
from mlm_app.business.crm.models import Contact, ContactNote
from mlm_app.business.distributors.models import Distributor
from mlm_app.business.orders.models import Order, OrderItem, Product
from mlm_app.business.payouts.models import Payout

__all__ = ["BoardRow", "CommissionRun", "Contact", "ContactNote", "Distributor", "LedgerEntry", "Order", "OrderItem",
           "Payout", "Product"]
