"""The public shop (search), ordering, order pages and refunds."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from mlm_app.business import web
from mlm_app.business.errors import Conflict, Invalid
from mlm_app.business.orders import service
from mlm_app.deps import CurrentUser, DbSession, OptionalUser
from mlm_app.web.templating import redirect, render

router = APIRouter(route_class=web.BusinessRoute)


@router.get("/shop")
def shop(request: Request, db: DbSession, user: OptionalUser, q: str = "") -> Response:
    products = service.search_products(db, q)
    return render(request, "biz/shop.html", {"q": q[:100], "products": products, "can_buy": user is not None})


@router.get("/shop/promo")
def promo(request: Request, db: DbSession, user: OptionalUser) -> Response:
    """Where promotion e-mails land: the whole catalog."""
    return render(request, "biz/shop.html", {"q": "", "products": service.search_products(db, ""),
                                             "can_buy": user is not None, "message": "This week's offers"})


@router.post("/orders")
def place(request: Request, db: DbSession, user: CurrentUser, product_id: Annotated[int | None, Form()] = None,
          quantity: Annotated[int | None, Form()] = None, product: Annotated[str, Form(max_length=32)] = "",
          qty: Annotated[int | None, Form()] = None) -> Response:
    """The shop form posts `product_id` and `quantity`; scripts may name a SKU as `product` and `qty`."""
    try:
        if product_id is None:
            if not product:
                raise Invalid("choose a product")
            product_id = service.product_by_sku(db, product)
        count = quantity if quantity is not None else (qty if qty is not None else 1)
        order = service.place_order(db, user, [(product_id, count)], config=web.config(request),
                                    now=web.now(request), events=request)
    except (Conflict, Invalid) as exc:
        db.rollback()  # the stock decrement of earlier lines is undone with the order
        return render(request, "biz/shop.html", {"q": "", "products": service.search_products(db, ""),
                      "can_buy": True, "error": str(exc)}, exc.status)
    return redirect(f"/orders/{order.id}")


@router.get("/orders")
def my_orders(request: Request, db: DbSession, user: CurrentUser, distributor: str = "") -> Response:
    target = distributor or user.id
    orders = service.list_orders(db, user, target)
    return render(request, "biz/orders.html", {"orders": orders, "owner": target})


@router.get("/orders/{order_id}")
def order_page(request: Request, db: DbSession, user: CurrentUser, order_id: str) -> Response:
    order = service.get_order(db, user, order_id)
    return render(request, "biz/order.html", {"order": order, "mine": order.distributor_id == user.id})


@router.post("/orders/{order_id}/refund")
def refund(request: Request, db: DbSession, user: CurrentUser, order_id: str) -> Response:
    service.refund_order(db, user, order_id, config=web.config(request), now=web.now(request), events=request)
    return redirect(f"/orders/{order_id}")
