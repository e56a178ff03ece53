"""The commissions domain of the MLM business."""
