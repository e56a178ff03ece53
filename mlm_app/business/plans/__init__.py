"""Compensation plans as pure functions over plain data: no database, no clock, money as Decimal."""
