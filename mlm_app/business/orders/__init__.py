"""The orders domain of the MLM business."""
